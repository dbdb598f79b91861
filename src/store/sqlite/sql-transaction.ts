import type { Row } from "../sql-runner.ts";
import type { SqlTransaction, Steps } from "../sql-transaction.ts";
import type { SqliteDatabase } from "./driver.ts";
import type { TickCommit } from "./tick-commit.ts";
import { immediate } from "./transaction.ts";

/**
 * `SqlTransaction` on SQLite's write connection: the steps run synchronously in one IMMEDIATE
 * transaction, or, given `tick`, in a savepoint of the commit this turn of the event loop shares.
 */
export function sqliteTransaction(w: SqliteDatabase, tick?: TickCommit): SqlTransaction {
  const drive = <T>(steps: () => Steps<T>): T => {
    const it = steps();
    let next = it.next();
    while (!next.done) {
      const step = next.value;
      if ("rows" in step) next = it.next(w.all<Row>(step.rows));
      else {
        w.run(step.run);
        next = it.next([]);
      }
    }
    return next.value;
  };
  return {
    run: async (steps) => (tick ? tick.run(() => drive(steps)) : immediate(w, () => drive(steps))),
    lock: () => null,
  };
}
