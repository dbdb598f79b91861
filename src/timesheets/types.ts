/**
 * The time-and-attendance model as the pure rules read it (issue 14). Stored rows and API bodies
 * map onto these; nothing here knows about a store or a request. Dates are site-local
 * "YYYY-MM-DD", times of day site-local "HH:MM", punch times site-local "YYYY-MM-DD HH:MM:SS"
 * (the terminal's form) with the UTC instant beside them. docs/timesheets.md explains every rule.
 */

/** A local time of day, "HH:MM" (00:00–23:59). */
export type TimeOfDay = string;
/** A local calendar date, "YYYY-MM-DD". */
export type LocalDate = string;

export interface Department {
  id: number;
  name: string;
}

/** A person's department over time: the department on a date is the entry whose range holds it. */
export interface Membership {
  departmentId: number;
  from: LocalDate;
  /** Inclusive; absent = open-ended. */
  to?: LocalDate;
}

export interface BreakWindow {
  start: TimeOfDay;
  end: TimeOfDay;
}

export interface AutoBreak {
  /** Deducted once the day's worked minutes (after the fixed windows) exceed `afterMinutes`. */
  afterMinutes: number;
  minutes: number;
}

export type RoundingMode = "nearest" | "up" | "down";

export interface Rounding {
  /** Step in minutes on the local clock (5 → 08:00, 08:05, …). */
  step: number;
  mode: RoundingMode;
}

export interface OvertimeRule {
  /** Worked minutes after the shift's end are overtime (fixed shifts). */
  afterShiftEnd?: boolean;
  /** Worked minutes beyond this many in the day are overtime. */
  beyondMinutes?: number;
  /** Overtime below this many minutes counts as none. */
  minimumMinutes?: number;
}

interface ShiftCommon {
  id: number;
  name: string;
  /**
   * Where this shift's day begins on the local clock: a person-day runs from `dayStart` on its
   * date to `dayStart` on the next, so a night shift's punches after midnight belong to the day
   * it started. "00:00" for day shifts; for a night shift, a time in its off-duty gap.
   */
  dayStart: TimeOfDay;
  breaks: readonly BreakWindow[];
  autoBreak?: AutoBreak;
  rounding?: { in?: Rounding; out?: Rounding };
  overtime?: OvertimeRule;
}

export interface FixedShift extends ShiftCommon {
  kind: "fixed";
  start: TimeOfDay;
  /** An end at or before the start crosses midnight. */
  end: TimeOfDay;
  lateGraceMinutes: number;
  earlyGraceMinutes: number;
  /** Whether presence before the start counts as worked time (otherwise work counts from the start). */
  countEarlyArrival?: boolean;
}

export interface FlexibleShift extends ShiftCommon {
  kind: "flexible";
  requiredMinutes: number;
  /** Hours everyone must be present: arriving after the core start is late, leaving before its end is early. */
  core?: { start: TimeOfDay; end: TimeOfDay };
  lateGraceMinutes: number;
  earlyGraceMinutes: number;
}

export type Shift = FixedShift | FlexibleShift;

/** 1 = Monday … 7 = Sunday (ISO). */
export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

export type SchedulePattern =
  /** `shiftId` on the listed weekdays; other weekdays are rest days unless another schedule of the same owner covers them. */
  | { kind: "weekly"; shiftId: number; weekdays: readonly Weekday[] }
  /** Day i of the cycle (counted from the schedule's `from`) works `days[i]`; null = rest. */
  | { kind: "rotation"; days: ReadonlyArray<number | null> };

export interface Schedule {
  id: number;
  /** Exactly one of the two owners. */
  departmentId?: number;
  enrollid?: number;
  from: LocalDate;
  /** Inclusive; absent = open-ended. */
  to?: LocalDate;
  pattern: SchedulePattern;
}

export interface Holiday {
  date: LocalDate;
  name: string;
  /** Limited to these departments; absent or empty = the whole site. */
  departmentIds?: readonly number[];
}

export interface LeaveType {
  id: number;
  name: string;
  paid: boolean;
  /** Leave minutes of this type are added to the day's worked minutes. */
  countsAsWorked: boolean;
}

export type LeavePart =
  | { kind: "day" }
  /** "first" excuses the first half of the shift (lateness measured from its middle), "second" the second half. */
  | { kind: "half"; half: "first" | "second" }
  | { kind: "minutes"; minutes: number };

export interface LeaveEntry {
  id: number;
  enrollid: number;
  date: LocalDate;
  typeId: number;
  part: LeavePart;
}

/** How a terminal's `inout` is read. */
export type PunchInterpretation = "trust" | "pair" | "entry" | "exit";

export type CalculationMode = "first_last" | "paired";

export interface SiteRules {
  /** Punches of one person closer than this to the last one kept count once. */
  doubleScanSeconds: number;
  calculation: CalculationMode;
  /** Per terminal serial number; terminals not listed use `defaultInterpretation`. */
  terminals: Record<string, PunchInterpretation>;
  defaultInterpretation: PunchInterpretation;
}

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

export interface CorrectionBase {
  id: number;
  enrollid: number;
  reason: string;
  by: string;
}

/** A missed punch the admin adds; `inout` 0 = in, 1 = out, absent = paired in order. */
export interface AddedPunch extends CorrectionBase {
  kind: "add";
  time: string;
  inout?: 0 | 1;
}

/** A raw punch the admin leaves out of the computation (the punch itself is never changed). */
export interface ExcludedPunch extends CorrectionBase {
  kind: "exclude";
  punchId: number;
}

export type Correction = AddedPunch | ExcludedPunch;

/** Everything that decides a person's days, besides their punches and corrections. */
export interface Rules {
  site: SiteRules;
  shifts: ReadonlyMap<number, Shift>;
  schedules: readonly Schedule[];
  holidays: readonly Holiday[];
  leaveTypes: ReadonlyMap<number, LeaveType>;
}

export type DayStatus = "present" | "late" | "absent" | "leave" | "holiday" | "rest" | "missing_punch";

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
}
