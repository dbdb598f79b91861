import type { SQL } from "drizzle-orm";
import type { Row, TimesheetSql } from "../timesheet-store.ts";
import type { PgDb } from "./connect.ts";

/** `Store.timesheets`' statements on PostgreSQL: a snapshot in one REPEATABLE READ transaction, a batch in one transaction. */
export function pgTimesheets(db: PgDb): TimesheetSql {
  const rows = async (q: Pick<PgDb, "execute">, query: SQL) => [...(await q.execute<Row>(query))] as Row[];
  return {
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
    batch: async (queries) => {
      await db.transaction(async (tx) => {
        for (const q of queries) await tx.execute(q);
      });
    },
  };
}
