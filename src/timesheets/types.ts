/**
 * The time-and-attendance model as the pure rules read it (issue 14): the settings (inferred from
 * their schemas), the punches and corrections in, the daily result out. Nothing here knows about a
 * store or a request. Dates are site-local "YYYY-MM-DD", times of day site-local "HH:MM", punch
 * times site-local "YYYY-MM-DD HH:MM:SS" (the terminal's form) with the UTC instant beside them.
 * docs/timesheets.md explains every rule.
 */
import type { z } from "zod";
import type * as schemas from "./schemas.ts";

/** A local time of day, "HH:MM" (00:00–23:59). */
export type TimeOfDay = string;
/** A local calendar date, "YYYY-MM-DD". */
export type LocalDate = string;

// The settings: inferred from their schemas (schemas.ts, where each field is explained).
export type Department = z.infer<typeof schemas.department>;
export type Membership = z.infer<typeof schemas.membership>;
export type BreakWindow = z.infer<typeof schemas.breakWindow>;
export type AutoBreak = z.infer<typeof schemas.autoBreak>;
export type Rounding = z.infer<typeof schemas.rounding>;
export type RoundingMode = Rounding["mode"];
export type OvertimeRule = z.infer<typeof schemas.overtimeRule>;
export type FixedShift = z.infer<typeof schemas.fixedShift>;
export type FlexibleShift = z.infer<typeof schemas.flexibleShift>;
export type Shift = z.infer<typeof schemas.shift>;
export type Weekday = z.infer<typeof schemas.weekday>;
export type SchedulePattern = z.infer<typeof schemas.schedulePattern>;
export type Schedule = z.infer<typeof schemas.schedule>;
export type Holiday = z.infer<typeof schemas.holiday>;
export type LeaveType = z.infer<typeof schemas.leaveType>;
export type LeavePart = z.infer<typeof schemas.leavePart>;
export type LeaveEntry = z.infer<typeof schemas.leaveEntry>;
export type PunchInterpretation = z.infer<typeof schemas.punchInterpretation>;
export type CalculationMode = z.infer<typeof schemas.calculationMode>;
export type SiteRules = z.infer<typeof schemas.siteRules>;
export type AddedPunch = z.infer<typeof schemas.addedPunch>;
export type ExcludedPunch = z.infer<typeof schemas.excludedPunch>;
export type Correction = z.infer<typeof schemas.correction>;

export const DEFAULT_SITE_RULES: SiteRules = {
  doubleScanSeconds: 120,
  calculation: "first_last",
  terminals: {},
  defaultInterpretation: "pair",
};

/** A stored punch (the attendance row) as the rules need it. */
export interface RawPunch {
  id: number;
  sn: string;
  enrollid: number;
  time: string;
  /** UTC milliseconds of `time` on the site clock. */
  ts: number;
  inout: number;
}

/** Everything that decides a person's days, besides their punches and corrections. */
export interface Rules {
  site: SiteRules;
  shifts: ReadonlyMap<number, Shift>;
  schedules: readonly Schedule[];
  holidays: readonly Holiday[];
  leaveTypes: ReadonlyMap<number, LeaveType>;
}

export type DayStatus = "present" | "late" | "absent" | "leave" | "holiday" | "rest" | "missing_punch";

/**
 * Where someone is now, for a day in progress (the Today view): in (on time or late), gone out,
 * not in yet (before the start and its grace), absent (past them with no punch), or the day's status.
 */
export type Presence = "in" | "late" | "out" | "not_yet_in" | "absent" | "leave" | "holiday" | "rest";

/** One in/out pair as computed; a null side is a missing punch. */
export interface ResultPair {
  in: string | null;
  out: string | null;
  manual: boolean;
}

export interface DayLeave {
  typeId: number;
  minutes: number;
  /** 1 for a whole day, 0.5 for a half day, 0 for an entry in minutes. */
  days: number;
}

export interface DayResult {
  date: LocalDate;
  enrollid: number;
  shiftId: number | null;
  scheduleId: number | null;
  departmentId: number | null;
  /** Site-local times of the punches used as first in and last out (as punched, before rounding). */
  firstIn: string | null;
  lastOut: string | null;
  /** Minutes worked (breaks deducted) plus leave minutes whose type counts as worked. */
  workedMinutes: number;
  /** Minutes the shift plans (breaks deducted); the required minutes of a flexible shift. */
  expectedMinutes: number;
  lateMinutes: number;
  earlyLeaveMinutes: number;
  overtimeMinutes: number;
  status: DayStatus;
  /** A pair left open anywhere in the day (also on rest days, holidays and leave, where status says what the day was). */
  missingPunch: boolean;
  /** A correction (added or excluded punch) touched this day. */
  manual: boolean;
  holiday: string | null;
  leave: DayLeave[];
  pairs: ResultPair[];
  /** The day's window is not over at `asOf`: a last open pair is still in progress, not missing. */
  inProgress: boolean;
  /** Only while in progress. */
  presence: Presence | null;
  /** The shift's planned start and end (a flexible shift's core hours), site-local; null without them. */
  shiftStart: string | null;
  shiftEnd: string | null;
}
