/**
 * Issue 15, terminal hardware identity: an impostor that knows a terminal's sn but sends another
 * cpusn, against a real server. Under `approve` it is refused and the real terminal carries on;
 * under `open` it gets in but the mismatch is kept for the admin; "Replaced hardware" accepts it.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTm20, type Tm20Process } from "../helpers/server.ts";
import { connectTerminal, type TestTerminal } from "../helpers/terminal.ts";

const MAC = "00-01-F5-02-7D-5F";
const devinfo = { modelname: "tfs30", firmware: "TH900_click V5.0", usersize: 3000, mac: MAC };
const IDENTITY_REFUSED = { ret: "reg", result: false, reason: "Hardware differs from the approved terminal" };

/** A `reg` with a cpusn, as PROTOCOL.md §3 has it (the helper's `register` sends none). */
async function reg(t: TestTerminal, sn: string, cpusn: string | null, info: object = devinfo): Promise<Record<string, unknown>> {
  t.send({ cmd: "reg", sn, ...(cpusn === null ? {} : { cpusn }), devinfo: info });
  return t.next((m) => m.ret === "reg");
}

async function sendlog(t: TestTerminal, sn: string, logindex: number): Promise<Record<string, unknown>> {
  t.send({ cmd: "sendlog", sn, count: 1, logindex, record: [{ enrollid: 7, time: `2026-03-01 09:00:0${logindex}`, mode: 1, inout: 0, event: 0 }] });
  return t.next((m) => m.ret === "sendlog");
}

function auditRows(srv: Tm20Process, action: string): unknown[] {
  const db = srv.db();
  const rows = db.query("SELECT actor, target, details, result FROM audit_log WHERE action = ? ORDER BY id").all(action);
  db.close();
  return rows;
}

async function terminal(srv: Tm20Process, sn: string): Promise<Record<string, unknown>> {
  const res = await srv.api(`/api/v1/terminals/${sn}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

describe("under --approval approve", () => {
  let srv: Tm20Process;
  beforeAll(async () => {
    srv = await startTm20({ args: ["--approval", "approve"] });
  });
  afterAll(async () => {
    await srv.stop();
  });

  test("an impostor reg with another cpusn is refused, the real terminal's session goes on; Replaced hardware lets the new unit in", async () => {
    const real = await connectTerminal(srv.ws());
    expect(await reg(real, "DOOR1", "CPU-REAL")).toMatchObject({ ret: "reg", result: false });
    expect((await srv.api("/api/v1/terminals/DOOR1/approve", { method: "POST" })).status).toBe(200);
    expect(await reg(real, "DOOR1", "CPU-REAL")).toMatchObject({ ret: "reg", result: true });

    const impostor = await connectTerminal(srv.ws());
    expect(await reg(impostor, "DOOR1", "CPU-FAKE")).toEqual(IDENTITY_REFUSED);
    // Not registered: its upload is refused, and the real one's session is untouched.
    expect(await sendlog(impostor, "DOOR1", 1)).toEqual({ ret: "sendlog", result: false, reason: 1 });
    expect(await sendlog(real, "DOOR1", 2)).toMatchObject({ ret: "sendlog", result: true, count: 1, logindex: 2 });
    expect(real.ws.readyState).toBe(WebSocket.OPEN);
    const row = await terminal(srv, "DOOR1");
    expect({ online: row.online, cpusn: row.cpusn, mac: row.mac, mismatchCpusn: row.mismatchCpusn, mismatchMac: row.mismatchMac, mismatchAddr: row.mismatchAddr }).toEqual({
      online: true, cpusn: "CPU-REAL", mac: MAC, mismatchCpusn: "CPU-FAKE", mismatchMac: MAC, mismatchAddr: "127.0.0.1",
    });
    expect(typeof row.mismatchAt).toBe("number");
    const logged = await srv.waitForLog(/hardware identity differs.*refused/);
    expect({ sn: logged.sn, remote: logged.remote, cpusn: logged.cpusn }).toEqual({ sn: "DOOR1", remote: "127.0.0.1", cpusn: "CPU-FAKE" });
    expect(auditRows(srv, "terminal.identity-mismatch")).toEqual([
      { actor: "terminal:DOOR1", target: "DOOR1", details: JSON.stringify({ address: "127.0.0.1", cpusn: "CPU-FAKE", mac: MAC }), result: "refused" },
    ]);

    // The unit was really replaced: the admin accepts it; the live (old) socket is closed.
    const accepted = await srv.api("/api/v1/terminals/DOOR1/replaced-hardware", { method: "POST" });
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toMatchObject({ sn: "DOOR1", cpusn: "CPU-FAKE", mac: MAC, mismatchCpusn: null, mismatchAddr: null, mismatchAt: null });
    expect((await real.closed).code).toBe(4003);
    expect(await reg(impostor, "DOOR1", "CPU-FAKE")).toMatchObject({ ret: "reg", result: true });
    expect(await sendlog(impostor, "DOOR1", 3)).toMatchObject({ ret: "sendlog", result: true });
    // Now the old unit is the stranger.
    const old = await connectTerminal(srv.ws());
    expect(await reg(old, "DOOR1", "CPU-REAL")).toEqual(IDENTITY_REFUSED);
    expect(auditRows(srv, "terminal.replace-hardware")).toEqual([
      {
        actor: "token:test", target: "DOOR1", result: "ok",
        details: JSON.stringify({ cpusn: "CPU-FAKE", mac: MAC, address: "127.0.0.1", previous: { cpusn: "CPU-REAL", mac: MAC } }),
      },
    ]);
    expect((await terminal(srv, "DOOR1")).mismatchCpusn).toBe("CPU-REAL");
    for (const t of [impostor, old]) t.close();
  });

  test("a terminal that never sent a cpusn is not refused; the first one it sends is learned, another is refused", async () => {
    const t = await connectTerminal(srv.ws());
    expect(await reg(t, "DOOR2", null, { modelname: "tfs30" })).toMatchObject({ result: false });
    expect((await srv.api("/api/v1/terminals/DOOR2/approve", { method: "POST" })).status).toBe(200);
    expect(await reg(t, "DOOR2", null, { modelname: "tfs30" })).toMatchObject({ result: true });
    const later = await connectTerminal(srv.ws());
    expect(await reg(later, "DOOR2", "CPU-FIRST")).toMatchObject({ result: true });
    expect((await terminal(srv, "DOOR2")).cpusn).toBe("CPU-FIRST");
    const other = await connectTerminal(srv.ws());
    expect(await reg(other, "DOOR2", "CPU-OTHER")).toEqual(IDENTITY_REFUSED);
    // A registered socket cannot switch hardware on a heartbeat either: refused and closed.
    expect(await reg(later, "DOOR2", "CPU-OTHER")).toEqual(IDENTITY_REFUSED);
    expect((await later.closed).code).toBe(4003);
    for (const s of [t, other]) s.close();
  });
});

describe("under --approval open", () => {
  let srv: Tm20Process;
  beforeAll(async () => {
    srv = await startTm20({ args: ["--approval", "open"] });
  });
  afterAll(async () => {
    await srv.stop();
  });

  test("other hardware is accepted but the mismatch is kept, logged and audited; Replaced hardware clears it", async () => {
    const real = await connectTerminal(srv.ws());
    expect(await reg(real, "GATE1", "CPU-REAL")).toMatchObject({ result: true });
    const other = await connectTerminal(srv.ws());
    expect(await reg(other, "GATE1", "CPU-NEW", { ...devinfo, mac: "00-01-F5-AA-BB-CC" })).toMatchObject({ ret: "reg", result: true });
    expect(await sendlog(other, "GATE1", 1)).toMatchObject({ result: true });
    const row = await terminal(srv, "GATE1");
    expect({ cpusn: row.cpusn, mac: row.mac, mismatchCpusn: row.mismatchCpusn, mismatchMac: row.mismatchMac, mismatchAddr: row.mismatchAddr }).toEqual({
      cpusn: "CPU-REAL", mac: MAC, mismatchCpusn: "CPU-NEW", mismatchMac: "00-01-F5-AA-BB-CC", mismatchAddr: "127.0.0.1",
    });
    await srv.waitForLog(/hardware identity differs.*accepted/);
    expect(auditRows(srv, "terminal.identity-mismatch")).toEqual([
      { actor: "terminal:GATE1", target: "GATE1", details: JSON.stringify({ address: "127.0.0.1", cpusn: "CPU-NEW", mac: "00-01-F5-AA-BB-CC" }), result: "accepted" },
    ]);
    // The same alert the dashboard shows, in GET /api/v1/alerts.
    const alerts = (await (await srv.api("/api/v1/alerts")).json()) as { items: Array<{ id: string; level: string; title: string; href: string }> };
    expect(alerts.items.filter((a) => a.id.startsWith("hardware_mismatch")).map(({ id, level, title, href }) => ({ id, level, title, href }))).toEqual([
      { id: "hardware_mismatch:terminal:GATE1", level: "error", title: "Other hardware registered as GATE1", href: "/terminals/GATE1" },
    ]);
    expect((await srv.api("/api/v1/terminals/GATE1/replaced-hardware", { method: "POST" })).status).toBe(200);
    const after = await terminal(srv, "GATE1");
    expect([after.cpusn, after.mac, after.mismatchAt]).toEqual(["CPU-NEW", "00-01-F5-AA-BB-CC", null]);
    // Nothing to accept any more.
    const again = await srv.api("/api/v1/terminals/GATE1/replaced-hardware", { method: "POST" });
    expect([again.status, ((await again.json()) as { code: string }).code]).toEqual([409, "no_other_hardware"]);
    for (const t of [real, other]) t.close();
  });
});
