import BetterSqlite3 from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { immutableUri, type SqliteOpener } from "./driver.ts";

/** For Node (better-sqlite3 is a dev dependency: Bun refuses to load it, the binary never does). */
export const openNodeSqlite: SqliteOpener = (file, { readonly, immutable }) => {
  const client = immutable ? new BetterSqlite3(immutableUri(file), { readonly: true }) : new BetterSqlite3(file, { readonly });
  const cache = new Map<string, BetterSqlite3.Statement>();
  const prepare = (statement: string) => {
    let prepared = cache.get(statement);
    if (!prepared) {
      prepared = client.prepare(statement);
      cache.set(statement, prepared);
    }
    return prepared;
  };
  return { db: drizzle({ client }), exec: (statement) => void prepare(statement).run(), prepare, close: () => client.close() };
};
