import BetterSqlite3 from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import type { SqliteOpener } from "./driver.ts";

/** For Node (better-sqlite3 is a dev dependency: Bun refuses to load it, the binary never does). */
export const openNodeSqlite: SqliteOpener = (file, { readonly }) => {
  const client = new BetterSqlite3(file, { readonly });
  return { db: drizzle({ client }), close: () => client.close() };
};
