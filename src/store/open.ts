import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Durability } from "./sqlite/sqlite-store.ts";
import { openBunSqlite } from "./sqlite/bun-driver.ts";
import { SqliteStore } from "./sqlite/sqlite-store.ts";

export const DB_FILE = "tm20.db";

/** The store of a data directory, created on first use. Every sub-command opens it this way. */
export function openStore(dataDir: string, durability: Durability = "full"): SqliteStore {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  return new SqliteStore({ file: join(dir, DB_FILE), open: openBunSqlite, durability });
}
