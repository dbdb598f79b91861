/**
 * How the Timesheets area writes minutes, statuses and presence: shared by the server's pages and
 * the live Today island, so both say the same words. The codes are the daily result's
 * (docs/timesheets.md, "Status" and "Today").
 */
import type { Tone } from "../../src/ui/components.tsx";

/** Minutes as hours and minutes, "7:05"; zero as "0:00". */
export function hm(minutes: number): string {
  const sign = minutes < 0 ? "-" : "";
  const m = Math.abs(Math.round(minutes));
  return `${sign}${Math.floor(m / 60)}:${String(m % 60).padStart(2, "0")}`;
}

/** Minutes when there are any, else a dash (late, early and overtime are mostly zero). */
export function hmOrDash(minutes: number): string {
  return minutes === 0 ? "—" : hm(minutes);
}

/** "HH:MM" of a site-local time "YYYY-MM-DD HH:MM:SS", with the date when it is not `date`. */
export function clockOf(time: string | null, date?: string): string {
  if (time === null) return "—";
  const hhmm = time.slice(11, 16);
  return date === undefined || time.startsWith(date) ? hhmm : `${time.slice(5, 10)} ${hhmm}`;
}

const STATUS: Record<string, { label: string; tone: Tone }> = {
  present: { label: "Present", tone: "ok" },
  late: { label: "Late", tone: "warn" },
  absent: { label: "Absent", tone: "error" },
  leave: { label: "On leave", tone: "info" },
  holiday: { label: "Holiday", tone: "info" },
  rest: { label: "Rest day", tone: "muted" },
  missing_punch: { label: "Missing punch", tone: "error" },
};

export function statusOf(status: string): { label: string; tone: Tone } {
  return STATUS[status] ?? { label: status, tone: "muted" };
}

const PRESENCE: Record<string, { label: string; tone: Tone }> = {
  in: { label: "In", tone: "ok" },
  late: { label: "In, late", tone: "warn" },
  out: { label: "Gone out", tone: "muted" },
  not_yet_in: { label: "Not yet in", tone: "muted" },
  absent: { label: "Absent", tone: "error" },
  leave: { label: "On leave", tone: "info" },
  holiday: { label: "Holiday", tone: "info" },
  rest: { label: "Rest day", tone: "muted" },
};

export function presenceOf(presence: string): { label: string; tone: Tone } {
  return PRESENCE[presence] ?? { label: presence, tone: "muted" };
}
