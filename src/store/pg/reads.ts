import { eq, sql } from "drizzle-orm";
import { storeError } from "../errors.ts";
import { SqlReads } from "../reads.ts";
import type { PgDb } from "./connect.ts";
import { terminals } from "./schema.ts";
import { pgTimesheets } from "./timesheet-sql.ts";

/**
 * What `PgStore` (which extends it) reads: `SqlReads` with ILIKE, and punch pages in one statement
 * whatever the filter; and what the cluster alone asks.
 */
export class PgReads extends SqlReads {
  #db: PgDb;

  constructor(db: PgDb) {
    // Backslash is ILIKE's escape already; an ESCAPE clause made the terminal search a fifth slower (a like_escape per row).
    super(pgTimesheets(db), { like: (column, pattern) => sql`${sql.raw(column)} ILIKE ${pattern}`, windowedPunchPages: false, bytewise: (column) => sql`${sql.raw(column)} COLLATE "C"` });
    this.#db = db;
  }

  /** The terminals the store shows connected, with their session: what the cluster's presence reaper checks. */
  async onlineSessions(): Promise<Array<{ sn: string; sessionId: string }>> {
    const rows = await this.#db.select({ sn: terminals.sn, sessionId: terminals.sessionId }).from(terminals).where(eq(terminals.online, true));
    return rows.flatMap((r) => (r.sessionId ? [{ sn: r.sn, sessionId: r.sessionId }] : []));
  }

  /** The database and schema the store's tables are in, as PostgreSQL names them (the site's identity). */
  async location(): Promise<{ database: string; schema: string }> {
    const rows = await this.#db.execute<{ database: string; schema: string | null }>(sql`SELECT current_database() AS database, current_schema() AS schema`);
    const row = Array.from(rows)[0];
    // current_schema() is null only when no schema on the search_path exists, which opening the store rules out.
    if (!row?.schema) throw storeError("no_schema", "PostgreSQL names no current schema");
    return { database: row.database, schema: row.schema };
  }
}
