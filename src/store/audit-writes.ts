/** The audit log's one write for both engines, in SQL that SQLite and PostgreSQL read alike (on SQLite: the write connection). */
import { type SQL, sql } from "drizzle-orm";
import type { Store } from "./contract.ts";
import { auditLog } from "./schema.ts";
import type { SqlRunner } from "./sql-runner.ts";
import { tableRows } from "./sql-rows.ts";

const audits = tableRows(auditLog);

/** The INSERT of one entry as stored (details already JSON); also a step of a write transaction (held-changes.ts). */
export const insertAudit = (row: Omit<typeof auditLog.$inferInsert, "id">): SQL => sql`INSERT INTO audit_log ${audits.insert(row)}`;

export type AuditWrites = Pick<Store, "audit">;

export function auditWrites(db: SqlRunner): AuditWrites {
  return {
    audit: async (entry) => {
      const details = entry.details === undefined ? null : JSON.stringify(entry.details);
      await db.write(sql`${insertAudit({ at: entry.at, actor: entry.actor, action: entry.action, target: entry.target ?? null, details, result: entry.result })} RETURNING id`);
    },
  };
}
