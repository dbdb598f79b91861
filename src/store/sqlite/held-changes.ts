/**
 * Person changes from terminals on SQLite: the group commit's `credential` op (judged, then
 * applied, held or ignored, and audited in the same transaction) and the held list's reads and
 * decisions. Synchronous, as the write path is.
 */
import { and, asc, count, eq, gt } from "drizzle-orm";
import type { OpResult, Page } from "../contract.ts";
import { decodeCursor, encodeCursor, pageOf } from "../cursor.ts";
import { type CredentialOp, heldRow, planTerminalChange, terminalChangeAudit } from "../held-changes.ts";
import { auditLog, credentials, type HeldChangeRow, heldChanges, people } from "../schema.ts";
import type { SqliteDatabase } from "./driver.ts";

interface Adoption {
  sn: string;
  at: number;
  enrollid: number;
  /** Null or empty: the stored name stays. */
  name: string | null | undefined;
  admin: number;
  backupnum: number;
  data: string;
}

/** Stores what a terminal sent as the site's: the person (created enabled, or admin level and name set) and the credential. */
function adopt(db: SqliteDatabase, a: Adoption) {
  db.insert(people)
    .values({ enrollid: a.enrollid, name: a.name ?? "", admin: a.admin, enabled: true, createdAt: a.at, updatedAt: a.at })
    .onConflictDoUpdate({ target: people.enrollid, set: { admin: a.admin, updatedAt: a.at, ...(a.name ? { name: a.name } : {}) } })
    .run();
  db.insert(credentials)
    .values({ enrollid: a.enrollid, backupnum: a.backupnum, data: a.data, sourceSn: a.sn, updatedAt: a.at })
    .onConflictDoUpdate({ target: [credentials.enrollid, credentials.backupnum], set: { data: a.data, sourceSn: a.sn, updatedAt: a.at } })
    .run();
}

/** The `credential` op, inside the write path's transaction. */
export function writeTerminalChange(db: SqliteDatabase, op: CredentialOp): OpResult {
  const person = db.select({ name: people.name, admin: people.admin }).from(people).where(eq(people.enrollid, op.enrollid)).get() ?? null;
  const stored =
    db
      .select({ data: credentials.data })
      .from(credentials)
      .where(and(eq(credentials.enrollid, op.enrollid), eq(credentials.backupnum, op.backupnum)))
      .get()?.data ?? null;
  const heldByTerminal = db.select({ n: count() }).from(heldChanges).where(eq(heldChanges.sn, op.sn)).get()?.n ?? 0;
  const slot = and(eq(heldChanges.sn, op.sn), eq(heldChanges.enrollid, op.enrollid), eq(heldChanges.backupnum, op.backupnum));
  const slotHeld = db.select({ id: heldChanges.id }).from(heldChanges).where(slot).get() !== undefined;
  const plan = planTerminalChange(op, person, stored, heldByTerminal, slotHeld);
  const adopted = plan.outcome === "applied" || plan.outcome === "unchanged";
  let heldId: number | null = null;
  if (adopted) adopt(db, op);
  if (plan.outcome === "held") {
    // A new id for the newer upload: an approval given for what the admin saw never applies something else.
    if (slotHeld) db.delete(heldChanges).where(slot).run();
    heldId = db.insert(heldChanges).values(heldRow(op, person, plan.reasons)).returning({ id: heldChanges.id }).get()?.id ?? null;
  }
  const entry = terminalChangeAudit(op, person, plan, heldId);
  if (entry) db.insert(auditLog).values(entry).run();
  return { ok: true, inserted: adopted ? 1 : 0, duplicates: 0, quarantined: 0, terminalChange: plan.outcome };
}

export function listHeldChanges(db: SqliteDatabase, filter: { cursor?: string; limit: number }): Page<HeldChangeRow> {
  const after = filter.cursor === undefined ? undefined : gt(heldChanges.id, decodeCursor(filter.cursor, ["number"])[0]);
  const rows = db.select().from(heldChanges).where(after).orderBy(asc(heldChanges.id)).limit(filter.limit + 1).all();
  return pageOf(rows, filter.limit, (r) => encodeCursor([r.id]));
}

export function countHeldChanges(db: SqliteDatabase): number {
  return db.select({ n: count() }).from(heldChanges).get()?.n ?? 0;
}

/** Removes the held change; applies it first when `approvedAt` is given. The caller holds the transaction. */
export function decideHeldChange(db: SqliteDatabase, id: number, approvedAt: number | null): HeldChangeRow | null {
  const row = db.delete(heldChanges).where(eq(heldChanges.id, id)).returning().get();
  if (!row) return null;
  if (approvedAt !== null) adopt(db, { ...row, at: approvedAt });
  return row;
}
