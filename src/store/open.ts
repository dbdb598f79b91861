import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { PgStore } from "./pg/pg-store.ts";
import { openBunSqlite } from "./sqlite/bun-driver.ts";
import { type Durability, SqliteStore } from "./sqlite/sqlite-store.ts";

export const DB_FILE = "tm20.db";

/** Where the site's data lives: a data directory (single box) or a shared PostgreSQL (cluster). */
export type StoreConfig = { kind: "sqlite"; dataDir: string; durability?: Durability } | { kind: "pg"; url: string };

/** The store a server or sub-command configuration names: `--cluster` means PostgreSQL at `--pg-url`. */
export function storeConfigOf(c: { cluster: boolean; pgUrl: string; dataDir: string; durability?: Durability }): StoreConfig {
  return c.cluster ? { kind: "pg", url: c.pgUrl } : { kind: "sqlite", dataDir: c.dataDir, durability: c.durability };
}

/**
 * Every server and sub-command opens the store this way. SQLite: the data directory's file,
 * created on first use. PostgreSQL: connected and migrated.
 */
export async function openStore(config: StoreConfig): Promise<SqliteStore | PgStore> {
  if (config.kind === "pg") return PgStore.open({ url: config.url });
  const dir = resolve(config.dataDir);
  mkdirSync(dir, { recursive: true });
  return new SqliteStore({ file: join(dir, DB_FILE), open: openBunSqlite, durability: config.durability ?? "full" });
}
