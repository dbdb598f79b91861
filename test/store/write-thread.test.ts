/**
 * The SQLite write thread dying mid-commit without an error event (terminated, or ended by the
 * runtime): the writes it was running must fail, not wait forever, and the next write starts a new
 * thread and is stored. The thread is the store's own (startWriteThread on a real file); the test
 * only keeps a handle on the Worker it spawns, to end it.
 */
import { Database } from "bun:sqlite";
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openBunSqlite } from "../../src/store/sqlite/bun-driver.ts";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.ts";
import { punch, punchesOp } from "./fixtures.ts";

const RealWorker = globalThis.Worker;
const spawned: Worker[] = [];
let cleanup: Array<() => void | Promise<void>> = [];

afterEach(async () => {
  globalThis.Worker = RealWorker;
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
  spawned.length = 0;
});

test("a write thread ended mid-commit without an error event fails its writes, and the next write runs on a new thread and is stored", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tm20-write-thread-"));
  const file = join(dir, "tm20.db");
  const store = new SqliteStore({ file, open: openBunSqlite, durability: "normal" });
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanup.push(() => store.close());
  globalThis.Worker = class extends RealWorker {
    constructor(...args: ConstructorParameters<typeof Worker>) {
      super(...args);
      spawned.push(this);
    }
  };
  await store.startWriteThread();
  expect(spawned).toHaveLength(1);

  // The commit waits for the write lock another connection holds; the thread ends meanwhile.
  const locker = new Database(file);
  cleanup.push(() => locker.close());
  locker.run("BEGIN IMMEDIATE");
  const pending = store.write([punchesOp("SN1", [punch(1, "2026-01-05 08:00:00")])]);
  const settled = pending.then(
    () => "resolved",
    (err: unknown) => (err instanceof Error ? err.message : String(err)),
  );
  spawned[0]?.terminate();
  const outcome = await Promise.race([settled, Bun.sleep(20_000).then(() => "still pending after 20 s")]);
  expect(outcome).toBe("the write thread ended");
  locker.run("ROLLBACK");

  // The next write starts a new thread and is stored.
  expect(await store.write([punchesOp("SN1", [punch(2, "2026-01-05 09:00:00")])])).toEqual([{ ok: true, inserted: 1, duplicates: 0, quarantined: 0 }]);
  expect(spawned).toHaveLength(2);
  const rows = new Database(file, { readonly: true });
  cleanup.push(() => rows.close());
  expect(rows.query("SELECT enrollid FROM attendance WHERE sn = 'SN1' ORDER BY enrollid").all()).toEqual([{ enrollid: 2 }]);
});
