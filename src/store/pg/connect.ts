/**
 * The one seam between the PostgreSQL store and its driver: Bun's built-in SQL client (a pool)
 * under drizzle's pg dialect. The store lives in one schema (`schema`, else the URL's own
 * `search_path` parameter), so several sites (or test runs) can share one database.
 */
import { SQL } from "bun";
import { drizzle } from "drizzle-orm/bun-sql";
import type { BunSQLQueryResultHKT } from "drizzle-orm/bun-sql";
import type { PgDatabase } from "drizzle-orm/pg-core";

/** The pool and every transaction or savepoint opened from it. */
export type PgDb = PgDatabase<BunSQLQueryResultHKT>;

export interface PgConnection {
  db: PgDb;
  close(): Promise<void>;
}

export interface PgConnectOptions {
  url: string;
  /** Every connection's search_path: the schema the store's tables are in (else the URL's). */
  schema?: string;
  /** Pool size: the writer holds one connection per commit, reads and the API share the rest. */
  max?: number;
  /** Seconds a query may wait for a connection before it fails (and the terminal gets result:false). */
  connectionTimeout?: number;
}

export function connectPg(options: PgConnectOptions): PgConnection {
  const client = new SQL(options.schema === undefined ? options.url : withSearchPath(options.url, options.schema), {
    max: options.max ?? 10,
    connectionTimeout: options.connectionTimeout ?? 5,
    idleTimeout: 60,
  });
  return { db: drizzle({ client }), close: () => client.close({ timeout: 5 }) };
}

/** Bun's client sends URL parameters it does not know as startup settings: search_path is one. */
function withSearchPath(url: string, schema: string): string {
  const u = new URL(url);
  u.searchParams.set("search_path", schema);
  return u.toString();
}

/** The URL without its password, for logs and error messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparsable URL)";
  }
}
