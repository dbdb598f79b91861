/**
 * What admins and the server's start change in the terminals table, for both engines, in SQL
 * that SQLite and PostgreSQL read alike, run through each engine's `SqlRunner` (on SQLite: the
 * write connection). What terminals themselves change goes through the group commit instead
 * (sqlite/write-path.ts, pg/write-ops.ts).
 */
import { type SQL, sql } from "drizzle-orm";
import type { Store } from "./contract.ts";
import { type TerminalRow, terminals } from "./schema.ts";
import type { SqlRunner } from "./sql-runner.ts";
import { tableRows } from "./sql-rows.ts";

const rows = tableRows(terminals);

export type TerminalWrites = Pick<Store, "setApproval" | "acceptIdentity" | "updateTerminal" | "markAllOffline">;

export function terminalWrites(db: SqlRunner): TerminalWrites {
  const one = async (query: SQL): Promise<TerminalRow | null> => {
    const [row] = await db.write(query);
    return row ? rows.read(row) : null;
  };
  return {
    setApproval: (sn, approval, at) => {
      // last_seen never goes back: the later of the two (SQLite's max(), PostgreSQL's GREATEST; a CASE reads alike in both).
      const lastSeen = sql`CASE WHEN last_seen > ${at} THEN last_seen ELSE ${at} END`;
      const set = rows.set({ approval, ...(approval === "approved" ? {} : { online: false }) });
      return one(sql`UPDATE terminals SET ${set}, last_seen = ${lastSeen} WHERE sn = ${sn} RETURNING ${rows.columns}`);
    },
    acceptIdentity: (sn) =>
      one(sql`
        UPDATE terminals SET cpusn = mismatch_cpusn, mac = mismatch_mac, mismatch_cpusn = NULL, mismatch_mac = NULL, mismatch_addr = NULL, mismatch_at = NULL
        WHERE sn = ${sn} AND mismatch_at IS NOT NULL RETURNING ${rows.columns}`),
    updateTerminal: async (sn, changes) => {
      if (Object.keys(changes).length > 0) return one(sql`UPDATE terminals SET ${rows.set(changes)} WHERE sn = ${sn} RETURNING ${rows.columns}`);
      const [row] = await db.read(sql`SELECT ${rows.columns} FROM terminals WHERE sn = ${sn}`);
      return row ? rows.read(row) : null;
    },
    markAllOffline: () => db.batch([sql`UPDATE terminals SET online = FALSE WHERE online = TRUE`]),
  };
}
