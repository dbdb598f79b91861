/**
 * What a unit decides on its own from the tables it holds (PROTOCOL.md §7.1–7.3), as the
 * simulator plays it: the person's lock must cover the time, and the time must fall in a section
 * of the day zone that the holiday table (on a holiday) or the person's week zone (otherwise)
 * names. Where the sources are silent, this is our reading, marked:
 * - a person with no lock is admitted (inf: units ship with access control unconfigured);
 * - day zone 0 or one out of range opens nothing (wire: a unit answered all 0; inf: no access);
 * - holiday ranges are yearly "MM-DD" and do not wrap over New Year (we split them, compile.ts);
 * - both ends of a section are inside it, to the minute (windows.ts).
 */
import type { TerminalHoliday, UserLock } from "./tables.ts";
import { localMoment } from "./calendar.ts";
import { parseSection } from "./windows.ts";

/** A table the unit never received is null: it holds nothing there. */
export interface HeldByUnit {
  dayzones: readonly (readonly string[])[] | null;
  weekzones: readonly (readonly number[])[] | null;
  holidays: readonly TerminalHoliday[] | null;
  locks: ReadonlyMap<number, UserLock>;
}

export function unitAdmits(held: HeldByUnit, enrollid: number, time: string): boolean {
  const at = localMoment(time);
  if (at === null) return false;
  const lock = held.locks.get(enrollid);
  if (!lock) return true;
  if (at.time < lock.starttime || at.time > lock.endtime) return false;
  const monthDay = at.date.slice(5);
  const holiday = held.holidays?.find((h) => h.startday <= monthDay && monthDay <= h.endday);
  const zone = holiday ? holiday.dayzone : held.weekzones?.[lock.weekzone - 1]?.[at.weekday - 1];
  const sections = zone === undefined || zone < 1 ? undefined : held.dayzones?.[zone - 1];
  if (!sections) return false;
  return sections.some((text) => {
    const w = parseSection(text);
    return w !== null && w.start <= at.minute && at.minute <= w.end;
  });
}
