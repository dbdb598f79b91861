import { sql } from "drizzle-orm";
import type { Row } from "../sql-runner.ts";
import type { SqlTransaction } from "../sql-transaction.ts";
import type { PgDb } from "./connect.ts";

/** `SqlTransaction` on PostgreSQL: the steps awaited one by one in a transaction (a savepoint when `db` is one). */
export function pgTransaction(db: PgDb): SqlTransaction {
  return {
    run: (steps) =>
      db.transaction(async (tx) => {
        const it = steps();
        let next = it.next();
        while (!next.done) {
          const step = next.value;
          if ("rows" in step) next = it.next([...(await tx.execute<Row>(step.rows))]);
          else {
            await tx.execute(step.run);
            next = it.next([]);
          }
        }
        return next.value;
      }),
    // Per schema, so that sites sharing a database do not wait for each other.
    lock: (name) => ({ run: sql.raw(`SELECT pg_advisory_xact_lock(hashtext('${name}:' || current_schema()))`) }),
  };
}
