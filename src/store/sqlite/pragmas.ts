import { sql } from "drizzle-orm";
import type { SqliteDatabase } from "./driver.ts";

export type Durability = "full" | "normal";

/** Set explicitly on every write connection: the drivers' defaults differ. */
export function applyPragmas(db: SqliteDatabase, durability: Durability, busyTimeoutMs: number) {
  // busy_timeout first so that the WAL switch itself waits for a concurrent opener.
  db.run(sql.raw(`PRAGMA busy_timeout = ${busyTimeoutMs}`));
  db.run(sql.raw("PRAGMA journal_mode = WAL"));
  db.run(sql.raw(`PRAGMA synchronous = ${durability === "full" ? "FULL" : "NORMAL"}`));
  // A mapped page that hits an I/O error is a SIGBUS, not an exception.
  db.run(sql.raw("PRAGMA mmap_size = 0"));
  db.run(sql.raw("PRAGMA journal_size_limit = 67108864"));
  db.run(sql.raw("PRAGMA cache_size = -32000"));
  // Each op's savepoint (and each multi-row INSERT) keeps the pages it changes in a sub-journal;
  // in a temp file that was ~4 pwrite calls per stored record and half the commit's CPU.
  // Nothing durable lives there: crash recovery is the WAL's.
  db.run(sql.raw("PRAGMA temp_store = MEMORY"));
}
