/**
 * The one seam between the PostgreSQL store and its driver: Bun's built-in SQL client (a pool)
 * under drizzle's pg dialect. The store lives in one schema (`schema`, else the URL's own
 * `search_path` parameter), so several sites (or test runs) can share one database.
 */
import { SQL } from "bun";
import { drizzle } from "drizzle-orm/bun-sql";
import type { BunSQLQueryResultHKT } from "drizzle-orm/bun-sql";
import type { PgDatabase } from "drizzle-orm/pg-core";
import { storeError } from "../errors.ts";

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
  /** How long PostgreSQL lets one of our transactions sit idle before it ends it (default 15 s). */
  idleInTransactionMs?: number;
}

/**
 * A transaction left open by an instance that froze or lost its network keeps its locks until
 * PostgreSQL ends it, and one of them (RECORDS_LOCK in write-path.ts) makes every instance's
 * ingest wait. Our transactions never idle (statements follow each other), so PostgreSQL may end
 * one that does after a few seconds; a URL that sets the parameter itself keeps its own value.
 */
const IDLE_IN_TRANSACTION_MS = 15_000;

export function connectPg(options: PgConnectOptions): PgConnection {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch (err) {
    throw storeError("open_failed", "the PostgreSQL URL cannot be parsed (percent-encode special characters such as # in the password)", err);
  }
  // Bun's client sends URL parameters it does not know as startup settings of each connection.
  if (options.schema !== undefined) url.searchParams.set("search_path", options.schema);
  if (!url.searchParams.has("idle_in_transaction_session_timeout")) {
    url.searchParams.set("idle_in_transaction_session_timeout", String(options.idleInTransactionMs ?? IDLE_IN_TRANSACTION_MS));
  }
  const client = new SQL(url.toString(), {
    max: options.max ?? 10,
    connectionTimeout: options.connectionTimeout ?? 5,
    idleTimeout: 60,
  });
  return { db: drizzle({ client }), close: () => client.close({ timeout: 5 }) };
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
