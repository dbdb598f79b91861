/**
 * A shift laid on a date: its times as UTC minutes (minutes since the epoch), read through the
 * site clock, so every later figure is a difference of real instants and a night across a DST
 * change counts the minutes that really elapsed.
 */
import { addDays, localTime, minuteOfDay } from "./calendar.ts";
import type { LocalDate, Shift, TimeOfDay } from "./types.ts";

/** What the rules need of the site clock (`SiteClock` from src/protocol/time.ts). */
export interface LocalToUtc {
  toUtc(local: string): number;
}

/** A half-open span of UTC minutes. */
export type Span = readonly [number, number];

export interface DayPlan {
  date: LocalDate;
  shift: Shift | null;
  /** 00:00 of the date and of the next date. */
  midnight: number;
  nextMidnight: number;
  /** Where this day's window begins and ends by its shift's `dayStart` (midnight to midnight without a shift). */
  dayStart: number;
  dayEnd: number;
  /** Fixed shift: start and end. */
  work: Span | null;
  /** Flexible shift: the core hours. */
  core: Span | null;
  breaks: Span[];
  /** `work` (or `core`) as site-local "YYYY-MM-DD HH:MM:00" text, for people to read. */
  hours: readonly [string, string] | null;
  /** What the shift plans: a fixed shift's span less its breaks, a flexible shift's required minutes. */
  expectedMinutes: number;
}

export const utcMinute = (ms: number) => Math.floor(ms / 60_000);

/**
 * The day start a new shift gets when the admin sets none: midnight for hours within one day; for
 * hours across midnight (a night shift), the middle of the off-duty gap (22:00–06:00 → 14:00).
 */
export function defaultDayStart(start: TimeOfDay, end: TimeOfDay): TimeOfDay {
  const s = minuteOfDay(start);
  const e = minuteOfDay(end);
  if (e > s) return "00:00";
  const m = Math.floor((e + s) / 2);
  return `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
}

export function planDay(shift: Shift | null, date: LocalDate, clock: LocalToUtc): DayPlan {
  const at = (d: LocalDate, minute: number) => utcMinute(clock.toUtc(localTime(d, minute)));
  const next = addDays(date, 1);
  const midnight = at(date, 0);
  const nextMidnight = at(next, 0);
  if (shift === null) return { date, shift, midnight, nextMidnight, dayStart: midnight, dayEnd: nextMidnight, work: null, core: null, breaks: [], hours: null, expectedMinutes: 0 };
  const dayStartMinute = minuteOfDay(shift.dayStart);
  /** A time of day in this person-day: on the date at or after `dayStart`, else on the next date. */
  const local = (t: TimeOfDay) => {
    const m = minuteOfDay(t);
    return m >= dayStartMinute ? { date, m } : { date: next, m };
  };
  /** A span from `start` to the first `end` after it (an end at or before the start is the next day). */
  const localSpan = (start: { date: LocalDate; m: number }, end: TimeOfDay): [string, string] => {
    const e = minuteOfDay(end);
    return [localTime(start.date, start.m), localTime(e > start.m ? start.date : addDays(start.date, 1), e)];
  };
  const span = (text: readonly [string, string]): Span => [utcMinute(clock.toUtc(text[0])), utcMinute(clock.toUtc(text[1]))];
  let work: Span | null = null;
  let core: Span | null = null;
  let hours: [string, string] | null = null;
  /** Break windows follow the shift's start (a 02:00 break of a 22:00 shift is after midnight). */
  let breakFrom = local(shift.dayStart);
  if (shift.kind === "fixed") {
    const start = local(shift.start);
    hours = localSpan(start, shift.end);
    work = span(hours);
    breakFrom = start;
  } else if (shift.core) {
    hours = localSpan(local(shift.core.start), shift.core.end);
    core = span(hours);
  }
  const breaks = shift.breaks.map((b) => {
    const s = minuteOfDay(b.start);
    return span(localSpan({ date: s >= breakFrom.m ? breakFrom.date : addDays(breakFrom.date, 1), m: s }, b.end));
  });
  const plan: DayPlan = { date, shift, midnight, nextMidnight, dayStart: at(date, dayStartMinute), dayEnd: at(next, dayStartMinute), work, core, breaks, hours, expectedMinutes: 0 };
  plan.expectedMinutes = shift.kind === "flexible" ? shift.requiredMinutes : work ? netMinutes([work], plan).minutes : 0;
  return plan;
}

function subtract(spans: readonly Span[], cut: Span): Span[] {
  const out: Span[] = [];
  for (const [s, e] of spans) {
    if (cut[1] <= s || cut[0] >= e) {
      out.push([s, e]);
      continue;
    }
    if (cut[0] > s) out.push([s, cut[0]]);
    if (cut[1] < e) out.push([cut[1], e]);
  }
  return out;
}

export const total = (spans: readonly Span[]) => spans.reduce((sum, [s, e]) => sum + (e - s), 0);

/** Minutes of `spans` less the plan's break windows, then its automatic break once they exceed its threshold. */
export function netMinutes(spans: readonly Span[], plan: DayPlan): { net: Span[]; minutes: number } {
  let net = [...spans];
  for (const b of plan.breaks) net = subtract(net, b);
  let minutes = total(net);
  const auto = plan.shift?.autoBreak;
  if (auto && minutes > auto.afterMinutes) minutes -= Math.min(auto.minutes, minutes);
  return { net, minutes };
}
