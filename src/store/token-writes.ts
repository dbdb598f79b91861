/**
 * API tokens' writes for both engines, in SQL that SQLite and PostgreSQL read alike, run through
 * each engine's `SqlRunner` (on SQLite: the token found on the read connection, written on the
 * write one).
 */
import { sql } from "drizzle-orm";
import type { Store } from "./contract.ts";
import { storeError } from "./errors.ts";
import { apiTokens } from "./schema.ts";
import type { SqlRunner } from "./sql-runner.ts";
import { tableRows } from "./sql-rows.ts";

const tokens = tableRows(apiTokens);

/** Recording every use would put a write on every API call; a minute's precision is plenty. */
const USE_PRECISION_MS = 60_000;

export type TokenWrites = Pick<Store, "createToken" | "useToken" | "revokeToken">;

/** `recordUse` false: a store open read-only finds tokens without recording their use. */
export function tokenWrites(db: SqlRunner, options: { recordUse: boolean }): TokenWrites {
  return {
    createToken: async (name, tokenHash, at, grant = { scope: "admin", expiresAt: null }) => {
      const [row] = await db.write(sql`
        INSERT INTO api_tokens ${tokens.insert({ name, tokenHash, createdAt: at, scope: grant.scope, expiresAt: grant.expiresAt })} RETURNING ${tokens.columns}`);
      if (!row) throw storeError("insert_failed", "token was not stored");
      return tokens.read(row);
    },
    useToken: async (tokenHash, at) => {
      const [found] = await db.read(sql`
        SELECT ${tokens.columns} FROM api_tokens
        WHERE token_hash = ${tokenHash} AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ${at})`);
      if (!found) return null;
      const row = tokens.read(found);
      if (options.recordUse && (row.lastUsedAt === null || at - row.lastUsedAt > USE_PRECISION_MS)) {
        await db.write(sql`UPDATE api_tokens SET last_used_at = ${at} WHERE id = ${row.id} RETURNING id`);
      }
      return row;
    },
    revokeToken: async (id, at) =>
      (await db.write(sql`UPDATE api_tokens SET revoked_at = ${at} WHERE id = ${id} AND revoked_at IS NULL RETURNING id`)).length > 0,
  };
}
