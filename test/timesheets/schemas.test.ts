/** The settings' schemas: what the API and the store accept, and the bounds the rules rely on. */
import { describe, expect, test } from "bun:test";
import { timesheetSchemas as s } from "../../src/timesheets/index.ts";
import { ANYTIME, AUTO, DAY, FLEX, GRAVEYARD, NIGHT, ROUNDED, SCHEDULES, SITE } from "./fixtures.ts";

const ok = (schema: { safeParse(v: unknown): { success: boolean } }, value: unknown) => expect(schema.safeParse(value).success).toBe(true);
const bad = (schema: { safeParse(v: unknown): { success: boolean } }, value: unknown) => expect(schema.safeParse(value).success).toBe(false);

describe("timesheet schemas", () => {
  test("the fixtures' shifts, schedules and site rules are valid", () => {
    for (const shift of [DAY, NIGHT, FLEX, AUTO, ROUNDED, GRAVEYARD, ANYTIME]) expect(s.shift.parse(shift)).toEqual(shift);
    for (const schedule of SCHEDULES) expect(s.schedule.parse(schedule)).toEqual(schedule);
    expect(s.siteRules.parse(SITE)).toEqual(SITE);
  });

  test("times of day and dates", () => {
    for (const t of ["00:00", "09:05", "23:59"]) ok(s.timeOfDay, t);
    for (const t of ["24:00", "9:05", "09:60", "09:05:00", ""]) bad(s.timeOfDay, t);
    expect(s.localDate.parse("2026-3-1")).toBe("2026-03-01");
    for (const d of ["2026-02-29", "2026-13-01", "01.03.2026", "2026-03-01 08:00"]) bad(s.localDate, d);
  });

  test("shifts: bounded numbers, a known kind", () => {
    bad(s.shift, { ...DAY, lateGraceMinutes: -1 });
    bad(s.shift, { ...DAY, lateGraceMinutes: 1441 });
    bad(s.shift, { ...DAY, lateGraceMinutes: 2.5 });
    bad(s.shift, { ...DAY, rounding: { in: { step: 0, mode: "up" } } });
    bad(s.shift, { ...DAY, rounding: { in: { step: 15, mode: "sideways" } } });
    bad(s.shift, { ...DAY, start: "25:00" });
    bad(s.shift, { ...DAY, kind: "split" });
    bad(s.shift, { ...FLEX, requiredMinutes: 0 });
    bad(s.shift, { ...DAY, name: "  " });
    bad(s.shift, { ...DAY, breaks: Array.from({ length: 9 }, () => ({ start: "12:00", end: "12:10" })) });
  });

  test("schedules: one owner, a range in order, weekdays 1–7, rotations of 1–366 days", () => {
    const weekly = { id: 1, departmentId: 1, from: "2026-01-01", pattern: { kind: "weekly", shiftId: 1, weekdays: [1, 7] } };
    ok(s.schedule, weekly);
    ok(s.schedule, { ...weekly, departmentId: undefined, enrollid: 5 });
    bad(s.schedule, { ...weekly, enrollid: 5 });
    bad(s.schedule, { ...weekly, departmentId: undefined });
    bad(s.schedule, { ...weekly, to: "2025-12-31" });
    ok(s.schedule, { ...weekly, to: "2026-01-01" });
    bad(s.schedule, { ...weekly, pattern: { kind: "weekly", shiftId: 1, weekdays: [0] } });
    bad(s.schedule, { ...weekly, pattern: { kind: "weekly", shiftId: 1, weekdays: [] } });
    ok(s.schedule, { ...weekly, pattern: { kind: "rotation", days: [1, null, 2] } });
    bad(s.schedule, { ...weekly, pattern: { kind: "rotation", days: [] } });
    bad(s.schedule, { ...weekly, pattern: { kind: "rotation", days: Array.from({ length: 367 }, () => null) } });
  });

  test("leave, holidays, corrections", () => {
    ok(s.leaveEntry, { id: 1, enrollid: 3, date: "2026-03-02", typeId: 1, part: { kind: "half", half: "second" } });
    bad(s.leaveEntry, { id: 1, enrollid: 3, date: "2026-03-02", typeId: 1, part: { kind: "half" } });
    bad(s.leaveEntry, { id: 1, enrollid: 3, date: "2026-03-02", typeId: 1, part: { kind: "minutes", minutes: 0 } });
    ok(s.holiday, { date: "2026-12-25", name: "Christmas" });
    bad(s.holiday, { date: "2026-12-25", name: "" });
    const add = { kind: "add" as const, id: 1, enrollid: 3, time: "2026-3-2 8:00", reason: "forgot", by: "user:anna" };
    expect(s.correction.parse(add)).toEqual({ ...add, time: "2026-03-02 08:00:00" });
    bad(s.correction, { ...add, inout: 2 });
    bad(s.correction, { ...add, reason: " " });
    bad(s.correction, { ...add, time: "2026-02-30 08:00:00" });
    ok(s.correction, { kind: "exclude", id: 2, enrollid: 3, punchId: 123_456_789_012, reason: "test scan", by: "cli" });
    bad(s.correction, { kind: "exclude", id: 2, enrollid: 3, punchId: -1, reason: "test scan", by: "cli" });
  });

  test("site rules: a double-scan window of at most an hour, known interpretations", () => {
    bad(s.siteRules, { ...SITE, doubleScanSeconds: 3601 });
    bad(s.siteRules, { ...SITE, terminals: { X: "sometimes" } });
    bad(s.siteRules, { ...SITE, calculation: "average" });
  });
});
