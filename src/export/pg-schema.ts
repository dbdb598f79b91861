/**
 * The exporter's own PostgreSQL schema, created and migrated by the exporter: its migrations are
 * recorded in `<schema>._tm20_migrations`, applied under an advisory lock so that several
 * exporters starting together do not race.
 */
import type { SQL } from "bun";

interface PgMigration {
  name: string;
  sql: (schema: string) => string;
}

const migrations: PgMigration[] = [
  {
    name: "0001_init",
    sql: (S) => `
CREATE TABLE ${S}.attendance (
  sn text NOT NULL,
  enrollid bigint NOT NULL,
  time timestamp NOT NULL,
  mode integer NOT NULL,
  inout integer NOT NULL,
  event integer NOT NULL,
  ts timestamptz NOT NULL,
  verifymode integer,
  temp real,
  received_at timestamptz NOT NULL,
  source_id bigint NOT NULL,
  PRIMARY KEY (sn, enrollid, time, mode, inout, event)
);
CREATE INDEX attendance_time ON ${S}.attendance (time);
CREATE INDEX attendance_enrollid_time ON ${S}.attendance (enrollid, time);
CREATE TABLE ${S}.door_events (
  sn text NOT NULL,
  time timestamp NOT NULL,
  mode integer NOT NULL,
  inout integer NOT NULL,
  event integer NOT NULL,
  ts timestamptz NOT NULL,
  received_at timestamptz NOT NULL,
  source_id bigint NOT NULL,
  PRIMARY KEY (sn, time, mode, inout, event)
);
CREATE INDEX door_events_time ON ${S}.door_events (time);
CREATE TABLE ${S}.terminals (
  sn text PRIMARY KEY,
  name text,
  location text,
  approval text NOT NULL,
  online boolean NOT NULL,
  first_seen timestamptz NOT NULL,
  last_seen timestamptz NOT NULL,
  model text,
  firmware text,
  fpalgo text,
  mac text,
  user_used integer,
  fp_used integer,
  log_used integer,
  devinfo jsonb
);
CREATE TABLE ${S}.people (
  enrollid bigint PRIMARY KEY,
  name text NOT NULL,
  admin integer NOT NULL,
  enabled boolean NOT NULL,
  valid_from text,
  valid_to text,
  external_id text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE TABLE ${S}.credentials (
  enrollid bigint NOT NULL,
  backupnum integer NOT NULL,
  data text NOT NULL,
  source_sn text,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (enrollid, backupnum)
);`,
  },
  {
    // Issue 14: departments and the daily results, for reporting tools (derived: replaced when recomputed).
    name: "0002_timesheets",
    sql: (S) => `
CREATE TABLE ${S}.departments (
  id bigint PRIMARY KEY,
  name text NOT NULL
);
CREATE TABLE ${S}.timesheet_days (
  enrollid bigint NOT NULL,
  date date NOT NULL,
  department_id bigint,
  shift_id bigint,
  status text NOT NULL,
  first_in timestamp,
  last_out timestamp,
  worked_minutes integer NOT NULL,
  expected_minutes integer NOT NULL,
  late_minutes integer NOT NULL,
  early_leave_minutes integer NOT NULL,
  overtime_minutes integer NOT NULL,
  missing_punch boolean NOT NULL,
  manual boolean NOT NULL,
  holiday text,
  leave jsonb NOT NULL,
  computed_at timestamptz NOT NULL,
  PRIMARY KEY (enrollid, date)
);
CREATE INDEX timesheet_days_date ON ${S}.timesheet_days (date);
CREATE INDEX timesheet_days_department ON ${S}.timesheet_days (department_id, date);`,
  },
];

export const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Creates or upgrades the schema. `created` is true when the schema's tables were just made: the
 * target is empty, whatever cursors an earlier (dropped) schema of the same name left in SQLite.
 */
export async function preparePgSchema(sql: SQL, schema: string): Promise<{ created: boolean; applied: string[] }> {
  const s = quoteIdent(schema);
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(hashtext(${`tm20-export:${schema}`}))`;
    await tx.unsafe(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await tx.unsafe(`CREATE TABLE IF NOT EXISTS ${s}._tm20_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set(((await tx.unsafe(`SELECT name FROM ${s}._tm20_migrations`)) as Array<{ name: string }>).map((r) => r.name));
    const applied: string[] = [];
    for (const m of migrations) {
      if (done.has(m.name)) continue;
      await tx.unsafe(m.sql(s));
      await tx.unsafe(`INSERT INTO ${s}._tm20_migrations (name) VALUES ($1)`, [m.name]);
      applied.push(m.name);
    }
    return { created: done.size === 0, applied };
  });
}
