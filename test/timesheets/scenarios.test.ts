/**
 * The person-day table (issue 14): each row is a day worked out by hand, its minutes written here
 * as literals. Shifts and schedules are in fixtures.ts; the default person is in department 1
 * (DAY: 09:00–17:00, lunch 12:00–13:00, grace 5/5, overtime after the end from 30 minutes), and
 * the site computes first in / last out unless a row says `paired`.
 */
import { describe, expect, test } from "bun:test";
import { type DayResult, type DayStatus, isDue } from "../../src/timesheets/index.ts";
import { type Case, DEPT, days, DOCTOR, punch, SICK, UNPAID, VACATION } from "./fixtures.ts";

const MON = "2026-03-02";
const at = (hm: string, o: Parameters<typeof punch>[1] = {}) => punch(`${MON} ${hm}`, o);
const paired = { calculation: "paired" } as const;
const firstHalf = { id: 1, enrollid: 1, date: MON, typeId: UNPAID.id, part: { kind: "half", half: "first" } } as const;
const twoHours = { id: 1, enrollid: 1, date: MON, typeId: DOCTOR.id, part: { kind: "minutes", minutes: 120 } } as const;

interface Row {
  name: string;
  date?: string;
  c: Case;
  /** status, worked, late, early leave, overtime */
  expect: [DayStatus, number, number, number, number];
  also?: Partial<DayResult>;
  /** `isDue`: false for a day that is no result yet (not stored); true unless said. */
  due?: boolean;
}

const rows: Row[] = [
  // On time, grace and early leave.
  { name: "on time, early arrival not counted", c: { punches: [at("08:55"), at("17:03")] }, expect: ["present", 423, 0, 0, 0], also: { firstIn: `${MON} 08:55:00`, lastOut: `${MON} 17:03:00`, expectedMinutes: 420, shiftId: 1, scheduleId: 1, departmentId: 1, manual: false } },
  { name: "late inside the grace", c: { punches: [at("09:04"), at("17:00")] }, expect: ["present", 416, 0, 0, 0] },
  { name: "late exactly at the grace", c: { punches: [at("09:05:59"), at("17:00")] }, expect: ["present", 415, 0, 0, 0] },
  { name: "late beyond the grace counts from the start", c: { punches: [at("09:06"), at("17:00")] }, expect: ["late", 414, 6, 0, 0] },
  { name: "late 40 minutes", c: { punches: [at("09:40"), at("17:00")] }, expect: ["late", 380, 40, 0, 0] },
  { name: "early leave inside the grace", c: { punches: [at("08:59"), at("16:56")] }, expect: ["present", 416, 0, 0, 0] },
  { name: "early leave beyond the grace", c: { punches: [at("08:59"), at("16:30")] }, expect: ["present", 390, 0, 30, 0] },
  { name: "late and early", c: { punches: [at("09:30"), at("16:00")] }, expect: ["late", 330, 30, 60, 0] },
  // Missing punches.
  { name: "no punch", c: {}, expect: ["absent", 0, 0, 0, 0], also: { firstIn: null, lastOut: null, missingPunch: false } },
  { name: "one punch of unknown direction: no late, no guess", c: { punches: [at("09:20")] }, expect: ["missing_punch", 0, 0, 0, 0], also: { firstIn: `${MON} 09:20:00`, lastOut: null, missingPunch: true, pairs: [{ in: `${MON} 09:20:00`, out: null, manual: false }] } },
  { name: "one trusted in: late is known", c: { punches: [at("09:20", { sn: "T-TRUST", inout: 0 })] }, expect: ["missing_punch", 0, 20, 0, 0] },
  { name: "only an exit-terminal punch", c: { punches: [at("16:40", { sn: "T-EXIT" })] }, expect: ["missing_punch", 0, 0, 20, 0], also: { firstIn: null, lastOut: `${MON} 16:40:00` } },
  // Double scans.
  { name: "double scan at both ends (paired)", c: { site: paired, punches: [at("08:58:00"), at("08:59:30"), at("17:05:00"), at("17:06:10")] }, expect: ["present", 425, 0, 0, 0] },
  { name: "a second scan exactly 2 minutes later is a punch (paired)", c: { site: paired, punches: [at("08:58:00"), at("09:00:00"), at("17:05:00")] }, expect: ["missing_punch", 0, 0, 0, 0] },
  { name: "double-scan window set to 0: every scan counts (paired)", c: { site: { ...paired, doubleScanSeconds: 0 }, punches: [at("08:58:00"), at("08:58:40"), at("17:05:00")] }, expect: ["missing_punch", 0, 0, 0, 0] },
  { name: "a double scan across midnight counts once (paired)", date: "2026-03-03", c: { site: paired, punches: [punch("2026-03-02 23:59:20"), punch("2026-03-03 00:00:10"), punch("2026-03-03 09:00"), punch("2026-03-03 17:00")] }, expect: ["present", 420, 0, 0, 0] },
  // Terminal interpretation.
  { name: "untrusted in/out keys are paired in order", c: { punches: [at("08:59", { inout: 1 }), at("17:01", { inout: 0 })] }, expect: ["present", 421, 0, 0, 0] },
  { name: "trusted keys pressed the wrong way round", c: { punches: [at("08:59", { sn: "T-TRUST", inout: 1 }), at("17:01", { sn: "T-TRUST", inout: 0 })] }, expect: ["missing_punch", 0, 481, 0, 0], also: { firstIn: `${MON} 17:01:00`, lastOut: null } },
  { name: "entry-only and exit-only terminals", c: { punches: [at("08:50", { sn: "T-ENTRY", inout: 1 }), at("17:10", { sn: "T-EXIT", inout: 0 })] }, expect: ["present", 430, 0, 0, 0] },
  { name: "trusted terminal, turnstile code 5 read as either", c: { punches: [at("08:59", { sn: "T-TRUST", inout: 5 }), at("17:00", { sn: "T-TRUST", inout: 1 })] }, expect: ["present", 420, 0, 0, 0] },
  // First in / last out versus pairs.
  { name: "paired: lunch out and back, the break window's overlap deducted", c: { site: paired, punches: [at("08:58"), at("12:05"), at("12:50"), at("17:00")] }, expect: ["present", 420, 0, 0, 0] },
  { name: "paired: return from lunch not punched", c: { site: paired, punches: [at("08:58"), at("12:05"), at("17:00")] }, expect: ["missing_punch", 180, 0, 0, 0], also: { lastOut: `${MON} 12:05:00` } },
  { name: "first/last: the same three punches", c: { punches: [at("08:58"), at("12:05"), at("17:00")] }, expect: ["present", 420, 0, 0, 0] },
  { name: "paired, trusted: first in forgotten, no late guessed", c: { site: paired, punches: [at("12:05", { sn: "T-TRUST", inout: 1 }), at("12:50", { sn: "T-TRUST", inout: 0 }), at("17:00", { sn: "T-TRUST", inout: 1 })] }, expect: ["missing_punch", 240, 0, 0, 0] },
  // Overtime.
  { name: "overtime below the minimum", c: { punches: [at("08:58"), at("17:25")] }, expect: ["present", 445, 0, 0, 0] },
  { name: "overtime at the minimum", c: { punches: [at("08:58"), at("17:30")] }, expect: ["present", 450, 0, 0, 30] },
  { name: "overtime after the end", c: { punches: [at("08:58"), at("19:10")] }, expect: ["present", 550, 0, 0, 130] },
  { name: "early arrival counts; overtime beyond 7 hours", c: { memberships: [DEPT(1)], schedules: [{ id: 9, departmentId: 1, from: "2026-01-01", pattern: { kind: "weekly", shiftId: 4, weekdays: [1] } }], punches: [at("07:30"), at("17:00")] }, expect: ["present", 510, 0, 0, 90] },
  { name: "overtime beyond 7 hours below its minimum", c: { schedules: [{ id: 9, departmentId: 1, from: "2026-01-01", pattern: { kind: "weekly", shiftId: 4, weekdays: [1] } }], punches: [at("08:50"), at("17:00")] }, expect: ["present", 430, 0, 0, 0] },
  // Breaks.
  { name: "automatic break after 6 hours", c: { memberships: [DEPT(2)], punches: [at("08:00"), at("16:00")] }, expect: ["present", 450, 0, 0, 0], also: { expectedMinutes: 450 } },
  { name: "automatic break: exactly 6 hours is not beyond", c: { memberships: [DEPT(2)], punches: [at("08:00"), at("14:00")] }, expect: ["present", 360, 0, 120, 0] },
  { name: "automatic break: 6 hours 1 minute loses 30", c: { memberships: [DEPT(2)], punches: [at("08:00"), at("14:01")] }, expect: ["present", 331, 0, 119, 0] },
  { name: "fixed break: left at noon", c: { punches: [at("08:58"), at("12:30")] }, expect: ["present", 180, 0, 270, 0] },
  // Rounding.
  { name: "rounding: in up, out down to the quarter", c: { schedules: [{ id: 9, departmentId: 1, from: "2026-01-01", pattern: { kind: "weekly", shiftId: 7, weekdays: [1] } }], punches: [at("08:52"), at("17:13")] }, expect: ["present", 420, 0, 0, 0] },
  { name: "rounding: one minute late is a quarter late", c: { schedules: [{ id: 9, departmentId: 1, from: "2026-01-01", pattern: { kind: "weekly", shiftId: 7, weekdays: [1] } }], punches: [at("09:01"), at("17:13")] }, expect: ["late", 405, 15, 0, 0] },
  // Night shifts and DST.
  { name: "night shift across midnight belongs to the day it started", date: "2026-03-03", c: { memberships: [DEPT(3)], punches: [punch("2026-03-03 21:55"), punch("2026-03-04 06:02")] }, expect: ["present", 482, 0, 0, 2], also: { firstIn: "2026-03-03 21:55:00", lastOut: "2026-03-04 06:02:00", shiftId: 2 } },
  { name: "the night after: its punches went to the day before", date: "2026-03-04", c: { memberships: [DEPT(3)], punches: [punch("2026-03-03 21:55"), punch("2026-03-04 06:02")] }, expect: ["absent", 0, 0, 0, 0] },
  { name: "night shift late in after midnight", date: "2026-03-03", c: { memberships: [DEPT(3)], punches: [punch("2026-03-04 00:30"), punch("2026-03-04 06:00")] }, expect: ["late", 330, 150, 0, 0] },
  { name: "DST spring forward: 22:00–06:00 is 7 hours", date: "2026-03-28", c: { memberships: [DEPT(3)], punches: [punch("2026-03-28 21:58"), punch("2026-03-29 06:00")] }, expect: ["present", 420, 0, 0, 0], also: { expectedMinutes: 420 } },
  { name: "DST fall back: 22:00–06:00 is 9 hours, 1 beyond 8", date: "2026-10-24", c: { memberships: [DEPT(3)], punches: [punch("2026-10-24 21:58"), punch("2026-10-25 06:00")] }, expect: ["present", 540, 0, 0, 60], also: { expectedMinutes: 540 } },
  { name: "DST fall back, left at 05:00: early by the clock, 8 hours worked", date: "2026-10-24", c: { memberships: [DEPT(3)], punches: [punch("2026-10-24 22:00"), punch("2026-10-25 05:00")] }, expect: ["present", 480, 0, 60, 0] },
  { name: "a shift starting after midnight counted on the day before (day start 18:00)", c: { schedules: [{ id: 9, departmentId: 1, from: "2026-01-01", pattern: { kind: "weekly", shiftId: 9, weekdays: [1] } }], punches: [punch("2026-03-03 00:25"), punch("2026-03-03 08:35")] }, expect: ["present", 485, 0, 0, 0], also: { firstIn: "2026-03-03 00:25:00", expectedMinutes: 480 } },
  { name: "…and the Tuesday it happened on has none of it", date: "2026-03-03", c: { schedules: [{ id: 9, departmentId: 1, from: "2026-01-01", pattern: { kind: "weekly", shiftId: 9, weekdays: [1] } }], punches: [punch("2026-03-03 00:25"), punch("2026-03-03 08:35")] }, expect: ["rest", 0, 0, 0, 0] },
  // Holidays and rest days.
  { name: "holiday", c: { holidays: [{ date: MON, name: "Founders' day" }] }, expect: ["holiday", 0, 0, 0, 0], also: { holiday: "Founders' day", expectedMinutes: 0 } },
  { name: "holiday of another department does not apply", c: { holidays: [{ date: MON, name: "Dept 2 outing", departmentIds: [2] }] }, expect: ["absent", 0, 0, 0, 0], also: { holiday: null } },
  { name: "holiday of the person's department applies", c: { holidays: [{ date: MON, name: "Dept 1 outing", departmentIds: [2, 1] }] }, expect: ["holiday", 0, 0, 0, 0] },
  { name: "worked on a holiday: breaks still apply, all of it overtime", c: { holidays: [{ date: MON, name: "Founders' day" }], punches: [at("09:00"), at("13:00")] }, expect: ["holiday", 180, 0, 0, 180] },
  { name: "rest day (Saturday)", date: "2026-03-07", c: {}, expect: ["rest", 0, 0, 0, 0], also: { shiftId: null, scheduleId: 1 } },
  { name: "worked on a rest day: all overtime", date: "2026-03-07", c: { punches: [punch("2026-03-07 10:00"), punch("2026-03-07 12:10")] }, expect: ["rest", 130, 0, 0, 130] },
  { name: "one punch on a rest day: flagged, status stays rest", date: "2026-03-07", c: { punches: [punch("2026-03-07 10:00")] }, expect: ["rest", 0, 0, 0, 0], also: { missingPunch: true } },
  // Leave.
  { name: "whole-day sick leave", c: { leave: [{ id: 1, enrollid: 1, date: MON, typeId: SICK.id, part: { kind: "day" } }] }, expect: ["leave", 0, 0, 0, 0], also: { leave: [{ typeId: 1, minutes: 420, days: 1 }] } },
  { name: "punched on a whole day of leave: worked, all overtime", c: { leave: [{ id: 1, enrollid: 1, date: MON, typeId: SICK.id, part: { kind: "day" } }], punches: [at("09:00"), at("13:00")] }, expect: ["leave", 180, 0, 0, 180] },
  { name: "half-day vacation, first half: late measured from 13:00, credited as worked", c: { leave: [{ id: 1, enrollid: 1, date: MON, typeId: VACATION.id, part: { kind: "half", half: "first" } }], punches: [at("12:58"), at("17:00")] }, expect: ["present", 450, 0, 0, 0], also: { leave: [{ typeId: 2, minutes: 210, days: 0.5 }] } },
  { name: "half-day vacation, first half, came at 13:20", c: { leave: [{ id: 1, enrollid: 1, date: MON, typeId: VACATION.id, part: { kind: "half", half: "first" } }], punches: [at("13:20"), at("17:00")] }, expect: ["late", 430, 20, 0, 0] },
  { name: "half-day unpaid, second half: left at 13:00", c: { leave: [{ id: 1, enrollid: 1, date: MON, typeId: UNPAID.id, part: { kind: "half", half: "second" } }], punches: [at("08:59"), at("13:00")] }, expect: ["present", 180, 0, 0, 0] },
  { name: "half-day leave and no punch is absent", c: { leave: [{ id: 1, enrollid: 1, date: MON, typeId: UNPAID.id, part: { kind: "half", half: "second" } }] }, expect: ["absent", 0, 0, 0, 0] },
  { name: "two hours at the doctor excuse two hours late", c: { leave: [{ id: 1, enrollid: 1, date: MON, typeId: DOCTOR.id, part: { kind: "minutes", minutes: 120 } }], punches: [at("11:00"), at("17:00")] }, expect: ["present", 420, 0, 0, 0] },
  { name: "one hour at the doctor, left at 15:30", c: { leave: [{ id: 1, enrollid: 1, date: MON, typeId: DOCTOR.id, part: { kind: "minutes", minutes: 60 } }], punches: [at("09:00"), at("15:30")] }, expect: ["present", 390, 0, 30, 0] },
  // Flexible shift.
  { name: "flexible: 8 hours around the core", c: { memberships: [DEPT(4)], punches: [at("07:30"), at("16:00")] }, expect: ["present", 480, 0, 0, 0], also: { expectedMinutes: 480, shiftId: 3 } },
  { name: "flexible: late for the core, overtime below its minimum", c: { memberships: [DEPT(4)], punches: [at("10:20"), at("19:00")] }, expect: ["late", 490, 20, 0, 0] },
  { name: "flexible: left before the core's end", c: { memberships: [DEPT(4)], punches: [at("07:00"), at("14:30")] }, expect: ["present", 420, 0, 30, 0] },
  { name: "flexible: overtime beyond 8 hours", c: { memberships: [DEPT(4)], punches: [at("07:00"), at("17:00")] }, expect: ["present", 570, 0, 0, 90] },
  // Corrections.
  { name: "added missed out punch", c: { punches: [at("08:58")], corrections: [{ kind: "add", id: 1, enrollid: 1, time: `${MON} 17:00:00`, inout: 1, reason: "forgot", by: "user:anna" }] }, expect: ["present", 420, 0, 0, 0], also: { manual: true, lastOut: `${MON} 17:00:00`, pairs: [{ in: `${MON} 08:58:00`, out: `${MON} 17:00:00`, manual: true }] } },
  { name: "the added out punch removed again: the open in is flagged, not manual", c: { punches: [at("08:58")], corrections: [] }, expect: ["missing_punch", 0, 0, 0, 0], also: { manual: false, lastOut: null, pairs: [{ in: `${MON} 08:58:00`, out: null, manual: false }] } },
  { name: "a stray scan at 18:30 counts without a correction", c: { punches: [at("08:58"), at("17:00"), at("18:30", { id: 9001 })] }, expect: ["present", 510, 0, 0, 90] },
  { name: "the stray scan excluded", c: { punches: [at("08:58"), at("17:00"), at("18:30", { id: 9002 })], corrections: [{ kind: "exclude", id: 2, enrollid: 1, punchId: 9002, reason: "walked past", by: "user:anna" }] }, expect: ["present", 420, 0, 0, 0], also: { manual: true, pairs: [{ in: `${MON} 08:58:00`, out: `${MON} 17:00:00`, manual: false }] } },
  { name: "excluding the only punch leaves the day absent, flagged manual", c: { punches: [at("08:58", { id: 9003 })], corrections: [{ kind: "exclude", id: 3, enrollid: 1, punchId: 9003, reason: "test scan", by: "cli" }] }, expect: ["absent", 0, 0, 0, 0], also: { manual: true } },
  // Schedules.
  { name: "rotation day 2 of [day, day, night, rest] is a night", date: "2026-03-03", c: { enrollid: 2, schedules: [{ id: 20, enrollid: 2, from: "2026-03-01", pattern: { kind: "rotation", days: [1, 1, 2, null] } }], punches: [punch("2026-03-03 22:00", { enrollid: 2 }), punch("2026-03-04 06:00", { enrollid: 2 })] }, expect: ["present", 480, 0, 0, 0], also: { shiftId: 2, scheduleId: 20 } },
  { name: "rotation day 3 is rest", date: "2026-03-04", c: { enrollid: 2, schedules: [{ id: 20, enrollid: 2, from: "2026-03-01", pattern: { kind: "rotation", days: [1, 1, 2, null] } }] }, expect: ["rest", 0, 0, 0, 0] },
  { name: "rotation day 8 (two cycles on) is day 0 again", date: "2026-03-09", c: { enrollid: 2, schedules: [{ id: 20, enrollid: 2, from: "2026-03-01", pattern: { kind: "rotation", days: [1, 1, 2, null] } }], punches: [punch("2026-03-09 09:10", { enrollid: 2 }), punch("2026-03-09 17:00", { enrollid: 2 })] }, expect: ["late", 410, 10, 0, 0], also: { shiftId: 1 } },
  { name: "a person's own schedule wins over the department's", date: "2026-03-10", c: { schedules: [...defaultSchedules(), { id: 30, enrollid: 1, from: "2026-03-09", to: "2026-03-13", pattern: { kind: "weekly", shiftId: 6, weekdays: [2, 3] } }], punches: [punch("2026-03-10 08:00"), punch("2026-03-10 16:00")] }, expect: ["present", 450, 0, 0, 0], also: { shiftId: 6, scheduleId: 30 } },
  { name: "…and its weekdays not listed are rest while it is in effect", date: "2026-03-09", c: { schedules: [...defaultSchedules(), { id: 30, enrollid: 1, from: "2026-03-09", to: "2026-03-13", pattern: { kind: "weekly", shiftId: 6, weekdays: [2, 3] } }] }, expect: ["rest", 0, 0, 0, 0], also: { scheduleId: 30 } },
  { name: "…and after its range the department's applies again", date: "2026-03-16", c: { schedules: [...defaultSchedules(), { id: 30, enrollid: 1, from: "2026-03-09", to: "2026-03-13", pattern: { kind: "weekly", shiftId: 6, weekdays: [2, 3] } }] }, expect: ["absent", 0, 0, 0, 0], also: { shiftId: 1, scheduleId: 1 } },
  { name: "moved department mid-month: before the move, the old department's shift", date: "2026-03-13", c: { memberships: [DEPT(1, "2026-01-01", "2026-03-15"), DEPT(2, "2026-03-16")], punches: [punch("2026-03-13 09:00"), punch("2026-03-13 17:00"), punch("2026-03-16 08:00"), punch("2026-03-16 16:00")] }, expect: ["present", 420, 0, 0, 0], also: { shiftId: 1, departmentId: 1 } },
  { name: "moved department mid-month: after the move, the new one's", date: "2026-03-16", c: { memberships: [DEPT(1, "2026-01-01", "2026-03-15"), DEPT(2, "2026-03-16")], punches: [punch("2026-03-13 09:00"), punch("2026-03-13 17:00"), punch("2026-03-16 08:00"), punch("2026-03-16 16:00")] }, expect: ["present", 450, 0, 0, 0], also: { shiftId: 6, departmentId: 2 } },
  { name: "no department and no schedule: a rest day", c: { memberships: [], punches: [at("09:00"), at("17:00")] }, expect: ["rest", 480, 0, 0, 480], also: { departmentId: null, scheduleId: null } },
  // Today.
  { name: "today at 11:00, in since 08:58: in progress, not missing", c: { punches: [at("08:58")], asOf: `${MON} 11:00:00` }, expect: ["present", 0, 0, 0, 0], also: { inProgress: true, missingPunch: false, presence: "in", shiftStart: `${MON} 09:00:00`, shiftEnd: `${MON} 17:00:00` } },
  { name: "today at 11:00, in since 09:20 at a pairing terminal: late is known", c: { punches: [at("09:20")], asOf: `${MON} 11:00:00` }, expect: ["late", 0, 20, 0, 0], also: { inProgress: true, missingPunch: false, presence: "late" } },
  { name: "today at 12:30, out for lunch since 12:05: no early leave yet", c: { punches: [at("08:58"), at("12:05")], asOf: `${MON} 12:30:00` }, expect: ["present", 180, 0, 0, 0], also: { inProgress: true, presence: "out" } },
  { name: "today at 11:00, not in yet: absent so far", c: { asOf: `${MON} 11:00:00` }, expect: ["absent", 0, 0, 0, 0], also: { inProgress: true, presence: "absent" } },
  { name: "today at 09:05, not in yet: still inside the grace", c: { asOf: `${MON} 09:05:59` }, expect: ["absent", 0, 0, 0, 0], also: { inProgress: true, presence: "not_yet_in" }, due: false },
  { name: "today at 09:06, not in yet: overdue", c: { asOf: `${MON} 09:06:00` }, expect: ["absent", 0, 0, 0, 0], also: { presence: "absent" } },
  { name: "today, flexible without core hours: never overdue", c: { schedules: [{ id: 9, departmentId: 1, from: "2026-01-01", pattern: { kind: "weekly", shiftId: 10, weekdays: [1] } }], asOf: `${MON} 16:00:00` }, expect: ["absent", 0, 0, 0, 0], also: { presence: "not_yet_in", shiftStart: null }, due: false },
  { name: "today is a holiday", c: { holidays: [{ date: MON, name: "Founders' day" }], asOf: `${MON} 10:00:00` }, expect: ["holiday", 0, 0, 0, 0], also: { presence: "holiday" } },
  { name: "today, on leave", c: { leave: [{ id: 1, enrollid: 1, date: MON, typeId: SICK.id, part: { kind: "day" } }], asOf: `${MON} 10:00:00` }, expect: ["leave", 0, 0, 0, 0], also: { presence: "leave" } },
  { name: "a night shift at 02:00 after midnight: still in progress on the day it started", date: "2026-03-03", c: { memberships: [DEPT(3)], punches: [punch("2026-03-03 21:58")], asOf: "2026-03-04 02:00:00" }, expect: ["present", 0, 0, 0, 0], also: { inProgress: true, missingPunch: false, presence: "in", shiftStart: "2026-03-03 22:00:00", shiftEnd: "2026-03-04 06:00:00" } },
  // Not due yet: no result until an arrival would be late (start + grace), as a day ahead.
  { name: "today at 06:57, no punch before a 09:00 shift: not due yet", c: { asOf: `${MON} 06:57:00` }, expect: ["absent", 0, 0, 0, 0], also: { presence: "not_yet_in" }, due: false },
  { name: "today at 09:06, no punch: due, absent", c: { asOf: `${MON} 09:06:00` }, expect: ["absent", 0, 0, 0, 0], also: { inProgress: true, presence: "absent" }, due: true },
  { name: "today at 21:00, no punch before a 22:00 night shift: not due yet", date: "2026-03-03", c: { memberships: [DEPT(3)], asOf: "2026-03-03 21:00:00" }, expect: ["absent", 0, 0, 0, 0], also: { presence: "not_yet_in", shiftStart: "2026-03-03 22:00:00" }, due: false },
  { name: "today at 23:00, no punch since the 22:00 night shift began: due, absent", date: "2026-03-03", c: { memberships: [DEPT(3)], asOf: "2026-03-03 23:00:00" }, expect: ["absent", 0, 0, 0, 0], also: { presence: "absent" }, due: true },
  { name: "today at 06:57, in at 06:50 before the shift: a result (in)", c: { punches: [at("06:50")], asOf: `${MON} 06:57:00` }, expect: ["present", 0, 0, 0, 0], also: { inProgress: true, presence: "in" }, due: true },
  { name: "today at 06:57, on leave: a result (leave)", c: { leave: [{ id: 1, enrollid: 1, date: MON, typeId: SICK.id, part: { kind: "day" } }], asOf: `${MON} 06:57:00` }, expect: ["leave", 0, 0, 0, 0], also: { presence: "leave" }, due: true },
  { name: "today at 06:57, a holiday: a result (holiday)", c: { holidays: [{ date: MON, name: "Founders' day" }], asOf: `${MON} 06:57:00` }, expect: ["holiday", 0, 0, 0, 0], also: { presence: "holiday" }, due: true },
  // Part of the day off at its start: expected later, so due later (late is measured from the same minute).
  { name: "today at 09:06, first half off, no punch: not due (expected at 13:00)", c: { leave: [firstHalf], asOf: `${MON} 09:06:00` }, expect: ["absent", 0, 0, 0, 0], also: { inProgress: true, presence: "not_yet_in" }, due: false },
  { name: "first half off (unpaid) and second half off (sick): the whole day off, each half its own type", c: { leave: [firstHalf, { id: 2, enrollid: 1, date: MON, typeId: SICK.id, part: { kind: "half", half: "second" } }] }, expect: ["leave", 0, 0, 0, 0], also: { expectedMinutes: 0 } },
  { name: "today at 13:06, both halves off, no punch: on leave, a result at once", c: { leave: [firstHalf, { id: 2, enrollid: 1, date: MON, typeId: SICK.id, part: { kind: "half", half: "second" } }], asOf: `${MON} 13:06:00` }, expect: ["leave", 0, 0, 0, 0], also: { presence: "leave" }, due: true },
  { name: "today at 13:05, first half off, no punch: still inside the grace", c: { leave: [firstHalf], asOf: `${MON} 13:05:59` }, expect: ["absent", 0, 0, 0, 0], also: { presence: "not_yet_in" }, due: false },
  { name: "today at 13:06, first half off, no punch: due, absent", c: { leave: [firstHalf], asOf: `${MON} 13:06:00` }, expect: ["absent", 0, 0, 0, 0], also: { presence: "absent" }, due: true },
  { name: "today at 13:30, first half off, in at 13:04: in, not late", c: { leave: [firstHalf], punches: [at("13:04")], asOf: `${MON} 13:30:00` }, expect: ["present", 0, 0, 0, 0], also: { presence: "in" }, due: true },
  { name: "today at 13:30, first half off, in at 13:10: late from 13:00", c: { leave: [firstHalf], punches: [at("13:10")], asOf: `${MON} 13:30:00` }, expect: ["late", 0, 10, 0, 0], also: { presence: "late" }, due: true },
  { name: "today at 09:30, first half off yet in at 09:20: in, not late", c: { leave: [firstHalf], punches: [at("09:20")], asOf: `${MON} 09:30:00` }, expect: ["present", 0, 0, 0, 0], also: { presence: "in" }, due: true },
  { name: "first half off, in at 13:00, out at 17:00: present, not late", c: { leave: [firstHalf], punches: [at("13:00"), at("17:00")] }, expect: ["present", 240, 0, 0, 0] },
  { name: "today at 09:06, second half off, no punch: due, absent as any day", c: { leave: [{ ...firstHalf, part: { kind: "half", half: "second" } }], asOf: `${MON} 09:06:00` }, expect: ["absent", 0, 0, 0, 0], also: { presence: "absent" }, due: true },
  { name: "today at 09:05, second half off, no punch: not due, as any day", c: { leave: [{ ...firstHalf, part: { kind: "half", half: "second" } }], asOf: `${MON} 09:05:00` }, expect: ["absent", 0, 0, 0, 0], also: { presence: "not_yet_in" }, due: false },
  { name: "today at 11:05, two hours off, no punch: not due (they excuse lateness first)", c: { leave: [twoHours], asOf: `${MON} 11:05:59` }, expect: ["absent", 120, 0, 0, 0], also: { presence: "not_yet_in" }, due: false },
  { name: "today at 11:06, two hours off, no punch: due, absent", c: { leave: [twoHours], asOf: `${MON} 11:06:00` }, expect: ["absent", 120, 0, 0, 0], also: { presence: "absent" }, due: true },
  { name: "today at 11:30, two hours off, in at 11:10: late 10", c: { leave: [twoHours], punches: [at("11:10")], asOf: `${MON} 11:30:00` }, expect: ["late", 120, 10, 0, 0], also: { presence: "late" }, due: true },
  { name: "tomorrow seen today, no punch: not due (a day ahead)", date: "2026-03-03", c: { asOf: `${MON} 10:00:00` }, expect: ["absent", 0, 0, 0, 0], also: { presence: "not_yet_in" }, due: false },
  { name: "the same day seen the next morning: the open pair is missing", c: { punches: [at("08:58")], asOf: "2026-03-03 08:00:00" }, expect: ["missing_punch", 0, 0, 0, 0], also: { inProgress: false, presence: null } },
];

function defaultSchedules() {
  return [{ id: 1, departmentId: 1, from: "2026-01-01", pattern: { kind: "weekly" as const, shiftId: 1, weekdays: [1, 2, 3, 4, 5] as Array<1 | 2 | 3 | 4 | 5> } }];
}

describe("person-day table", () => {
  test("has at least 40 rows", () => expect(rows.length).toBeGreaterThanOrEqual(40));
  for (const row of rows) {
    test(row.name, () => {
      const [result] = days(row.c, row.date ?? MON);
      expect(result).toBeDefined();
      const r = result as DayResult;
      expect([r.status, r.workedMinutes, r.lateMinutes, r.earlyLeaveMinutes, r.overtimeMinutes]).toEqual(row.expect);
      if (row.also) expect(r).toMatchObject(row.also);
      expect(isDue(r)).toBe(row.due ?? true);
    });
  }
});

describe("punches uploaded days late", () => {
  const week = [punch("2026-03-02 08:58"), punch("2026-03-02 17:00"), punch("2026-03-03 09:12"), punch("2026-03-03 17:00"), punch("2026-03-05 08:59"), punch("2026-03-05 16:10")];
  // Monday's and Tuesday's logs came with a getalllog on Thursday: they are last in upload order.
  const uploadOrder = [punch("2026-03-05 08:59"), punch("2026-03-05 16:10"), ...week.slice(0, 4)];
  const figures = (rs: DayResult[]) => rs.map((r) => [r.date, r.status, r.workedMinutes, r.lateMinutes, r.earlyLeaveMinutes, r.overtimeMinutes]);
  const expected = [
    ["2026-03-02", "present", 420, 0, 0, 0],
    ["2026-03-03", "late", 408, 12, 0, 0],
    ["2026-03-04", "absent", 0, 0, 0, 0],
    ["2026-03-05", "present", 370, 0, 50, 0],
  ];

  test("the week computed on time", () => expect(figures(days({ punches: week }, "2026-03-02", "2026-03-05"))).toEqual(expected));
  test("the same week after the late upload", () => expect(figures(days({ punches: uploadOrder }, "2026-03-02", "2026-03-05"))).toEqual(expected));
  test("before the upload Monday was absent; recomputing its days gives the on-time result", () => {
    const before = days({ punches: uploadOrder.slice(0, 2) }, "2026-03-02", "2026-03-02");
    expect(figures(before)).toEqual([["2026-03-02", "absent", 0, 0, 0, 0]]);
    expect(figures(days({ punches: uploadOrder }, "2026-03-02", "2026-03-03"))).toEqual(expected.slice(0, 2));
  });
});
