/**
 * A write transaction whose statements depend on what the ones before returned (the id of a row
 * just inserted, whether a conditional UPDATE matched), for the stores written once in SQL both
 * engines read: a generator yields each statement and is given back its rows, and each engine
 * drives it in one transaction (`sqlite/sql-transaction.ts`: synchronous, on the write connection;
 * `pg/sql-transaction.ts`: awaited, on one pooled connection).
 */
import type { SQL } from "drizzle-orm";
import type { Row } from "./sql-runner.ts";

/** `rows`: a SELECT or a statement with RETURNING (better-sqlite3 reads rows only from those); `run`: any other. */
export type Step = { rows: SQL } | { run: SQL };

/** The statements of one transaction; each `yield` is given the step's rows (none for `run`). */
export type Steps<T> = Generator<Step, T, Row[]>;

export interface SqlTransaction {
  /** Runs every step in one transaction: what the generator throws rolls it back and is rethrown. */
  run<T>(steps: () => Steps<T>): Promise<T>;
  /**
   * A step that makes the transactions taking the lock `name` (a constant) one at a time, or null
   * where the transaction alone does it (SQLite's IMMEDIATE holds the only write lock).
   */
  lock(name: string): Step | null;
}

/** Each statement in turn, none returning rows: `SqlRunner.batch` as steps. */
export function* runEach(queries: readonly SQL[]): Steps<void> {
  for (const q of queries) yield { run: q };
}

/** Each statement in turn with its rows: `SqlRunner.transaction` as steps. */
export function* rowsOfEach(queries: readonly SQL[]): Steps<Row[][]> {
  const out: Row[][] = [];
  for (const q of queries) out.push(yield { rows: q });
  return out;
}
