/**
 * A terminal connection built in this process over the real parts (SQLite store, group-commit
 * Writer, command dispatcher, registry) with a stand-in socket: the session core's effects as the
 * server runs them, checked in milliseconds instead of through the binary.
 */
import { Database } from "bun:sqlite";
import { afterEach, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import pino from "pino";
import { CommandDispatcher } from "../../src/commands/dispatcher.ts";
import type { TerminalCommandHooks } from "../../src/commands/hooks.ts";
import { EventBus } from "../../src/events/bus.ts";
import { WarnLimiter } from "../../src/obs/warn-limiter.ts";
import { SiteClock } from "../../src/protocol/time.ts";
import { openStore } from "../../src/store/open.ts";
import { Writer } from "../../src/store/writer.ts";
import { AccessLive } from "../../src/terminals/access-live.ts";
import { TerminalConnection } from "../../src/terminals/connection.ts";
import { NewTerminalRate } from "../../src/terminals/rate-limit.ts";
import { TerminalRegistry } from "../../src/terminals/registry.ts";
import { REFUSAL } from "../../src/terminals/session-core.ts";
import { tempDir } from "../helpers/server.ts";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function parts(approval: "open" | "approve" = "open") {
  const dataDir = tempDir("tm20-connection-");
  const log = pino({ level: "silent" });
  const store = await openStore({ kind: "sqlite", dataDir });
  const writer = new Writer({ store, log, maxQueuedRecords: 10_000, maxBatchRecords: 1000, retryDelayMs: 100, commitTimeoutMs: 5000 });
  const bus = new EventBus();
  const clock = new SiteClock("UTC");
  const dispatcher = new CommandDispatcher({ store, writer, bus, clock, log, now: Date.now, timeoutMs: 30_000, maxAttempts: 3, pageCap: 10, exclusive: true });
  await dispatcher.start();
  const registry = new TerminalRegistry<TerminalConnection>();
  const commands: TerminalCommandHooks = {
    registered: (sn, channel) => dispatcher.attached(sn, channel),
    closed: (sn, channel) => dispatcher.detached(sn, channel),
    answer: (sn, channel, name, body, raw) => dispatcher.answer(sn, channel, name, body, raw),
    probe: (sn, channel) => dispatcher.probe(sn, channel),
    enrolled: () => {},
  };
  const deps = {
    writer, store, bus, registry, clock, log, approval, maxPending: 100, newTerminals: new NewTerminalRate(20), now: Date.now, commands,
    keypadEnrolment: "accept" as const, warnings: new WarnLimiter(), access: new AccessLive({ store, log, refreshMs: 60_000 }),
  };
  // Read beside the writer's thread, as an admin's query would be.
  const db = new Database(join(dataDir, "tm20.db"), { readonly: true });
  cleanups.push(async () => {
    db.close();
    dispatcher.stop();
    await writer.stop();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  let session = 0;
  /** A stand-in socket: what the server sent, parsed, and how it closed it. */
  const connect = () => {
    const sent: Record<string, unknown>[] = [];
    const closes: { code: number; reason: string }[] = [];
    /** For each positive sendlog answer: the punches stored when it was sent. */
    const storedAtAck: number[] = [];
    const conn = new TerminalConnection(
      {
        send(text: string) {
          const m = JSON.parse(text) as Record<string, unknown>;
          if (m.ret === "sendlog" && m.result === true) storedAtAck.push((db.query("SELECT count(*) AS n FROM attendance").get() as { n: number }).n);
          sent.push(m);
        },
        close(code: number, reason: string) {
          closes.push({ code, reason });
          // The close event follows, as the gateway reports it.
          queueMicrotask(() => conn.onClose(code, reason));
        },
      },
      deps,
      { sessionId: `s${++session}`, remoteAddr: "127.0.0.1", path: "/" },
    );
    const frame = (body: Record<string, unknown>) => conn.onFrame(JSON.stringify(body));
    return { conn, sent, closes, storedAtAck, frame };
  };
  return { store, dispatcher, registry, db, connect };
}

const until = async (what: string, check: () => boolean | Promise<boolean>, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(5);
  }
};

const record = (i: number) => ({ enrollid: 7, time: `2026-01-01 08:00:${String(i).padStart(2, "0")}`, mode: 1, inout: 0, event: 0 });

test("reg first; then a sendlog is acknowledged only once its punches are committed, and a resend stores nothing twice", async () => {
  const { connect, db } = await parts();
  const t = connect();
  await t.frame({ cmd: "sendlog", sn: "IP1", count: 1, logindex: 0, record: [record(1)] });
  expect(t.sent).toEqual([{ ret: "sendlog", result: false, reason: 1 }]);
  await t.frame({ cmd: "reg", sn: "IP1", devinfo: { modelname: "AI518" } });
  expect(t.sent[1]).toMatchObject({ ret: "reg", result: true, nosenduser: false });
  const batch = { cmd: "sendlog", sn: "IP1", count: 3, logindex: 1, record: [record(1), record(2), record(3)] };
  await t.frame(batch);
  await t.frame(batch);
  expect(t.sent.slice(2).map((m) => [m.ret, m.result, m.count, m.logindex])).toEqual([["sendlog", true, 3, 1], ["sendlog", true, 3, 1]]);
  expect(t.storedAtAck).toEqual([3, 3]);
  expect(db.query("SELECT enrollid, time FROM attendance ORDER BY time").all()).toEqual([1, 2, 3].map((i) => ({ enrollid: 7, time: record(i).time })));
});

test("under approve an unknown terminal is stored pending and refused; nothing it uploads is stored", async () => {
  const { connect, store, db } = await parts("approve");
  const t = connect();
  await t.frame({ cmd: "reg", sn: "NEW1" });
  await t.frame({ cmd: "sendlog", sn: "NEW1", count: 1, logindex: 0, record: [record(1)] });
  expect(t.sent).toEqual([{ ret: "reg", result: false, reason: REFUSAL.pending }, { ret: "sendlog", result: false, reason: 1 }]);
  expect((await store.getTerminal("NEW1"))?.approval).toBe("pending");
  expect((db.query("SELECT count(*) AS n FROM attendance").get() as { n: number }).n).toBe(0);
});

test("a queued command goes out after the reg's answer, its answer completes it, and another name's answer does not", async () => {
  const { connect, dispatcher, store } = await parts();
  const [row] = await dispatcher.submit([{ sn: "CMD1", command: "getdevinfo", params: {}, actor: "test" }]);
  if (!row) throw new Error("not queued");
  const t = connect();
  await t.frame({ cmd: "reg", sn: "CMD1" });
  await until("the command to go out", () => t.sent.length === 2);
  expect(t.sent[0]).toMatchObject({ ret: "reg", result: true });
  expect(t.sent[1]).toEqual({ cmd: "getdevinfo", sn: "CMD1" });
  await t.frame({ ret: "getuserlist", result: true, count: 0 });
  expect((await store.commands.get(row.id))?.status).toBe("sent");
  await t.frame({ ret: "getdevinfo", result: true, usersize: 1000 });
  await until("the command to succeed", async () => (await store.commands.get(row.id))?.status === "succeeded");
  expect(t.sent).toHaveLength(2);
});

test("a newer socket for the same sn replaces the older one (closed 4001), whose close leaves the terminal online", async () => {
  const { connect, registry, store } = await parts();
  const a = connect();
  await a.frame({ cmd: "reg", sn: "RE1" });
  const b = connect();
  await b.frame({ cmd: "reg", sn: "RE1" });
  expect(a.closes).toEqual([{ code: 4001, reason: "replaced by a newer connection" }]);
  expect(registry.get("RE1")).toBe(b.conn);
  // The older socket's late frames get nothing once it is closed.
  await a.frame({ cmd: "sendlog", sn: "RE1", count: 1, logindex: 0, record: [record(1)] });
  expect(a.sent).toHaveLength(1);
  // The writer commits in order: once b's upload is acknowledged, an offline mark from a's close would be stored.
  await b.frame({ cmd: "sendlog", sn: "RE1", count: 1, logindex: 0, record: [record(1)] });
  expect(b.sent.map((m) => [m.ret, m.result])).toEqual([["reg", true], ["sendlog", true]]);
  expect(registry.get("RE1")).toBe(b.conn);
  expect((await store.getTerminal("RE1"))?.online).toBe(true);
});

test("ten unreadable frames in a row close the socket 4002", async () => {
  const { connect } = await parts();
  const t = connect();
  for (let i = 0; i < 10; i++) await t.conn.onFrame("{not json");
  expect(t.closes).toEqual([{ code: 4002, reason: "too many unreadable frames" }]);
  expect(t.sent).toEqual([]);
});
