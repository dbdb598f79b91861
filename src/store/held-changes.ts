/**
 * What both engines' write paths do with a person change from a terminal (the `credential` op),
 * once they have read the person and the credential as stored in the write transaction: apply
 * it, hold it for an admin (a `held_changes` row) or ignore it, and the audit entry that says so,
 * written in the same transaction. The rule itself is people/terminal-change.ts.
 */
import { credentialKind } from "../people/mask.ts";
import { type ChangeReason, judgeTerminalChange, type StoredPerson } from "../people/terminal-change.ts";
import type { WriteOp } from "./contract.ts";
import type { HeldChangeRow } from "./schema.ts";
import type { TerminalChangeOutcome } from "./types.ts";

export type CredentialOp = Extract<WriteOp, { type: "credential" }>;


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
  const j = judgeTerminalChange(person, stored, { name: op.name, admin: op.admin, backupnum: op.backupnum, data: op.data }, op.enrolment);
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
    result: plan.full ? "ignored: held list full" : plan.outcome,
  };
}
