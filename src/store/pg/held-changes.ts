/**
 * Person changes from terminals on PostgreSQL, as sqlite/held-changes.ts: the group commit's
 * `credential` op (judged, then applied, held or ignored, and audited in the same transaction)
 * and the held list's reads and decisions.
 */
import { and, asc, count, eq, gt } from "drizzle-orm";
import type { OpResult, Page } from "../contract.ts";
import { decodeCursor, encodeCursor, pageOf } from "../cursor.ts";
import { type CredentialOp, heldRow, planTerminalChange, terminalChangeAudit } from "../held-changes.ts";
import type { HeldChangeRow } from "../schema.ts";
import type { PgDb } from "./connect.ts";
import { auditLog, credentials, heldChanges, people } from "./schema.ts";

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
async function adopt(db: PgDb, a: Adoption) {
  await db
    .insert(people)
    .values({ enrollid: a.enrollid, name: a.name ?? "", admin: a.admin, enabled: true, createdAt: a.at, updatedAt: a.at })
    .onConflictDoUpdate({ target: people.enrollid, set: { admin: a.admin, updatedAt: a.at, ...(a.name ? { name: a.name } : {}) } });
  await db
    .insert(credentials)
    .values({ enrollid: a.enrollid, backupnum: a.backupnum, data: a.data, sourceSn: a.sn, updatedAt: a.at })
    .onConflictDoUpdate({ target: [credentials.enrollid, credentials.backupnum], set: { data: a.data, sourceSn: a.sn, updatedAt: a.at } });
}

/** The `credential` op, inside the write path's transaction. */
export async function writeTerminalChange(db: PgDb, op: CredentialOp): Promise<OpResult> {
  const [person = null] = await db.select({ name: people.name, admin: people.admin }).from(people).where(eq(people.enrollid, op.enrollid));
  const [credential] = await db
    .select({ data: credentials.data })
    .from(credentials)
    .where(and(eq(credentials.enrollid, op.enrollid), eq(credentials.backupnum, op.backupnum)));
  const [held] = await db.select({ n: count() }).from(heldChanges).where(eq(heldChanges.sn, op.sn));
  const slot = and(eq(heldChanges.sn, op.sn), eq(heldChanges.enrollid, op.enrollid), eq(heldChanges.backupnum, op.backupnum));
  const [inSlot] = await db.select({ id: heldChanges.id }).from(heldChanges).where(slot);
  const plan = planTerminalChange(op, person, credential?.data ?? null, held?.n ?? 0, inSlot !== undefined);
  const adopted = plan.outcome === "applied" || plan.outcome === "unchanged";
  let heldId: number | null = null;
  if (adopted) await adopt(db, op);
  if (plan.outcome === "held") {
    // A new id for the newer upload: an approval given for what the admin saw never applies something else.
    if (inSlot !== undefined) await db.delete(heldChanges).where(slot);
    const [stored] = await db.insert(heldChanges).values(heldRow(op, person, plan.reasons)).returning({ id: heldChanges.id });
    heldId = stored?.id ?? null;
  }
  const entry = terminalChangeAudit(op, person, plan, heldId);
  if (entry) await db.insert(auditLog).values(entry);
  return { ok: true, inserted: adopted ? 1 : 0, duplicates: 0, quarantined: 0, terminalChange: plan.outcome };
}

export async function listHeldChanges(db: PgDb, filter: { cursor?: string; limit: number }): Promise<Page<HeldChangeRow>> {
  const after = filter.cursor === undefined ? undefined : gt(heldChanges.id, decodeCursor(filter.cursor, ["number"])[0]);
  const rows = await db.select().from(heldChanges).where(after).orderBy(asc(heldChanges.id)).limit(filter.limit + 1);
  return pageOf(rows, filter.limit, (r) => encodeCursor([r.id]));
}

export async function countHeldChanges(db: PgDb): Promise<number> {
  const [row] = await db.select({ n: count() }).from(heldChanges);
  return row?.n ?? 0;
}

/** Removes the held change; applies it first when `approvedAt` is given. Call inside a transaction. */
export async function decideHeldChange(db: PgDb, id: number, approvedAt: number | null): Promise<HeldChangeRow | null> {
  const [row] = await db.delete(heldChanges).where(eq(heldChanges.id, id)).returning();
  if (!row) return null;
  if (approvedAt !== null) await adopt(db, { ...row, at: approvedAt });
  return row;
}
