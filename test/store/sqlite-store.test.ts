/**
 * The store contract (contract-cases.ts) on a real SQLite file, and what only SQLite has.
 *
 * ONE file, two runtimes: under `bun test` it drives bun:sqlite (the binary's driver), under Node
 *   node --import tsx --import ./test/helpers/node-sql-loader.mjs --test test/store/sqlite-store.test.ts
 * it drives better-sqlite3. Hence node:test + node:assert/strict, and no Bun API outside `openDriver`.
 * `npm test` runs both.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, test } from "node:test";
import { sql } from "drizzle-orm";
import { getTableConfig, SQLiteTable } from "drizzle-orm/sqlite-core";
import { AppError } from "../../src/lib/app-error.ts";
import { migrations } from "../../src/store/migrations/index.ts";
import * as schema from "../../src/store/schema.ts";
import * as commandsSchema from "../../src/store/commands-schema.ts";
import type { SqliteConnection, SqliteOpener } from "../../src/store/sqlite/driver.ts";
import { type Durability, SqliteStore } from "../../src/store/sqlite/sqlite-store.ts";
import { type ContractStore, contractCases } from "./contract-cases.ts";
import { ok, punch, punchesOp, T0 } from "./fixtures.ts";

/** Modules of drizzle tables checked against the migrated database (append yours). */
const schemaModules: Array<Record<string, unknown>> = [schema, commandsSchema];

const runtime = typeof Bun === "undefined" ? "node" : "bun";
const openDriver: SqliteOpener =
  runtime === "bun"
    ? (await import("../../src/store/sqlite/bun-driver.ts")).openBunSqlite
    : (await import("../../src/store/sqlite/node-driver.ts")).openNodeSqlite;

interface SqliteTestStore extends ContractStore {
  store: SqliteStore;
  file: string;
  /** Every connection the store opened, in order: [writer, reader]. */
  connections: SqliteConnection[];
  /** An extra connection of the test's own, for what the contract does not expose. */
  raw(): SqliteConnection;
}

function freshStore(options: { durability?: Durability; busyTimeoutMs?: number } = {}): SqliteTestStore {
  const dir = mkdtempSync(join(tmpdir(), `tm20-store-${runtime}-`));
  const file = join(dir, "tm20.db");
  const connections: SqliteConnection[] = [];
  const capture: SqliteOpener = (f, o) => {
    const c = openDriver(f, o);
    connections.push(c);
    return c;
  };
  const open = () => new SqliteStore({ file, open: capture, durability: options.durability ?? "full", busyTimeoutMs: options.busyTimeoutMs, now: () => T0 });
  const stores = [open()];
  const extras: SqliteConnection[] = [];
  const raw = () => {
    const c = openDriver(file, { readonly: false });
    extras.push(c);
    return c;
  };
  return {
    store: stores[0] as SqliteStore,
    file,
    connections,
    raw,
    rows: async (query) => raw().db.all(sql.raw(query)),
    exec: async (query) => void raw().db.run(sql.raw(query)),
    close: async () => stores[stores.length - 1]?.close(),
    reopen: async () => {
      const s = open();
      stores.push(s);
      return s;
    },
    dispose: async () => {
      for (const c of extras) c.close();
      for (const s of stores) {
        try {
          s.close();
        } catch {
          // closed by the test already
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

contractCases({ name: runtime === "bun" ? "bun:sqlite" : "better-sqlite3", migrations, fresh: async () => freshStore() });

describe("SQLite only", () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const fresh = (options: { durability?: Durability; busyTimeoutMs?: number } = {}) => {
    const t = freshStore(options);
    cleanups.push(t.dispose);
    return t;
  };

  test("pragmas: WAL, synchronous per durability, no mmap", () => {
    for (const [durability, synchronous] of [["full", 2], ["normal", 1]] as const) {
      const t = fresh({ durability });
      const writer = t.connections[0];
      assert.ok(writer);
      const pragma = (name: string) => Object.values(writer.db.all<Record<string, unknown>>(sql.raw(`PRAGMA ${name}`))[0] ?? {})[0];
      assert.equal(pragma("journal_mode"), "wal");
      assert.equal(pragma("synchronous"), synchronous);
      assert.equal(pragma("mmap_size"), 0);
      assert.equal(pragma("journal_size_limit"), 67108864);
    }
  });

  test("schema.ts describes exactly the columns the migrations create", async () => {
    const t = fresh();
    const tables = schemaModules.flatMap((m) => Object.values(m).filter((v): v is SQLiteTable => v instanceof SQLiteTable));
    assert.ok(tables.length >= 9);
    for (const table of tables) {
      const config = getTableConfig(table);
      const actual = (await t.rows(`PRAGMA table_info(${config.name})`)) as Array<{ name: string; notnull: number; pk: number }>;
      const fromSql = actual.map((c) => `${c.name}${c.notnull || c.pk ? " not null" : ""}`).sort();
      const fromDrizzle = config.columns.map((c) => `${c.name}${c.notNull ? " not null" : ""}`).sort();
      assert.deepEqual(fromDrizzle, fromSql, `table ${config.name}`);
    }
  });

  test("a file that is not a database fails with an AppError", () => {
    const dir = mkdtempSync(join(tmpdir(), "tm20-store-bad-"));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, "tm20.db");
    const text = "this is not a database, just text long enough to fill a header and then some more bytes.".repeat(20);
    writeFileSync(file, text);
    assert.throws(
      () => new SqliteStore({ file, open: openDriver, durability: "full" }),
      (err: unknown) => err instanceof AppError && err.code === "open_failed",
    );
  });

  test("when the transaction cannot run (another writer holds the lock), write rejects and applies nothing; later writes succeed", async () => {
    const t = fresh({ busyTimeoutMs: 20 });
    const other = t.raw();
    other.db.run(sql`BEGIN IMMEDIATE`);
    await assert.rejects(t.store.write([punchesOp("SN1", [punch(1, "2026-01-05 08:00:00")])]));
    other.db.run(sql`ROLLBACK`);
    assert.equal((await t.store.stats()).attendance_total, 0);
    assert.deepEqual(await t.store.write([punchesOp("SN1", [punch(1, "2026-01-05 08:00:00")])]), [ok(1)]);
  });

  test("a TRUNCATE checkpoint folds the WAL into the database and empties it", async () => {
    const t = fresh();
    await t.store.write([punchesOp("SN1", Array.from({ length: 200 }, (_, i) => punch(i + 1, "2026-01-05 08:00:00")))]);
    const wal = `${t.file}-wal`;
    assert.ok(existsSync(wal) && statSync(wal).size > 0);
    t.store.checkpoint("TRUNCATE");
    assert.equal(statSync(wal).size, 0);
    assert.equal((await t.store.stats()).attendance_total, 200);
  });

  // In/out alone has no index: such pages walk back the time index in bounded windows (punch-pages.ts).
  test("in/out alone: every matching row exactly once, newest first; a page may come back short, even empty, with a next cursor", async () => {
    const t = fresh();
    // 130,000 punches, one a second: more than one page's budget (SCAN_WINDOWS × SCAN_WINDOW_ROWS).
    const n = 130_000;
    const start = Date.UTC(2026, 0, 1);
    const at = (i: number) => new Date(start + i * 1000).toISOString().slice(0, 19).replace("T", " ");
    const outs = new Set([5, 6, 7, 64_000, 129_998]);
    const punches = Array.from({ length: n }, (_, i) => punch(1 + (i % 50), at(i), { inout: outs.has(i) ? 1 : 0 }));
    await t.store.write([punchesOp("SN1", punches.slice(0, n / 2)), punchesOp("SN2", punches.slice(n / 2))]);
    const walk = async (filter: { inout: number; from?: string; to?: string }, limit: number) => {
      const pages: number[][] = [];
      let cursor: string | undefined;
      do {
        const page = await t.store.attendance({ ...filter, limit, cursor });
        assert.ok(page.items.length <= limit);
        pages.push(page.items.map((r) => r.id));
        cursor = page.next ?? undefined;
      } while (cursor !== undefined);
      return pages;
    };
    // The first page's windows reach down to row ~30,000: two matches, short of the third that
    // would say "more", so it ends with its budget spent and a cursor below its last window.
    assert.deepEqual(await walk({ inout: 1 }, 2), [[129_999, 64_001], [8, 7], [6]]);
    assert.deepEqual(await walk({ inout: 1 }, 10), [[129_999, 64_001], [8, 7, 6]]);
    // Nothing matches: an empty page with a next cursor, then the rest of the table.
    assert.deepEqual(await walk({ inout: 7 }, 10), [[], []]);
    assert.deepEqual((await walk({ inout: 1, from: at(6), to: at(70_000) }, 1)).flat(), [64_001, 8, 7]);
    assert.deepEqual((await t.store.attendance({ inout: 0, limit: 3 })).items.map((r) => r.id), [130_000, 129_998, 129_997]);
  });

  test("prune: old rows go in chunks; rows past the delivered bound stay; a bound of 0 keeps everything", async () => {
    const t = fresh();
    await t.store.write([
      punchesOp("SN1", [
        punch(1, "2020-01-01 08:00:00"), punch(2, "2020-01-01 08:01:00"), punch(3, "2020-01-01 08:02:00"), punch(4, "2026-01-05 08:00:00"),
        punch(0, "2020-01-01 09:00:00", { event: 1 }), punch(0, "2020-01-01 09:01:00", { event: 1 }),
      ]),
    ]);
    const ids = async () => (await t.store.attendance({ limit: 100 })).items.map((r) => r.id).sort((a, b) => a - b);
    const doors = async () => (await t.store.doorEvents({ limit: 100 })).items.map((r) => r.id).sort((a, b) => a - b);
    const old = "2025-01-01 00:00:00";
    assert.deepEqual(t.store.prune({ punchesBefore: old, attendanceUpTo: 0, doorEventsUpTo: 0 }, 10), { photos: 0, quarantine: 0, attendance: 0, doorEvents: 0 });
    assert.deepEqual(t.store.prune({ punchesBefore: old, attendanceUpTo: 2, doorEventsUpTo: 1 }, 10), { photos: 0, quarantine: 0, attendance: 2, doorEvents: 1 });
    assert.deepEqual(await ids(), [3, 4]);
    assert.deepEqual(await doors(), [2]);
    assert.deepEqual(t.store.prune({ punchesBefore: old }, 10), { photos: 0, quarantine: 0, attendance: 1, doorEvents: 1 });
    assert.deepEqual(await ids(), [4]);
    assert.deepEqual(await doors(), []);
  });
});
