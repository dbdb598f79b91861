import { Database } from "bun:sqlite";
import { drizzle } from "drizzle-orm/bun-sqlite";
import type { SqliteOpener } from "./driver.ts";

export const openBunSqlite: SqliteOpener = (file, { readonly }) => {
  const client = readonly ? new Database(file, { readonly: true }) : new Database(file, { create: true });
  // query() caches the prepared statement by its text.
  return {
    db: drizzle({ client }),
    exec: (statement) => void client.query(statement).run(),
    prepare: (statement) => client.query(statement),
    close: () => client.close(),
  };
};
