import { mkdirSync } from "node:fs";
import { dataDirLayout } from "./data-dir.ts";
import { PgStore } from "./pg/pg-store.ts";
import { openBunSqlite } from "./sqlite/bun-driver.ts";
import { type Durability, SqliteStore } from "./sqlite/sqlite-store.ts";


/** Where the site's data lives: a data directory (single box) or a shared PostgreSQL (cluster). */
export type StoreConfig =
  | { kind: "sqlite"; dataDir: string; durability?: Durability }
  /** `schema` undefined: the URL's own search_path parameter names it. */
  | { kind: "pg"; url: string; schema?: string };

/**
 * The store a server or sub-command configuration names: `--cluster` means PostgreSQL at
 * `--pg-url`, in the schema `--pg-schema` (a search_path parameter in the URL takes precedence,
 * so a URL that already says where its tables are keeps meaning exactly that).
 */
export function storeConfigOf(c: { cluster: boolean; pgUrl: string; pgSchema: string; dataDir: string; durability?: Durability }): StoreConfig {
  if (!c.cluster) return { kind: "sqlite", dataDir: c.dataDir, durability: c.durability };
  return hasSearchPath(c.pgUrl) ? { kind: "pg", url: c.pgUrl } : { kind: "pg", url: c.pgUrl, schema: c.pgSchema };
}

function hasSearchPath(url: string): boolean {
  try {
    return new URL(url).searchParams.has("search_path");
  } catch {
    return false;
  }
}

/**
 * Every server and sub-command opens the store this way. SQLite: the data directory's file,
 * created on first use. PostgreSQL: connected and migrated.
 */
export async function openStore(config: StoreConfig): Promise<SqliteStore | PgStore> {
  if (config.kind === "pg") return PgStore.open({ url: config.url, schema: config.schema });
  const layout = dataDirLayout(config.dataDir);
  mkdirSync(layout.dir, { recursive: true });
  return new SqliteStore({ file: layout.db, open: openBunSqlite, durability: config.durability ?? "full" });
}

/**
 * The data directory's store when its disk cannot take writes: read-only, every write refused with
 * `reason` (see SqliteStore's `readOnly`), so that the server still starts and shows the admin why.
 */
export function openReadOnlyStore(dataDir: string, reason: string): SqliteStore {
  return new SqliteStore({ file: dataDirLayout(dataDir).db, open: openBunSqlite, durability: "full", readOnly: reason });
}

/** Whether an error opening or writing the store means its disk cannot take writes now (full, failing, read-only). */
export function unwritableStorage(err: unknown): string | null {
  let cause: unknown = err;
  while (cause instanceof Error) {
    const code = (cause as Error & { code?: unknown }).code;
    if (typeof code === "string" && /^(SQLITE_FULL|SQLITE_IOERR|SQLITE_CANTOPEN|SQLITE_READONLY|ENOSPC|EDQUOT|EROFS)/.test(code)) return `${code}: ${cause.message}`;
    cause = cause.cause;
  }
  return null;
}
