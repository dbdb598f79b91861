/**
 * Opens `SqliteStore`'s two connections on one WAL file: the writer (pragmas set, migrations
 * applied) and a reader; or, read-only, one immutable connection that is both.
 */
import { sql } from "drizzle-orm";
import { AppError } from "../../lib/app-error.ts";
import { storeError } from "../errors.ts";
import { migrations } from "../migrations/index.ts";
import type { SqliteConnection, SqliteOpener } from "./driver.ts";
import { migrate, pendingMigrations } from "./migrate.ts";
import { applyPragmas, type Durability } from "./pragmas.ts";

export interface SqliteStoreOptions {
  file: string;
  open: SqliteOpener;
  durability: Durability;
  /**
   * How long a write waits for a lock held by another process (a CLI command). Kept short:
   * the driver blocks the event loop while it waits, and a terminal told `result:false` retries.
   */
  busyTimeoutMs?: number;
  now?: () => number;
  /**
   * The disk is full (the server starts anyway): one immutable read-only connection, every write
   * refused with this reason. Nothing is migrated; a database that needs a migration cannot open.
   */
  readOnly?: string;
}

export function openConnections(options: SqliteStoreOptions): { w: SqliteConnection; r: SqliteConnection } {
  if (options.readOnly !== undefined) {
    const only = options.open(options.file, { readonly: true, immutable: true });
    let pending: string[] = [];
    try {
      pending = pendingMigrations(only.db, migrations);
    } catch (err) {
      only.close();
      throw storeError("open_failed", `cannot read store ${options.file}`, err);
    }
    if (pending.length > 0) {
      only.close();
      throw storeError("open_failed", `cannot open store ${options.file} read-only: migration ${pending.join(", ")} must be applied first`);
    }
    return { w: only, r: only };
  }
  const w = options.open(options.file, { readonly: false });
  try {
    applyPragmas(w.db, options.durability, options.busyTimeoutMs ?? 250);
    migrate(w.db, migrations, (options.now ?? Date.now)());
  } catch (err) {
    w.close();
    throw err instanceof AppError ? err : storeError("open_failed", `cannot open store ${options.file}`, err);
  }
  const r = options.open(options.file, { readonly: true });
  r.db.run(sql.raw("PRAGMA busy_timeout = 5000"));
  return { w, r };
}
