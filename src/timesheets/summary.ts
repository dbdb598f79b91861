/** The period summary of one person: the sums of their daily results, as payroll reads them. */
import type { DayResult, LeaveType } from "./types.ts";

export interface LeaveTotal {
  typeId: number;
  name: string | null;
  paid: boolean;
  /** Whole days count 1, half days 0.5, entries in minutes 0. */
  days: number;
  minutes: number;
}

export interface PeriodSummary {
  enrollid: number;
  days: number;
  /** Days with at least one punch counted (also on rest days and holidays). */
  daysWorked: number;
  workedMinutes: number;
  expectedMinutes: number;
  overtimeMinutes: number;
  lateCount: number;
  lateMinutes: number;
  earlyLeaveCount: number;
  earlyLeaveMinutes: number;
  absences: number;
  missingPunchDays: number;
  holidays: number;
  restDays: number;
  leaveDays: number;
  manualDays: number;
  leave: LeaveTotal[];
}

export function summarize(enrollid: number, days: readonly DayResult[], leaveTypes: ReadonlyMap<number, LeaveType>): PeriodSummary {
  const s: PeriodSummary = {
    enrollid,
    days: days.length,
    daysWorked: 0,
    workedMinutes: 0,
    expectedMinutes: 0,
    overtimeMinutes: 0,
    lateCount: 0,
    lateMinutes: 0,
    earlyLeaveCount: 0,
    earlyLeaveMinutes: 0,
    absences: 0,
    missingPunchDays: 0,
    holidays: 0,
    restDays: 0,
    leaveDays: 0,
    manualDays: 0,
    leave: [],
  };
  const leave = new Map<number, LeaveTotal>();
  for (const d of days) {
    if (d.firstIn !== null || d.lastOut !== null) s.daysWorked++;
    s.workedMinutes += d.workedMinutes;
    s.expectedMinutes += d.expectedMinutes;
    s.overtimeMinutes += d.overtimeMinutes;
    if (d.lateMinutes > 0) s.lateCount++;
    s.lateMinutes += d.lateMinutes;
    if (d.earlyLeaveMinutes > 0) s.earlyLeaveCount++;
    s.earlyLeaveMinutes += d.earlyLeaveMinutes;
    if (d.status === "absent") s.absences++;
    if (d.missingPunch) s.missingPunchDays++;
    if (d.status === "holiday") s.holidays++;
    if (d.status === "rest") s.restDays++;
    if (d.status === "leave") s.leaveDays++;
    if (d.manual) s.manualDays++;
    for (const l of d.leave) {
      const type = leaveTypes.get(l.typeId);
      let t = leave.get(l.typeId);
      if (t === undefined) {
        t = { typeId: l.typeId, name: type?.name ?? null, paid: type?.paid ?? false, days: 0, minutes: 0 };
        leave.set(l.typeId, t);
      }
      t.days += l.days;
      t.minutes += l.minutes;
    }
  }
  s.leave = [...leave.values()].sort((a, b) => a.typeId - b.typeId);
  return s;
}
