/** The audit log's one write for both engines, in SQL that SQLite and PostgreSQL read alike. */
import { type SQL, sql } from "drizzle-orm";
import { auditLog } from "./schema.ts";
import { tableRows } from "./sql-rows.ts";

const audits = tableRows(auditLog);

/** The INSERT of one entry as stored (details already JSON); also a step of a write transaction (held-changes.ts). */
export const insertAudit = (row: Omit<typeof auditLog.$inferInsert, "id">): SQL => sql`INSERT INTO audit_log ${audits.insert(row)}`;
