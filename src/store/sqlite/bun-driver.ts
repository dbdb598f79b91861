import { Database } from "bun:sqlite";
import { drizzle } from "drizzle-orm/bun-sqlite";
import { immutableUri, type SqliteOpener } from "./driver.ts";

/** sqlite3_open_v2 flags: bun:sqlite's options object has no way to ask for a URI. */
const SQLITE_OPEN_READONLY = 0x01;
const SQLITE_OPEN_URI = 0x40;

export const openBunSqlite: SqliteOpener = (file, { readonly, immutable }) => {
  const client = immutable
    ? new Database(immutableUri(file), SQLITE_OPEN_READONLY | SQLITE_OPEN_URI)
    : readonly
      ? new Database(file, { readonly: true })
      : new Database(file, { create: true });
  // query() caches the prepared statement by its text.
  return {
    db: drizzle({ client }),
    exec: (statement) => void client.query(statement).run(),
    prepare: (statement) => client.query(statement),
    close: () => client.close(),
  };
};
