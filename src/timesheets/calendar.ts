/**
 * Calendar arithmetic on site-local dates ("YYYY-MM-DD") and times of day ("HH:MM"), by day
 * numbers (days since 1970-01-01), so no time zone and no clock is involved.
 */
import type { LocalDate, TimeOfDay, Weekday } from "./types.ts";

const pad = (n: number) => (n < 10 ? `0${n}` : String(n));

const digit = (text: string, i: number) => text.charCodeAt(i) - 48;

/** Days since 1970-01-01 of "YYYY-MM-DD" (H. Hinnant's days_from_civil: integers only, it runs once per punch). */
export function dayNumber(date: LocalDate): number {
  const month = digit(date, 5) * 10 + digit(date, 6);
  const year = digit(date, 0) * 1000 + digit(date, 1) * 100 + digit(date, 2) * 10 + digit(date, 3) - (month <= 2 ? 1 : 0);
  const era = Math.floor(year / 400);
  const yearOfEra = year - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + digit(date, 8) * 10 + digit(date, 9) - 1;
  return era * 146_097 + yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear - 719_468;
}

/** "YYYY-MM-DD" of a day number (civil_from_days, the inverse of `dayNumber`). */
export function dateOf(day: number): LocalDate {
  const z = day + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const date = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return `${yearOfEra + era * 400 + (month <= 2 ? 1 : 0)}-${pad(month)}-${pad(date)}`;
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
  return (digit(time, 11) * 10 + digit(time, 12)) * 60 + digit(time, 14) * 10 + digit(time, 15);
}

/** Site-local "YYYY-MM-DD HH:MM:00" for a date and a minute of the day. */
export function localTime(date: LocalDate, minute: number): string {
  return `${date} ${pad(Math.floor(minute / 60))}:${pad(minute % 60)}:00`;
}
