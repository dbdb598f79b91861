/**
 * Site-local calendar arithmetic on "YYYY-MM-DD" dates and terminal times. Access rules are
 * wall-clock rules (a door opens at 08:00 whatever the UTC offset), so no time zone enters here:
 * dates are counted as UTC days only to get weekdays and successors.
 */
import { parseTerminalTime } from "../protocol/index.ts";

const DAY_MS = 86_400_000;

export interface LocalMoment {
  /** The normalised time, "YYYY-MM-DD HH:MM:SS". */
  time: string;
  date: string;
  /** Minutes since midnight. */
  minute: number;
  /** ISO: 1 = Monday … 7 = Sunday. */
  weekday: number;
}

function dayNumber(date: string): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / DAY_MS;
}

function dateOf(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return dateOf(dayNumber(date) + days);
}

export function isoWeekday(date: string): number {
  // 1970-01-01 was a Thursday (ISO 4).
  return ((((dayNumber(date) + 3) % 7) + 7) % 7) + 1;
}

/** A terminal time read as a site-local moment; null when it is not a real time. */
export function localMoment(text: string): LocalMoment | null {
  const time = parseTerminalTime(text);
  if (time === null) return null;
  const date = time.slice(0, 10);
  return { time, date, minute: Number(time.slice(11, 13)) * 60 + Number(time.slice(14, 16)), weekday: isoWeekday(date) };
}
