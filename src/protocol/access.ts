/**
 * Access-control tables on the wire (PROTOCOL.md §7): the padded shapes we send, and lenient
 * readers for what units answer. Inside the server a day zone is a list of "HH:MM~HH:MM" sections
 * and a week zone is seven day-zone numbers indexed by ISO weekday − 1 (Monday at 0), whatever
 * order the wire uses.
 */
import { z } from "zod";
import { int, timeText } from "./messages.ts";

/** What a unit holds (§7.1, §7.3): zones are numbered from 1 by position. */
export const DAY_ZONES = 8;
export const WEEK_ZONES = 8;
export const SECTIONS_PER_DAY = 5;
export const MAX_HOLIDAYS = 30;
/** §7.2: sources disagree between 40 and 50 records a frame; 40 is safe for both. */
export const USERLOCKS_PER_FRAME = 40;
/** A section that holds nothing (§7.1); a zone of them denies all day. */
export const EMPTY_SECTION = "00:00~00:00";

/**
 * ⚠ §7.1: the vendor text puts Monday first, the vendor's Java demo Sunday first. Position i of a
 * wire `week` holds the ISO weekday WEEKZONE_WIRE_DAYS[i]. Contract: Monday first; if hardware
 * shows otherwise, this line is the only one to change ([7, 1, 2, 3, 4, 5, 6]).
 */
export const WEEKZONE_WIRE_DAYS: readonly number[] = [1, 2, 3, 4, 5, 6, 7];

/** Five sections, padded with empty ones. */
export function padSections(sections: readonly string[]): string[] {
  return [...sections, ...Array<string>(Math.max(0, SECTIONS_PER_DAY - sections.length)).fill(EMPTY_SECTION)].slice(0, SECTIONS_PER_DAY);
}

/** Eight day zones of five sections: what a unit holds after any `setdevlock` we send. */
export function padDayZones(zones: readonly (readonly string[])[]): string[][] {
  return Array.from({ length: DAY_ZONES }, (_, i) => padSections(zones[i] ?? []));
}

/** Eight week zones of seven days; an unused zone references no day zone (0). */
export function padWeekZones(zones: readonly (readonly number[])[]): number[][] {
  return Array.from({ length: WEEK_ZONES }, (_, i) => Array.from({ length: 7 }, (_, d) => zones[i]?.[d] ?? 0));
}

export function dayZoneWire(zones: readonly (readonly string[])[]) {
  return padDayZones(zones).map((sections) => ({ day: sections.map((section) => ({ section })) }));
}

export function weekZoneWire(zones: readonly (readonly number[])[]) {
  return padWeekZones(zones).map((week) => ({ week: WEEKZONE_WIRE_DAYS.map((iso) => ({ day: week[iso - 1] ?? 0 })) }));
}

/** §7.1: exactly five `{"group":N}` slots, 0 = unused. */
export function lockGroupWire(slots: readonly number[]) {
  return Array.from({ length: 5 }, (_, i) => ({ group: slots[i] ?? 0 }));
}

/** §7.1 `nopentime`: a "normally open" day zone per weekday, in the week zone's day order. */
export function normallyOpenWire(days: readonly number[]) {
  return WEEKZONE_WIRE_DAYS.map((iso) => ({ day: days[iso - 1] ?? 0 }));
}

/**
 * JSON with trailing commas before `]` or `}` (a real `getdevlock` answer: `…},]}`, §7.1), read
 * as if they were absent. Commas inside strings are kept. Anything else invalid stays invalid.
 */
export function parseLenientJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    // fall through: retry without trailing commas
  }
  let out = "";
  let inString = false;
  let last = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (inString) {
      out += c;
      if (c === "\\") out += text[++i] ?? "";
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    if (c === ",") {
      let j = i + 1;
      while (j < text.length && /\s/.test(text[j] as string)) j++;
      // Only a comma that follows a value is trailing: "[,]" and "{,}" stay invalid.
      if ((text[j] === "]" || text[j] === "}") && last !== "[" && last !== "{" && last !== ",") continue;
    }
    if (!/\s/.test(c)) last = c;
    out += c;
  }
  try {
    return { ok: true, value: JSON.parse(out) };
  } catch {
    return { ok: false, error: "frame is not JSON" };
  }
}

/** A section as units echo it: kept as text (units do not validate, §7.1), so a diff sees it. */
const sectionText = z.union([z.string(), z.number().transform(String)]);
const wireDayZone = z.object({ day: z.array(z.object({ section: sectionText }).transform((s) => s.section)).max(64).default([]) });
const wireWeekZone = z.object({ week: z.array(z.object({ day: int }).transform((d) => d.day)).max(64).default([]) });

function fromWireWeek(days: readonly number[]): number[] {
  const week = Array<number>(7).fill(0);
  WEEKZONE_WIRE_DAYS.forEach((iso, i) => {
    week[iso - 1] = days[i] ?? 0;
  });
  return week;
}

const devlockScalars = [
  "opendelay", "doorsensor", "alarmdelay", "threat", "InputAlarm", "antpass", "interlock",
  "mutiopen", "tryalarm", "tamper", "wgformat", "wgoutput", "cardoutput",
] as const;
export type DevlockScalar = (typeof devlockScalars)[number];

/**
 * A `getdevlock` answer (§7.1), read leniently: numbers may be strings, zones come back padded
 * to 8 × 5 and 8 × 7 whatever the unit sent, and out-of-range values are kept as they are so that
 * a comparison with what the unit must hold sees them (units echo two-digit zone numbers).
 */
export const devlockAnswer = z
  .object({
    ...Object.fromEntries(devlockScalars.map((k) => [k, int.optional().catch(undefined)])),
    dayzone: z.array(wireDayZone).max(64).optional(),
    weekzone: z.array(wireWeekZone).max(64).optional(),
    lockgroup: z.array(z.object({ group: int })).max(64).optional(),
    nopentime: z.array(z.object({ day: int })).max(64).optional(),
  })
  .transform((a) => {
    const out: DevlockAnswer = {};
    for (const k of devlockScalars) {
      const v = (a as Record<string, unknown>)[k];
      if (typeof v === "number") out[k] = v;
    }
    if (a.dayzone) out.dayzones = padDayZones(a.dayzone.map((zone) => zone.day));
    if (a.weekzone) out.weekzones = padWeekZones(a.weekzone.map((w) => fromWireWeek(w.week)));
    if (a.lockgroup) out.lockgroup = a.lockgroup.map((g) => g.group);
    if (a.nopentime) out.normallyOpen = fromWireWeek(a.nopentime.map((d) => d.day));
    return out;
  });

export type DevlockAnswer = { [K in DevlockScalar]?: number } & {
  dayzones?: string[][];
  weekzones?: number[][];
  lockgroup?: number[];
  /** ISO weekday order, like the week zones. */
  normallyOpen?: number[];
};

const userlockRecord = z.object({
  enrollid: int,
  weekzone: int,
  weekzone2: int.optional(),
  weekzone3: int.optional(),
  weekzone4: int.optional(),
  group: int.default(0),
  starttime: timeText,
  endtime: timeText,
});
export type UserLockAnswer = z.infer<typeof userlockRecord>;

/** A `getuserlock` answer (§7.2): the fields at the top level (doc), or as one `record` entry. */
export const userlockAnswer = z.union([
  userlockRecord,
  z.object({ record: z.array(userlockRecord).length(1) }).transform((a) => a.record[0] as UserLockAnswer),
]);

/** A `getholiday` answer in shape A (§7.3): yearly `MM-DD` ranges. */
export const holidayAnswer = z.object({
  holidays: z
    .array(
      z.object({
        name: z.union([z.string(), z.number().transform(String)]).default(""),
        startday: z.string(),
        endday: z.string(),
        shift: int.default(0),
        dayzone: int.default(0),
      }),
    )
    .max(256)
    .default([]),
});
export type HolidayAnswer = z.infer<typeof holidayAnswer>;

/** Door event codes that are alarms (PROTOCOL.md "door events"): 5 forced open, 6 unit removed (tamper), 7 input alarm. */
export const DOOR_ALARM_EVENTS: readonly number[] = [5, 6, 7];
