/**
 * Recomputes stored daily results: the one part of timesheets with I/O. For a set of
 * (enrollid, date) it reads the rules once (one RuleIndex for the batch), then person by person
 * their memberships, corrections, leave and punches around each run of consecutive dates, calls
 * the pure `computeDays` and stores the results that changed (most of a pass's are as stored), yielding to the event loop between
 * people. Runs off the terminal's path (after `records-committed`), never inside the group commit.
 */
import { yieldToLoop } from "../lib/yield-to-loop.ts";
import type { TimesheetStore } from "../store/timesheets-contract.ts";
import { addDays, dayNumber } from "./calendar.ts";
import { isDue } from "./day.ts";
import { computeDays } from "./period.ts";
import type { LocalToUtc } from "./plan.ts";
import { indexRules } from "./schedule.ts";
import type { DayResult, LeaveEntry, LocalDate, Membership, RawPunch } from "./types.ts";

/** Results per `saveDays`. */
const SAVE_EVERY = 4000;

export interface PersonDate {
  enrollid: number;
  date: LocalDate;
}

export interface RecomputeOptions {
  clock: LocalToUtc;
  /** UTC ms the results are stored at. */
  at: number;
  /** UTC ms now: days not over yet are stored in progress, days not due yet (`isDue`) not at all. */
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

/**
 * What a rebuild read for everyone beforehand, instead of a read per person: each person's
 * memberships, and punches (by time then id) covering the day before through the day after every
 * target date.
 */
export interface ReadAhead {
  memberships: Map<number, Membership[]>;
  punches: Map<number, RawPunch[]>;
}

/**
 * Recomputes the days of `targets` and stores those that changed; returns how many results it
 * stored (changed or found as stored), not the days not due yet it left out or removed.
 */
export async function recomputeDays(store: TimesheetStore, targets: Iterable<PersonDate>, options: RecomputeOptions, read?: ReadAhead): Promise<number> {
  const byPerson = new Map<number, LocalDate[]>();
  for (const { enrollid, date } of targets) {
    const dates = byPerson.get(enrollid);
    if (dates) dates.push(date);
    else byPerson.set(enrollid, [date]);
  }
  if (byPerson.size === 0) return 0;
  const index = indexRules(await store.rules(), options.clock);
  // Leave is entered by hand (a few entries a person a month): the batch's in one read, not one a person.
  const allDates = [...byPerson.values()].flat().sort();
  const leaveOf = new Map<number, LeaveEntry[]>();
  for (const entry of await store.leave({ from: allDates[0] as LocalDate, to: allDates[allDates.length - 1] as LocalDate })) {
    const list = leaveOf.get(entry.enrollid);
    if (list) list.push(entry);
    else leaveOf.set(entry.enrollid, [entry]);
  }
  let stored = 0;
  // Results are written a few thousand at a time: a transaction (an fsync) per person would cost more than the computing.
  let pending: DayResult[] = [];
  // Days not due yet (`isDue`) are no result: one stored before (an absence a removed correction left) goes.
  let notDue: DayResult[] = [];
  for (const [enrollid, dates] of byPerson) {
    const [memberships, corrections] = await Promise.all([read ? (read.memberships.get(enrollid) ?? []) : store.memberships(enrollid), store.corrections(enrollid)]);
    for (const [from, to] of runsOf(dates)) {
      // The rules read punches from the day before `from` through the day after `to` (a night shift's, a double scan's).
      const [since, until] = [addDays(from, -1), addDays(to, 2)];
      const punches = read ? (read.punches.get(enrollid) ?? []).filter((p) => p.time >= since && p.time < until) : await store.punchesOf(enrollid, since, until);
      const leave = (leaveOf.get(enrollid) ?? []).filter((e) => e.date >= from && e.date <= to);
      for (const day of computeDays(index, { enrollid, memberships, punches, corrections, leave }, { from, to, asOf: options.asOf })) (isDue(day) ? pending : notDue).push(day);
    }
    if (pending.length + notDue.length >= SAVE_EVERY) {
      await store.saveDays(pending, options.at, { onlyChanged: true });
      await store.removeDays(notDue, options.at);
      stored += pending.length;
      pending = [];
      notDue = [];
    }
    await yieldToLoop();
  }
  await store.saveDays(pending, options.at, { onlyChanged: true });
  await store.removeDays(notDue, options.at);
  return stored + pending.length;
}
