import type { Row } from "../sql-runner.ts";
import type { SqlTransaction, Steps } from "../sql-transaction.ts";
import type { SqliteDatabase } from "./driver.ts";
import type { TickCommit } from "./tick-commit.ts";
import { immediate } from "./transaction.ts";

/** Runs the steps synchronously on `w`, in whatever transaction it is in (the group commit's op: write-path.ts). */
export function runSteps<T>(w: SqliteDatabase, steps: Steps<T>): T {
  let next = steps.next();
  while (!next.done) {
    const step = next.value;
    if ("rows" in step) next = steps.next(w.all<Row>(step.rows));
    else {
      w.run(step.run);
      next = steps.next([]);
    }
  }
  return next.value;
}

/**
 * `SqlTransaction` on SQLite's write connection: the steps run synchronously in one IMMEDIATE
 * transaction, or, given `tick`, in a savepoint of the commit this turn of the event loop shares.
 */
export function sqliteTransaction(w: SqliteDatabase, tick?: TickCommit): SqlTransaction {
  return {
    run: async (steps) => (tick ? tick.run(() => runSteps(w, steps())) : immediate(w, () => runSteps(w, steps()))),
    lock: () => null,
  };
}
