/**
 * Both engines' migrations under matching names (issue 13): the two lists agree, a PostgreSQL
 * schema migrated under the names used before is renamed in place (nothing applied twice, the
 * schema a fresh one gets), and migrators racing on one schema leave one set of rows.
 * Real SQLite file, real PostgreSQL (a schema per case under this run's prefix, dropped after).
 */
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { SQL } from "bun";
import { sql } from "drizzle-orm";
import { type Migration, migrations } from "../../src/store/migrations/index.ts";
import { openBunSqlite } from "../../src/store/sqlite/bun-driver.ts";
import { migrate } from "../../src/store/sqlite/migrate.ts";
import { connectPg, type PgConnection } from "../../src/store/pg/connect.ts";
import { migratePg } from "../../src/store/pg/migrate.ts";
import { pgMigrations } from "../../src/store/pg/migrations/index.ts";
import { PG_BASE } from "../helpers/postgres.ts";

/** Changes only one engine makes; every other name is in both lists. */
const SQLITE_ONLY = ["0003_admin_ui", "0004_ops"];
const PG_ONLY = ["0016_webhook_leases", "0017_attendance_indexes"];

/** What PostgreSQL schemas recorded before the names matched, and the file each one is now. */
const PG_FORMER: Record<string, string> = {
  "0003_export_webhooks": "0005_export",
  "0004_import_sources": "0006_import_sources",
  "0005_audit_target": "0007_audit_target",
  "0006_webhook_leases": "0016_webhook_leases",
  "0007_attendance_indexes": "0017_attendance_indexes",
};

/** SQLite's names as every single box recorded them: SQLite's migrator knows no former names. */
const SQLITE_RECORDED = [
  "0001_init", "0002_commands_people", "0003_admin_ui", "0004_ops", "0005_export", "0006_import_sources", "0007_audit_target",
  "0008_token_scope", "0009_quarantine_bounds", "0010_timesheets", "0011_urgent_commands", "0012_terminal_identity",
  "0013_held_changes", "0014_hr_destinations", "0015_timesheet_days_computed", "0019_access", "0020_access_passes",
  "0021_doors", "0022_timesheet_follow", "0023_notified_alerts", "0024_access_held",
];

const names = (list: Migration[]) => list.map((m) => m.name);
const numberOf = (name: string) => name.slice(0, 4);

/** PostgreSQL's list as a release before the matching names had it, up to `last` (old name). */
function formerPgList(last?: string): Migration[] {
  const current = new Map(pgMigrations.map((m) => [m.name, m.sql]));
  const renamedTo = new Set(Object.values(PG_FORMER));
  const list = [
    ...pgMigrations.filter((m) => !renamedTo.has(m.name)).map((m) => ({ name: m.name, sql: m.sql })),
    ...Object.entries(PG_FORMER).map(([name, now]) => ({ name, sql: current.get(now) ?? "" })),
  ].sort((a, b) => a.name.localeCompare(b.name));
  return last === undefined ? list : list.slice(0, list.findIndex((m) => m.name === last) + 1);
}

describe("migration names", () => {
  test("every change both engines make has one name in both; an engine's own changes use numbers the other does not", () => {
    const shared = names(migrations).filter((n) => !SQLITE_ONLY.includes(n));
    assert.deepEqual(names(pgMigrations).filter((n) => !PG_ONLY.includes(n)), shared);
    for (const n of [...SQLITE_ONLY, ...PG_ONLY]) {
      const other = SQLITE_ONLY.includes(n) ? pgMigrations : migrations;
      assert.ok(!other.some((m) => numberOf(m.name) === numberOf(n)), `${n}'s number is used by the other engine`);
    }
  });

  test("each list is in name order, one name per number, and names exactly the files of its folder", () => {
    for (const [list, dir] of [
      [migrations, "src/store/migrations"],
      [pgMigrations, "src/store/pg/migrations"],
    ] as const) {
      const numbers = list.map((m) => numberOf(m.name));
      assert.deepEqual(numbers, [...new Set(numbers)].sort(), dir);
      const files = readdirSync(join(import.meta.dir, "../..", dir)).filter((f) => f.endsWith(".sql"));
      assert.deepEqual(files.map((f) => f.replace(/\.sql$/, "")).sort(), names(list), dir);
    }
  });

  test("PostgreSQL's former names are exactly the renamed ones, and none is a current name", () => {
    const formerly = Object.fromEntries(pgMigrations.flatMap((m) => (m.formerly === undefined ? [] : [[m.formerly, m.name]])));
    assert.deepEqual(formerly, PG_FORMER);
    const current = new Set([...names(migrations), ...names(pgMigrations)]);
    for (const old of Object.keys(PG_FORMER)) assert.ok(!current.has(old), old);
  });
});

describe("SQLite", () => {
  const dir = mkdtempSync(join(tmpdir(), "tm20-migrations-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("a new store records exactly the current names, which begin with the ones single boxes have recorded", () => {
    assert.deepEqual(names(migrations).slice(0, SQLITE_RECORDED.length), SQLITE_RECORDED);
    const c = openBunSqlite(join(dir, "fresh.db"), { readonly: false });
    try {
      assert.deepEqual(migrate(c.db, migrations, 1), names(migrations));
      assert.deepEqual(c.db.all<{ name: string }>(sql`SELECT name FROM _migrations ORDER BY name`).map((r) => r.name), names(migrations));
      assert.deepEqual(migrate(c.db, migrations, 2), []);
    } finally {
      c.close();
    }
  });
});

describe("PostgreSQL", () => {
  const RUN = `t_migr_${process.pid}_${Math.random().toString(36).slice(2, 7)}`;
  const admin = new SQL(PG_BASE, { max: 2 });
  const connections: PgConnection[] = [];
  let n = 0;

  after(async () => {
    for (const c of connections) await c.close();
    const schemas = (await admin`SELECT nspname FROM pg_namespace WHERE nspname LIKE ${`${RUN}%`}`) as Array<{ nspname: string }>;
    for (const s of schemas) await admin.unsafe(`DROP SCHEMA IF EXISTS "${s.nspname}" CASCADE`);
    await admin.close();
  });

  async function schema(): Promise<string> {
    const name = `${RUN}_${++n}`;
    await admin.unsafe(`CREATE SCHEMA "${name}"`);
    return name;
  }

  function connect(schemaName: string): PgConnection {
    const c = connectPg({ url: PG_BASE, schema: schemaName, max: 2 });
    connections.push(c);
    return c;
  }

  async function recorded(schemaName: string): Promise<Array<{ name: string; applied_at: number }>> {
    const rows = (await admin.unsafe(`SELECT name, applied_at::int AS applied_at FROM "${schemaName}"._migrations ORDER BY name`)) as Array<{ name: string; applied_at: number }>;
    return Array.from(rows, (r) => ({ ...r }));
  }

  /** Tables, columns, indexes and constraints of a schema, with its name taken out. */
  async function shape(schemaName: string): Promise<string[]> {
    const rows = (await admin.unsafe(
      `SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') AS d
         FROM information_schema.columns WHERE table_schema = $1
       UNION ALL SELECT 'index ' || indexname || ' ' || indexdef FROM pg_indexes WHERE schemaname = $1
       UNION ALL SELECT 'constraint ' || c.conrelid::regclass::text || ' ' || c.conname || ' ' || pg_get_constraintdef(c.oid)
         FROM pg_constraint c JOIN pg_namespace s ON s.oid = c.connamespace WHERE s.nspname = $1
       ORDER BY 1`,
      [schemaName],
    )) as Array<{ d: string }>;
    return rows.map((r) => r.d.replaceAll(`"${schemaName}".`, "").replaceAll(`${schemaName}.`, ""));
  }

  let freshShape: string[] | undefined;
  async function fresh(): Promise<string[]> {
    if (freshShape === undefined) {
      const s = await schema();
      await migratePg(connect(s).db, pgMigrations, 1);
      freshShape = await shape(s);
    }
    return freshShape;
  }

  test("a new schema records exactly the current names", async () => {
    const s = await schema();
    assert.deepEqual(await migratePg(connect(s).db, pgMigrations, 1), names(pgMigrations));
    assert.deepEqual(await recorded(s), names(pgMigrations).map((name) => ({ name, applied_at: 1 })));
  });

  test("a schema migrated under the former names is renamed in place: nothing applied again, the schema a new one gets", async () => {
    const s = await schema();
    const db = connect(s).db;
    assert.equal((await migratePg(db, formerPgList(), 1)).length, pgMigrations.length);
    assert.ok((await recorded(s)).some((r) => r.name === "0003_export_webhooks"));
    assert.deepEqual(await migratePg(db, pgMigrations, 2), []);
    assert.deepEqual(await recorded(s), names(pgMigrations).map((name) => ({ name, applied_at: 1 })));
    assert.deepEqual(await shape(s), await fresh());
    assert.deepEqual(await migratePg(db, pgMigrations, 3), []);
  });

  test("a schema of an older release (up to the former 0005_audit_target) is renamed, then migrated the rest of the way", async () => {
    const s = await schema();
    const db = connect(s).db;
    await migratePg(db, formerPgList("0005_audit_target"), 1);
    const applied = await migratePg(db, pgMigrations, 2);
    const renamed = ["0001_init", "0002_commands_people", "0005_export", "0006_import_sources", "0007_audit_target"];
    assert.deepEqual(applied, names(pgMigrations).filter((name) => !renamed.includes(name)));
    assert.deepEqual(await recorded(s), names(pgMigrations).map((name) => ({ name, applied_at: renamed.includes(name) ? 1 : 2 })));
    assert.deepEqual(await shape(s), await fresh());
  });

  for (const start of ["a new schema", "a schema under the former names"] as const) {
    test(`migrators racing on ${start} both succeed and leave one set of rows`, async () => {
      const s = await schema();
      if (start !== "a new schema") await migratePg(connect(s).db, formerPgList(), 1);
      const results = await Promise.all([connect(s), connect(s)].map((c) => migratePg(c.db, pgMigrations, 2)));
      const expected = start === "a new schema" ? names(pgMigrations) : [];
      assert.deepEqual(results.map((r) => r.length).sort((a, b) => a - b), [0, expected.length]);
      assert.deepEqual((await recorded(s)).map((r) => r.name), names(pgMigrations));
      assert.deepEqual(await shape(s), await fresh());
    });
  }
});
