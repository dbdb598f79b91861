/**
 * The command engine against a real SQLite store, with stand-in sockets: what it does when a
 * socket cannot take a command (issue 11: a send that failed was retried at once, forever,
 * without returning to the event loop), and the order a terminal's queue goes out in (issue 17:
 * an opendoor waited behind a settime being retried), and that a command being answered stays
 * open until its follow-ups are stored (the access sync queued an answered command again).
 */
import { Database } from "bun:sqlite";
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { type CommandChannel, CommandDispatcher } from "../../src/commands/dispatcher.ts";
import { EventBus } from "../../src/events/bus.ts";
import { decodeFrame } from "../../src/protocol/codec.ts";
import { URGENT_COMMANDS } from "../../src/protocol/commands.ts";
import { SiteClock } from "../../src/protocol/time.ts";
import { URGENT_QUEUE_SQL } from "../../src/store/commands-schema.ts";
import { openStore } from "../../src/store/open.ts";
import type { SqliteStore } from "../../src/store/sqlite/sqlite-store.ts";
import { Writer } from "../../src/store/writer.ts";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function engine(timeoutMs = 60_000) {
  const dir = mkdtempSync(join(tmpdir(), "tm20-dispatcher-"));
  const store = (await openStore({ kind: "sqlite", dataDir: dir })) as SqliteStore;
  const log = pino({ level: "silent" });
  const writer = new Writer({ store, log, maxQueuedRecords: 10_000, maxBatchRecords: 1000, retryDelayMs: 100, commitTimeoutMs: 5000 });
  const dispatcher = new CommandDispatcher({
    store, writer, bus: new EventBus(), clock: new SiteClock("UTC"), log, now: Date.now, timeoutMs, maxAttempts: 3, pageCap: 10, exclusive: true,
  });
  await dispatcher.start();
  cleanups.push(async () => {
    dispatcher.stop();
    await writer.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { store, dispatcher, file: join(dir, "tm20.db") };
}

/** A socket that closed before its close event reached the server: every send fails. */
function deadChannel(sessionId: string) {
  const channel = {
    sessionId,
    attempts: 0,
    deliver(): boolean {
      channel.attempts++;
      // Today's main would go on without end; the throw ends its loop so that the test can fail.
      if (channel.attempts > 50) throw new Error("delivered without end");
      return false;
    },
  } satisfies CommandChannel & { attempts: number };
  return channel;
}

function liveChannel(sessionId: string) {
  const frames: object[] = [];
  return { sessionId, frames, deliver: (frame: object) => (frames.push(frame), true) } satisfies CommandChannel & { frames: object[] };
}

test("a command whose socket is gone waits for the next registration; the loop yields and the history stays short", async () => {
  const { store, dispatcher } = await engine();
  const dead = deadChannel("s1");
  dispatcher.attached("GHOST1", dead);
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 10);
  const [row] = await dispatcher.submit([{ sn: "GHOST1", command: "getdevinfo", params: {}, actor: "test" }]);
  if (!row) throw new Error("not queued");
  await Bun.sleep(500);
  clearInterval(ticker);
  expect(dead.attempts).toBe(1);
  expect(ticks).toBeGreaterThan(5);
  expect(dispatcher.isOnline("GHOST1")).toBe(false);
  expect((await store.commands.get(row.id))?.status).toBe("queued");
  expect((await store.commands.history(row.id)).map((e) => e.status)).toEqual(["queued", "sent", "queued"]);

  // The next registration gets it, after the back-off (about a second after one failure).
  const live = liveChannel("s2");
  dispatcher.attached("GHOST1", live);
  const sent = async () => (await store.commands.get(row.id))?.status === "sent";
  for (let i = 0; i < 100 && !(await sent()); i++) await Bun.sleep(50);
  expect(live.frames).toMatchObject([{ cmd: "getdevinfo" }]);
  expect((await store.commands.get(row.id))?.attempts).toBe(1);
});

test("a terminal whose sockets keep dying gets a bounded history: the back-off doubles", async () => {
  const { store, dispatcher } = await engine();
  const [row] = await dispatcher.submit([{ sn: "GHOST2", command: "getdevinfo", params: {}, actor: "test" }]);
  if (!row) throw new Error("not queued");
  // A new socket registers every 20 ms for 3 s and each is dead by the time a command goes out.
  const started = Date.now();
  let sessions = 0;
  while (Date.now() - started < 3000) {
    dispatcher.attached("GHOST2", deadChannel(`d${sessions++}`));
    await Bun.sleep(20);
  }
  const events = (await store.commands.history(row.id)).length;
  expect(sessions).toBeGreaterThan(50);
  // Back-off 1, 2 s (half jittered): at most three failed sends in 3 s, two events each.
  expect(events).toBeLessThanOrEqual(1 + 2 * 3);
});

test("a failed getdevlock answered as ret:setdevlock (V21 firmware, PROTOCOL.md §7.1) completes the getdevlock instead of timing out", async () => {
  const { store, dispatcher } = await engine();
  const live = liveChannel("s1");
  dispatcher.attached("LOCK1", live);
  const [row] = await dispatcher.submit([{ sn: "LOCK1", command: "getdevlock", params: {}, actor: "test" }]);
  if (!row) throw new Error("not queued");
  const isSent = async () => (await store.commands.get(row.id))?.status === "sent";
  for (let i = 0; i < 100 && !(await isSent()); i++) await Bun.sleep(20);
  expect(live.frames).toMatchObject([{ cmd: "getdevlock" }]);
  const answer = { ret: "setdevlock", result: false, reason: 1 };
  expect(dispatcher.answer("LOCK1", live, "setdevlock", answer, answer)).toBe(true);
  const settled = async () => (await store.commands.get(row.id))?.status !== "sent";
  for (let i = 0; i < 100 && !(await settled()); i++) await Bun.sleep(20);
  expect((await store.commands.get(row.id))?.status).toBe("failed");
  // Any other name is still not its answer.
  expect(dispatcher.answer("LOCK1", live, "getuserlock", answer, answer)).toBe(false);
});

test("a command being answered is still open until its follow-ups are done (a plan in between would queue it again)", async () => {
  const { store, dispatcher } = await engine();
  let release = () => {};
  const followUps = new Promise<void>((resolve) => (release = resolve));
  const followed: string[] = [];
  dispatcher.onFinished(async (row) => {
    followed.push(row.status);
    await followUps;
  });
  const live = liveChannel("s1");
  dispatcher.attached("ACK1", live);
  const [row] = await dispatcher.submit([{ sn: "ACK1", command: "getdevinfo", params: {}, actor: "test" }]);
  if (!row) throw new Error("not queued");
  await until(async () => (await store.commands.get(row.id))?.status === "sent", "the getdevinfo sent");
  const answer = { ret: "getdevinfo", result: true };
  expect(dispatcher.answer("ACK1", live, "getdevinfo", answer, answer)).toBe(true);
  await until(() => followed.length === 1, "the follow-up to start");
  expect((await store.commands.get(row.id))?.status).toBe("succeeded");
  expect((await dispatcher.open("ACK1")).map((c) => c.id)).toEqual([row.id]);
  release();
  await until(async () => (await dispatcher.open("ACK1")).length === 0, "the command to leave the open ones");
  expect(followed).toEqual(["succeeded"]);
});

test("getdevlock and getuserlock answers with trailing commas (a real unit's, PROTOCOL.md §7.1) complete their commands with the fields read", async () => {
  const { store, dispatcher } = await engine();
  const live = liveChannel("s1");
  dispatcher.attached("LOCK2", live);
  const texts = {
    getdevlock: '{"ret":"getdevlock","result":true,"opendelay":5,"dayzone":[{"day":[{"section":"07:00~19:00"},{"section":"00:00~00:00"},]},],}',
    getuserlock: '{"ret":"getuserlock","result":true,"count":1,"record":[{"enrollid":7,"weekzone":2,"group":0,"starttime":"2025-01-01 00:00:00","endtime":"2099-12-31 23:59:00",},],}',
  };
  const rows = await dispatcher.submit([
    { sn: "LOCK2", command: "getdevlock", params: {}, actor: "test" },
    { sn: "LOCK2", command: "getuserlock", params: { enrollid: 7 }, actor: "test" },
  ]);
  for (const row of rows) {
    await until(async () => (await store.commands.get(row.id))?.status === "sent", `${row.command} sent`);
    const frame = decodeFrame(texts[row.command as keyof typeof texts]);
    if (!frame.ok) throw new Error(frame.error);
    expect(dispatcher.answer("LOCK2", live, frame.name, frame.body, frame.raw)).toBe(true);
    await until(async () => (await store.commands.get(row.id))?.status === "succeeded", `${row.command} answered`);
  }
  // One frame each: the next goes out once the previous answer is stored (when, the test does not pin).
  expect(names(live.frames)).toEqual(["getdevlock", "getuserlock"]);
  const answers = await Promise.all(rows.map(async (r) => JSON.parse((await store.commands.get(r.id))?.answer ?? "null") as Record<string, unknown>));
  expect(answers[0]).toMatchObject({ opendelay: 5, dayzone: [{ day: [{ section: "07:00~19:00" }, { section: "00:00~00:00" }] }] });
  expect(answers[1]).toMatchObject({ count: 1, record: [{ enrollid: 7, weekzone: 2, group: 0, starttime: "2025-01-01 00:00:00", endtime: "2099-12-31 23:59:00" }] });
});

/** Polls (generously) until `check` holds. */
async function until(check: () => Promise<boolean> | boolean, what: string, limitMs = 15_000) {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > limitMs) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(20);
  }
}

const names = (frames: object[]) => frames.map((f) => (f as { cmd?: unknown }).cmd);

test("an opendoor goes out as soon as an unanswered settime times out, ahead of the settime's retry and of older queued commands", async () => {
  const { store, dispatcher } = await engine(1500);
  const live = liveChannel("s1");
  dispatcher.attached("DOOR1", live);
  const [settime] = await dispatcher.submit([{ sn: "DOOR1", command: "settime", params: {}, actor: "test" }]);
  if (!settime) throw new Error("not queued");
  await until(() => live.frames.length === 1, "the settime to go out");
  // The terminal never answers the settime. Behind it: ordinary commands, then the door.
  const queued = await dispatcher.submit([
    { sn: "DOOR1", command: "getdevinfo", params: {}, actor: "test" },
    { sn: "DOOR1", command: "gettime", params: {}, actor: "test" },
  ]);
  const [door] = await dispatcher.submit([{ sn: "DOOR1", command: "opendoor", params: { doornum: 1 }, actor: "admin" }]);
  if (!door) throw new Error("not queued");
  // One command in flight (PROTOCOL.md §2): the settime keeps the slot until its time-out.
  expect(names(live.frames)).toEqual(["settime"]);

  await until(async () => (await store.commands.get(door.id))?.status === "sent", "the opendoor to go out");
  const sentAt = (await store.commands.get(door.id))?.sentAt ?? 0;
  const timedOutAt = (await store.commands.history(settime.id)).find((e) => e.detail?.includes("will retry"))?.at ?? 0;
  expect(timedOutAt).toBeGreaterThan(0);
  // Sent right after the slot was freed, not after the settime's retries.
  expect(sentAt - timedOutAt).toBeLessThan(2000);
  expect(names(live.frames)).toEqual(["settime", "opendoor"]);
  expect(live.frames[1]).toEqual({ cmd: "opendoor", doornum: 1, sn: "DOOR1" });

  const answer = { ret: "opendoor", result: true };
  expect(dispatcher.answer("DOOR1", live, "opendoor", answer, answer)).toBe(true);
  await until(async () => (await store.commands.get(door.id))?.status === "succeeded", "the opendoor to succeed");
  // Then the settime's retry, then the rest in the order they were queued.
  await until(() => live.frames.length === 3, "the settime's retry");
  expect(names(live.frames)).toEqual(["settime", "opendoor", "settime"]);
  const retried = { ret: "settime", result: true };
  expect(dispatcher.answer("DOOR1", live, "settime", retried, retried)).toBe(true);
  await until(() => live.frames.length === 4, "the getdevinfo");
  const devinfo = { ret: "getdevinfo", result: true };
  expect(dispatcher.answer("DOOR1", live, "getdevinfo", devinfo, devinfo)).toBe(true);
  await until(() => live.frames.length === 5, "the gettime");
  expect(names(live.frames)).toEqual(["settime", "opendoor", "settime", "getdevinfo", "gettime"]);
  expect((await store.commands.get(settime.id))?.attempts).toBe(2);
  expect((await store.commands.history(door.id)).map((e) => e.status)).toEqual(["queued", "sent", "succeeded"]);
  expect(queued.map((r) => r.id)).toEqual([door.id - 2, door.id - 1]);
});

test("every urgent command is found by the urgent-first lookup, through the partial index in SQLite", async () => {
  const { file } = await engine();
  expect(URGENT_QUEUE_SQL).toBe(`command IN (${[...URGENT_COMMANDS].map((c) => `'${c}'`).join(", ")})`);
  const db = new Database(file, { readonly: true });
  try {
    const plan = db
      .query<{ detail: string }, []>(`EXPLAIN QUERY PLAN SELECT * FROM commands WHERE sn = 'X' AND status = 'queued' AND ${URGENT_QUEUE_SQL} ORDER BY id LIMIT 1`)
      .all()
      .map((r) => r.detail)
      .join("\n");
    expect(plan).toContain("commands_sn_urgent");
  } finally {
    db.close();
  }
});

test("a command that keeps timing out is retried after a doubling back-off, then recorded as timed out; the queue flows on after the hold", async () => {
  const { store, dispatcher } = await engine(300);
  const frames: Array<{ at: number; cmd: unknown }> = [];
  const channel = { sessionId: "s1", deliver: (frame: object) => (frames.push({ at: Date.now(), cmd: (frame as { cmd?: unknown }).cmd }), true) };
  dispatcher.attached("SLOW1", channel);
  const [settime] = await dispatcher.submit([{ sn: "SLOW1", command: "settime", params: {}, actor: "test" }]);
  if (!settime) throw new Error("not queued");
  await until(async () => (await store.commands.get(settime.id))?.status === "timed_out", "the third time-out");
  expect(frames.map((f) => f.cmd)).toEqual(["settime", "settime", "settime"]);
  const [first, second, third] = frames.map((f) => f.at) as [number, number, number];
  // Each retry waits its answer time-out (300 ms) and then the back-off: 1 s after the first, 2 s after the second.
  expect(second - first).toBeGreaterThanOrEqual(300 + 1000);
  expect(third - second).toBeGreaterThanOrEqual(300 + 2000);
  expect((await store.commands.history(settime.id)).map((e) => e.status)).toEqual(["queued", "sent", "queued", "sent", "queued", "sent", "timed_out"]);

  // Three time-outs in a row hold the next command (4 s); once it is answered the one after follows.
  const [a, b] = await dispatcher.submit([
    { sn: "SLOW1", command: "getdevinfo", params: {}, actor: "test" },
    { sn: "SLOW1", command: "gettime", params: {}, actor: "test" },
  ]);
  if (!a || !b) throw new Error("not queued");
  await until(() => frames.length === 4, "the getdevinfo");
  expect((frames[3]?.at ?? 0) - third).toBeGreaterThanOrEqual(300 + 4000);
  const answer = { ret: "getdevinfo", result: true };
  expect(dispatcher.answer("SLOW1", channel, "getdevinfo", answer, answer)).toBe(true);
  await until(() => frames.length === 5, "the gettime");
  expect(frames.slice(3).map((f) => f.cmd)).toEqual(["getdevinfo", "gettime"]);
  expect((await store.commands.get(a.id))?.status).toBe("succeeded");
}, 60_000);
