import { afterAll, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { rmSync } from "node:fs";
import { CountCache, REFRESH_MS } from "../../../src/http/biotime/count-cache.ts";
import { openStore } from "../../../src/store/open.ts";
import { punch, punchesOp } from "../../store/fixtures.ts";
import { tempDir } from "../../helpers/server.ts";

const dir = tempDir("tm20-count-cache-");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("a count follows new rows by counting only those; a full recount after REFRESH_MS sees deletions", async () => {
  const store = await openStore({ kind: "sqlite", dataDir: dir });
  try {
    const cache = new CountCache();
    const day = (d: number, n: number) => Array.from({ length: n }, (_, i) => punch(i + 1, `2026-01-0${d} 0${i}:00:00`));
    await store.write([punchesOp("A", day(1, 5)), punchesOp("B", day(2, 3))]);
    const t = 1_000_000;
    expect(await cache.count(store, {}, t)).toBe(8);
    expect(await cache.count(store, { sns: ["B"] }, t)).toBe(3);
    await store.write([punchesOp("B", day(3, 4))]);
    expect(await cache.count(store, {}, t + 1)).toBe(12);
    expect(await cache.count(store, { sns: ["B"] }, t + 1)).toBe(7);
    expect(await cache.count(store, { sns: ["A"] }, t + 1)).toBe(5);
    // The retention job's kind of change: rows gone below the last id counted.
    const oldest = (await store.attendanceSlice({}, "id", 0, 2)).map((r) => r.id);
    const file = new Database(`${dir}/tm20.db`);
    file.run(`DELETE FROM attendance WHERE id IN (${oldest.join(",")})`);
    file.close();
    expect(await cache.count(store, {}, t + 2)).toBe(12);
    expect(await cache.count(store, {}, t + REFRESH_MS)).toBe(10);
  } finally {
    store.close();
  }
});
