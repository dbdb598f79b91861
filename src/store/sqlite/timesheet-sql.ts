import { type SQL, sql } from "drizzle-orm";
import type { Row } from "../sql-runner.ts";
import { EVERYONE_READS, PERSON_READS, type TimesheetSql } from "../timesheets/sql.ts";
import { rowsOfEach, runEach } from "../sql-transaction.ts";
import type { SqliteConnection } from "./driver.ts";
import { sqliteTransaction } from "./sql-transaction.ts";
import type { TickCommit } from "./tick-commit.ts";

const UPSERT_DAY = `INSERT INTO ts_days (enrollid, date, department_id, status, body, computed_at) VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT (enrollid, date) DO UPDATE SET department_id = excluded.department_id, status = excluded.status, body = excluded.body, computed_at = excluded.computed_at`;
/** The body holds the department and status too: the same body is the same result. */
const UPSERT_CHANGED_DAY = `${UPSERT_DAY} WHERE ts_days.body IS NOT excluded.body`;

/**
 * `Store.timesheets`' statements on SQLite: reads on the reader, changes on the writer, a batch in
 * one IMMEDIATE transaction; daily results and a person's punches, memberships and corrections (a rebuild's hot paths) through
 * native prepared statements: drizzle builds and maps per call and per row, five to ten times the
 * cost of the statement itself.
 */
export function sqliteTimesheets(w: SqliteConnection, r: SqliteConnection, tick?: TickCommit): TimesheetSql {
  const tx = sqliteTransaction(w.db, tick);
  return {
    nowMs: sql`CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)`,
    read: async (query) => r.db.all<Row>(query),
    snapshot: async (queries) => r.db.transaction((tx) => queries.map((q: SQL) => tx.all<Row>(q))),
    write: async (query) => w.db.all<Row>(query),
    batch: (queries) => tx.run(() => runEach(queries)),
    transaction: (queries) => tx.run(() => rowsOfEach(queries)),
    person: async (kind, enrollid, from, until) => {
      const statement = r.prepare(PERSON_READS[kind]);
      return (kind === "punches" ? statement.all(enrollid, from ?? "", until ?? "") : statement.all(enrollid)) as Row[];
    },
    everyone: async (kind, params) => r.prepare(EVERYONE_READS[kind]).all(...params) as Row[],
    upsertDays: async (rows, onlyChanged) => {
      if (rows.length === 0) return;
      const upsert = w.prepare(onlyChanged ? UPSERT_CHANGED_DAY : UPSERT_DAY);
      w.exec("BEGIN IMMEDIATE");
      try {
        for (const row of rows) upsert.run(...row);
        w.exec("COMMIT");
      } catch (err) {
        w.exec("ROLLBACK");
        throw err;
      }
    },
  };
}
