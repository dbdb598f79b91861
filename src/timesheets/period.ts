/**
 * A person's days over a period: resolve each day's shift, lay it on the date, share the punches
 * out among the person-days, apply the corrections and compute each day. Pure: the inputs are
 * everything (the same inputs in any order give the same results, however late a punch arrived).
 */
import { assignToDays, dayWindows } from "./assign.ts";
import { addDays, datesBetween } from "./calendar.ts";
import { byTime, collapse, computeDay, type DayLeaveInput, type DayPunch, type Role } from "./day.ts";
import { utcMinute } from "./plan.ts";
import { holidayOn, planOf, resolveDay, type RuleIndex } from "./schedule.ts";
import type { Correction, DayResult, LeaveEntry, LocalDate, Membership, RawPunch, SiteRules } from "./types.ts";

export interface PersonInput {
  enrollid: number;
  memberships: readonly Membership[];
  /** The person's punches around the period (a day before and after is enough); others are ignored. */
  punches: readonly RawPunch[];
  corrections: readonly Correction[];
  leave: readonly LeaveEntry[];
}

export interface PeriodInput {
  from: LocalDate;
  /** Inclusive. */
  to: LocalDate;
  /** UTC ms now: days not over yet are marked in progress (their last open pair is not missing). */
  asOf?: number;
}

export function roleOf(punch: RawPunch, site: SiteRules): Role {
  const how = site.terminals[punch.sn] ?? site.defaultInterpretation;
  if (how === "entry") return "in";
  if (how === "exit") return "out";
  if (how === "trust") return punch.inout === 0 ? "in" : punch.inout === 1 ? "out" : "any";
  return "any";
}

interface Candidate extends DayPunch {
  excluded: boolean;
}

export function computeDays(index: RuleIndex, person: PersonInput, period: PeriodInput): DayResult[] {
  const { site, leaveTypes } = index.rules;
  const dates = datesBetween(addDays(period.from, -1), addDays(period.to, 1));
  const resolved = dates.map((date) => resolveDay(index, person.enrollid, person.memberships, date));
  const plans = dates.map((date, i) => planOf(index, resolved[i]?.shiftId ?? null, date));
  const windows = dayWindows(plans);

  const excluded = new Set<number>();
  const candidates: Candidate[] = [];
  for (const c of person.corrections) {
    if (c.enrollid !== person.enrollid) continue;
    if (c.kind === "exclude") excluded.add(c.punchId);
    else {
      const role: Role = c.inout === 0 ? "in" : c.inout === 1 ? "out" : "any";
      candidates.push({ key: -c.id, time: c.time, ts: index.clock.toUtc(c.time), role, manual: true, excluded: false });
    }
  }
  for (const p of person.punches) {
    if (p.enrollid !== person.enrollid) continue;
    candidates.push({ key: p.id, time: p.time, ts: p.ts, role: roleOf(p, site), manual: false, excluded: excluded.has(p.id) });
  }
  // Repeated scans collapse over the person's whole timeline, so a burst across a day's boundary counts once too.
  const counted = collapse(candidates.filter((p) => !p.excluded).sort(byTime), index.rules.site.doubleScanSeconds);
  const byDay = assignToDays([...counted, ...candidates.filter((p) => p.excluded)], windows);

  const leaveByDate = new Map<LocalDate, DayLeaveInput[]>();
  for (const l of person.leave) {
    if (l.enrollid !== person.enrollid) continue;
    const entry: DayLeaveInput = { typeId: l.typeId, part: l.part, countsAsWorked: leaveTypes.get(l.typeId)?.countsAsWorked ?? false };
    leaveByDate.set(l.date, [...(leaveByDate.get(l.date) ?? []), entry]);
  }

  const now = period.asOf === undefined ? undefined : utcMinute(period.asOf);
  return windows.map((window, i) => {
    const date = dates[i + 1] as LocalDate;
    const r = resolved[i + 1];
    const items = byDay[i] ?? [];
    return computeDay({
      date,
      enrollid: person.enrollid,
      plan: plans[i + 1] as (typeof plans)[number],
      scheduleId: r?.scheduleId ?? null,
      departmentId: r?.departmentId ?? null,
      holiday: holidayOn(index, date, r?.departmentId ?? null)?.name ?? null,
      leave: leaveByDate.get(date) ?? [],
      punches: items.filter((p) => !p.excluded),
      corrected: items.some((p) => p.manual || p.excluded),
      doubleScanSeconds: site.doubleScanSeconds,
      calculation: site.calculation,
      now: now !== undefined && now < window[1] ? now : null,
    });
  });
}
