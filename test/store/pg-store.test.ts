/**
 * The store contract (contract-cases.ts) on PgStore against the local PostgreSQL, and what only
 * the cluster's store has: its schema, several instances writing at once, a commit that cannot
 * complete, an instance that froze inside a transaction.
 * Every store gets a schema of its own under this run's prefix; all of them are dropped after.
 */
import assert from "node:assert/strict";
import { after, afterEach, describe, test } from "node:test";
import { SQL } from "bun";
import { sql } from "drizzle-orm";
import { getTableConfig, PgTable } from "drizzle-orm/pg-core";
import { AppError } from "../../src/lib/app-error.ts";
import * as pgSchema from "../../src/store/pg/schema.ts";
import { pgMigrations } from "../../src/store/pg/migrations/index.ts";
import { connectPg } from "../../src/store/pg/connect.ts";
import { PgStore } from "../../src/store/pg/pg-store.ts";
import { PG_BASE } from "../helpers/postgres.ts";
import { type ContractStore, contractCases } from "./contract-cases.ts";
import { ok, punch, punchesOp, T0 } from "./fixtures.ts";

const RUN = `t_store_${process.pid}_${Math.random().toString(36).slice(2, 7)}`;
const admin = new SQL(PG_BASE, { max: 2 });
let n = 0;

after(async () => {
  const schemas = (await admin`SELECT nspname FROM pg_namespace WHERE nspname LIKE ${`${RUN}%`}`) as Array<{ nspname: string }>;
  for (const s of schemas) await admin.unsafe(`DROP SCHEMA IF EXISTS "${s.nspname}" CASCADE`);
  await admin.close();
});

/** Integers come back as numbers, as from SQLite (bigint columns arrive as BigInt). */
const plain = (row: Record<string, unknown>) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v]));

interface PgTestStore extends ContractStore {
  store: PgStore;
  schema: string;
  /** Another store (another instance of a cluster) on the same schema. */
  another(): Promise<PgStore>;
}

async function freshPg(): Promise<PgTestStore> {
  const schema = `${RUN}_${++n}`;
  // The schema is also the connections' application_name: a test can find the store's sessions.
  const open = () => PgStore.open({ url: `${PG_BASE}?application_name=${schema}`, schema, now: () => T0 });
  const stores = [await open()];
  const raw = new SQL(`${PG_BASE}?search_path=${schema}`, { max: 2, bigint: true });
  const rows = async (query: string) => ((await raw.unsafe(query)) as Array<Record<string, unknown>>).map(plain);
  const closeAll = async () => {
    for (const s of stores) await s.close();
  };
  const later = async () => {
    const s = await open();
    stores.push(s);
    return s;
  };
  return {
    store: stores[0] as PgStore,
    schema,
    rows,
    exec: async (query) => void (await raw.unsafe(query)),
    close: () => (stores[stores.length - 1] as PgStore).close(),
    reopen: later,
    another: later,
    dispose: async () => {
      await closeAll();
      await raw.close();
      await admin.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    },
  };
}

contractCases({ name: "PostgreSQL", migrations: pgMigrations, fresh: freshPg });

describe("PostgreSQL only", () => {
  const open: PgTestStore[] = [];
  /** Locks a failed test left held (a held lock would block dropping its schema). */
  const locks: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const release of locks.splice(0)) await release();
    for (const t of open.splice(0).reverse()) await t.dispose();
  });
  const fresh = async () => {
    const t = await freshPg();
    open.push(t);
    return t;
  };

  /** Sessions of the store's connections that wait for a lock. */
  async function waiting(t: PgTestStore): Promise<number> {
    const [row] = (await admin`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = ${t.schema} AND wait_event_type = 'Lock'`) as Array<{ n: number }>;
    return row?.n ?? 0;
  }

  /**
   * Takes a lock in a transaction of the test's own and holds it until the returned function is
   * called: a write that needs it waits in the middle of its transaction.
   */
  async function hold(lockStatement: string, params: unknown[]): Promise<() => Promise<void>> {
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked = () => {};
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holder = admin.begin(async (tx) => {
      await tx.unsafe(lockStatement, params);
      locked();
      await held;
    });
    await isLocked;
    const releaseOnce = async () => {
      release();
      await holder;
    };
    locks.push(releaseOnce);
    return releaseOnce;
  }

  /** The terminal's row (its next write waits inside an op). */
  async function holdTerminalRow(t: PgTestStore, sn: string) {
    await t.store.write([{ type: "terminal-seen", sn, at: T0, sessionId: "s", remoteAddr: null, cpusn: null, devinfo: null, approvalIfNew: "approved", online: true }]);
    return hold(`SELECT sn FROM "${t.schema}".terminals WHERE sn = $1 FOR UPDATE`, [sn]);
  }

  async function until(what: string, check: () => Promise<boolean>) {
    for (let i = 0; i < 200; i++) {
      if (await check()) return;
      await Bun.sleep(25);
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  test("cursors never skip a row: a transaction that took a lower id and commits later is not passed by a reader", async () => {
    const t = await fresh();
    const b = await t.another();
    // Instance A's group commit inserts its records, then waits (on a terminal row the test holds)
    // before it can commit. Instance B's commit comes while A's is still open.
    const release = await holdTerminalRow(t, "HOLD");
    const writeA = t.store.write([
      punchesOp("A", [punch(1, "2026-01-05 08:00:00"), punch(0, "2026-01-05 08:00:00")]),
      { type: "terminal-offline", sn: "HOLD", at: T0 + 1, sessionId: "s" },
    ]);
    await until("instance A to wait for the held row", async () => (await waiting(t)) === 1);
    let bDone = false;
    const writeB = b.write([punchesOp("B", [punch(2, "2026-01-05 08:00:01"), punch(0, "2026-01-05 08:00:01")])]).finally(() => (bDone = true));
    await until("instance B to commit or wait", async () => bDone || (await waiting(t)) === 2);

    // Readers follow their cursors now, while A is open, and again after both committed.
    const feed: number[] = [];
    const exported: number[] = [];
    const doors: number[] = [];
    const follow = async () => {
      feed.push(...(await t.store.admin.attendanceAfter(feed.at(-1) ?? 0, 100)).map((r) => r.id));
      exported.push(...(await t.store.exports.attendanceAfter({ afterId: exported.at(-1) ?? 0, limit: 100 })).map((r) => r.id));
      doors.push(...(await t.store.exports.doorEventsAfter({ afterId: doors.at(-1) ?? 0, limit: 100 })).map((r) => r.id));
    };
    await follow();
    await release();
    assert.deepEqual(await writeA, [ok(2), ok(0)]);
    assert.deepEqual(await writeB, [ok(2)]);
    await follow();

    const all = (await t.store.attendance({ limit: 10 })).items.map((r) => r.id).sort((x, y) => x - y);
    const allDoors = (await t.store.doorEvents({ limit: 10 })).items.map((r) => r.id).sort((x, y) => x - y);
    assert.equal(all.length, 2);
    assert.deepEqual(feed, all);
    assert.deepEqual(exported, all);
    assert.deepEqual(doors, allDoors);
  });

  test("three instances writing at once while a reader follows its cursor: the reader gets every row once, in id order", async () => {
    const t = await fresh();
    const writers = [t.store, await t.another(), await t.another()];
    let writing = true;
    const seen: number[] = [];
    const reader = (async () => {
      for (;;) {
        const done = !writing;
        const rows = await t.store.admin.attendanceAfter(seen.at(-1) ?? 0, 50);
        seen.push(...rows.map((r) => r.id));
        if (done && rows.length === 0) return;
      }
    })();
    await Promise.all(
      writers.map(async (store, w) => {
        for (let i = 0; i < 20; i++) {
          const punches = Array.from({ length: 5 }, (_, k) => punch(1 + w * 1000 + i * 10 + k, "2026-01-05 08:00:00"));
          assert.deepEqual(await store.write([punchesOp(`SN${w}`, punches)]), [ok(5)]);
        }
      }),
    );
    writing = false;
    await reader;
    const all = (await t.store.exports.attendanceAfter({ afterId: 0, limit: 1000 })).map((r) => r.id);
    assert.equal(all.length, 300);
    assert.deepEqual(seen, all);
  });

  test("a record PostgreSQL refuses (a NUL in a text) fails its op alone; the commit's other records and quarantine are stored once", async () => {
    const t = await fresh();
    const q = { kind: "sendlog", raw: "{}", reason: "x" };
    const results = await t.store.write([
      punchesOp("A", [punch(1, "2026-01-05 08:00:00")], [q]),
      punchesOp("B", [punch(1, "2026-01-05 08:00:00"), punch(2, "2026-01-05 08:00:00", { image: "a\u0000b" })], [q]),
      { type: "quarantine", sn: null, at: T0, entries: [q] },
      punchesOp("C", [punch(1, "2026-01-05 08:00:00"), punch(0, "2026-01-05 08:00:00")]),
    ]);
    assert.deepEqual(results.map((r) => (r.ok ? r : "failed")), [ok(1, 0, 1), "failed", ok(0, 0, 1), ok(2)]);
    assert.deepEqual(await t.rows("SELECT sn, enrollid FROM attendance ORDER BY id"), [{ sn: "A", enrollid: 1 }, { sn: "C", enrollid: 1 }]);
    assert.deepEqual(await t.rows("SELECT sn FROM quarantine ORDER BY id"), [{ sn: "A" }, { sn: null }]);
    assert.deepEqual(await t.rows("SELECT count(*) AS n FROM punch_photos"), [{ n: 0 }]);
    assert.equal((await t.store.stats()).door_events_total, 1);
  });

  test("schema.ts describes exactly the columns the migrations create", async () => {
    const t = await fresh();
    const tables = (Object.values(pgSchema) as unknown[]).filter((v): v is PgTable => v instanceof PgTable);
    assert.ok(tables.length >= 20);
    for (const table of tables) {
      const config = getTableConfig(table);
      const actual = (await t.rows(
        `SELECT column_name AS name, is_nullable AS nullable FROM information_schema.columns WHERE table_schema = '${t.schema}' AND table_name = '${config.name}'`,
      )) as Array<{ name: string; nullable: string }>;
      const fromSql = actual.map((c) => `${c.name}${c.nullable === "NO" ? " not null" : ""}`).sort();
      const fromDrizzle = config.columns.map((c) => `${c.name}${c.notNull ? " not null" : ""}`).sort();
      assert.deepEqual(fromDrizzle, fromSql, `table ${config.name}`);
    }
  });

  test("the schema is created when missing; instances starting together migrate it once", async () => {
    const schema = `${RUN}_together`;
    const stores = await Promise.all([1, 2, 3].map(() => PgStore.open({ url: PG_BASE, schema, now: () => T0 })));
    try {
      const [row] = (await admin.unsafe(`SELECT count(*)::int AS n FROM "${schema}"._migrations`)) as Array<{ n: number }>;
      assert.equal(row?.n, pgMigrations.length);
      await stores[0]?.write([punchesOp("SN1", [punch(1, "2026-01-05 08:00:00")])]);
      assert.equal((await stores[2]?.stats())?.attendance_total, 1);
    } finally {
      for (const s of stores) await s.close();
      await admin.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  });

  test("a URL's own search_path is kept: the store's tables are where it says", async () => {
    const t = await fresh();
    const viaUrl = await PgStore.open({ url: `${PG_BASE}?search_path=${t.schema}` });
    try {
      await viaUrl.write([punchesOp("SN1", [punch(1, "2026-01-05 08:00:00")])]);
      assert.equal((await t.store.stats()).attendance_total, 1);
    } finally {
      await viaUrl.close();
    }
  });

  test("when the transaction cannot complete (another instance holds the records lock past the statement time-out), write rejects and applies nothing; later writes succeed", async () => {
    const t = await fresh();
    // Bun's client passes URL parameters it does not know as settings of each connection.
    const impatient = await PgStore.open({ url: `${PG_BASE}?statement_timeout=300`, schema: t.schema });
    const release = await hold("SELECT pg_advisory_xact_lock(hashtext('tm20-records:' || $1))", [t.schema]);
    try {
      const write = impatient.write([{ type: "quarantine", sn: "SN1", at: T0, entries: [{ kind: "frame", raw: "x", reason: "y" }] }, punchesOp("SN1", [punch(1, "2026-01-05 08:00:00")])]);
      await assert.rejects(write, (err: unknown) => err instanceof AppError && err.code === "commit_failed");
      await release();
      const stats = await t.store.stats();
      assert.deepEqual([stats.attendance_total, stats.quarantined_total], [0, 0]);
      assert.deepEqual(await impatient.write([punchesOp("SN1", [punch(1, "2026-01-05 08:00:00")])]), [ok(1)]);
    } finally {
      await impatient.close();
    }
  });

  test("a transaction left open by a frozen instance is ended by PostgreSQL: the records lock it held does not stop the others", async () => {
    const t = await fresh();
    // The frozen instance's connection, made the way the store makes its own (a short idle limit for the test).
    const frozen = connectPg({ url: PG_BASE, schema: t.schema, max: 1, idleInTransactionMs: 300 });
    let inside = () => {};
    const holding = new Promise<void>((resolve) => (inside = resolve));
    let woke = false;
    const stuck = frozen.db
      .transaction(async (tx) => {
        await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('tm20-records:' || current_schema()))`);
        inside();
        await Bun.sleep(2000);
        woke = true;
        await tx.execute(sql`SELECT 1`);
      })
      .then(() => "committed", () => "ended");
    try {
      await holding;
      assert.deepEqual(await t.store.write([punchesOp("SN1", [punch(1, "2026-01-05 08:00:00")])]), [ok(1)]);
      // Committed while the frozen one still slept on its lock.
      assert.equal(woke, false);
      assert.equal(await stuck, "ended");
    } finally {
      await frozen.close().catch(() => {});
    }
  });
});
