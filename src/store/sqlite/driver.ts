/**
 * The one seam between the store and a SQLite driver. `bun:sqlite` serves the binary
 * (bun-driver.ts); `better-sqlite3` serves the same store under Node (node-driver.ts).
 */
import type { BaseSQLiteDatabase } from "drizzle-orm/sqlite-core";

export type SqliteDatabase = BaseSQLiteDatabase<"sync", unknown>;

export interface SqliteConnection {
  db: SqliteDatabase;
  close(): void;
}

export type SqliteOpener = (file: string, options: { readonly: boolean }) => SqliteConnection;
