/**
 * A person's punches → Odoo `hr.attendance` operations. Pure: no I/O, no clock; the caller reads
 * the employee's attendances from Odoo first, so Odoo's own records are the state (a restart, a
 * crash between two calls or a re-sent batch never duplicates: a punch at a second where an
 * attendance already starts or ends is `present`).
 *
 * Odoo's rules (hr_attendance `_check_validity`, `_check_validity_check_in_check_out`): at most one
 * open attendance (no check-out) per employee, no two attendances overlapping, check-out ≥ check-in.
 *
 * How punches pair (README, "Connect your HR system", says the same to the user):
 * - in time order, after repeated scans inside `doubleScanSeconds` are counted once (the first
 *   stays, as the timesheets do); a punch within that window of a time Odoo already holds is a
 *   double scan too;
 * - a trusted in opens, a trusted out closes, an untrusted punch ("any") closes what is open, else
 *   opens; so an attendance crosses midnight as naturally as it crosses noon;
 * - an attendance is closed only by a punch within `maxAttendanceHours` of its check-in;
 * - a missing check-out is flagged, never invented: when an attendance is still open at the next
 *   check-in (a trusted in, or any punch past `maxAttendanceHours`), it is closed at its own
 *   check-in time (0 hours worked: Odoo needs it closed before it takes the next check-in, and no
 *   time is made up) and reported in `missingCheckOut`; the last attendance of a run stays open;
 * - an out with nothing open (`missing_check_in`) creates nothing;
 * - a punch earlier than the latest time Odoo holds for the employee (a terminal that was offline
 *   for a day uploads late) goes into the gap between Odoo's attendances it falls in, paired with
 *   the other punches of that gap only (whatever is left open at the gap's end is a missing
 *   check-out, closed on its check-in); one that falls inside an existing attendance (`late`) is
 *   not placed: it would overlap.
 */
import { collapse, type Role } from "../../timesheets/index.ts";

export interface PairingPunch {
  /** Unique within the run (the attendance row id); orders punches at the same instant. */
  key: number;
  /** UTC milliseconds. */
  ts: number;
  role: Role;
}

export interface OdooAttendance {
  id: number;
  /** UTC milliseconds. */
  checkIn: number;
  checkOut: number | null;
}

export interface PairingRules {
  doubleScanSeconds: number;
  maxAttendanceHours: number;
}

export type AttendanceOp =
  | { op: "create"; checkIn: number; checkOut: number | null }
  | { op: "close"; attendanceId: number; checkOut: number };

export type PunchOutcome = "opened" | "closed" | "present" | "double_scan" | "missing_check_in" | "late";

export interface MissingCheckOut {
  /** The attendance in Odoo, or null when it is one this plan creates. */
  attendanceId: number | null;
  checkIn: number;
  /** The punch that found it still open (its own check-in's, for one left alone at a gap's end). */
  by: number;
}

export interface AttendancePlan {
  /** In the order Odoo must receive them. */
  ops: AttendanceOp[];
  outcomes: Map<number, PunchOutcome>;
  /**
   * Punch key → index of the last op its outcome needs: the punch is in Odoo once the ops up to
   * that one are done (ops run in order, stopping at the first refused).
   */
  needs: Map<number, number>;
  missingCheckOut: MissingCheckOut[];
}

/** Terminal times have whole seconds: closer than this is the same second. */
const SAME_SECOND_MS = 1000;

interface Open {
  /** The punch that opened it (-1: one already in Odoo). */
  key: number;
  checkIn: number;
  /** The attendance in Odoo, or the create op of this plan. */
  existing: number | null;
  op: { op: "create"; checkIn: number; checkOut: number | null } | null;
  /** The index of `op` in the plan's ops. */
  opIndex: number;
  /** Odoo refuses a check-out past another attendance's check-in (an overlap). */
  closable: boolean;
}

/** The distance from `t` to the nearest of `sorted`, Infinity when empty. */
function nearest(sorted: readonly number[], t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) < t) lo = mid + 1;
    else hi = mid;
  }
  const after = lo < sorted.length ? (sorted[lo] as number) - t : Infinity;
  const before = lo > 0 ? t - (sorted[lo - 1] as number) : Infinity;
  return Math.min(after, before);
}

/** The spans existing attendances take (an open one its check-in instant), merged, in order. */
function occupiedSpans(existing: readonly OdooAttendance[]): Array<[number, number]> {
  const spans = existing.map((a): [number, number] => [a.checkIn, a.checkOut ?? a.checkIn]).sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const [from, to] of spans) {
    const last = merged[merged.length - 1];
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else merged.push([from, to]);
  }
  return merged;
}

/** The index of the span after the gap `t` falls in, or -1 when `t` is inside a span. */
function gapOf(spans: ReadonlyArray<[number, number]>, t: number): number {
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((spans[mid] as [number, number])[1] < t) lo = mid + 1;
    else hi = mid;
  }
  const next = spans[lo];
  return next !== undefined && next[0] > t ? lo : -1;
}

export function planAttendances(existing: readonly OdooAttendance[], punches: readonly PairingPunch[], rules: PairingRules): AttendancePlan {
  const ops: AttendanceOp[] = [];
  const outcomes = new Map<number, PunchOutcome>();
  const missingCheckOut: MissingCheckOut[] = [];
  const windowMs = rules.doubleScanSeconds * 1000;
  const maxMs = rules.maxAttendanceHours * 3_600_000;

  const known = existing.flatMap((a) => (a.checkOut === null ? [a.checkIn] : [a.checkIn, a.checkOut])).sort((a, b) => a - b);
  const frontier = known.length > 0 ? (known[known.length - 1] as number) : -Infinity;

  const needs = new Map<number, number>();
  let open: Open | null = null;
  for (const a of existing) {
    if (a.checkOut !== null || (open !== null && open.checkIn >= a.checkIn)) continue;
    open = { key: -1, checkIn: a.checkIn, existing: a.id, op: null, opIndex: -1, closable: true };
  }
  if (open !== null) {
    const from = open.checkIn;
    const id = open.existing;
    open.closable = !existing.some((a) => a.id !== id && a.checkIn >= from);
  }

  /** Closes `o` at `at`; the index of the op that does it. */
  const closeAt = (o: Open, at: number): number => {
    if (o.op !== null) {
      o.op.checkOut = at;
      return o.opIndex;
    }
    ops.push({ op: "close", attendanceId: o.existing as number, checkOut: at });
    return ops.length - 1;
  };
  const flagOpen = (o: Open, by: number) => {
    needs.set(by, closeAt(o, o.checkIn));
    missingCheckOut.push({ attendanceId: o.existing, checkIn: o.checkIn, by });
  };
  const openAt = (p: PairingPunch): Open => {
    const op = { op: "create" as const, checkIn: p.ts, checkOut: null };
    ops.push(op);
    needs.set(p.key, ops.length - 1);
    outcomes.set(p.key, "opened");
    return { key: p.key, checkIn: p.ts, existing: null, op, opIndex: ops.length - 1, closable: true };
  };

  /** One punch on the run whose attendance `o` is open (null: none); what is open after it. */
  const step = (o: Open | null, p: PairingPunch): Open | null => {
    let current = o;
    if (current !== null && (!current.closable || p.ts - current.checkIn > maxMs)) {
      flagOpen(current, p.key);
      current = null;
    }
    if (current === null) {
      if (p.role !== "out") return openAt(p);
      outcomes.set(p.key, "missing_check_in");
      return null;
    }
    if (p.role === "in") {
      flagOpen(current, p.key);
      return openAt(p);
    }
    needs.set(p.key, closeAt(current, p.ts));
    outcomes.set(p.key, "closed");
    return null;
  };

  // A punch before Odoo's latest time goes into the gap between existing attendances it falls in,
  // paired with the others of that gap only; what is left open at a gap's end is a missing check-out.
  const occupied = occupiedSpans(existing);
  let gapRun: { gap: number; open: Open | null } | null = null;
  const endGapRun = () => {
    if (gapRun?.open) flagOpen(gapRun.open, gapRun.open.key);
    gapRun = null;
  };

  const sorted = [...punches].sort((a, b) => a.ts - b.ts || a.key - b.key);
  // Two punches in the same second are one, whatever the window.
  const kept = new Set(collapse(sorted, Math.max(rules.doubleScanSeconds, SAME_SECOND_MS / 1000)));
  for (const p of sorted) {
    if (!kept.has(p)) {
      outcomes.set(p.key, "double_scan");
      continue;
    }
    const distance = nearest(known, p.ts);
    if (distance < SAME_SECOND_MS) {
      outcomes.set(p.key, "present");
      continue;
    }
    if (distance < windowMs) {
      outcomes.set(p.key, "double_scan");
      continue;
    }
    if (p.ts < frontier) {
      const gap = gapOf(occupied, p.ts);
      if (gap < 0) {
        outcomes.set(p.key, "late");
        continue;
      }
      if (gapRun !== null && gapRun.gap !== gap) endGapRun();
      gapRun ??= { gap, open: null };
      gapRun.open = step(gapRun.open, p);
      continue;
    }
    endGapRun();
    open = step(open, p);
  }
  endGapRun();
  return { ops, outcomes, needs, missingCheckOut };
}

const ODOO_DATETIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** Odoo's naive UTC datetime (`YYYY-MM-DD HH:MM:SS`), whole seconds. */
export function toOdooDatetime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19).replace("T", " ");
}

/** Odoo's naive UTC datetime → UTC milliseconds; null when it is not one. */
export function fromOdooDatetime(text: string): number | null {
  const m = ODOO_DATETIME.exec(text);
  if (m === null) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  return toOdooDatetime(ms) === text ? ms : null;
}
