/**
 * Which punches belong to which person-day. Day D's window ends where D+1's begins, at a boundary
 * between them chosen so that a night shift keeps its punches after midnight:
 * - D's shift's `dayStart` on D+1 when D has a shift, else D+1's `dayStart`, else midnight;
 * - the boundary never cuts set hours (a fixed shift's start to end, a flexible shift's core): when
 *   both days have them and it is not between D's end and D+1's start, the middle of that gap;
 *   when one day has them and it falls inside, the middle of that day's own off-duty gap (so a
 *   night shift left with day start 00:00 still keeps its morning punches);
 * - always within D+1's calendar date, so a punch on local date L belongs to L-1 or L.
 */
import { addDays } from "./calendar.ts";
import { type DayPlan, utcMinute } from "./plan.ts";
import type { LocalDate } from "./types.ts";

const DAY_MINUTES = 1440;
const middle = (from: number, to: number) => Math.floor((from + to) / 2);

export function boundary(a: DayPlan, b: DayPlan): number {
  let at = a.shift ? a.dayEnd : b.dayStart;
  const before = a.work ?? a.core;
  const after = b.work ?? b.core;
  if (before && after) {
    if (at < before[1] || at > after[0]) at = middle(before[1], after[0]);
  } else if (before && at < before[1]) {
    at = middle(before[1], before[0] + DAY_MINUTES);
  } else if (after && at > after[0]) {
    at = middle(after[1] - DAY_MINUTES, after[0]);
  }
  return Math.min(Math.max(at, b.midnight), b.nextMidnight - 1);
}

/**
 * Windows for the dates of `plans` but its first and last (the neighbours that decide the
 * edges): `windows[i]` is the half-open span of UTC minutes of `plans[i + 1]`.
 */
export function dayWindows(plans: readonly DayPlan[]): Array<readonly [number, number]> {
  const cuts: number[] = [];
  for (let i = 0; i + 1 < plans.length; i++) cuts.push(boundary(plans[i] as DayPlan, plans[i + 1] as DayPlan));
  const windows: Array<readonly [number, number]> = [];
  for (let i = 0; i + 1 < cuts.length; i++) windows.push([cuts[i] as number, cuts[i + 1] as number]);
  return windows;
}

/**
 * Groups items by the person-day they belong to, given the days' windows in order (contiguous, as
 * `dayWindows` makes them); anything outside them is left out.
 */
export function assignToDays<T extends { ts: number }>(items: readonly T[], windows: ReadonlyArray<readonly [number, number]>): T[][] {
  const out: T[][] = windows.map(() => []);
  const first = windows[0]?.[0] ?? 0;
  const last = windows[windows.length - 1]?.[1] ?? 0;
  for (const item of items) {
    const m = utcMinute(item.ts);
    if (m < first || m >= last) continue;
    let lo = 0;
    let hi = windows.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((windows[mid] as readonly [number, number])[0] <= m) lo = mid;
      else hi = mid - 1;
    }
    out[lo]?.push(item);
  }
  return out;
}

/**
 * The person-days a punch on local date `date` can change: the day it belongs to (that date or the
 * one before, a night shift's) and the neighbour a double scan across the boundary can reach.
 */
export function datesAffectedBy(date: LocalDate): [LocalDate, LocalDate, LocalDate] {
  return [addDays(date, -1), date, addDays(date, 1)];
}
