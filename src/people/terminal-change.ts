/**
 * Whether a person change that came from a terminal (a keypad enrolment `senduser`, or a
 * `getuserinfo` answer during a pull) may be applied on the terminal's word. Pure: both store
 * engines call it inside the write transaction, with the person and credential as stored there.
 *
 * The protocol has no authentication, so anything on the LAN can speak as a terminal (SECURITY.md).
 * A terminal therefore never raises an admin level or replaces a credential on its own authority:
 * - a change (an admin level raised, a stored credential replaced by different data, anything
 *   added to a terminal admin) is held for an admin's approval, whatever the site setting;
 * - an enrolment (a person the site does not know, or a credential in an empty slot of a person
 *   who is not a terminal admin) follows the site's keypad setting: accept, hold or ignore;
 * - the rest (a name, a lowered admin level, a photo, a resend of what is stored) is applied.
 * A new person under an enroll id the terminals reserve for scans of nobody enrolled
 * (`reservedEnrollid`) is ignored whatever the setting: no admin could approve one either.
 */
import { reservedEnrollid } from "./reserved-enrollid.ts";

/** What a keypad enrolment becomes (site setting `keypadEnrolment`). */
export const KEYPAD_ENROLMENT = ["accept", "hold", "ignore"] as const;
export type KeypadEnrolment = (typeof KEYPAD_ENROLMENT)[number];

/** Why a change is held (or an enrolment is followed by the setting). */
export type ChangeReason =
  /** A person the site does not know. */
  | "new-person"
  /** The admin level goes up (from 0 for a new person). */
  | "admin-raised"
  /** A stored credential would be replaced by different data. */
  | "credential-replaced"
  /** A credential in an empty slot. */
  | "credential-added"
  /** A new person under 99999998 or 99999999 (`reservedEnrollid`): never stored, never held. */
  | "reserved-enrollid";

export type Verdict = "apply" | "hold" | "ignore";

export interface StoredPerson {
  name: string;
  admin: number;
}

export interface IncomingChange {
  /** Only a reserved one (`reservedEnrollid`) changes the judgement. */
  enrollid: number;
  /** Undefined or empty: the terminal sent no name (the stored one stays). */
  name: string | undefined;
  admin: number;
  backupnum: number;
  data: string;
}

export interface Judgement {
  verdict: Verdict;
  reasons: ChangeReason[];
  /** False when applying it would change nothing the site has (a resend). */
  changes: boolean;
}

/** The user photo (`backupnum` 50) is shown on the unit; it lets no one in. */
export const PHOTO_BACKUPNUM = 50;

/**
 * @param person the person as stored, null when the site does not know them
 * @param stored the stored data of the credential in this slot, null when there is none
 * @param enrolment the site's keypad setting (a pull, which an admin asked for, passes "accept")
 */
export function judgeTerminalChange(person: StoredPerson | null, stored: string | null, incoming: IncomingChange, enrolment: KeypadEnrolment): Judgement {
  const reasons: ChangeReason[] = [];
  const credential = incoming.backupnum !== PHOTO_BACKUPNUM;
  if (person === null) reasons.push("new-person");
  if (incoming.admin > (person?.admin ?? 0)) reasons.push("admin-raised");
  if (credential && stored !== null && stored !== incoming.data) reasons.push("credential-replaced");
  if (credential && stored === null && person !== null) reasons.push("credential-added");
  if (person === null && reservedEnrollid(incoming.enrollid) !== null) return { verdict: "ignore", reasons: [...reasons, "reserved-enrollid"], changes: true };

  const enrolling = person === null || (credential && stored === null);
  const changes =
    person === null ||
    stored !== incoming.data ||
    incoming.admin !== person.admin ||
    (incoming.name !== undefined && incoming.name !== "" && incoming.name !== person.name);
  // A terminal admin can change the unit's settings and people: nothing is added to one unseen.
  const touchesAdmin = Math.max(person?.admin ?? 0, incoming.admin) > 0;
  const escalates = reasons.includes("admin-raised") || reasons.includes("credential-replaced") || (reasons.includes("credential-added") && touchesAdmin);

  let verdict: Verdict;
  if (enrolling && enrolment === "ignore") verdict = "ignore";
  else if (escalates) verdict = "hold";
  else if (enrolling) verdict = enrolment === "accept" ? "apply" : "hold";
  else verdict = "apply";
  return { verdict, reasons, changes };
}
