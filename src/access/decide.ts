/**
 * The live decision for a terminal in server mode (PROTOCOL.md §7.5): may this person, or this
 * QR code, pass this door at this site-local time. A pure function of its inputs, so a resend of
 * the same punch (units resend after about 3 s without an answer) gets the same answer — as long
 * as the caller passes the same inputs: the record's own time, not the arrival time, and pass
 * uses counted WITHOUT this punch's own use (the store counts a use once per punch identity).
 *
 * It reads an in-memory snapshot (no store round trip on the hot path) and agrees with what a
 * terminal does with the compiled tables (`compile.ts`, `terminal-rules.ts`; a property test
 * holds them together).
 */
import { createHash } from "node:crypto";
import { localMoment } from "./calendar.ts";
import { indexModel, type ModelIndex, schedulesAt } from "./model-index.ts";
import type { AccessModel, Pass, Person, Schedule } from "./model.ts";
import { inWindows } from "./windows.ts";

export type Credential = { kind: "enrollid"; enrollid: number } | { kind: "qr"; text: string };

export interface DecisionInput {
  sn: string;
  /** The record's site-local time, "YYYY-MM-DD HH:MM:SS" (a `sendqrcode` carries none: use its arrival). */
  at: string;
  credential: Credential;
  /** Uses of each pass by other punches (store-counted). Absent = 0. */
  passUses?: ReadonlyMap<number, number>;
}

export type RefusalReason =
  | "unknown_person"
  | "unknown_code"
  | "disabled"
  | "outside_validity"
  | "no_level"
  | "holiday"
  | "outside_schedule"
  | "pass_revoked"
  | "pass_expired"
  | "pass_used_up"
  /** The store, which counts a pass's uses, did not answer: the unit may try again. */
  | "pass_unavailable"
  | "invalid_time";

export type Decision =
  | { access: 1; reason: "granted"; message: string; enrollid: number | null; name: string; passId: number | null }
  | { access: 0; reason: RefusalReason; message: string; enrollid: number | null; name: string; passId: number | null };

/** Short enough for a terminal's screen. */
export const MESSAGES: Record<Decision["reason"], string> = {
  granted: "Welcome",
  unknown_person: "Unknown person",
  unknown_code: "Unknown code",
  disabled: "Access disabled",
  outside_validity: "Not valid now",
  no_level: "No access here",
  holiday: "Closed: holiday",
  outside_schedule: "Outside hours",
  pass_revoked: "Pass revoked",
  pass_expired: "Pass expired",
  pass_used_up: "Pass used up",
  pass_unavailable: "Try again",
  invalid_time: "Clock error",
};

type CodeOwner = { kind: "person"; person: Person } | { kind: "pass"; pass: Pass };

export interface AccessSnapshot {
  index: ModelIndex;
  people: Map<number, Person>;
  /** SHA-256 of each issued code → its owner. */
  codes: Map<string, CodeOwner>;
  /** Holiday ranges as inclusive dates. */
  holidays: Array<{ from: string; to: string }>;
}

const digest = (code: string) => createHash("sha256").update(code, "utf8").digest("base64");

export function snapshot(model: AccessModel): AccessSnapshot {
  const codes = new Map<string, CodeOwner>();
  for (const person of model.people) if (person.qrCode !== null) codes.set(digest(person.qrCode), { kind: "person", person });
  for (const pass of model.passes) codes.set(digest(pass.code), { kind: "pass", pass });
  return {
    index: indexModel(model),
    people: new Map(model.people.map((p) => [p.enrollid, p])),
    codes,
    holidays: model.holidays.map((h) => ({ from: h.from, to: h.to })),
  };
}

/**
 * The code's owner. Codes are looked up by their SHA-256, never compared character by
 * character, so the time taken says nothing about how much of a real code a guess matched; and
 * the text is taken exactly as read ("21", " 21 ", "021" and "21.0" are four different codes,
 * none of them issued: issued codes are 16+ characters).
 */
function ownerOf(s: AccessSnapshot, text: string): CodeOwner | undefined {
  return s.codes.get(digest(text));
}

export function decide(s: AccessSnapshot, input: DecisionInput): Decision {
  const refuse = (reason: RefusalReason, who: { enrollid?: number; name?: string; passId?: number } = {}): Decision => ({
    access: 0, reason, message: MESSAGES[reason], enrollid: who.enrollid ?? null, name: who.name ?? "", passId: who.passId ?? null,
  });
  const at = localMoment(input.at);
  if (at === null) return refuse("invalid_time");
  let person: Person | undefined;
  if (input.credential.kind === "enrollid") {
    person = s.people.get(input.credential.enrollid);
    if (!person) return refuse("unknown_person", { enrollid: input.credential.enrollid });
  } else {
    const owner = ownerOf(s, input.credential.text);
    if (!owner) return refuse("unknown_code");
    if (owner.kind === "pass") return decidePass(s, owner.pass, input, at, refuse);
    person = owner.person;
  }
  const who = { enrollid: person.enrollid, name: person.name };
  if (!person.enabled) return refuse("disabled", who);
  if ((person.validFrom !== null && at.date < person.validFrom) || (person.validTo !== null && at.date > person.validTo)) return refuse("outside_validity", who);
  const schedules = schedulesAt(s.index, person, input.sn);
  if (schedules.length === 0) return refuse("no_level", who);
  const reason = scheduleRefusal(s, schedules, at);
  return reason ? refuse(reason, who) : { access: 1, reason: "granted", message: MESSAGES.granted, enrollid: person.enrollid, name: person.name, passId: null };
}

function scheduleRefusal(s: AccessSnapshot, schedules: readonly Schedule[], at: { date: string; minute: number; weekday: number }): RefusalReason | null {
  const holiday = s.holidays.some((h) => h.from <= at.date && at.date <= h.to);
  const usable = holiday ? schedules.filter((sc) => !sc.holidaysClosed) : schedules;
  if (usable.length === 0) return "holiday";
  return usable.some((sc) => inWindows(sc.days[at.weekday - 1] ?? [], at.minute)) ? null : "outside_schedule";
}

/**
 * A pass opens the terminals it names at any time of its validity, and the doors of its levels
 * within those levels' schedules.
 */
function decidePass(
  s: AccessSnapshot,
  pass: Pass,
  input: DecisionInput,
  at: { time: string; date: string; minute: number; weekday: number },
  refuse: (reason: RefusalReason, who: { name?: string; passId?: number }) => Decision,
): Decision {
  const who = { name: pass.name, passId: pass.id };
  if (pass.revoked) return refuse("pass_revoked", who);
  if (at.time > pass.validTo) return refuse("pass_expired", who);
  if (at.time < pass.validFrom) return refuse("outside_validity", who);
  const named = pass.terminals.includes(input.sn);
  const here = s.index.levelsAt.get(input.sn);
  const levels = here ? pass.levelIds.filter((l) => here.has(l)) : [];
  if (!named && levels.length === 0) return refuse("no_level", who);
  if (pass.uses !== null && (input.passUses?.get(pass.id) ?? 0) >= pass.uses) return refuse("pass_used_up", who);
  if (!named) {
    const ids = [...new Set(levels.map((l) => s.index.levels.get(l)?.scheduleId as number))];
    const reason = scheduleRefusal(s, ids.map((i) => s.index.schedules.get(i) as Schedule), at);
    if (reason) return refuse(reason, who);
  }
  return { access: 1, reason: "granted", message: MESSAGES.granted, enrollid: null, name: pass.name, passId: pass.id };
}
