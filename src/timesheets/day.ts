/**
 * The daily result: one person-day's punches and rules in, the figures out. Pure: no clock, no
 * store; the caller lays the shift on the date (`planDay`) and hands over the day's punches.
 */
import { punchMinuteOfDay } from "./calendar.ts";
import { type DayPlan, netMinutes, type Span, total, utcMinute } from "./plan.ts";
import type { CalculationMode, DayLeave, DayResult, DayStatus, LeavePart, LocalDate, Presence, ResultPair, Rounding } from "./types.ts";

/** How a punch is read: a trusted in or out, or "any" (its place in the day decides). */
export type Role = "in" | "out" | "any";

export interface DayPunch {
  /** Unique within the person (a stored punch's id, minus an added punch's correction id); orders ties. */
  key: number;
  time: string;
  ts: number;
  role: Role;
  manual: boolean;
}

export interface DayLeaveInput {
  typeId: number;
  part: LeavePart;
  countsAsWorked: boolean;
}

export interface DayInput {
  date: LocalDate;
  enrollid: number;
  plan: DayPlan;
  scheduleId: number | null;
  departmentId: number | null;
  holiday: string | null;
  leave: readonly DayLeaveInput[];
  punches: readonly DayPunch[];
  /** A correction touched the day (an added punch in it or one of its punches excluded). */
  corrected: boolean;
  doubleScanSeconds: number;
  calculation: CalculationMode;
  /** UTC minute now, given only while the day's window is not over (today): its last pair may still be open. */
  now: number | null;
}

interface Pair {
  in: DayPunch | null;
  out: DayPunch | null;
}

export const byTime = (a: DayPunch, b: DayPunch) => a.ts - b.ts || a.key - b.key;

/** Repeated scans: a punch closer than the window to the last one kept counts once (the first stays). */
export function collapse<T extends { ts: number }>(sorted: readonly T[], windowSeconds: number): T[] {
  const kept: T[] = [];
  let last: T | undefined;
  for (const p of sorted) {
    if (last !== undefined && p.ts - last.ts < windowSeconds * 1000) continue;
    kept.push(p);
    last = p;
  }
  return kept;
}

/** The first in (or "any") and the last out (or "any") after it; punches between them do not matter. */
function pairFirstLast(punches: readonly DayPunch[]): Pair[] {
  const i = punches.findIndex((p) => p.role !== "out");
  const first = punches[i] ?? null;
  const last = punches.findLast((p, j) => j > i && p.role !== "in") ?? null;
  return first === null && last === null ? [] : [{ in: first, out: last }];
}

/** In order: an in (or "any") opens a pair, the next out (or "any") closes it; what is left alone stays open. */
function pairInOrder(punches: readonly DayPunch[]): Pair[] {
  const pairs: Pair[] = [];
  let open: DayPunch | null = null;
  for (const p of punches) {
    if (open === null) {
      if (p.role === "out") pairs.push({ in: null, out: p });
      else open = p;
    } else if (p.role === "in") {
      pairs.push({ in: open, out: null });
      open = p;
    } else {
      pairs.push({ in: open, out: p });
      open = null;
    }
  }
  if (open !== null) pairs.push({ in: open, out: null });
  return pairs;
}

/** A punch's UTC minute moved to the rounded local clock minute. */
function rounded(p: DayPunch, r: Rounding | undefined): number {
  const m = utcMinute(p.ts);
  if (!r || r.step <= 1) return m;
  const local = punchMinuteOfDay(p.time);
  const rem = local % r.step;
  const down = local - rem;
  const up = rem === 0 ? local : down + r.step;
  const target = r.mode === "down" ? down : r.mode === "up" ? up : rem * 2 >= r.step ? up : down;
  return m + target - local;
}

function leaveMinutes(part: LeavePart, expected: number): { minutes: number; days: number } {
  if (part.kind === "day") return { minutes: expected, days: 1 };
  if (part.kind === "half") return { minutes: Math.floor(expected / 2), days: 0.5 };
  return { minutes: part.minutes, days: 0 };
}

const withGrace = (minutes: number, grace: number) => (minutes > grace ? minutes : 0);

/** Overtime: everything on a day off; else after the end and/or beyond the daily threshold, whichever is more. */
function overtimeOf(plan: DayPlan, offDay: boolean, net: readonly Span[], present: number): number {
  const rule = plan.shift?.overtime;
  let overtime = 0;
  if (offDay) overtime = present;
  else if (rule) {
    const end = plan.work?.[1];
    const afterEnd = rule.afterShiftEnd && end !== undefined ? total(net.map(([s, e]): Span => [Math.max(s, end), Math.max(e, end)])) : 0;
    const beyond = rule.beyondMinutes !== undefined ? present - rule.beyondMinutes : 0;
    overtime = Math.min(present, Math.max(afterEnd, beyond, 0));
  }
  return overtime < (rule?.minimumMinutes ?? 0) ? 0 : overtime;
}

/**
 * The hours someone is expected at: the shift's (a flexible shift's core), from their middle after a
 * first half off, to it before a second half off; and the minutes of leave, which excuse lateness
 * first, then early leave. Late and early leave are measured against them, and Today's "not yet in"
 * lasts until an arrival would be late by them, so the two never disagree.
 */
function expectedHours(plan: DayPlan, leave: readonly DayLeaveInput[]): { hours: Span; excuse: number } | null {
  const hours = plan.shift === null ? null : (plan.work ?? plan.core);
  if (hours === null) return null;
  let [from, to] = hours;
  const middle = from + Math.floor((to - from) / 2);
  for (const l of leave) {
    if (l.part.kind === "half" && l.part.half === "first") from = middle;
    if (l.part.kind === "half" && l.part.half === "second") to = middle;
  }
  return { hours: [from, to], excuse: leave.reduce((sum, l) => sum + (l.part.kind === "minutes" ? l.part.minutes : 0), 0) };
}

/** Late and early-leave minutes against the expected hours (`expectedHours`), after the graces. */
function lateAndEarly(plan: DayPlan, leave: readonly DayLeaveInput[], firstIn: DayPunch | null, lastOut: DayPunch | null): { late: number; early: number } {
  const shift = plan.shift;
  const expected = expectedHours(plan, leave);
  if (shift === null || expected === null) return { late: 0, early: 0 };
  const [from, to] = expected.hours;
  let excuse = expected.excuse;
  let late = firstIn ? Math.max(0, rounded(firstIn, shift.rounding?.in) - from) : 0;
  let early = lastOut ? Math.max(0, to - rounded(lastOut, shift.rounding?.out)) : 0;
  const lateExcused = Math.min(late, excuse);
  late -= lateExcused;
  excuse -= lateExcused;
  early -= Math.min(early, excuse);
  return { late: withGrace(late, shift.lateGraceMinutes), early: withGrace(early, shift.earlyGraceMinutes) };
}

/**
 * Whether the day is a result yet. Someone with no punch, holiday or whole day off is not absent
 * before an arrival would be late ("not yet in", as `presence` says): the shift's start and grace, or
 * later after a first half or minutes off (`expectedHours`); until then the day is like one ahead:
 * nothing stored, so months, summaries and exports count no absence the morning has not made yet.
 */
export const isDue = (day: DayResult): boolean => day.presence !== "not_yet_in";

export function computeDay(input: DayInput): DayResult {
  const { plan } = input;
  const shift = plan.shift;
  const punches = collapse([...input.punches].sort(byTime), input.doubleScanSeconds);
  const pairs = input.calculation === "paired" ? pairInOrder(punches) : pairFirstLast(punches);
  const inProgress = input.now !== null;
  const firstPair = pairs[0];
  const lastPair = pairs[pairs.length - 1];
  // Still at work is not a missing punch: the day's last pair may stay open until the day is over.
  const stillIn = inProgress && lastPair !== undefined && lastPair.in !== null && lastPair.out === null;
  const missingPunch = pairs.some((p, i) => (p.in === null || p.out === null) && !(stillIn && i === pairs.length - 1));

  // Both halves off is the whole day off: no instant left at which to be expected, late or absent.
  const halvesOff = new Set(input.leave.flatMap((l) => (l.part.kind === "half" ? [l.part.half] : [])));
  const wholeDayLeave = input.leave.some((l) => l.part.kind === "day") || halvesOff.size === 2;
  const offDay = input.holiday !== null || shift === null || wholeDayLeave;

  // Worked time: complete pairs, rounded, from the shift's start unless early arrival counts.
  const countFrom = !offDay && shift?.kind === "fixed" && !shift.countEarlyArrival && plan.work ? plan.work[0] : -Infinity;
  const spans: Span[] = [];
  for (const p of pairs) {
    if (p.in === null || p.out === null) continue;
    const s = Math.max(rounded(p.in, shift?.rounding?.in), countFrom);
    const e = rounded(p.out, shift?.rounding?.out);
    if (e > s) spans.push([s, e]);
  }
  const { net, minutes: present } = netMinutes(spans, plan);
  const overtime = overtimeOf(plan, offDay, net, present);

  // Late and early only from an in and an out known to be the arrival and the departure, never from
  // a guess around a missing punch; someone still in has arrived (late is known) but not left.
  const firstIn = firstPair?.in && (firstPair.out !== null || firstPair.in.role === "in" || (stillIn && pairs.length === 1)) ? firstPair.in : null;
  const lastOut = !inProgress && lastPair?.out && (lastPair.in !== null || lastPair.out.role === "out") ? lastPair.out : null;
  const { late, early } = offDay ? { late: 0, early: 0 } : lateAndEarly(plan, input.leave, firstIn, lastOut);

  const leave: DayLeave[] = input.leave.map((l) => ({ typeId: l.typeId, ...(input.holiday !== null || shift === null ? { minutes: 0, days: 0 } : leaveMinutes(l.part, plan.expectedMinutes)) }));
  const credited = input.leave.reduce((sum, l, i) => sum + (l.countsAsWorked ? (leave[i]?.minutes ?? 0) : 0), 0);

  let status: DayStatus;
  if (input.holiday !== null) status = "holiday";
  else if (shift === null) status = "rest";
  else if (wholeDayLeave) status = "leave";
  else if (punches.length === 0) status = "absent";
  else if (missingPunch) status = "missing_punch";
  else if (late > 0) status = "late";
  else status = "present";

  let presence: Presence | null = null;
  if (input.now !== null) {
    // Overdue once an arrival now would be late (after a first half or minutes off, later than the
    // shift's start); a flexible shift without core hours never is.
    const expected = offDay ? null : expectedHours(plan, input.leave);
    const lateFrom = expected === null ? undefined : expected.hours[0] + expected.excuse;
    if (stillIn) presence = late > 0 ? "late" : "in";
    else if (status === "holiday" || status === "rest" || status === "leave") presence = status;
    else if (punches.length > 0) presence = "out";
    else presence = lateFrom !== undefined && input.now > lateFrom + (shift?.lateGraceMinutes ?? 0) ? "absent" : "not_yet_in";
  }

  return {
    date: input.date,
    enrollid: input.enrollid,
    shiftId: shift?.id ?? null,
    scheduleId: input.scheduleId,
    departmentId: input.departmentId,
    firstIn: pairs.find((p) => p.in !== null)?.in?.time ?? null,
    lastOut: pairs.findLast((p) => p.out !== null)?.out?.time ?? null,
    workedMinutes: present + credited,
    expectedMinutes: offDay ? 0 : plan.expectedMinutes,
    lateMinutes: late,
    earlyLeaveMinutes: early,
    overtimeMinutes: overtime,
    status,
    missingPunch,
    manual: input.corrected,
    holiday: input.holiday,
    leave,
    pairs: pairs.map((p): ResultPair => ({ in: p.in?.time ?? null, out: p.out?.time ?? null, manual: (p.in?.manual ?? false) || (p.out?.manual ?? false) })),
    inProgress,
    presence,
    shiftStart: plan.hours?.[0] ?? null,
    shiftEnd: plan.hours?.[1] ?? null,
  };
}
