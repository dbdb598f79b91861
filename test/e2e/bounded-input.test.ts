/**
 * Issue 15, bounded input on the terminal side: each test performs the flood against a real server.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { DEVINFO_DROPPED_KEY } from "../../src/protocol/messages.ts";
import { startTm20, type Tm20Process } from "../helpers/server.ts";
import { connectTerminal, type TestTerminal } from "../helpers/terminal.ts";

/** The samples of an exposition, "name{labels}" → value. */
async function metric(srv: Tm20Process, name: string): Promise<number> {
  const text = await (await fetch(`${srv.http}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return line === undefined ? 0 : Number(line.slice(name.length + 1));
}

/**
 * The database's size as its pages, WAL included: what the rows cost for good. The WAL file itself
 * is reused after each checkpoint, so its size says how many commits ran, not what they kept.
 */
function storedBytes(srv: Tm20Process): number {
  const db = srv.db();
  const { n } = db.query("SELECT (SELECT page_count FROM pragma_page_count()) * (SELECT page_size FROM pragma_page_size()) AS n").get() as { n: number };
  db.close();
  return n;
}

describe("devinfo flood under approve", () => {
  let srv: Tm20Process;
  beforeAll(async () => {
    srv = await startTm20({ args: ["--approval", "approve", "--new-terminals-per-minute", "1000"] });
  });
  afterAll(async () => {
    await srv.stop();
  });

  test("100 reg frames with 100 kB devinfo each keep the known fields and a few KiB; the data directory grows little", async () => {
    const before = storedBytes(srv);
    const devinfo: Record<string, unknown> = { modelname: "tfs30", firmware: "v2", usersize: 3000 };
    for (let i = 0; i < 1000; i++) devinfo[`field${i}`] = "x".repeat(100);
    expect(JSON.stringify(devinfo).length).toBeGreaterThan(100_000);
    for (let i = 0; i < 100; i++) {
      const t = await connectTerminal(srv.ws());
      expect(await t.register(`FLOOD${i}`, devinfo)).toMatchObject({ ret: "reg", result: false });
      t.close();
      await t.closed;
    }
    const db = srv.db();
    expect(db.query("SELECT count(*) AS n FROM terminals WHERE approval = 'pending'").get()).toEqual({ n: 100 });
    const row = db.query("SELECT model, firmware, user_size, devinfo FROM terminals WHERE sn = 'FLOOD7'").get() as { model: string; firmware: string; user_size: number; devinfo: string };
    db.close();
    expect([row.model, row.firmware, row.user_size]).toEqual(["tfs30", "v2", 3000]);
    expect(row.devinfo.length).toBeLessThan(4096);
    const stored = JSON.parse(row.devinfo) as Record<string, unknown>;
    const kept = Object.keys(stored).filter((k) => k.startsWith("field")).length;
    expect(kept).toBeGreaterThan(0);
    expect(stored[DEVINFO_DROPPED_KEY]).toBe(1000 - kept);
    // Before the bound: 12 MB for the same flood.
    expect(storedBytes(srv) - before).toBeLessThan(600_000);
  });
});

describe("--max-pending-terminals", () => {
  let srv: Tm20Process;
  beforeAll(async () => {
    srv = await startTm20({ args: ["--approval", "approve", "--max-pending-terminals", "3"] });
  });
  afterAll(async () => {
    await srv.stop();
  });

  test("unknown sns beyond the cap are refused, not stored, and logged; the pending ones are kept", async () => {
    for (let i = 0; i < 5; i++) {
      const t = await connectTerminal(srv.ws());
      expect(await t.register(`NEWSN${i}`)).toEqual({ ret: "reg", result: false, reason: "Waiting for approval on the server" });
      t.close();
      await t.closed;
    }
    const db = srv.db();
    expect(db.query("SELECT sn, approval FROM terminals ORDER BY sn").all()).toEqual([0, 1, 2].map((i) => ({ sn: `NEWSN${i}`, approval: "pending" })));
    db.close();
    expect(await srv.waitForLog("pending list full: new terminal refused and not stored (approve or block the pending ones)")).toMatchObject({ sn: "NEWSN3", remote: "127.0.0.1", limit: 3 });
  });
});

describe("--new-terminals-per-minute", () => {
  let srv: Tm20Process;
  beforeAll(async () => {
    srv = await startTm20({ args: ["--approval", "approve", "--new-terminals-per-minute", "3"] });
  });
  afterAll(async () => {
    await srv.stop();
  });

  test("one address adding unknown sns fast: beyond the rate they are refused and not stored; known ones are still seen", async () => {
    const reg = async (sn: string) => {
      const t = await connectTerminal(srv.ws());
      expect(await t.register(sn)).toEqual({ ret: "reg", result: false, reason: "Waiting for approval on the server" });
      t.close();
      await t.closed;
    };
    for (let i = 0; i < 5; i++) await reg(`RATESN${i}`);
    const db = srv.db();
    expect(db.query("SELECT sn FROM terminals ORDER BY sn").all()).toEqual([{ sn: "RATESN0" }, { sn: "RATESN1" }, { sn: "RATESN2" }]);
    const seen = (db.query("SELECT last_seen FROM terminals WHERE sn = 'RATESN0'").get() as { last_seen: number }).last_seen;
    db.close();
    expect(await srv.waitForLog("too many new terminals from this address: refused and not stored")).toMatchObject({ sn: "RATESN3", remote: "127.0.0.1" });
    await Bun.sleep(5);
    await reg("RATESN0");
    const db2 = srv.db();
    expect((db2.query("SELECT last_seen FROM terminals WHERE sn = 'RATESN0'").get() as { last_seen: number }).last_seen).toBeGreaterThan(seen);
    expect(db2.query("SELECT count(*) AS n FROM terminals").get()).toEqual({ n: 3 });
    db2.close();
  });
});

describe("every frame counts toward the message rate", () => {
  let srv: Tm20Process;
  beforeAll(async () => {
    srv = await startTm20({ args: ["--message-rate", "0.2", "--metrics-allow", "127.0.0.1,::1"] });
  });
  afterAll(async () => {
    await srv.stop();
  });

  test("a socket sending unreadable frames and answers fast is limited like one sending cmd frames", async () => {
    const t = await connectTerminal(srv.ws());
    // Burst of 1 at 0.2/s: the first frame takes the only token, for the next 5 s.
    for (let i = 0; i < 2; i++) {
      t.send({ ret: "getuserlist", result: true, count: 0 });
      t.send("not json at all");
    }
    expect(await t.register("GARBAGE1")).toEqual({ ret: "reg", result: false, reason: "Server busy, retrying" });
    expect(await metric(srv, 'tm20_messages_refused_total{reason="rate"}')).toBe(4);
    const log = await srv.waitForLog("terminal over its message rate; answering result:false");
    // The first over the rate is the unreadable frame: no command name.
    expect(log).toMatchObject({ remote: "127.0.0.1", cmd: null, limit: 0.2 });
    const db = srv.db();
    expect(db.query("SELECT count(*) AS n FROM terminals").get()).toEqual({ n: 0 });
    db.close();
    t.close();
    await t.closed;
  });
});

describe("--max-connections-per-address", () => {
  let srv: Tm20Process;
  beforeAll(async () => {
    srv = await startTm20({ args: ["--max-connections-per-address", "2", "--metrics-allow", "127.0.0.1,::1"] });
  });
  afterAll(async () => {
    await srv.stop();
  });

  test("connections from one address beyond the cap are refused with 503, and accepted again once one closes", async () => {
    const held = [await connectTerminal(srv.ws()), await connectTerminal(srv.ws())];
    const refused = await fetch(`${srv.http}/pub/chat`, {
      headers: { upgrade: "websocket", connection: "Upgrade", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==", "sec-websocket-version": "13" },
    });
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("30");
    expect(await refused.text()).toBe("connection limit per address reached, retry later");
    await expect(connectTerminal(srv.ws())).rejects.toThrow("cannot connect");
    expect(await srv.waitForLog("terminal connection refused: connection limit per address reached")).toMatchObject({ refused: 1, limit: 2, remote: "127.0.0.1" });
    expect(await metric(srv, 'tm20_connections_refused_total{reason="max_connections_per_address"}')).toBe(2);
    expect(await metric(srv, "tm20_connections_active")).toBe(2);

    held[0]?.close();
    await held[0]?.closed;
    let again: TestTerminal | null = null;
    for (let i = 0; i < 100 && !again; i++) again = await connectTerminal(srv.ws()).catch(() => Bun.sleep(50).then(() => null));
    expect(again).not.toBeNull();
    for (const t of [held[1], again]) {
      t?.close();
      await t?.closed;
    }
  });
});
