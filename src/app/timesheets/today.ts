/** The Today view: everyone's day as of now, computed only where the stored result is stale. */
import { yieldToLoop } from "../../lib/yield-to-loop.ts";
import { addDays } from "../../timesheets/calendar.ts";
import { datesAffectedBy } from "../../timesheets/assign.ts";
import { isDue } from "../../timesheets/day.ts";
import { computeDays } from "../../timesheets/period.ts";
import { indexRules } from "../../timesheets/schedule.ts";
import type { DayResult, LocalDate } from "../../timesheets/types.ts";
import { type TimesheetDeps, today } from "./deps.ts";

/** A result of today stored this recently is shown as stored (the Today page shows minutes); older ones are computed again. */
const TODAY_FRESH_MS = 60_000;
/** Punches not yet followed that Today reads to know whose results are behind; with more waiting, everyone's are computed again. */
const TODAY_UNFOLLOWED = 5000;

/**
 * Days not due yet are not stored (no absence yet), so each timesheet store keeps them here with
 * when they were computed, used like a stored result for the same minute: before the shift starts
 * a large site's looks would otherwise compute everyone not yet in at every look.
 */
const notDue = new WeakMap<object, Map<number, { day: DayResult; at: number }>>();

/**
 * Everyone's day today, as of now: the Today view. Everyone is whoever is in the people list,
 * belongs to a department or punched today. A result stored within the last minute is used as it
 * is; the rest (stored earlier: presence and lateness change by the minute; none stored; punches
 * the recompute has not followed yet) are computed now and stored, so the next look, on any
 * instance, reads them. A site's everyone is computed about once a minute, not at every look
 * (those not yet due, `isDue`, are kept in memory for that minute instead of stored).
 */
export async function todayResults(deps: Pick<TimesheetDeps, "store" | "clock" | "now">): Promise<DayResult[]> {
  const date = today(deps);
  const ts = deps.store.timesheets;
  const now = deps.now();
  const fresh = new Map<number, DayResult>();
  for (let cursor: string | undefined; ; ) {
    const page = await ts.days({ from: date, to: date, computedSince: now - TODAY_FRESH_MS, limit: 1000, ...(cursor === undefined ? {} : { cursor }) });
    for (const day of page.items) fresh.set(day.enrollid, day);
    if (page.next === null) break;
    cursor = page.next;
  }
  const behind = await unfollowedToday(deps, date);
  let waiting = notDue.get(ts);
  if (!waiting) notDue.set(ts, (waiting = new Map()));
  const out: DayResult[] = [];
  const stale: number[] = [];
  for (const enrollid of await ts.enrollids(date, date)) {
    const kept = waiting.get(enrollid);
    const recent = kept && kept.day.date === date && kept.at >= now - TODAY_FRESH_MS ? kept.day : undefined;
    const day = behind === null || behind.has(enrollid) ? undefined : (fresh.get(enrollid) ?? recent);
    if (day) out.push(day);
    else stale.push(enrollid);
  }
  if (stale.length === 0) return out;
  const index = indexRules(await ts.rules(), deps.clock);
  const computed: DayResult[] = [];
  for (const enrollid of stale) {
    const [memberships, corrections, punches, leave] = await Promise.all([
      ts.memberships(enrollid),
      ts.corrections(enrollid),
      ts.punchesOf(enrollid, addDays(date, -1), addDays(date, 2)),
      ts.leave({ enrollid, from: date, to: date }),
    ]);
    computed.push(...computeDays(index, { enrollid, memberships, punches, corrections, leave }, { from: date, to: date, asOf: now }));
    // bun:sqlite answers at once: without this a site's everyone would hold the event loop.
    await yieldToLoop();
  }
  // Stored for the next look, unchanged ones too (their time says they are fresh), except days not due
  // yet (someone "not yet in" is no absence yet: kept above, and any stored one removed); a store
  // that refuses writes (opened read-only, a full disk) still shows them, computed at every look.
  const due = computed.filter(isDue);
  const notYet = computed.filter((d) => !isDue(d));
  for (const d of due) waiting.delete(d.enrollid);
  for (const d of notYet) waiting.set(d.enrollid, { day: d, at: now });
  await ts
    .saveDays(due, now)
    .then(() => ts.removeDays(notYet, now))
    .catch(() => undefined);
  return [...out, ...computed].sort((a, b) => a.enrollid - b.enrollid);
}

/** Who has punches touching `date` that the recompute has not followed yet; null: too many waiting to tell (everyone is behind). */
async function unfollowedToday(deps: Pick<TimesheetDeps, "store">, date: LocalDate): Promise<Set<number> | null> {
  const rows = await deps.store.attendanceSlice({ afterId: await deps.store.timesheets.followMark() }, "id", 0, TODAY_UNFOLLOWED);
  if (rows.length === TODAY_UNFOLLOWED) return null;
  const people = new Set<number>();
  for (const row of rows) if (datesAffectedBy(row.time.slice(0, 10)).includes(date)) people.add(row.enrollid);
  return people;
}
