/**
 * What the server does with bad input, racing sockets, unknown terminals and a store that
 * refuses writes. Each case names the behaviour PROTOCOL.md and issue 2 require.
 */
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { simRecord } from "../../src/simulator/terminal.ts";
import { startTm20, type Tm20Process } from "../helpers/server.ts";
import { until } from "../helpers/sim.ts";
import { connectTerminal } from "../helpers/terminal.ts";

const START = new Date("2026-04-01T07:00:00Z");
const batch = (sn: string, from: number, n: number) => ({
  cmd: "sendlog", sn, count: n, logindex: from, record: Array.from({ length: n }, (_, i) => simRecord(from + i, START)),
});

describe("bad input", () => {
  let srv: Tm20Process;
  beforeAll(async () => {
    srv = await startTm20();
  });
  afterAll(async () => {
    await srv.stop();
  });

  test("non-JSON frames get no answer, are logged, and repeated garbage closes the socket", async () => {
    const t = await connectTerminal(srv.ws());
    await t.register("GARBAGE1");
    t.send("this is not json");
    t.send(new TextEncoder().encode("{also not"));
    t.send("[1,2,3]");
    // A good frame in between still works and resets nothing it should not.
    t.send(batch("GARBAGE1", 0, 2));
    expect(await t.next((m) => m.ret === "sendlog")).toMatchObject({ result: true, count: 2 });
    expect(t.received.length).toBe(2); // reg answer + sendlog answer only
    // The logger writes asynchronously: wait for the lines, then count them exactly.
    const unreadableLines = () => srv.logs.filter((l) => l.msg === "unreadable frame");
    await until("the unreadable frames logged", () => unreadableLines().length >= 3, 10_000);
    const unreadable = unreadableLines();
    expect(unreadable.length).toBe(3);
    expect(unreadable.map((l) => l.error)).toEqual(["frame is not JSON", "frame is not JSON", "frame is not a JSON object"]);
    for (let i = 0; i < 10; i++) t.send(`garbage ${i}`);
    const closed = await t.closed;
    expect(closed.code).toBe(4002);
  });

  test("binary frames carrying JSON are accepted", async () => {
    const t = await connectTerminal(srv.ws("/"));
    t.send(new TextEncoder().encode(JSON.stringify({ cmd: "reg", sn: "BINARY1", devinfo: {} })));
    expect(await t.next((m) => m.ret === "reg")).toMatchObject({ result: true });
    t.send(new TextEncoder().encode(JSON.stringify(batch("BINARY1", 0, 3))));
    expect(await t.next((m) => m.ret === "sendlog")).toMatchObject({ result: true, count: 3, logindex: 0 });
    t.close();
  });

  test("a frame over 4 MiB closes that connection and harms nothing else", async () => {
    const other = await connectTerminal(srv.ws());
    await other.register("BIGNEIGHBOUR");
    const t = await connectTerminal(srv.ws());
    await t.register("BIGFRAME1");
    const big = JSON.stringify({ cmd: "senduser", sn: "BIGFRAME1", enrollid: 1, backupnum: 50, admin: 0, record: "A".repeat(4 * 1024 * 1024) });
    t.send(big);
    const closed = await t.closed;
    expect(closed.code).toBe(1009);
    const line = await until("the disconnection logged", () => srv.logs.find((l) => l.msg === "terminal disconnected" && l.sn === "BIGFRAME1"));
    expect(line).toMatchObject({ level: 30, by: "server", why: `frame too large (over ${4 * 1024 * 1024} bytes)` });
    // The process and the other terminal carry on.
    other.send(batch("BIGNEIGHBOUR", 0, 1));
    expect(await other.next((m) => m.ret === "sendlog")).toMatchObject({ result: true });
    const health = await fetch(`${srv.http}/health`);
    expect(health.status).toBe(200);
    // Just under the limit is fine (a large photo).
    const t2 = await connectTerminal(srv.ws());
    await t2.register("BIGFRAME2");
    t2.send({ cmd: "senduser", sn: "BIGFRAME2", enrollid: 5, backupnum: 50, admin: 0, record: "B".repeat(4 * 1024 * 1024 - 200) });
    expect(await t2.next((m) => m.ret === "senduser", 10_000)).toMatchObject({ result: true });
    const db = srv.db();
    expect(db.query("SELECT length(data) AS n FROM credentials WHERE enrollid = 5 AND backupnum = 50").get()).toEqual({ n: 4 * 1024 * 1024 - 200 });
    db.close();
    other.close();
    t2.close();
  });

  test("a malformed sendlog envelope is quarantined whole and answered, so the terminal does not resend forever", async () => {
    const t = await connectTerminal(srv.ws());
    await t.register("ENVELOPE1");
    t.send({ cmd: "sendlog", sn: "ENVELOPE1", count: 1, logindex: 9, record: "not-an-array" });
    expect(await t.next((m) => m.ret === "sendlog")).toMatchObject({ result: true, count: 1, logindex: 9 });
    const db = srv.db();
    const rows = db.query("SELECT kind, raw, reason FROM quarantine WHERE sn = 'ENVELOPE1'").all() as Array<{ kind: string; raw: string; reason: string }>;
    db.close();
    expect(rows.length).toBe(1);
    expect(rows[0]?.kind).toBe("sendlog");
    expect(JSON.parse(rows[0]?.raw ?? "{}")).toEqual({ cmd: "sendlog", sn: "ENVELOPE1", count: 1, logindex: 9, record: "not-an-array" });
    expect(rows[0]?.reason).toContain("record");
    t.close();
  });

  test("an unknown terminal message is answered result:false, reason 1", async () => {
    const t = await connectTerminal(srv.ws());
    await t.register("UNKNOWNCMD");
    t.send({ cmd: "fancything", sn: "UNKNOWNCMD" });
    expect(await t.next((m) => m.ret === "fancything")).toEqual({ ret: "fancything", result: false, reason: 1 });
    t.close();
  });

  test("senduser stores the credential byte for byte and answers after commit", async () => {
    const t = await connectTerminal(srv.ws());
    await t.register("ENROL1");
    const template = "c5236a01eb87aaa6ff34384480b9bb110005c805e0b6(200)9535f5f3554f";
    // A numeric string for admin is read as a number (a new terminal admin would be held: keypad-escalation.test.ts).
    t.send({ cmd: "senduser", sn: "ENROL1", enrollid: 42, name: " Ben ", backupnum: 0, admin: "0", record: template });
    const answer = await t.next((m) => m.ret === "senduser");
    expect(answer).toMatchObject({ ret: "senduser", result: true });
    expect(String(answer.cloudtime)).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const db = srv.db();
    expect(db.query("SELECT name, admin FROM people WHERE enrollid = 42").get()).toEqual({ name: "Ben", admin: 0 });
    expect(db.query("SELECT data, source_sn FROM credentials WHERE enrollid = 42").get()).toEqual({ data: template, source_sn: "ENROL1" });
    db.close();
    // A QR code is a credential the server issued, never an enrollid (issue 16: access-live.test.ts).
    t.send({ cmd: "sendqrcode", sn: "ENROL1", record: "42" });
    expect(await t.next((m) => m.ret === "sendqrcode")).toEqual({ ret: "sendqrcode", result: true, access: 0, enrollid: 0, username: "", message: "Unknown code" });
    t.send({ cmd: "sendqrcode", sn: "ENROL1", record: "no-such-code" });
    expect(await t.next((m) => m.ret === "sendqrcode")).toEqual({ ret: "sendqrcode", result: true, access: 0, enrollid: 0, username: "", message: "Unknown code" });
    t.close();
  });
});

describe("reconnects", () => {
  test("a second socket for the same sn wins; the stale socket's close never marks the terminal offline", async () => {
    const srv = await startTm20();
    try {
      const a = await connectTerminal(srv.ws());
      await a.register("RACE1");
      const b = await connectTerminal(srv.ws());
      await b.register("RACE1");
      const closedA = await a.closed;
      expect(closedA.code).toBe(4001);
      // b is live and works.
      b.send(batch("RACE1", 0, 2));
      expect(await b.next((m) => m.ret === "sendlog")).toMatchObject({ result: true });
      const res = await srv.api("/api/v1/terminals/RACE1");
      expect(((await res.json()) as { online: boolean }).online).toBe(true);
      expect(((await (await srv.api("/api/v1/stats")).json()) as { terminals_online: number }).terminals_online).toBe(1);
      // Both register at once: exactly one survives, and the terminal is online.
      const [c, d] = await Promise.all([connectTerminal(srv.ws()), connectTerminal(srv.ws())]);
      c.send({ cmd: "reg", sn: "RACE1", devinfo: {} });
      d.send({ cmd: "reg", sn: "RACE1", devinfo: {} });
      await Promise.all([c.next((m) => m.ret === "reg"), d.next((m) => m.ret === "reg")]);
      await b.closed;
      const first = await Promise.race([c.closed.then(() => "c"), d.closed.then(() => "d")]);
      const survivor = first === "c" ? d : c;
      survivor.send(batch("RACE1", 2, 1));
      expect(await survivor.next((m) => m.ret === "sendlog")).toMatchObject({ result: true });
      const after = (await (await srv.api("/api/v1/terminals/RACE1")).json()) as { online: boolean };
      expect(after.online).toBe(true);
      survivor.close();
      await survivor.closed;
      // The live session's own close does mark it offline.
      const online = async () => ((await (await srv.api("/api/v1/terminals/RACE1")).json()) as { online: boolean }).online;
      await until("RACE1 marked offline", async () => !(await online()), 15_000);
      expect(await online()).toBe(false);
    } finally {
      await srv.stop();
    }
  });

  test("a repeated reg on a registered connection is a heartbeat: answered every time, no store write", async () => {
    const srv = await startTm20();
    try {
      const t = await connectTerminal(srv.ws());
      await t.register("HEART1", { modelname: "x", usersize: 10, time: "2026-01-01 00:00:00" });
      const db = srv.db();
      const before = db.query("SELECT last_seen FROM terminals WHERE sn = 'HEART1'").get();
      for (let i = 0; i < 5; i++) {
        t.send({ cmd: "reg", sn: "HEART1", devinfo: { modelname: "x", usersize: 10, time: `2026-01-01 00:00:0${i + 1}` } });
        expect(await t.next((m) => m.ret === "reg")).toMatchObject({ result: true });
      }
      expect(db.query("SELECT last_seen FROM terminals WHERE sn = 'HEART1'").get()).toEqual(before);
      // A devinfo change (not just its clock) is written.
      t.send({ cmd: "reg", sn: "HEART1", devinfo: { modelname: "x", usersize: 20, time: "2026-01-01 00:00:09" } });
      await t.next((m) => m.ret === "reg");
      const size = () => (db.query("SELECT user_size FROM terminals WHERE sn = 'HEART1'").get() as { user_size: number }).user_size;
      await until("the new devinfo written", () => size() !== 10, 15_000);
      expect(size()).toBe(20);
      db.close();
      t.close();
    } finally {
      await srv.stop();
    }
  });
});

describe("keep-alive", () => {
  test("a silent terminal is probed with gettime, and closed after the connection time-out", async () => {
    const srv = await startTm20({ args: ["--probe-after", "1", "--connection-timeout", "3"] });
    try {
      const t = await connectTerminal(srv.ws());
      await t.register("SILENT1");
      expect(await t.next((m) => m.cmd === "gettime", 4000)).toEqual({ cmd: "gettime" });
      const closed = await t.closed;
      expect(closed.code).toBe(4000);
      // Answering the probe counts as life: this one stays connected past the time-out.
      const alive = await connectTerminal(srv.ws());
      await alive.register("ALIVE1");
      const deadline = Date.now() + 4500;
      while (Date.now() < deadline) {
        const probe = await alive.next((m) => m.cmd === "gettime", 4000);
        expect(probe).toEqual({ cmd: "gettime" });
        alive.send({ ret: "gettime", result: true, time: "2026-01-01 00:00:00" });
      }
      expect(alive.ws.readyState).toBe(WebSocket.OPEN);
      alive.close();
    } finally {
      await srv.stop();
    }
  });
});

describe("approval policy", () => {
  test("under `approve`, an unknown terminal is recorded pending and refused with a reason until approved; a blocked one is always refused", async () => {
    const srv = await startTm20({ args: ["--approval", "approve"] });
    try {
      const t = await connectTerminal(srv.ws());
      expect(await t.register("NEW1")).toEqual({ ret: "reg", result: false, reason: "Waiting for approval on the server" });
      t.send(batch("NEW1", 0, 1));
      expect(await t.next((m) => m.ret === "sendlog")).toEqual({ ret: "sendlog", result: false, reason: 1 });
      const pending = (await (await srv.api("/api/v1/terminals/NEW1")).json()) as { approval: string; online: boolean };
      expect(pending).toMatchObject({ approval: "pending", online: false });
      expect(((await (await srv.api("/api/v1/stats")).json()) as { terminals_pending: number }).terminals_pending).toBe(1);

      const approve = await srv.api("/api/v1/terminals/NEW1/approve", { method: "POST" });
      expect(approve.status).toBe(200);
      expect(await t.register("NEW1")).toMatchObject({ ret: "reg", result: true });
      t.send(batch("NEW1", 0, 1));
      expect(await t.next((m) => m.ret === "sendlog")).toMatchObject({ result: true });

      const block = await srv.api("/api/v1/terminals/NEW1/block", { method: "POST" });
      expect(block.status).toBe(200);
      expect((await t.closed).code).toBe(4003);
      const again = await connectTerminal(srv.ws());
      expect(await again.register("NEW1")).toEqual({ ret: "reg", result: false, reason: "Blocked by the server administrator" });
      again.close();
    } finally {
      await srv.stop();
    }
  });

  test("under `open` (the default), a blocked terminal is still refused", async () => {
    const srv = await startTm20();
    try {
      const t = await connectTerminal(srv.ws());
      await t.register("OPEN1");
      expect((await srv.api("/api/v1/terminals/OPEN1/block", { method: "POST" })).status).toBe(200);
      await t.closed;
      const t2 = await connectTerminal(srv.ws());
      expect(await t2.register("OPEN1")).toMatchObject({ result: false, reason: "Blocked by the server administrator" });
      t2.close();
    } finally {
      await srv.stop();
    }
  });
});

describe("a store that refuses writes", () => {
  test("while another process holds the database locked, uploads get result:false; they succeed by themselves afterwards", async () => {
    const srv = await startTm20();
    try {
      const t = await connectTerminal(srv.ws());
      await t.register("LOCKED1");
      const locker = new Database(join(srv.dataDir, "tm20.db"));
      locker.run("PRAGMA busy_timeout = 5000");
      locker.run("BEGIN EXCLUSIVE");
      t.send(batch("LOCKED1", 0, 5));
      expect(await t.next((m) => m.ret === "sendlog", 10_000)).toEqual({ ret: "sendlog", result: false, reason: 1, count: 5, logindex: 0 });
      t.send(batch("LOCKED1", 0, 5));
      expect(await t.next((m) => m.ret === "sendlog", 10_000)).toMatchObject({ result: false });
      const health = await fetch(`${srv.http}/health`);
      expect(health.status).toBe(503);
      expect(((await health.json()) as { store: { problems: string[] } }).store.problems[0]).toContain("SQLITE_BUSY");
      locker.run("ROLLBACK");
      locker.close();
      // The terminal keeps its records and resends; now they are stored.
      t.send(batch("LOCKED1", 0, 5));
      expect(await t.next((m) => m.ret === "sendlog", 10_000)).toMatchObject({ result: true, count: 5 });
      expect((await fetch(`${srv.http}/health`)).status).toBe(200);
      // Logged once per episode, and the recovery too (the logger writes asynchronously: wait for the lines).
      await srv.waitForLog("store writes recovered");
      expect(srv.logs.filter((l) => String(l.msg).startsWith("store write failed")).length).toBe(1);
      const db = srv.db();
      expect(db.query("SELECT count(*) AS n FROM attendance WHERE sn = 'LOCKED1'").get()).toEqual({ n: 5 });
      db.close();
      t.close();
    } finally {
      await srv.stop();
    }
  });
});

describe("the writer queue bound (--max-queued-records)", () => {
  test("beyond it uploads are answered result:false and /health is 503 with the reason; both recover once commits go through", async () => {
    const srv = await startTm20({ args: ["--max-queued-records", "100"] });
    try {
      // Three terminals: one alone may hold only its share of the queue (test/e2e/fair-ingest.test.ts).
      const [t1, t2, t3] = await Promise.all(["QUEUE1", "QUEUE2", "QUEUE3"].map(async (sn) => {
        const t = await connectTerminal(srv.ws());
        await t.register(sn);
        return t;
      }));
      if (!t1 || !t2 || !t3) throw new Error("terminals not connected");
      const answer = (t: typeof t1, logindex: number) => t.next((m) => m.ret === "sendlog" && m.logindex === logindex, 10_000);
      // Read before the lock is taken: the first API call creates the test's token in the database.
      const framesIn = async () => Number(/^tm20_messages_total\{direction="in"\} (\d+)$/m.exec(await (await srv.api("/metrics")).text())?.[1]);
      const before = await framesIn();
      // Commits stall while another connection holds the write lock (well inside the write thread's busy_timeout).
      const locker = new Database(join(srv.dataDir, "tm20.db"));
      locker.run("BEGIN IMMEDIATE");
      t1.send(batch("QUEUE1", 0, 50)); // taken into the stalled commit
      // Taken once the server has read the frame and nothing waits in the queue.
      await until("the first batch to be taken into the stalled commit", async () => {
        if ((await framesIn()) !== before + 1) return false;
        return ((await (await fetch(`${srv.http}/health`)).json()) as { store: { queue_depth: number } }).store.queue_depth === 0;
      });
      t1.send(batch("QUEUE1", 50, 50)); // queued: 50 of 100
      await until("QUEUE1's second batch to be queued", async () => ((await (await fetch(`${srv.http}/health`)).json()) as { store: { queue_depth: number } }).store.queue_depth === 50);
      t2.send(batch("QUEUE2", 0, 45)); // queued: 95 of 100
      await until("QUEUE2's batch to be queued", async () => ((await (await fetch(`${srv.http}/health`)).json()) as { store: { queue_depth: number } }).store.queue_depth === 95);
      t3.send(batch("QUEUE3", 0, 50)); // 145 > 100: refused at once
      expect(await answer(t3, 0)).toEqual({ ret: "sendlog", result: false, reason: 1, count: 50, logindex: 0 });
      const health = await fetch(`${srv.http}/health`);
      expect(health.status).toBe(503);
      const body = (await health.json()) as { store: { queue_depth: number; problems: string[] } };
      expect(body.store.queue_depth).toBe(95);
      expect(body.store.problems).toEqual(["writer not keeping up: 95 of 100 queued records"]);

      locker.run("ROLLBACK");
      locker.close();
      expect(await answer(t1, 0)).toMatchObject({ result: true, count: 50 });
      expect(await answer(t1, 50)).toMatchObject({ result: true, count: 50 });
      expect(await answer(t2, 0)).toMatchObject({ result: true, count: 45 });
      // The terminal kept the refused batch and resends it: now it is taken.
      t3.send(batch("QUEUE3", 0, 50));
      expect(await answer(t3, 0)).toMatchObject({ result: true, count: 50 });
      const recovered = await fetch(`${srv.http}/health`);
      expect(recovered.status).toBe(200);
      expect(((await recovered.json()) as { store: { queue_depth: number } }).store.queue_depth).toBe(0);
      const db = srv.db();
      expect(db.query("SELECT sn, count(*) AS n FROM attendance WHERE sn LIKE 'QUEUE%' GROUP BY sn ORDER BY sn").all()).toEqual([
        { sn: "QUEUE1", n: 100 },
        { sn: "QUEUE2", n: 45 },
        { sn: "QUEUE3", n: 50 },
      ]);
      db.close();
      for (const t of [t1, t2, t3]) t.close();
    } finally {
      await srv.stop();
    }
  });
});
