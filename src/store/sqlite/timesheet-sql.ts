import type { SQL } from "drizzle-orm";
import type { Row, TimesheetSql } from "../timesheet-store.ts";
import type { SqliteDatabase } from "./driver.ts";

/** `Store.timesheets`' statements on SQLite: reads on the reader, changes on the writer, a batch in one IMMEDIATE transaction. */
export function sqliteTimesheets(w: SqliteDatabase, r: SqliteDatabase): TimesheetSql {
  return {
    read: async (query) => r.all<Row>(query),
    snapshot: async (queries) => r.transaction((tx) => queries.map((q: SQL) => tx.all<Row>(q))),
    write: async (query) => w.all<Row>(query),
    batch: async (queries) => {
      w.transaction(
        (tx) => {
          for (const q of queries) tx.run(q);
        },
        { behavior: "immediate" },
      );
    },
  };
}
