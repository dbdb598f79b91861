/**
 * How an engine runs a statement that SQLite and PostgreSQL read alike: the one difference the
 * stores written once (timesheets, access, exports, import sources, …) see between the engines.
 * Each engine builds one (`sqlite/timesheet-sql.ts`, `pg/timesheet-sql.ts`).
 * Integers may come back as strings or bigints (PostgreSQL's BIGINT).
 */
import type { SQL } from "drizzle-orm";

export type Row = Record<string, unknown>;

export interface SqlRunner {
  read(query: SQL): Promise<Row[]>;
  /** Reads in one transaction: one consistent view of them all. */
  snapshot(queries: SQL[]): Promise<Row[][]>;
  /** A statement that changes rows; its RETURNING rows (to be read back, it needs a RETURNING: better-sqlite3 reads rows only from a statement that returns some). */
  write(query: SQL): Promise<Row[]>;
  /** Every statement in one transaction (each engine's `SqlTransaction` runs it). */
  batch(queries: SQL[]): Promise<void>;
  /** Every statement in one transaction, each with its RETURNING rows (each needs one, as `write`). */
  transaction(queries: SQL[]): Promise<Row[][]>;
}

/** The first RETURNING row of a write, null when it changed nothing. */
export async function one(db: SqlRunner, query: SQL): Promise<Row | null> {
  return (await db.write(query))[0] ?? null;
}
