import { sql } from "drizzle-orm";
import type { SqliteDatabase } from "./driver.ts";

/**
 * Runs `fn` in one IMMEDIATE transaction on the writer (the write lock taken at BEGIN, so a busy
 * writer fails here rather than at the first write) and commits; rolls back and rethrows what `fn`
 * threw. The group commit's write path keeps its own (native statements and savepoints per op).
 */
export function immediate<T>(db: SqliteDatabase, fn: () => T): T {
  db.run(sql`BEGIN IMMEDIATE`);
  try {
    const out = fn();
    db.run(sql`COMMIT`);
    return out;
  } catch (err) {
    try {
      db.run(sql`ROLLBACK`);
    } catch {
      // Already rolled back by the failed statement: the error worth reporting is its.
    }
    throw err;
  }
}
