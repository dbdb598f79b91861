/**
 * The command engine end to end: a real server process, simulated terminals in this process.
 */
import { describe, expect, test } from "bun:test";
import { SimDevice } from "../../src/simulator/device.ts";
import { logBarrier } from "../helpers/log-barrier.ts";
import { startTm20, tempDir, type Tm20Process } from "../helpers/server.ts";
import { connectTerminal } from "../helpers/terminal.ts";
import { commandsReceived, registered, startSim, until } from "../helpers/sim.ts";

type Json = Record<string, unknown>;

async function queue(srv: Tm20Process, sn: string, body: Json): Promise<Json> {
  const res = await srv.api(`/api/v1/terminals/${sn}/commands`, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });
  const json = (await res.json()) as Json;
  if (res.status !== 201) throw new Error(`queue failed ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

async function command(srv: Tm20Process, id: unknown): Promise<Json> {
  return (await (await srv.api(`/api/v1/commands/${String(id)}`)).json()) as Json;
}

const finalStatus = (srv: Tm20Process, id: unknown, status: string) =>
  until(`command ${String(id)} ${status}`, async () => {
    const c = await command(srv, id);
    return c.status === status ? c : undefined;
  });

/** Makes the terminal known to the server, then takes it offline. */
async function knownOffline(srv: Tm20Process, sn: string) {
  const t = startSim(srv.ws(), sn);
  await registered(t);
  t.stop();
  await until(`${sn} offline`, async () => ((await (await srv.api(`/api/v1/terminals/${sn}`)).json()) as Json).online === false);
}

describe("command engine", () => {
  test("a command queued while the terminal is offline is delivered once, after its reg", async () => {
    const srv = await startTm20();
    try {
      await knownOffline(srv, "OFF1");
      const queued = await queue(srv, "OFF1", { command: "opendoor", params: { doornum: 1 }, deadline: new Date(Date.now() + 600_000).toISOString() });
      expect(queued.status).toBe("queued");
      const t = startSim(srv.ws(), "OFF1");
      const done = await finalStatus(srv, queued.id, "succeeded");
      // Another command after it proves the queue moved on without sending the first again.
      const after = await queue(srv, "OFF1", { command: "getdevinfo", params: {} });
      await finalStatus(srv, after.id, "succeeded");
      t.stop();
      expect(commandsReceived(t, "opendoor")).toEqual([{ cmd: "opendoor", sn: "OFF1", doornum: 1 }]);
      expect(t.device.doorsOpened).toBe(1);
      expect((done.history as Json[]).map((h) => h.status)).toEqual(["queued", "sent", "succeeded"]);
      // The reg answer came first: the command was only sent once the terminal was registered.
      expect(t.stats.everRegistered).toBe(true);
    } finally {
      await srv.stop();
    }
  });

  test("an opendoor whose deadline passed while the terminal was offline is never delivered", async () => {
    const srv = await startTm20();
    try {
      await knownOffline(srv, "EXP1");
      const door = await queue(srv, "EXP1", { command: "opendoor", params: {}, deadline: Date.now() + 1000 });
      await Bun.sleep(1500);
      const t = startSim(srv.ws(), "EXP1");
      await registered(t);
      const later = await queue(srv, "EXP1", { command: "gettime", params: {} });
      await finalStatus(srv, later.id, "succeeded");
      const expired = await finalStatus(srv, door.id, "expired");
      t.stop();
      expect(commandsReceived(t, "opendoor")).toEqual([]);
      expect(t.device.doorsOpened).toBe(0);
      expect(expired.reason).toBe("deadline passed before it could be sent");
      expect(expired.sentAt).toBeNull();
    } finally {
      await srv.stop();
    }
  });

  test("a silent terminal: time-outs are recorded, idempotent commands retried a bounded number of times, doors never", async () => {
    const srv = await startTm20({ args: ["--command-timeout", "1", "--command-attempts", "2"] });
    try {
      const t = startSim(srv.ws(), "SIL1", { commandMode: "silent" });
      await registered(t);
      const info = await queue(srv, "SIL1", { command: "getdevinfo", params: {} });
      const door = await queue(srv, "SIL1", { command: "opendoor", params: {} });
      const a = await finalStatus(srv, info.id, "timed_out");
      const b = await finalStatus(srv, door.id, "timed_out");
      t.stop();
      expect(a.attempts).toBe(2);
      expect(a.reason).toBe("no answer within 1 s");
      expect((a.history as Json[]).map((h) => h.status)).toEqual(["queued", "sent", "queued", "sent", "timed_out"]);
      expect(b.attempts).toBe(1);
      expect((b.history as Json[]).map((h) => h.status)).toEqual(["queued", "sent", "timed_out"]);
      expect(commandsReceived(t, "getdevinfo").length).toBe(2);
      expect(commandsReceived(t, "opendoor").length).toBe(1);
    } finally {
      await srv.stop();
    }
  });

  test("a server restart (kill -9) with queued commands loses none; each is delivered once, in order", async () => {
    const dataDir = tempDir();
    let srv = await startTm20({ dataDir });
    try {
      await knownOffline(srv, "RST1");
      const ids: unknown[] = [];
      for (let volume = 1; volume <= 5; volume++) ids.push((await queue(srv, "RST1", { command: "setdevinfo", params: { volume } })).id);
      await srv.kill9();
      srv = await startTm20({ dataDir });
      const t = startSim(srv.ws(), "RST1");
      for (const id of ids) await finalStatus(srv, id, "succeeded");
      t.stop();
      expect(commandsReceived(t, "setdevinfo").map((m) => m.volume)).toEqual([1, 2, 3, 4, 5]);
    } finally {
      await srv.stop();
    }
  });

  test("answers echoed with cmd instead of ret complete the command; refusals fail it with the reason", async () => {
    const srv = await startTm20();
    try {
      const echo = startSim(srv.ws(), "ECHO1", { answerWith: "cmd" });
      const refuse = startSim(srv.ws(), "NO1", { commandMode: "refuse" });
      await registered(echo);
      await registered(refuse);
      const a = await queue(srv, "ECHO1", { command: "gettime", params: {} });
      const b = await queue(srv, "ECHO1", { command: "getnewlog", params: {} });
      const c = await queue(srv, "NO1", { command: "setuserinfo", params: { enrollid: 5, name: "A", backupnum: 50, record: "aGVsbG8=" } });
      expect(((await finalStatus(srv, a.id, "succeeded")).answer as Json).time).toBeString();
      expect((await finalStatus(srv, b.id, "succeeded")).answer).toMatchObject({ pages: 1, count: 0, received: 0, stop: "empty page" });
      const refused = await finalStatus(srv, c.id, "failed");
      expect(refused.reason).toBe("photo too big (reason 1)");
      // The photo itself is never shown back.
      expect((refused.params as Json).record).toBe("[8 characters]");
      echo.stop();
      refuse.stop();
    } finally {
      await srv.stop();
    }
  });

  test("the API refuses unknown commands, unknown fields and bad values before queuing; cancels queued ones", async () => {
    const srv = await startTm20();
    try {
      await knownOffline(srv, "API1");
      const post = (body: unknown) =>
        srv.api("/api/v1/terminals/API1/commands", { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });
      const bad = async (body: unknown) => {
        const res = await post(body);
        return { status: res.status, body: (await res.json()) as Json };
      };
      expect(await bad({ command: "formatdisk", params: {} })).toEqual({ status: 400, body: { code: "invalid_command", message: 'unknown command "formatdisk"' } });
      expect(await bad({ command: "opendoor", params: { doorno: 1 } })).toEqual({ status: 400, body: { code: "invalid_command", message: 'unknown field "doorno"' } });
      expect(await bad({ command: "opendoor", params: { doornum: 9 } })).toMatchObject({ status: 400, body: { code: "invalid_command" } });
      expect(await bad({ command: "getalllog", params: { from: "2026-02-30", to: "2026-03-01" } })).toMatchObject({ status: 400 });
      expect(await bad({ command: "setuserinfo", params: { enrollid: 1, name: "x", backupnum: 12, record: "1" } })).toMatchObject({ status: 400 });
      expect((await srv.api("/api/v1/terminals/NOPE/commands", { method: "POST", body: "{}" })).status).toBe(404);
      const q = await queue(srv, "API1", { command: "getdevlock", params: {} });
      const cancel = await srv.api(`/api/v1/commands/${String(q.id)}/cancel`, { method: "POST" });
      expect(cancel.status).toBe(200);
      expect(((await cancel.json()) as Json).status).toBe("cancelled");
      expect((await srv.api(`/api/v1/commands/${String(q.id)}/cancel`, { method: "POST" })).status).toBe(409);
      const list = (await (await srv.api("/api/v1/terminals/API1/commands")).json()) as { items: Json[] };
      expect(list.items.map((c) => [c.command, c.status])).toEqual([["getdevlock", "cancelled"]]);
      const audit = srv.db();
      const rows = audit.query("SELECT actor, action, target, result FROM audit_log WHERE action LIKE 'command.%' ORDER BY id").all();
      audit.close();
      expect(rows).toEqual([
        { actor: "token:test", action: "command.getdevlock", target: "API1", result: "queued" },
        { actor: "token:test", action: "command.getdevlock", target: "API1", result: "cancelled: cancelled by token:test" },
      ]);
    } finally {
      await srv.stop();
    }
  });
});

describe("terminal clocks", () => {
  test("a clock off by more than the limit gets settime at reg, then is measured again; one within it does not", async () => {
    const srv = await startTm20({ args: ["--clock-drift-limit", "60"] });
    try {
      const off = startSim(srv.ws(), "CLK1", { device: new SimDevice({ clockSkewSeconds: 300 }) });
      const fine = startSim(srv.ws(), "CLK2", { device: new SimDevice({ clockSkewSeconds: 20 }) });
      await until("settime on CLK1", () => commandsReceived(off, "settime").length === 1);
      const clock = async (sn: string) => (await (await srv.api(`/api/v1/terminals/${sn}/clock`)).json()) as Json;
      // The settime is followed by a gettime (issue 17: a corrected clock clears its alert at once),
      // so the stored drift ends near 0, measured at or after the correction. "Near": both times
      // travel as whole seconds (the settime's and the gettime answer's), each cut up to 1 s short.
      const c1 = await until("CLK1 measured again after its correction", async () => {
        const c = await clock("CLK1");
        return c.correctedAt && Number(c.checkedAt) >= Number(c.correctedAt) && Math.abs(Number(c.driftSeconds)) <= 2 ? c : undefined;
      });
      expect(c1.correctedAt).not.toBeNull();
      expect(commandsReceived(off, "gettime").length).toBeGreaterThanOrEqual(1);
      await registered(fine);
      const c2 = await until("CLK2 clock stored", async () => {
        const c = await clock("CLK2");
        return c.checkedAt ? c : undefined;
      });
      expect(Math.abs(Number(c2.driftSeconds) - 20)).toBeLessThanOrEqual(1);
      expect(c2.correctedAt).toBeNull();
      // An explicit gettime measures again: CLK1 stays on time.
      const q = await queue(srv, "CLK1", { command: "gettime", params: {} });
      await finalStatus(srv, q.id, "succeeded");
      expect(Math.abs(Number((await clock("CLK1")).driftSeconds))).toBeLessThanOrEqual(2);
      expect(commandsReceived(fine, "settime")).toEqual([]);
      expect(commandsReceived(off, "settime").length).toBe(1);
      off.stop();
      fine.stop();
    } finally {
      await srv.stop();
    }
  });

  test("a unit with a wrong clock that reconnects over and over gets one settime, not one per reg", async () => {
    const srv = await startTm20({ args: ["--clock-drift-limit", "60", "--tz", "UTC"] });
    try {
      // An hour behind, as its devinfo says at every reg.
      const behind = new Date(Date.now() - 3_600_000).toISOString().replace("T", " ").slice(0, 19);
      for (let i = 0; i < 5; i++) {
        const t = await connectTerminal(srv.ws());
        expect(await t.register("CLKLOOP", { modelname: "x", time: behind })).toMatchObject({ result: true });
        t.close();
        await t.closed;
      }
      await until("CLKLOOP clock stored", async () => {
        const c = (await (await srv.api("/api/v1/terminals/CLKLOOP/clock")).json()) as Json;
        return c.correctedAt ? c : undefined;
      });
      const list = (await (await srv.api("/api/v1/terminals/CLKLOOP/commands")).json()) as { items: Json[] };
      expect(list.items.filter((c) => c.command === "settime").length).toBe(1);
      await logBarrier(srv);
      expect(srv.logs.filter((l) => l.msg === "terminal clock off; sending settime").length).toBe(1);
    } finally {
      await srv.stop();
    }
  });
});
