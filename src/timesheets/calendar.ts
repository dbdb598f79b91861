/**
 * Calendar arithmetic on site-local dates ("YYYY-MM-DD") and times of day ("HH:MM"), by day
 * numbers (days since 1970-01-01), so no time zone and no clock is involved.
 */
import type { LocalDate, TimeOfDay, Weekday } from "./types.ts";

const DAY_MS = 86_400_000;
const pad = (n: number) => (n < 10 ? `0${n}` : String(n));

export function dayNumber(date: LocalDate): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / DAY_MS;
}

export function dateOf(day: number): LocalDate {
  const d = new Date(day * DAY_MS);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

export function addDays(date: LocalDate, days: number): LocalDate {
  return dateOf(dayNumber(date) + days);
}

/** ISO weekday: 1 = Monday … 7 = Sunday (1970-01-01 was a Thursday). */
export function weekday(date: LocalDate): Weekday {
  return ((((dayNumber(date) + 3) % 7) + 7) % 7 + 1) as Weekday;
}

/** Dates from `from` to `to`, both included. */
export function datesBetween(from: LocalDate, to: LocalDate): LocalDate[] {
  const out: LocalDate[] = [];
  for (let d = dayNumber(from), last = dayNumber(to); d <= last; d++) out.push(dateOf(d));
  return out;
}

/** Minutes since local midnight of "HH:MM". */
export function minuteOfDay(time: TimeOfDay): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
}

/** The local minute of the day of a punch time "YYYY-MM-DD HH:MM:SS". */
export function punchMinuteOfDay(time: string): number {
  return Number(time.slice(11, 13)) * 60 + Number(time.slice(14, 16));
}

/** Site-local "YYYY-MM-DD HH:MM:00" for a date and a minute of the day. */
export function localTime(date: LocalDate, minute: number): string {
  return `${date} ${pad(Math.floor(minute / 60))}:${pad(minute % 60)}:00`;
}
