/**
 * The group-commit Writer built in this process over a real SQLite file (its own write thread):
 * one transaction for what arrived together, each submitter answered only after the commit, the
 * queue bound and a terminal's share refused at once, a commit that hangs failed by its time-out,
 * and stop() refusing new work after committing what it holds. Milliseconds, no binary.
 */
import { Database } from "bun:sqlite";
import { afterEach, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import pino from "pino";
import { openStore } from "../../src/store/open.ts";
import type { SqliteStore } from "../../src/store/sqlite/sqlite-store.ts";
import { type CommitInfo, type RefusalReason, Writer } from "../../src/store/writer.ts";
import { tempDir } from "../helpers/server.ts";
import { punch, punchesOp } from "./fixtures.ts";

const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function writer(options: { maxQueuedRecords?: number; commitTimeoutMs?: number } = {}) {
  const dir = tempDir("tm20-writer-");
  const store = (await openStore({ kind: "sqlite", dataDir: dir })) as SqliteStore;
  // As the server runs it: commits on the store's own write thread, so a commit waiting for the lock leaves this loop free.
  await store.startWriteThread();
  const commits: CommitInfo[] = [];
  const refused: RefusalReason[] = [];
  const w = new Writer({
    store, log: pino({ level: "silent" }), maxQueuedRecords: options.maxQueuedRecords ?? 1000, maxBatchRecords: 500, retryDelayMs: 50,
    commitTimeoutMs: options.commitTimeoutMs ?? 10_000, onCommit: (info) => commits.push(info), onRefused: (reason) => refused.push(reason),
  });
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => store.close());
  cleanups.push(() => w.stop());
  const db = new Database(join(dir, "tm20.db"));
  cleanups.push(() => db.close());
  const stored = () => (db.query("SELECT count(*) AS n FROM attendance").get() as { n: number }).n;
  return { w, commits, refused, db, stored };
}

const op = (sn: string, n: number, first = 0) =>
  punchesOp(sn, Array.from({ length: n }, (_, i) => punch(first + i + 1, `2026-01-05 08:${String(Math.floor((first + i) / 60)).padStart(2, "0")}:${String((first + i) % 60).padStart(2, "0")}`)));
const errorOf = (p: Promise<unknown>) => p.then(() => "resolved", (err: unknown) => (err instanceof Error ? err.message : String(err)));

test("writes that arrive together share one transaction, and each is answered only once it is stored", async () => {
  const { w, commits, stored } = await writer();
  const seenAtAnswer: number[] = [];
  const answers = await Promise.all(["A", "B", "C"].map((sn, i) => w.submit(op(sn, 2, i * 2)).then((r) => (seenAtAnswer.push(stored()), r))));
  expect(answers).toEqual([1, 2, 3].map(() => ({ ok: true, inserted: 2, duplicates: 0, quarantined: 0 })));
  expect(seenAtAnswer).toEqual([6, 6, 6]);
  expect(commits.map((c) => [c.ops, c.records, c.inserted])).toEqual([[3, 6, 6]]);
  // The same records again: stored once, answered as duplicates.
  expect(await w.submit(op("A", 2))).toEqual({ ok: true, inserted: 0, duplicates: 2, quarantined: 0 });
});

test("while a commit waits, a full queue and a terminal over its share are refused at once; the rest is stored when the lock goes", async () => {
  const { w, refused, db, stored } = await writer({ maxQueuedRecords: 100 });
  db.run("BEGIN IMMEDIATE");
  const first = w.submit(op("A", 10));
  // The first is taken into the blocked commit (it leaves the queue); what follows waits in the queue.
  while (w.depth > 0) await Bun.sleep(1);
  const queued = [w.submit(op("B", 60, 100), "B"), w.submit(op("C", 5, 200), "C")];
  expect(await errorOf(w.submit(op("D", 40, 300)))).toBe("writer queue is full");
  expect(await errorOf(w.submit(op("C", 1, 400), "C"))).toBe("this terminal already has 5 records waiting (its share is 5)");
  expect(refused).toEqual(["queue_full", "terminal_share"]);
  db.run("COMMIT");
  expect((await first).ok).toBe(true);
  expect((await Promise.all(queued)).map((r) => r.ok)).toEqual([true, true]);
  expect(stored()).toBe(75);
});

test("a commit that does not settle within its time-out fails its submitters; the next write after the lock goes is stored", async () => {
  const { w, db, stored } = await writer({ commitTimeoutMs: 300 });
  db.run("BEGIN IMMEDIATE");
  expect(await errorOf(w.submit(op("A", 3)))).toBe("the store did not answer within 0.3 s");
  expect(w.failure).not.toBeNull();
  db.run("ROLLBACK");
  // The timed-out commit may still land once the lock goes (the terminal's resend is then a duplicate): poll for the writer to recover.
  let result = await w.submit(op("A", 3));
  for (let i = 0; i < 100 && !result.ok; i++) result = await w.submit(op("A", 3));
  expect(result.ok).toBe(true);
  expect(stored()).toBe(3);
  expect(w.failure).toBeNull();
});

test("stop() commits what is queued, then refuses new work", async () => {
  const { w, stored } = await writer();
  const pending = w.submit(op("A", 4));
  await w.stop();
  expect((await pending).ok).toBe(true);
  expect(stored()).toBe(4);
  expect(await errorOf(w.submit(op("A", 1, 10)))).toBe("the server is shutting down");
});
