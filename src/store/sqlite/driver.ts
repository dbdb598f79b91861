/**
 * The one seam between the store and a SQLite driver. `bun:sqlite` serves the binary
 * (bun-driver.ts); `better-sqlite3` serves the same store under Node (node-driver.ts).
 */
import type { BaseSQLiteDatabase } from "drizzle-orm/sqlite-core";

export type SqliteDatabase = BaseSQLiteDatabase<"sync", unknown>;

export type SqlValue = string | number | bigint | null;

/** A native prepared statement: the ingest hot path binds positional values without drizzle. */
export interface NativeStatement {
  run(...params: SqlValue[]): { changes: number; lastInsertRowid: number | bigint };
  /** The first row (bun:sqlite: null, better-sqlite3: undefined when there is none). */
  get(...params: SqlValue[]): unknown;
  /** Every row, as objects keyed by column name. */
  all(...params: SqlValue[]): unknown[];
}

export interface SqliteConnection {
  db: SqliteDatabase;
  /**
   * Runs a constant statement (BEGIN, SAVEPOINT, COMMIT…) through a cached native statement:
   * the group commit runs several per write op, and drizzle would rebuild and re-prepare each.
   */
  exec(statement: string): void;
  /** A native statement, prepared once per text and cached. */
  prepare(statement: string): NativeStatement;
  close(): void;
}

/**
 * `immutable`: read-only without the WAL's shared-memory file, which a full disk cannot create;
 * it reads the database file alone (what a clean shutdown checkpointed into it).
 */
export type SqliteOpener = (file: string, options: { readonly: boolean; immutable?: boolean }) => SqliteConnection;

/** The URI that opens `file` immutable (`?` `#` `%` in a path would otherwise be read as URI syntax). */
export function immutableUri(file: string): string {
  return `file:${file.replace(/[?#%]/g, (c) => encodeURIComponent(c))}?immutable=1`;
}
