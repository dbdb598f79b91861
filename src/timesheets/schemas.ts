/**
 * The timesheet settings, one zod schema each: the API validates bodies with them (after mapping
 * its request shapes), the store validates what it reads back, and the rule types are inferred
 * from them (types.ts), so the bounds the rules rely on are written once. Every number is bounded.
 * docs/timesheets.md explains what each setting does.
 */
import { z } from "zod";
import { notADate } from "../lib/input-problem.ts";
import { parseDate, parseTerminalTime } from "../protocol/time.ts";

/** A local time of day, "HH:MM" (00:00–23:59). */
export const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "not a time of day HH:MM");

/** A local date, normalised to "YYYY-MM-DD" ("2026-3-1" is read as 2026-03-01). */
export const localDate = z.string().transform((s, ctx) => {
  const d = parseDate(s);
  if (d === null) {
    ctx.addIssue({ code: "custom", message: notADate(s) });
    return z.NEVER;
  }
  return d;
});

/** A site-local punch time, normalised to "YYYY-MM-DD HH:MM:SS" as terminals' times are. */
export const localTime = z.string().transform((s, ctx) => {
  const t = parseTerminalTime(s);
  if (t === null) {
    ctx.addIssue({ code: "custom", message: `not a valid time: "${s}"` });
    return z.NEVER;
  }
  return t;
});

/** Row ids and enrollids (terminals' enrollids are positive integers of any size JSON carries exactly). */
const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const enrollid = id;
/** Minutes in a day at most. */
const minutes = z.number().int().min(0).max(1440);
const name = z.string().trim().min(1).max(100);

export const department = z.object({ id, name });

export const membership = z.object({ departmentId: id, from: localDate, to: localDate.optional() }).refine((m) => m.to === undefined || m.to >= m.from, "to is before from");

export const breakWindow = z.object({ start: timeOfDay, end: timeOfDay });

export const autoBreak = z.object({
  /** Deducted once the day's worked minutes (after the fixed windows) are more than this. */
  afterMinutes: minutes,
  minutes: minutes.min(1),
});

export const rounding = z.object({
  /** Step in minutes on the local clock (15 → 08:00, 08:15, …). */
  step: z.number().int().min(1).max(60),
  mode: z.enum(["nearest", "up", "down"]),
});

export const overtimeRule = z.object({
  /** Worked minutes after a fixed shift's end are overtime. */
  afterShiftEnd: z.boolean().optional(),
  /** Worked minutes beyond this many in the day are overtime. */
  beyondMinutes: minutes.optional(),
  /** Overtime below this many minutes counts as none. */
  minimumMinutes: minutes.optional(),
});

const shiftCommon = {
  id,
  name,
  /**
   * Where this shift's day begins on the local clock: a person-day runs from `dayStart` on its
   * date to `dayStart` on the next, so a night shift's punches after midnight belong to the day it
   * started. "00:00" for day shifts; for a night shift, a time in its off-duty gap.
   */
  dayStart: timeOfDay,
  breaks: z.array(breakWindow).max(8),
  autoBreak: autoBreak.optional(),
  rounding: z.object({ in: rounding.optional(), out: rounding.optional() }).optional(),
  overtime: overtimeRule.optional(),
  lateGraceMinutes: minutes,
  earlyGraceMinutes: minutes,
};

export const fixedShift = z.object({
  ...shiftCommon,
  kind: z.literal("fixed"),
  start: timeOfDay,
  /** An end at or before the start crosses midnight. */
  end: timeOfDay,
  /** Whether presence before the start counts as worked time (otherwise work counts from the start). */
  countEarlyArrival: z.boolean().optional(),
});

export const flexibleShift = z.object({
  ...shiftCommon,
  kind: z.literal("flexible"),
  requiredMinutes: minutes.min(1),
  /** Hours everyone must be present: arriving after the core start is late, leaving before its end is early. */
  core: z.object({ start: timeOfDay, end: timeOfDay }).optional(),
});

export const shift = z.discriminatedUnion("kind", [fixedShift, flexibleShift]);

/** 1 = Monday … 7 = Sunday (ISO). */
export const weekday = z.literal([1, 2, 3, 4, 5, 6, 7]);

export const schedulePattern = z.discriminatedUnion("kind", [
  /** `shiftId` on the listed weekdays; other weekdays are rest days unless another schedule of the same owner covers them. */
  z.object({ kind: z.literal("weekly"), shiftId: id, weekdays: z.array(weekday).min(1).max(7) }),
  /** Day i of the cycle (counted from the schedule's `from`) works `days[i]`; null = rest. */
  z.object({ kind: z.literal("rotation"), days: z.array(id.nullable()).min(1).max(366) }),
]);

export const schedule = z
  .object({
    id,
    /** Exactly one of the two owners. */
    departmentId: id.optional(),
    enrollid: enrollid.optional(),
    from: localDate,
    /** Inclusive; absent = open-ended. */
    to: localDate.optional(),
    pattern: schedulePattern,
  })
  .refine((s) => (s.departmentId === undefined) !== (s.enrollid === undefined), "a schedule belongs to a department or to a person, not both")
  .refine((s) => s.to === undefined || s.to >= s.from, "to is before from");

export const holiday = z.object({
  date: localDate,
  name,
  /** Limited to these departments; absent or empty = the whole site. */
  departmentIds: z.array(id).max(1000).optional(),
});

export const leaveType = z.object({
  id,
  name,
  paid: z.boolean(),
  /** Leave minutes of this type are added to the day's worked minutes. */
  countsAsWorked: z.boolean(),
});

export const leavePart = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("day") }),
  /** "first" excuses the first half of the shift (lateness measured from its middle), "second" the second half. */
  z.object({ kind: z.literal("half"), half: z.enum(["first", "second"]) }),
  z.object({ kind: z.literal("minutes"), minutes: minutes.min(1) }),
]);

export const leaveEntry = z.object({ id, enrollid, date: localDate, typeId: id, part: leavePart });

/** How a terminal's `inout` is read. */
export const punchInterpretation = z.enum(["trust", "pair", "entry", "exit"]);

export const calculationMode = z.enum(["first_last", "paired"]);

export const siteRules = z.object({
  /** Punches of one person closer than this to the last one kept count once. */
  doubleScanSeconds: z.number().int().min(0).max(3600),
  calculation: calculationMode,
  /** Per terminal serial number; terminals not listed use `defaultInterpretation`. */
  terminals: z.record(z.string().min(1).max(64), punchInterpretation),
  defaultInterpretation: punchInterpretation,
});

const correctionBase = { id, enrollid, reason: z.string().trim().min(1).max(500), by: z.string().min(1).max(200) };

/** A missed punch the admin adds; `inout` 0 = in, 1 = out, absent = paired in order. */
export const addedPunch = z.object({ ...correctionBase, kind: z.literal("add"), time: localTime, inout: z.literal([0, 1]).optional() });

/** A stored punch the admin leaves out of the computation (the punch itself is never changed). */
export const excludedPunch = z.object({ ...correctionBase, kind: z.literal("exclude"), punchId: id });

export const correction = z.discriminatedUnion("kind", [addedPunch, excludedPunch]);
