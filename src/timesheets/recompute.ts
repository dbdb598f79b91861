/**
 * Recomputes stored daily results: the one part of timesheets with I/O. For a set of
 * (enrollid, date) it reads the rules once (one RuleIndex for the batch), then person by person
 * their memberships, corrections, leave and punches around each run of consecutive dates, calls
 * the pure `computeDays` and replaces the stored results, yielding to the event loop between
 * people. Runs off the terminal's path (after `records-committed`), never inside the group commit.
 */
import { yieldToLoop } from "../lib/yield-to-loop.ts";
import type { TimesheetStore } from "../store/timesheets-contract.ts";
import { addDays, dayNumber } from "./calendar.ts";
import { computeDays } from "./period.ts";
import type { LocalToUtc } from "./plan.ts";
import { indexRules } from "./schedule.ts";
import type { DayResult, LocalDate } from "./types.ts";

export interface PersonDate {
  enrollid: number;
  date: LocalDate;
}

export interface RecomputeOptions {
  clock: LocalToUtc;
  /** UTC ms the results are stored at. */
  at: number;
  /** UTC ms now: days not over yet are stored in progress. */
  asOf?: number;
}

/** Sorted dates as runs of consecutive days, each [from, to] inclusive. */
export function runsOf(dates: Iterable<LocalDate>): Array<[LocalDate, LocalDate]> {
  const runs: Array<[LocalDate, LocalDate]> = [];
  for (const date of [...new Set(dates)].sort()) {
    const last = runs[runs.length - 1];
    if (last && dayNumber(date) === dayNumber(last[1]) + 1) last[1] = date;
    else runs.push([date, date]);
  }
  return runs;
}

/** Recomputes and stores the days of `targets`; returns how many results were stored. */
export async function recomputeDays(store: TimesheetStore, targets: Iterable<PersonDate>, options: RecomputeOptions): Promise<number> {
  const byPerson = new Map<number, LocalDate[]>();
  for (const { enrollid, date } of targets) {
    const dates = byPerson.get(enrollid);
    if (dates) dates.push(date);
    else byPerson.set(enrollid, [date]);
  }
  if (byPerson.size === 0) return 0;
  const index = indexRules(await store.rules(), options.clock);
  let stored = 0;
  for (const [enrollid, dates] of byPerson) {
    const [memberships, corrections] = await Promise.all([store.memberships(enrollid), store.corrections(enrollid)]);
    const results: DayResult[] = [];
    for (const [from, to] of runsOf(dates)) {
      // The rules read punches from the day before `from` through the day after `to` (a night shift's, a double scan's).
      const [punches, leave] = await Promise.all([store.punchesOf(enrollid, addDays(from, -1), addDays(to, 2)), store.leave({ enrollid, from, to })]);
      results.push(...computeDays(index, { enrollid, memberships, punches, corrections, leave }, { from, to, asOf: options.asOf }));
    }
    await store.saveDays(results, options.at);
    stored += results.length;
    await yieldToLoop();
  }
  return stored;
}
