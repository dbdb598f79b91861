/** The pieces around the daily result: calendar, schedule resolution, day windows, the period summary. */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import {
  addDays,
  computeDays,
  dateOf,
  dayNumber,
  datesAffectedBy,
  datesBetween,
  defaultDayStart,
  departmentOn,
  holidayOn,
  indexRules,
  planDay,
  resolveDay,
  type Schedule,
  type Shift,
  summarize,
  type Weekday,
  weekday,
} from "../../src/timesheets/index.ts";
import { clock, DAY, DEPT, DOCTOR, days, NIGHT, punch, rules, SICK, VACATION } from "./fixtures.ts";

describe("calendar", () => {
  test("weekdays, ISO numbering", () => {
    expect(["2026-03-02", "2026-03-07", "2026-03-08", "1970-01-01", "2024-02-29", "1969-12-31"].map(weekday)).toEqual([1, 6, 7, 4, 4, 3]);
  });
  test("day numbers agree with Date.UTC from year 1000 to 9999, and back", () => {
    fc.assert(
      fc.property(fc.integer({ min: -354_285, max: 2_932_896 }), (day) => {
        const date = new Date(day * 86_400_000).toISOString().slice(0, 10);
        expect(dayNumber(date)).toBe(day);
        expect(dateOf(day)).toBe(date);
      }),
      { numRuns: 20_000 },
    );
  });
  test("adding days across months, years and DST", () => {
    expect(addDays("2026-03-28", 1)).toBe("2026-03-29");
    expect(addDays("2026-03-29", 1)).toBe("2026-03-30");
    expect(addDays("2024-02-28", 1)).toBe("2024-02-29");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2026-01-01", -1)).toBe("2025-12-31");
    expect(datesBetween("2026-02-27", "2026-03-02")).toEqual(["2026-02-27", "2026-02-28", "2026-03-01", "2026-03-02"]);
    expect(datesAffectedBy("2026-03-01")).toEqual(["2026-02-28", "2026-03-01", "2026-03-02"]);
  });
});

describe("schedule resolution", () => {
  const week = (id: number, shiftId: number, weekdays: Weekday[], from: string, owner: Partial<Schedule>, to?: string): Schedule => ({
    id,
    ...owner,
    from,
    ...(to === undefined ? {} : { to }),
    pattern: { kind: "weekly", shiftId, weekdays },
  });

  test("two weekly schedules of one owner combine by weekday", () => {
    const index = indexRules(rules({ schedules: [week(1, 1, [1, 2, 3, 4, 5], "2026-01-01", { departmentId: 1 }), week(2, 6, [6], "2026-01-01", { departmentId: 1 })] }), clock);
    const m = [DEPT(1)];
    expect(resolveDay(index, 1, m, "2026-03-06")).toEqual({ shiftId: 1, scheduleId: 1, departmentId: 1 });
    expect(resolveDay(index, 1, m, "2026-03-07")).toEqual({ shiftId: 6, scheduleId: 2, departmentId: 1 });
    expect(resolveDay(index, 1, m, "2026-03-08")).toEqual({ shiftId: null, scheduleId: 2, departmentId: 1 });
  });

  test("overlapping schedules: the later start wins, then the higher id", () => {
    const index = indexRules(rules({ schedules: [week(5, 1, [1], "2026-01-01", { departmentId: 1 }), week(4, 6, [1], "2026-03-01", { departmentId: 1 }), week(3, 3, [1], "2026-03-01", { departmentId: 1 })] }), clock);
    expect(resolveDay(index, 1, [DEPT(1)], "2026-02-23").shiftId).toBe(1);
    expect(resolveDay(index, 1, [DEPT(1)], "2026-03-02")).toEqual({ shiftId: 6, scheduleId: 4, departmentId: 1 });
  });

  test("date ranges are inclusive at both ends; history keeps the rule that applied", () => {
    const index = indexRules(rules({ schedules: [week(1, 1, [1, 2, 3, 4, 5], "2026-01-01", { departmentId: 1 }, "2026-03-15"), week(2, 6, [1, 2, 3, 4, 5], "2026-03-16", { departmentId: 1 })] }), clock);
    expect(resolveDay(index, 1, [DEPT(1)], "2026-03-13").shiftId).toBe(1);
    expect(resolveDay(index, 1, [DEPT(1)], "2026-03-16").shiftId).toBe(6);
    expect(resolveDay(index, 1, [DEPT(1, "2025-01-01")], "2025-12-31")).toEqual({ shiftId: null, scheduleId: null, departmentId: 1 });
  });

  test("a rotation counts its days from its start, across a DST change", () => {
    const index = indexRules(rules({ schedules: [{ id: 1, enrollid: 7, from: "2026-03-27", pattern: { kind: "rotation", days: [2, 2, null] } }] }), clock);
    const shifts = datesBetween("2026-03-26", "2026-04-02").map((d) => resolveDay(index, 7, [], d).shiftId);
    expect(shifts).toEqual([null, 2, 2, null, 2, 2, null, 2]);
  });

  test("department on a date and holidays limited to departments", () => {
    const m = [DEPT(1, "2026-01-01", "2026-03-15"), DEPT(2, "2026-03-16")];
    expect([departmentOn(m, "2025-12-31"), departmentOn(m, "2026-03-15"), departmentOn(m, "2026-03-16")]).toEqual([null, 1, 2]);
    const index = indexRules(rules({ holidays: [{ date: "2026-03-20", name: "Dept 2 only", departmentIds: [2] }, { date: "2026-04-03", name: "Good Friday" }] }), clock);
    expect(holidayOn(index, "2026-03-20", 1)).toBeNull();
    expect(holidayOn(index, "2026-03-20", null)).toBeNull();
    expect(holidayOn(index, "2026-03-20", 2)?.name).toBe("Dept 2 only");
    expect(holidayOn(index, "2026-04-03", null)?.name).toBe("Good Friday");
  });
});

describe("laying a shift on a date", () => {
  test("the default day start: midnight, or for a night the middle of its off-duty gap", () => {
    const cases: Array<[string, string, string]> = [
      ["09:00", "17:00", "00:00"],
      ["00:00", "23:59", "00:00"],
      ["22:00", "06:00", "14:00"],
      ["18:00", "02:30", "10:15"],
      ["23:00", "07:00", "15:00"],
      ["08:00", "08:00", "08:00"],
    ];
    for (const [start, end, dayStart] of cases) expect([start, end, defaultDayStart(start, end)]).toEqual([start, end, dayStart]);
  });


  const iso = (m: number) => new Date(m * 60_000).toISOString().slice(0, 16);
  test("a night shift over the spring change: 7 real hours, its window from noon to noon", () => {
    const p = planDay(NIGHT, "2026-03-28", clock);
    expect(p.work?.map(iso)).toEqual(["2026-03-28T21:00", "2026-03-29T04:00"]);
    expect([iso(p.dayStart), iso(p.dayEnd)]).toEqual(["2026-03-28T11:00", "2026-03-29T10:00"]);
  });
  test("break windows follow the shift's start", () => {
    const p = planDay({ ...NIGHT, breaks: [{ start: "02:00", end: "02:30" }, { start: "23:50", end: "00:10" }] }, "2026-06-15", clock);
    expect(p.breaks.map((b) => b.map(iso))).toEqual([
      ["2026-06-16T00:00", "2026-06-16T00:30"],
      ["2026-06-15T21:50", "2026-06-15T22:10"],
    ]);
    expect(planDay(DAY, "2026-06-15", clock).breaks.map((b) => b.map(iso))).toEqual([["2026-06-15T10:00", "2026-06-15T11:00"]]);
  });
});

describe("day windows between different shifts", () => {
  const rotation = (days: Array<number | null>): Schedule[] => [{ id: 1, enrollid: 1, from: "2026-03-02", pattern: { kind: "rotation", days } }];

  test("a night then a day shift: split in the middle of 06:00–09:00, so each keeps its punches", () => {
    const punches = [punch("2026-03-02 22:00"), punch("2026-03-03 06:00"), punch("2026-03-03 07:40"), punch("2026-03-03 17:00")];
    const [night, day] = days({ schedules: rotation([2, 1]), punches, site: { calculation: "paired" } }, "2026-03-02", "2026-03-03");
    expect([night?.status, night?.workedMinutes, night?.lastOut]).toEqual(["present", 480, "2026-03-03 06:00:00"]);
    expect([day?.status, day?.workedMinutes, day?.firstIn]).toEqual(["present", 420, "2026-03-03 07:40:00"]);
    // 07:29 is before 07:30, the middle: it goes to the night (left open there), and the day has its 17:00 alone.
    const late = [punch("2026-03-02 22:00"), punch("2026-03-03 06:00"), punch("2026-03-03 07:29"), punch("2026-03-03 17:00")];
    const [n2, d2] = days({ schedules: rotation([2, 1]), punches: late, site: { calculation: "paired" } }, "2026-03-02", "2026-03-03");
    expect([n2?.status, n2?.lastOut, d2?.status, d2?.firstIn]).toEqual(["missing_punch", "2026-03-03 06:00:00", "missing_punch", "2026-03-03 17:00:00"]);
  });

  test("a night shift left with day start 00:00 still keeps its morning punch, before a rest day too", () => {
    const shifts = [{ id: 1, enrollid: 1, from: "2026-03-02", pattern: { kind: "rotation" as const, days: [8, 8, null] } }];
    const midnightNight = rules().shifts.get(2);
    const r = rules({ schedules: shifts, shifts: new Map([[8, { ...(midnightNight as Shift), id: 8, dayStart: "00:00" }]]) });
    const results = computeDays(
      indexRules(r, clock),
      { enrollid: 1, memberships: [], punches: [punch("2026-03-02 21:58"), punch("2026-03-03 06:01"), punch("2026-03-03 21:59"), punch("2026-03-04 06:00")], corrections: [], leave: [] },
      { from: "2026-03-02", to: "2026-03-04" },
    );
    expect(results.map((d) => [d.date, d.status, d.workedMinutes, d.firstIn, d.lastOut])).toEqual([
      ["2026-03-02", "present", 481, "2026-03-02 21:58:00", "2026-03-03 06:01:00"],
      ["2026-03-03", "present", 480, "2026-03-03 21:59:00", "2026-03-04 06:00:00"],
      ["2026-03-04", "rest", 0, null, null],
    ]);
  });

  test("a rest day after a night keeps the night's morning punch with the night", () => {
    const [night, rest] = days({ schedules: rotation([2, null]), punches: [punch("2026-03-02 21:50"), punch("2026-03-03 06:10")] }, "2026-03-02", "2026-03-03");
    expect([night?.status, night?.workedMinutes, rest?.status, rest?.workedMinutes]).toEqual(["present", 490, "rest", 0]);
  });
});

describe("period summary", () => {
  test("a week of person 1 summed", () => {
    const week = days(
      {
        punches: [
          punch("2026-03-02 08:58"), punch("2026-03-02 17:40"), // present, 460 worked, 40 overtime
          punch("2026-03-03 09:20"), punch("2026-03-03 16:00"), // late 20 (10 excused), early 60, 340 worked + 10 at the doctor
          punch("2026-03-05 08:50"), // missing punch
          punch("2026-03-07 10:00"), punch("2026-03-07 12:00"), // Saturday: 120, all overtime
        ],
        corrections: [{ kind: "add", id: 1, enrollid: 1, time: "2026-03-05 17:00:00", inout: 1, reason: "forgot", by: "user:a" }],
        leave: [
          { id: 1, enrollid: 1, date: "2026-03-04", typeId: SICK.id, part: { kind: "day" } },
          { id: 2, enrollid: 1, date: "2026-03-06", typeId: VACATION.id, part: { kind: "half", half: "first" } },
          { id: 3, enrollid: 1, date: "2026-03-03", typeId: DOCTOR.id, part: { kind: "minutes", minutes: 10 } },
        ],
      },
      "2026-03-02",
      "2026-03-08",
    );
    expect(week.map((d) => [d.date, d.status, d.workedMinutes])).toEqual([
      ["2026-03-02", "present", 460],
      ["2026-03-03", "late", 350],
      ["2026-03-04", "leave", 0],
      ["2026-03-05", "present", 420],
      ["2026-03-06", "absent", 210],
      ["2026-03-07", "rest", 120],
      ["2026-03-08", "rest", 0],
    ]);
    expect(summarize(1, week, rules().leaveTypes)).toEqual({
      enrollid: 1,
      days: 7,
      daysWorked: 4,
      workedMinutes: 1560,
      expectedMinutes: 1680,
      overtimeMinutes: 160,
      lateCount: 1,
      lateMinutes: 10,
      earlyLeaveCount: 1,
      earlyLeaveMinutes: 60,
      absences: 1,
      missingPunchDays: 0,
      holidays: 0,
      restDays: 2,
      leaveDays: 1,
      manualDays: 1,
      leave: [
        { typeId: 1, name: "Sick", paid: true, days: 1, minutes: 420 },
        { typeId: 2, name: "Vacation", paid: true, days: 0.5, minutes: 210 },
        { typeId: 4, name: "Doctor", paid: true, days: 0, minutes: 10 },
      ],
    });
  });
});
