/**
 * What both engines' write paths do with a person change from a terminal (the `credential` op):
 * read the person and the credential as stored in the write transaction, then apply the change,
 * hold it for an admin (a `held_changes` row) or ignore it, and write the audit entry that says
 * so in the same transaction; and an admin's decision on a held one. The statements are steps
 * (sql-transaction.ts) that each engine runs in the transaction it is in: SQLite synchronously in
 * the group commit (sqlite/write-path.ts), PostgreSQL awaited in its (pg/write-ops.ts). The rule
 * itself is people/terminal-change.ts.
 */
import { sql } from "drizzle-orm";
import { credentialKind } from "../people/mask.ts";
import { type ChangeReason, judgeTerminalChange, type StoredPerson } from "../people/terminal-change.ts";
import type { OpResult, WriteOp } from "./contract.ts";
import { insertAudit } from "./audit-writes.ts";
import { credentials, type HeldChangeRow, heldChanges, people } from "./schema.ts";
import { tableRows } from "./sql-rows.ts";
import type { Steps } from "./sql-transaction.ts";
import type { TerminalChangeOutcome } from "./types.ts";

export type CredentialOp = Extract<WriteOp, { type: "credential" }>;

const persons = tableRows(people);
const creds = tableRows(credentials);
export const heldRows = tableRows(heldChanges);

/**
 * Held changes kept per terminal. Past it, a change that would be held is ignored (and audited):
 * a terminal, or anything speaking as one, cannot grow the list without bound. A newer upload for
 * a slot already held replaces that row, so a real unit's retries never count twice.
 */
export const HELD_PER_TERMINAL = 100;

export interface TerminalChangePlan {
  outcome: TerminalChangeOutcome;
  reasons: ChangeReason[];
  /** Ignored because the terminal's held list is full. */
  full: boolean;
}

/**
 * @param heldByTerminal held changes stored for this terminal
 * @param slotHeld one of them is for this person and slot (it will be replaced)
 */
export function planTerminalChange(op: CredentialOp, person: StoredPerson | null, stored: string | null, heldByTerminal: number, slotHeld: boolean): TerminalChangePlan {
  const j = judgeTerminalChange(person, stored, { enrollid: op.enrollid, name: op.name, admin: op.admin, backupnum: op.backupnum, data: op.data }, op.enrolment);
  if (j.verdict === "apply") return { outcome: j.changes ? "applied" : "unchanged", reasons: j.reasons, full: false };
  if (j.verdict === "hold" && (slotHeld || heldByTerminal < HELD_PER_TERMINAL)) return { outcome: "held", reasons: j.reasons, full: false };
  return { outcome: "ignored", reasons: j.reasons, full: j.verdict === "hold" };
}

/** The `held_changes` row for a held op. */
export function heldRow(op: CredentialOp, person: StoredPerson | null, reasons: ChangeReason[]): Omit<HeldChangeRow, "id"> {
  return {
    at: op.at,
    sn: op.sn,
    remoteAddr: op.remoteAddr,
    via: op.via,
    enrollid: op.enrollid,
    name: op.name ? op.name : null,
    admin: op.admin,
    backupnum: op.backupnum,
    data: op.data,
    reasons: JSON.stringify(reasons),
    previousName: person?.name ?? null,
    previousAdmin: person?.admin ?? null,
  };
}

/**
 * The audit row of a terminal's change, as both engines' `audit_log` takes it (never the
 * credential's data); null for a resend, which changes nothing.
 */
export function terminalChangeAudit(op: CredentialOp, person: StoredPerson | null, plan: TerminalChangePlan, heldId: number | null) {
  if (plan.outcome === "unchanged") return null;
  return {
    at: op.at,
    actor: `terminal:${op.sn}`,
    action: "people.terminal-change",
    target: `person:${op.enrollid}`,
    details: JSON.stringify({
      sn: op.sn,
      address: op.remoteAddr,
      via: op.via,
      backupnum: op.backupnum,
      kind: credentialKind(op.backupnum),
      ...(op.name ? { name: op.name } : {}),
      admin: op.admin,
      previousAdmin: person?.admin ?? null,
      reasons: plan.reasons,
      ...(heldId !== null ? { heldId } : {}),
    }),
    result: plan.full ? "ignored: held list full" : plan.reasons.includes("reserved-enrollid") ? "ignored: enrollid reserved for scans of nobody enrolled" : plan.outcome,
  };
}

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
function* adopt(a: Adoption): Steps<void> {
  yield {
    run: sql`INSERT INTO people ${persons.insert({ enrollid: a.enrollid, name: a.name ?? "", admin: a.admin, enabled: true, createdAt: a.at, updatedAt: a.at })}
      ON CONFLICT (enrollid) DO UPDATE SET ${persons.set({ admin: a.admin, updatedAt: a.at, ...(a.name ? { name: a.name } : {}) })}`,
  };
  yield {
    run: sql`INSERT INTO credentials ${creds.insert({ enrollid: a.enrollid, backupnum: a.backupnum, data: a.data, sourceSn: a.sn, updatedAt: a.at })}
      ON CONFLICT (enrollid, backupnum) DO UPDATE SET ${creds.set({ data: a.data, sourceSn: a.sn, updatedAt: a.at })}`,
  };
}

/** The `credential` op, inside the write path's transaction. */
export function* terminalChange(op: CredentialOp): Steps<OpResult> {
  const [found] = yield { rows: sql`SELECT name, admin FROM people WHERE enrollid = ${op.enrollid}` };
  const person: StoredPerson | null = found ? { name: String(found.name), admin: Number(found.admin) } : null;
  const [credential] = yield { rows: sql`SELECT data FROM credentials WHERE enrollid = ${op.enrollid} AND backupnum = ${op.backupnum}` };
  const [held] = yield { rows: sql`SELECT count(*) AS n FROM held_changes WHERE sn = ${op.sn}` };
  const slot = sql`sn = ${op.sn} AND enrollid = ${op.enrollid} AND backupnum = ${op.backupnum}`;
  const slotHeld = (yield { rows: sql`SELECT id FROM held_changes WHERE ${slot} LIMIT 1` }).length > 0;
  const plan = planTerminalChange(op, person, credential ? String(credential.data) : null, Number(held?.n ?? 0), slotHeld);
  const adopted = plan.outcome === "applied" || plan.outcome === "unchanged";
  let heldId: number | null = null;
  if (adopted) yield* adopt(op);
  if (plan.outcome === "held") {
    // A new id for the newer upload: an approval given for what the admin saw never applies something else.
    if (slotHeld) yield { run: sql`DELETE FROM held_changes WHERE ${slot}` };
    const [stored] = yield { rows: sql`INSERT INTO held_changes ${heldRows.insert(heldRow(op, person, plan.reasons))} RETURNING id` };
    heldId = stored ? Number(stored.id) : null;
  }
  const entry = terminalChangeAudit(op, person, plan, heldId);
  if (entry) yield { run: insertAudit(entry) };
  return { ok: true, inserted: adopted ? 1 : 0, duplicates: 0, quarantined: 0, terminalChange: plan.outcome };
}

/** Removes the held change; applies it first when `approvedAt` is given. */
export function* decideHeldChange(id: number, approvedAt: number | null): Steps<HeldChangeRow | null> {
  const [removed] = yield { rows: sql`DELETE FROM held_changes WHERE id = ${id} RETURNING ${heldRows.columns}` };
  if (!removed) return null;
  const row = heldRows.read(removed);
  if (approvedAt !== null) yield* adopt({ ...row, at: approvedAt });
  return row;
}
