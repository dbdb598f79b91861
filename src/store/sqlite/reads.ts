import { sql } from "drizzle-orm";
import { SqlReads } from "../reads.ts";
import type { SqliteConnection } from "./driver.ts";
import { sqliteTimesheets } from "./timesheet-sql.ts";

/**
 * What `SqliteStore` (which extends it) reads on its read connection (`SqlReads`): LIKE
 * (case-insensitive for ASCII; SQLite has no escape character unless told), and punch pages
 * filtered by what no index serves walk in windows (BENCHMARKS.md: `/attendance?inout=7` read the
 * whole table).
 */
export class SqliteReads extends SqlReads {
  constructor(w: SqliteConnection, r: SqliteConnection) {
    super(sqliteTimesheets(w, r), { like: (column, pattern) => sql`${sql.raw(column)} LIKE ${pattern} ESCAPE '\\'`, windowedPunchPages: true, bytewise: (column) => sql.raw(column) });
  }
}
