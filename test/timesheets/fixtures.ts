/**
 * The site the timesheet tests run on: Europe/Berlin (DST on 2026-03-29 and 2026-10-25), a few
 * shifts, department schedules and leave types. Punch instants come from the site clock
 * (src/protocol/time.ts, as ingest computes them), never from the code under test.
 */
import { SiteClock } from "../../src/protocol/time.ts";
import {
  type Correction,
  computeDays,
  DEFAULT_SITE_RULES,
  type DayResult,
  type Holiday,
  indexRules,
  type LeaveEntry,
  type LeaveType,
  type Membership,
  type RawPunch,
  type Rules,
  type Schedule,
  type Shift,
  type SiteRules,
} from "../../src/timesheets/index.ts";

export const clock = new SiteClock("Europe/Berlin");

const common = { breaks: [], dayStart: "00:00" };

/** 09:00–17:00, lunch 12:00–13:00, grace 5/5, overtime after the end from 30 minutes. */
export const DAY: Shift = {
  ...common,
  id: 1,
  name: "Day",
  kind: "fixed",
  start: "09:00",
  end: "17:00",
  breaks: [{ start: "12:00", end: "13:00" }],
  lateGraceMinutes: 5,
  earlyGraceMinutes: 5,
  overtime: { afterShiftEnd: true, minimumMinutes: 30 },
};
/** 22:00–06:00, its day starting at 12:00, overtime beyond 8 hours. */
export const NIGHT: Shift = {
  ...common,
  id: 2,
  name: "Night",
  kind: "fixed",
  start: "22:00",
  end: "06:00",
  dayStart: "12:00",
  lateGraceMinutes: 5,
  earlyGraceMinutes: 5,
  overtime: { beyondMinutes: 480 },
};
/** 8 hours any time, core 10:00–15:00, 30 minutes' break after 6 hours, overtime beyond 8 hours from 30. */
export const FLEX: Shift = {
  ...common,
  id: 3,
  name: "Flexible",
  kind: "flexible",
  requiredMinutes: 480,
  core: { start: "10:00", end: "15:00" },
  autoBreak: { afterMinutes: 360, minutes: 30 },
  lateGraceMinutes: 0,
  earlyGraceMinutes: 0,
  overtime: { beyondMinutes: 480, minimumMinutes: 30 },
};
/** DAY, but early arrival counts and overtime is what goes beyond 7 hours, from 15 minutes. */
export const DAY_EARLY: Shift = { ...DAY, id: 4, name: "Day, early counts", countEarlyArrival: true, overtime: { beyondMinutes: 420, minimumMinutes: 15 } };
/** 08:00–16:00, no fixed break, 30 minutes deducted after 6 hours. */
export const AUTO: Shift = {
  ...common,
  id: 6,
  name: "Auto break",
  kind: "fixed",
  start: "08:00",
  end: "16:00",
  autoBreak: { afterMinutes: 360, minutes: 30 },
  lateGraceMinutes: 0,
  earlyGraceMinutes: 0,
};
/** DAY with in rounded up and out rounded down to the quarter hour, no grace. */
export const ROUNDED: Shift = { ...DAY, id: 7, name: "Rounded", lateGraceMinutes: 0, earlyGraceMinutes: 0, rounding: { in: { step: 15, mode: "up" }, out: { step: 15, mode: "down" } } };

/** 00:30–08:30 counted on the day before: its day starts at 18:00, so Tuesday 00:30 is Monday's shift. */
export const GRAVEYARD: Shift = { ...common, id: 9, name: "Graveyard", kind: "fixed", start: "00:30", end: "08:30", dayStart: "18:00", lateGraceMinutes: 0, earlyGraceMinutes: 0 };

/** 7½ hours whenever, no core hours. */
export const ANYTIME: Shift = { ...common, id: 10, name: "Any time", kind: "flexible", requiredMinutes: 450, lateGraceMinutes: 0, earlyGraceMinutes: 0 };

export const SICK: LeaveType = { id: 1, name: "Sick", paid: true, countsAsWorked: false };
export const VACATION: LeaveType = { id: 2, name: "Vacation", paid: true, countsAsWorked: true };
export const UNPAID: LeaveType = { id: 3, name: "Unpaid", paid: false, countsAsWorked: false };
export const DOCTOR: LeaveType = { id: 4, name: "Doctor", paid: true, countsAsWorked: true };

export const MON_FRI = [1, 2, 3, 4, 5] as const;

/** Department 1 works DAY, department 2 AUTO, department 3 nights every day, department 4 FLEX, Monday to Friday. */
export const SCHEDULES: Schedule[] = [
  { id: 1, departmentId: 1, from: "2026-01-01", pattern: { kind: "weekly", shiftId: 1, weekdays: [...MON_FRI] } },
  { id: 2, departmentId: 2, from: "2026-01-01", pattern: { kind: "weekly", shiftId: 6, weekdays: [...MON_FRI] } },
  { id: 3, departmentId: 3, from: "2026-01-01", pattern: { kind: "weekly", shiftId: 2, weekdays: [1, 2, 3, 4, 5, 6, 7] } },
  { id: 4, departmentId: 4, from: "2026-01-01", pattern: { kind: "weekly", shiftId: 3, weekdays: [...MON_FRI] } },
];

export const SITE: SiteRules = {
  ...DEFAULT_SITE_RULES,
  terminals: { "T-TRUST": "trust", "T-ENTRY": "entry", "T-EXIT": "exit", "T-PAIR": "pair" },
};

export function rules(over: Partial<Rules> = {}): Rules {
  return {
    site: SITE,
    shifts: new Map([DAY, NIGHT, FLEX, DAY_EARLY, AUTO, ROUNDED, GRAVEYARD, ANYTIME].map((s) => [s.id, s])),
    schedules: SCHEDULES,
    holidays: [],
    leaveTypes: new Map([SICK, VACATION, UNPAID, DOCTOR].map((t) => [t.id, t])),
    ...over,
  };
}

let nextId = 1;

/**
 * A punch of person 1 (or `enrollid`): "2026-03-02 08:58" or with seconds; `sn` defaults to the
 * pairing terminal, `inout` to 0.
 */
export function punch(time: string, o: { sn?: string; inout?: number; enrollid?: number; id?: number } = {}): RawPunch {
  const full = time.length === 16 ? `${time}:00` : time;
  return { id: o.id ?? nextId++, sn: o.sn ?? "T-PAIR", enrollid: o.enrollid ?? 1, time: full, ts: clock.toUtc(full), inout: o.inout ?? 0 };
}

export interface Case {
  memberships?: Membership[];
  punches?: RawPunch[];
  corrections?: Correction[];
  leave?: LeaveEntry[];
  holidays?: Holiday[];
  schedules?: Schedule[];
  site?: Partial<SiteRules>;
  enrollid?: number;
  asOf?: string;
}

export const DEPT = (departmentId: number, from = "2026-01-01", to?: string): Membership => (to === undefined ? { departmentId, from } : { departmentId, from, to });

/** The person's results from `from` to `to` (default: one day). */
export function days(c: Case, from: string, to = from): DayResult[] {
  const r = rules({
    ...(c.holidays ? { holidays: c.holidays } : {}),
    ...(c.schedules ? { schedules: c.schedules } : {}),
    site: { ...SITE, ...c.site },
  });
  return computeDays(
    indexRules(r, clock),
    { enrollid: c.enrollid ?? 1, memberships: c.memberships ?? [DEPT(1)], punches: c.punches ?? [], corrections: c.corrections ?? [], leave: c.leave ?? [] },
    { from, to, ...(c.asOf ? { asOf: clock.toUtc(c.asOf) } : {}) },
  );
}
