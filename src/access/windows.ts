/**
 * Time windows of a day, in minutes since midnight. Both ends are whole minutes and both are
 * inside the window: "08:00-18:00" admits from 08:00:00 to 18:00:59. PROTOCOL.md §7.1 leaves
 * the end minute's inclusivity unknown on units; this is our rule, and the simulator's.
 */
import { EMPTY_SECTION } from "../protocol/index.ts";

export interface Window {
  start: number;
  end: number;
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

function minutes(text: string): number | null {
  const m = HHMM.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

function hhmm(minute: number): string {
  return `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;
}

/** "08:00-18:00" (the API's form), or null when it is not a window with start before end. */
export function parseWindow(text: string): Window | null {
  const [a, b, ...rest] = text.split("-");
  if (a === undefined || b === undefined || rest.length > 0) return null;
  const start = minutes(a);
  const end = minutes(b);
  return start !== null && end !== null && start < end ? { start, end } : null;
}

export function formatWindow(w: Window): string {
  return `${hhmm(w.start)}-${hhmm(w.end)}`;
}

/** The unit's "HH:MM~HH:MM" section (PROTOCOL.md §7.1). */
export function formatSection(w: Window): string {
  return `${hhmm(w.start)}~${hhmm(w.end)}`;
}

/**
 * A section as a unit holds it; null when it holds nothing (`00:00~00:00`) or is not a section
 * with start before end (units do not validate what they are sent, §7.1).
 */
export function parseSection(text: string): Window | null {
  if (text === EMPTY_SECTION) return null;
  const [a, b, ...rest] = text.split("~");
  if (a === undefined || b === undefined || rest.length > 0) return null;
  const start = minutes(a);
  const end = minutes(b);
  return start !== null && end !== null && start <= end ? { start, end } : null;
}

/**
 * Sorted, and windows that overlap or follow each other minute to minute joined: the same
 * minutes, in the fewest windows.
 */
export function mergeWindows(windows: readonly Window[]): Window[] {
  const sorted = [...windows].sort((a, b) => a.start - b.start || a.end - b.end);
  const out: Window[] = [];
  for (const w of sorted) {
    const last = out.at(-1);
    if (last && w.start <= last.end + 1) last.end = Math.max(last.end, w.end);
    else out.push({ ...w });
  }
  return out;
}

export function inWindows(windows: readonly Window[], minute: number): boolean {
  return windows.some((w) => w.start <= minute && minute <= w.end);
}
