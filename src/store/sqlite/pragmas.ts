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
}
