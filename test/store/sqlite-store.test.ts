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
import { StoreError } from "../../src/store/errors.ts";
import { migrations } from "../../src/store/migrations/index.ts";
import * as schema from "../../src/store/schema.ts";
import * as commandsSchema from "../../src/store/commands-schema.ts";
import type { SqliteConnection, SqliteOpener } from "../../src/store/sqlite/driver.ts";
import { type Durability, SqliteStore } from "../../src/store/sqlite/sqlite-store.ts";
import { type ContractStore, contractCases, ok, punch, punchesOp, T0 } from "./contract-cases.ts";

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

  test("a file that is not a database fails with a StoreError", () => {
    const dir = mkdtempSync(join(tmpdir(), "tm20-store-bad-"));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, "tm20.db");
    const text = "this is not a database, just text long enough to fill a header and then some more bytes.".repeat(20);
    writeFileSync(file, text);
    assert.throws(
      () => new SqliteStore({ file, open: openDriver, durability: "full" }),
      (err: unknown) => err instanceof StoreError && err.code === "open_failed",
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
});
