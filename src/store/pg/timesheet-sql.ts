import { type SQL, sql } from "drizzle-orm";
import type { Row } from "../sql-runner.ts";
import { EVERYONE_READS, PERSON_READS, type TimesheetSql } from "../timesheets/sql.ts";
import { rowsOfEach, runEach } from "../sql-transaction.ts";
import type { PgDb } from "./connect.ts";
import { pgTransaction } from "./sql-transaction.ts";

/** `Store.timesheets`' statements on PostgreSQL: a snapshot in one REPEATABLE READ transaction, a batch in one transaction. */
export function pgTimesheets(db: PgDb): TimesheetSql {
  const rows = async (q: Pick<PgDb, "execute">, query: SQL) => [...(await q.execute<Row>(query))] as Row[];
  const tx = pgTransaction(db);
  return {
    nowMs: sql`(extract(epoch FROM statement_timestamp()) * 1000)::bigint`,
    read: (query) => rows(db, query),
    snapshot: (queries) =>
      db.transaction(
        async (tx) => {
          const out: Row[][] = [];
          for (const q of queries) out.push(await rows(tx, q));
          return out;
        },
        { isolationLevel: "repeatable read", accessMode: "read only" },
      ),
    write: (query) => rows(db, query),
    batch: (queries) => tx.run(() => runEach(queries)),
    transaction: (queries) => tx.run(() => rowsOfEach(queries)),
    person: (kind, enrollid, from, until) => rows(db, numbered(PERSON_READS[kind], kind === "punches" ? [enrollid, from ?? "", until ?? ""] : [enrollid])),
    everyone: (kind, params) => rows(db, numbered(EVERYONE_READS[kind], [...params])),
    // One statement, the columns as arrays (as the group commit writes records): one round trip.
    upsertDays: async (rows, onlyChanged) => {
      if (rows.length === 0) return;
      const col = (i: number) => sql.param(rows.map((r) => r[i]));
      await db.execute(sql`
        INSERT INTO ts_days (enrollid, date, department_id, status, body, computed_at)
        SELECT * FROM unnest(${col(0)}::bigint[], ${col(1)}::text[], ${col(2)}::bigint[], ${col(3)}::text[], ${col(4)}::text[], ${col(5)}::bigint[])
        ON CONFLICT (enrollid, date) DO UPDATE SET department_id = excluded.department_id, status = excluded.status, body = excluded.body, computed_at = excluded.computed_at
        ${onlyChanged ? sql`WHERE ts_days.body IS DISTINCT FROM excluded.body` : sql``}`);
    },
  };
}

/** A statement with `?` placeholders as PostgreSQL's numbered ones. */
function numbered(statement: string, params: unknown[]): SQL {
  const parts = statement.split("?");
  return sql.join(parts.map((part, i) => (i < params.length ? sql`${sql.raw(part)}${params[i]}` : sql.raw(part))), sql``);
}
