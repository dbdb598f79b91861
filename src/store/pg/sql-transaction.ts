import { sql } from "drizzle-orm";
import type { Row } from "../sql-runner.ts";
import type { SqlTransaction, Steps } from "../sql-transaction.ts";
import type { PgDb } from "./connect.ts";

/** Awaits the steps one by one on `db`, in whatever transaction it is (the group commit's op: write-ops.ts). */
export async function runSteps<T>(db: PgDb, steps: Steps<T>): Promise<T> {
  let next = steps.next();
  while (!next.done) {
    const step = next.value;
    if ("rows" in step) next = steps.next([...(await db.execute<Row>(step.rows))]);
    else {
      await db.execute(step.run);
      next = steps.next([]);
    }
  }
  return next.value;
}

/** `SqlTransaction` on PostgreSQL: the steps awaited one by one in a transaction (a savepoint when `db` is one). */
export function pgTransaction(db: PgDb): SqlTransaction {
  return {
    run: (steps) => db.transaction((tx) => runSteps(tx, steps())),
    // Per schema, so that sites sharing a database do not wait for each other.
    lock: (name) => ({ run: sql.raw(`SELECT pg_advisory_xact_lock(hashtext('${name}:' || current_schema()))`) }),
  };
}
