/**
 * The timesheet use cases (issue 14) through the API door on an in-process server: each change is
 * audited once with its actor, a setting still in use is refused with 409 in_use, and the daily
 * results follow the changes (recomputed off the request's path; the test waits for the queue).
 * Expected minutes are worked by hand in the comments.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { hashToken } from "../../src/auth/tokens.ts";
import { timesheetsCommand } from "../../src/cli/timesheets.ts";
import { buildApp, type InProcessApp } from "../helpers/app.ts";
import { punch, punchesOp } from "../store/fixtures.ts";

const apps: InProcessApp[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.stop();
});

async function app(now?: () => number): Promise<InProcessApp> {
  const a = await buildApp(now);
  apps.push(a);
  return a;
}

async function json<T = Record<string, unknown>>(res: Promise<Response>, status = 200): Promise<T> {
  const r = await res;
  const body = (await r.json()) as T;
  expect({ status: r.status, body }).toEqual({ status, body });
  return body;
}

async function refused(res: Promise<Response>, status: number, code: string): Promise<string> {
  const r = await res;
  const body = (await r.json()) as { code: string; message: string };
  expect({ status: r.status, code: body.code }).toEqual({ status, code });
  return body.message;
}

type Day = { date: string; enrollid: number; status: string; firstIn: string | null; lastOut: string | null; workedMinutes: number; lateMinutes: number; earlyLeaveMinutes: number; overtimeMinutes: number; manual: boolean; shiftId: number | null };

async function days(a: InProcessApp, query: string): Promise<Array<Omit<Day, "shiftId">>> {
  await a.recompute.idle();
  const page = await json<{ items: Day[]; next: string | null }>(a.api("GET", `/timesheets/days?${query}`));
  return page.items.map(({ date, enrollid, status, firstIn, lastOut, workedMinutes, lateMinutes, earlyLeaveMinutes, overtimeMinutes, manual }) => ({
    date, enrollid, status, firstIn, lastOut, workedMinutes, lateMinutes, earlyLeaveMinutes, overtimeMinutes, manual,
  }));
}

const day = (date: string, status: string, firstIn: string | null, lastOut: string | null, worked: number, late = 0, early = 0, overtime = 0, manual = false) => ({
  date, enrollid: 7, status, firstIn, lastOut, workedMinutes: worked, lateMinutes: late, earlyLeaveMinutes: early, overtimeMinutes: overtime, manual,
});

describe("timesheet use cases through the API", () => {
  test("set up a department, shift and schedule; results, corrections and leave change them; each change audited once", async () => {
    // A fixed "now" (Wednesday 2026-11-18, noon): the Today view at the end names its date, which
    // the wall clock would move under the test at midnight.
    const a = await app(() => Date.UTC(2026, 10, 18, 12));
    expect(await json(a.api("POST", "/departments", { name: "Office" }), 201)).toEqual({ id: 1, name: "Office" });
    await json(a.api("POST", "/people", { enrollid: 7, name: "Ann" }), 201);
    const moved = await json<{ person: { departmentId: number | null }; job: unknown }>(a.api("PATCH", "/people/7", { departmentId: 1, departmentFrom: "2026-11-01" }));
    expect(moved).toMatchObject({ person: { enrollid: 7, name: "Ann", departmentId: 1 }, job: null });

    const shift = await json(
      a.api("POST", "/shifts", { name: "Day", start: "09:00", end: "17:00", breakMinutes: 30, lateGraceMinutes: 5, earlyGraceMinutes: 0, overtimeAfterMinutes: 480 }),
      201,
    );
    expect(shift).toEqual({
      id: 1, name: "Day", kind: "fixed", start: "09:00", end: "17:00", countEarlyArrival: false, requiredMinutes: null, coreStart: null, coreEnd: null,
      dayStart: "00:00", breakMinutes: 30, breakAfterMinutes: 0, breaks: [], lateGraceMinutes: 5, earlyGraceMinutes: 0, overtimeAfterMinutes: 480,
      overtimeAfterEnd: false, overtimeMinimumMinutes: null, rounding: null,
    });
    const schedule = await json(a.api("POST", "/schedules", { shiftId: 1, departmentId: 1, weekdays: [5, 1, 2, 3, 4], from: "2026-11-01" }), 201);
    expect(schedule).toEqual({ id: 1, departmentId: 1, enrollid: null, from: "2026-11-01", to: null, kind: "weekly", shiftId: 1, weekdays: [1, 2, 3, 4, 5], rotation: null });

    // Monday 2 Nov: 09:10–17:30 (pairing terminal). Tuesday: 08:55–17:00. Wednesday: one punch at 09:00. Thursday: nothing.
    await a.store.write([
      punchesOp("T1", [punch(7, "2026-11-02 09:10:00"), punch(7, "2026-11-02 17:30:00"), punch(7, "2026-11-03 08:55:00"), punch(7, "2026-11-03 17:00:00"), punch(7, "2026-11-04 09:00:00")]),
    ]);
    const rebuilt = await json<{ from: string; to: string }>(a.api("POST", "/timesheets/rebuild", { from: "2026-11-02", to: "2026-11-05" }), 202);
    expect({ from: rebuilt.from, to: rebuilt.to }).toEqual({ from: "2026-11-02", to: "2026-11-05" });
    expect(await days(a, "from=2026-11-02&to=2026-11-05&enrollid=7")).toEqual([
      // 09:10–17:30 = 500, minus the automatic 30 = 470; late 10 (beyond the 5 of grace, counted from 09:00); overtime beyond 480: none.
      day("2026-11-02", "late", "2026-11-02 09:10:00", "2026-11-02 17:30:00", 470, 10),
      // Work counts from the start: 09:00–17:00 = 480 − 30 = 450.
      day("2026-11-03", "present", "2026-11-03 08:55:00", "2026-11-03 17:00:00", 450),
      // One punch at a pairing terminal: neither in nor out is known (first in shows the punch).
      day("2026-11-04", "missing_punch", "2026-11-04 09:00:00", null, 0),
      day("2026-11-05", "absent", null, null, 0),
    ]);

    // The missing out, added with a reason: Wednesday 09:00–17:00 → 450, manual.
    await refused(a.api("POST", "/corrections", { enrollid: 7, time: "2026-11-04 17:00:00", inout: 1, reason: " " }), 400, "bad_request");
    const added = await json<{ id: number } & Record<string, unknown>>(a.api("POST", "/corrections", { enrollid: 7, time: "2026-11-04 17:00:00", inout: 1, reason: "forgot to punch out" }), 201);
    expect(added).toEqual({ id: 1, enrollid: 7, kind: "add", time: "2026-11-04 17:00:00", inout: 1, punchId: null, reason: "forgot to punch out", by: "token:api", at: expect.any(Number), manual: true });
    expect(await days(a, "from=2026-11-04&to=2026-11-04")).toEqual([day("2026-11-04", "present", "2026-11-04 09:00:00", "2026-11-04 17:00:00", 450, 0, 0, 0, true)]);

    // Tuesday's 08:55 excluded by its punch id: only the 17:00 punch is left.
    const tuesdayIn = (await a.store.attendance({ enrollid: 7, from: "2026-11-03 08:55:00", to: "2026-11-03 08:56:00", limit: 1 })).items[0];
    await refused(a.api("POST", "/corrections", { punchId: tuesdayIn?.id, enrollid: 8, reason: "badge lent" }), 400, "bad_request");
    await refused(a.api("POST", "/corrections", { punchId: 999, reason: "badge lent" }), 404, "not_found");
    const excluded = await json<{ id: number }>(a.api("POST", "/corrections", { punchId: tuesdayIn?.id, reason: "badge lent to a visitor" }), 201);
    expect(await days(a, "from=2026-11-03&to=2026-11-03")).toEqual([day("2026-11-03", "missing_punch", "2026-11-03 17:00:00", null, 0, 0, 0, 0, true)]);
    // Removing the exclusion brings the stored punch back (a reason is required here too).
    await refused(a.api("DELETE", `/corrections/${excluded.id}`, {}), 400, "bad_request");
    await json(a.api("DELETE", `/corrections/${excluded.id}?reason=${encodeURIComponent("it was hers after all")}`));
    expect(await days(a, "from=2026-11-03&to=2026-11-03")).toEqual([day("2026-11-03", "present", "2026-11-03 08:55:00", "2026-11-03 17:00:00", 450)]);

    // The added out moved to 18:00: 540 − 30 = 510; beyond 480 → 30 overtime.
    await json(a.api("PATCH", `/corrections/${added.id}`, { time: "2026-11-04 18:00:00", reason: "the gate log says 18:00" }));
    expect(await days(a, "from=2026-11-04&to=2026-11-04")).toEqual([day("2026-11-04", "present", "2026-11-04 09:00:00", "2026-11-04 18:00:00", 510, 0, 0, 30, true)]);

    // Thursday on leave (a whole day of a type that counts as worked: the shift's 450 planned minutes).
    const vacation = await json<{ id: number }>(a.api("POST", "/leave-types", { name: "Vacation", paid: true, countsAsWorked: true }), 201);
    const leave = await json<{ id: number } & Record<string, unknown>>(a.api("POST", "/leave", { enrollid: 7, date: "2026-11-05", type: "vacation" }), 201);
    expect(leave).toEqual({ id: 1, enrollid: 7, date: "2026-11-05", type: vacation.id, typeName: "Vacation", wholeDay: true, halfDay: null, minutes: null });
    expect(await days(a, "from=2026-11-05&to=2026-11-05")).toEqual([day("2026-11-05", "leave", null, null, 450)]);
    // Changed to the first half only, and no punch for the second half: still absent (half the plan, 225, counts as worked).
    expect(await json(a.api("PATCH", `/leave/${leave.id}`, { halfDay: true }))).toMatchObject({ wholeDay: false, halfDay: "first", minutes: null });
    expect(await days(a, "from=2026-11-05&to=2026-11-05")).toEqual([day("2026-11-05", "absent", null, null, 225)]);

    // A holiday on Monday: nobody is late; all 470 worked minutes are overtime.
    const holiday = await json<{ id: number }>(a.api("POST", "/holidays", { date: "2026-11-02", name: "Founders' Day" }), 201);
    expect(await days(a, "from=2026-11-02&to=2026-11-02")).toEqual([day("2026-11-02", "holiday", "2026-11-02 09:10:00", "2026-11-02 17:30:00", 470, 0, 0, 470)]);
    // …limited to another department: Monday is an ordinary late day again.
    await json(a.api("POST", "/departments", { name: "Plant" }), 201);
    await json(a.api("PATCH", `/holidays/${holiday.id}`, { departmentIds: [2] }));
    expect(await days(a, "from=2026-11-02&to=2026-11-02")).toEqual([day("2026-11-02", "late", "2026-11-02 09:10:00", "2026-11-02 17:30:00", 470, 10)]);

    // The grace raised to 10: Monday's 09:10 is no longer late.
    expect(await json(a.api("PATCH", "/shifts/1", { lateGraceMinutes: 10 }))).toMatchObject({ id: 1, start: "09:00", lateGraceMinutes: 10, breakMinutes: 30 });
    expect(await days(a, "from=2026-11-02&to=2026-11-02")).toEqual([day("2026-11-02", "present", "2026-11-02 09:10:00", "2026-11-02 17:30:00", 470)]);

    // Summary of the period: Monday 470, Tuesday 450, Wednesday 510 (30 overtime), Thursday 225 of leave.
    const summary = await json<{ items: Array<Record<string, unknown>> }>(a.api("GET", "/timesheets/summary?from=2026-11-02&to=2026-11-05&departmentId=1"));
    expect(summary.items).toHaveLength(1);
    expect(summary.items[0]).toMatchObject({ enrollid: 7, departmentId: 1, days: 4, daysWorked: 3, workedMinutes: 1655, overtimeMinutes: 30, lateCount: 0, absences: 1, manualDays: 1 });

    // Today, computed now for everyone known (Ann only), nothing stored.
    const now = await json<{ date: string; items: Array<{ enrollid: number; date: string; departmentId: number | null }> }>(a.api("GET", "/timesheets/today"));
    expect({ date: now.date, items: now.items.map((d) => [d.enrollid, d.date, d.departmentId]) }).toEqual({ date: "2026-11-18", items: [[7, "2026-11-18", 1]] });

    const actions = (await a.store.auditLog({ limit: 100 })).items.reverse().filter((e) => e.action.startsWith("timesheets."));
    expect(actions.map((e) => [e.actor, e.action, e.target])).toEqual([
      ["token:api", "timesheets.department.create", "department:1"],
      ["token:api", "timesheets.person.department", "person:7"],
      ["token:api", "timesheets.shift.create", "shift:1"],
      ["token:api", "timesheets.schedule.create", "schedule:1"],
      ["token:api", "timesheets.rebuild", "site"],
      ["token:api", "timesheets.correction.add", "person:7"],
      ["token:api", "timesheets.correction.exclude", "person:7"],
      ["token:api", "timesheets.correction.delete", "person:7"],
      ["token:api", "timesheets.correction.update", "person:7"],
      ["token:api", "timesheets.leave_type.create", "leave_type:1"],
      ["token:api", "timesheets.leave.add", "person:7"],
      ["token:api", "timesheets.leave.update", "person:7"],
      ["token:api", "timesheets.holiday.create", "holiday:1"],
      ["token:api", "timesheets.department.create", "department:2"],
      ["token:api", "timesheets.holiday.update", "holiday:1"],
      ["token:api", "timesheets.shift.update", "shift:1"],
    ]);
    expect(JSON.parse(actions[7]?.details ?? "null")).toEqual({ id: excluded.id, reason: "it was hers after all" });
  });

  test("the days contract: every field, `to` inclusive with rest days; the site's rules and each terminal's reading change the days", async () => {
    const a = await app();
    await json(a.api("POST", "/departments", { name: "Office" }), 201);
    await json(a.api("POST", "/people", { enrollid: 7, name: "Ann" }), 201);
    await json(a.api("PATCH", "/people/7", { departmentId: 1, departmentFrom: "2026-11-01" }));
    await json(a.api("POST", "/shifts", { name: "Day", start: "09:00", end: "17:00" }), 201);
    await json(a.api("POST", "/schedules", { shiftId: 1, departmentId: 1, weekdays: [1, 2, 3, 4, 5], from: "2026-11-01" }), 201);
    expect(await json(a.api("GET", "/timesheets/rules"))).toEqual({ doubleScanSeconds: 120, calculation: "first_last", defaultInterpretation: "pair", terminals: {} });
    // Tuesday: one punch at T3, 09:20. Wednesday: one at T4, 16:40. Thursday: T2's keys the wrong way round.
    // Friday at T1: in, a second scan 90 s later, out and back for lunch, out.
    await a.store.write([
      punchesOp("T3", [punch(7, "2026-11-03 09:20:00")]),
      punchesOp("T4", [punch(7, "2026-11-04 16:40:00")]),
      punchesOp("T2", [punch(7, "2026-11-05 09:00:00", { inout: 1 }), punch(7, "2026-11-05 17:00:00", { inout: 0 })]),
      punchesOp("T1", [punch(7, "2026-11-06 08:58:00"), punch(7, "2026-11-06 08:59:30"), punch(7, "2026-11-06 12:00:00", { inout: 1 }), punch(7, "2026-11-06 12:30:00"), punch(7, "2026-11-06 17:00:00", { inout: 1 })]),
    ]);
    await json(a.api("POST", "/timesheets/rebuild", { from: "2026-11-03", to: "2026-11-08" }), 202);
    await a.recompute.idle();

    // The contract's fields, exactly: Friday to Sunday is three days (`to` inclusive), the weekend two rest days without a shift.
    const page = await json<{ items: Array<Record<string, unknown>>; next: string | null }>(a.api("GET", "/timesheets/days?from=2026-11-06&to=2026-11-08&enrollid=7"));
    const contract = ["date", "enrollid", "shiftId", "firstIn", "lastOut", "workedMinutes", "lateMinutes", "earlyLeaveMinutes", "overtimeMinutes", "status", "manual"];
    const pick = (d: Record<string, unknown>) => Object.fromEntries(contract.map((k) => [k, d[k]]));
    expect({ items: page.items.map(pick), next: page.next }).toEqual({
      items: [
        // First in / last out: 09:00 (work counts from the start) to 17:00 = 480.
        { date: "2026-11-06", enrollid: 7, shiftId: 1, firstIn: "2026-11-06 08:58:00", lastOut: "2026-11-06 17:00:00", workedMinutes: 480, lateMinutes: 0, earlyLeaveMinutes: 0, overtimeMinutes: 0, status: "present", manual: false },
        { date: "2026-11-07", enrollid: 7, shiftId: null, firstIn: null, lastOut: null, workedMinutes: 0, lateMinutes: 0, earlyLeaveMinutes: 0, overtimeMinutes: 0, status: "rest", manual: false },
        { date: "2026-11-08", enrollid: 7, shiftId: null, firstIn: null, lastOut: null, workedMinutes: 0, lateMinutes: 0, earlyLeaveMinutes: 0, overtimeMinutes: 0, status: "rest", manual: false },
      ],
      next: null,
    });
    // Pairing terminals (the default): one punch is neither in nor out, so no late or early leave is guessed; the keys are ignored.
    const wednesday = day("2026-11-04", "missing_punch", "2026-11-04 16:40:00", null, 0);
    const friday = day("2026-11-06", "present", "2026-11-06 08:58:00", "2026-11-06 17:00:00", 480);
    const week = [day("2026-11-03", "missing_punch", "2026-11-03 09:20:00", null, 0), wednesday, day("2026-11-05", "present", "2026-11-05 09:00:00", "2026-11-05 17:00:00", 480), friday];
    expect(await days(a, "from=2026-11-03&to=2026-11-06")).toEqual(week);

    // Paired in/out for the site: the scan 90 s after the first counts once (the window's default is 2 minutes), so
    // Friday is 09:00–12:00 and 12:30–17:00 = 180 + 270 = 450.
    await json(a.api("PATCH", "/timesheets/rules", { calculation: "paired" }));
    expect((await days(a, "from=2026-11-06&to=2026-11-06"))[0]).toEqual(day("2026-11-06", "present", "2026-11-06 08:58:00", "2026-11-06 17:00:00", 450));
    // A window of 60 s: the second scan is an out, and 17:00 an in left open; of the closed pairs, 12:00–12:30 counts (30).
    await json(a.api("PATCH", "/timesheets/rules", { doubleScanSeconds: 60 }));
    expect((await days(a, "from=2026-11-06&to=2026-11-06"))[0]).toEqual(day("2026-11-06", "missing_punch", "2026-11-06 08:58:00", "2026-11-06 12:30:00", 30));
    await json(a.api("PATCH", "/timesheets/rules", { doubleScanSeconds: 120, calculation: "first_last" }));

    // T3 entry-only: Tuesday's 09:20 is an in, 20 late. T4 exit-only: Wednesday's 16:40 an out, 20 early.
    // T2 trusted: Thursday's 09:00 is an out and 17:00 an in, left open: late from 09:00 to 17:00 = 480.
    await json(a.api("PUT", "/timesheets/rules/terminals/T3", { interpretation: "entry" }));
    await json(a.api("PUT", "/timesheets/rules/terminals/T4", { interpretation: "exit" }));
    expect(await json(a.api("PUT", "/timesheets/rules/terminals/T2", { interpretation: "trust" }))).toEqual({ doubleScanSeconds: 120, calculation: "first_last", defaultInterpretation: "pair", terminals: { T2: "trust", T3: "entry", T4: "exit" } });
    expect(await days(a, "from=2026-11-03&to=2026-11-06")).toEqual([
      day("2026-11-03", "missing_punch", "2026-11-03 09:20:00", null, 0, 20),
      day("2026-11-04", "missing_punch", null, "2026-11-04 16:40:00", 0, 0, 20),
      day("2026-11-05", "missing_punch", "2026-11-05 17:00:00", null, 0, 480),
      friday,
    ]);
    // Back to the site's default for each: the week as it was.
    for (const sn of ["T2", "T3", "T4"]) await json(a.api("DELETE", `/timesheets/rules/terminals/${sn}`));
    expect(await days(a, "from=2026-11-03&to=2026-11-06")).toEqual(week);

    // A correction added and removed: Wednesday's missed in at 09:00 makes 09:00–16:40 = 460, 20 early, manual;
    // removed again, the day is as punched and no longer manual.
    const added = await json<{ id: number }>(a.api("POST", "/corrections", { enrollid: 7, time: "2026-11-04 09:00:00", inout: 0, reason: "badge at home" }), 201);
    expect((await days(a, "from=2026-11-04&to=2026-11-04"))[0]).toEqual(day("2026-11-04", "present", "2026-11-04 09:00:00", "2026-11-04 16:40:00", 460, 0, 20, 0, true));
    await json(a.api("DELETE", `/corrections/${added.id}`, { reason: "entered on the wrong person" }));
    expect(await days(a, "from=2026-11-04&to=2026-11-04")).toEqual([wednesday]);
    expect(await json(a.api("GET", "/corrections?enrollid=7"))).toEqual({ items: [] });

    // Leave by the half day and by the hour, straight from POST: Monday (no punch) half on leave is still
    // absent, its half of the 480 planned minutes (240) credited as worked.
    const vacation = await json<{ id: number }>(a.api("POST", "/leave-types", { name: "Vacation", paid: true, countsAsWorked: true }), 201);
    expect(await json(a.api("POST", "/leave", { enrollid: 7, date: "2026-11-02", type: vacation.id, halfDay: true }), 201)).toMatchObject({ enrollid: 7, date: "2026-11-02", type: vacation.id, wholeDay: false, halfDay: "first", minutes: null });
    expect(await json(a.api("POST", "/leave", { enrollid: 7, date: "2026-11-09", type: "vacation", minutes: 90 }), 201)).toMatchObject({ enrollid: 7, date: "2026-11-09", wholeDay: false, halfDay: null, minutes: 90 });
    expect(await days(a, "from=2026-11-02&to=2026-11-02")).toEqual([day("2026-11-02", "absent", null, null, 240)]);
    expect((await json<{ items: Array<{ date: string }> }>(a.api("GET", "/leave?from=2026-11-01&to=2026-11-30&enrollid=7"))).items.map((l) => l.date)).toEqual(["2026-11-02", "2026-11-09"]);
    const actions = (await a.store.auditLog({ limit: 100 })).items.reverse().filter((e) => e.action.startsWith("timesheets.rules"));
    expect(actions.map((e) => [e.action, e.target])).toEqual([
      ["timesheets.rules.update", "site"],
      ["timesheets.rules.update", "site"],
      ["timesheets.rules.update", "site"],
      ["timesheets.rules.terminal", "terminal:T3"],
      ["timesheets.rules.terminal", "terminal:T4"],
      ["timesheets.rules.terminal", "terminal:T2"],
      ["timesheets.rules.terminal", "terminal:T2"],
      ["timesheets.rules.terminal", "terminal:T3"],
      ["timesheets.rules.terminal", "terminal:T4"],
    ]);
  });

  test("deleting what is still in use is refused with 409 in_use; once unused it goes", async () => {
    const a = await app();
    await json(a.api("POST", "/departments", { name: "Office" }), 201);
    await json(a.api("POST", "/shifts", { name: "Night", start: "22:00", end: "06:00" }), 201);
    await json(a.api("POST", "/shifts", { name: "Flex", kind: "flexible", requiredMinutes: 480, coreStart: "10:00", coreEnd: "15:00" }), 201);
    await json(a.api("POST", "/schedules", { rotation: [1, 1, null, 2], departmentId: 1, from: "2026-11-01", to: "2026-11-30" }), 201);
    await json(a.api("POST", "/leave-types", { name: "Sick" }), 201);
    await json(a.api("POST", "/people", { enrollid: 7, name: "Ann" }), 201);
    await json(a.api("POST", "/leave", { enrollid: 7, date: "2026-11-03", type: 1, minutes: 90 }), 201);

    expect(await refused(a.api("DELETE", "/shifts/2"), 409, "in_use")).toContain("schedule");
    expect(await refused(a.api("DELETE", "/departments/1"), 409, "in_use")).toContain("schedules");
    expect(await refused(a.api("DELETE", "/leave-types/1"), 409, "in_use")).toContain("1 leave entry");
    await json(a.api("DELETE", "/schedules/1"));
    await json(a.api("DELETE", "/shifts/2"));
    await json(a.api("DELETE", "/departments/1"));
    await json(a.api("DELETE", "/leave/1"));
    await json(a.api("DELETE", "/leave-types/1"));
    await refused(a.api("DELETE", "/shifts/2"), 404, "not_found");
    expect(await json(a.api("GET", "/shifts"))).toEqual({ items: [expect.objectContaining({ id: 1, name: "Night", dayStart: "14:00" })] });
    // A schedule naming a shift that does not exist, or a bad body, is a 400.
    await refused(a.api("POST", "/schedules", { shiftId: 9, enrollid: 7, weekdays: [1], from: "2026-11-01" }), 400, "bad_request");
    await refused(a.api("POST", "/schedules", { shiftId: 1, enrollid: 7, departmentId: 1, weekdays: [1], from: "2026-11-01" }), 400, "bad_request");
    await refused(a.api("POST", "/shifts", { name: "Bad", start: "25:00", end: "06:00" }), 400, "bad_request");
  });

  test("a schedule for an enroll id no one has is refused (400 unknown_person, the body's field named), created or changed to; nothing stored or audited", async () => {
    const a = await app();
    await json(a.api("POST", "/shifts", { name: "Day", start: "09:00", end: "17:00" }), 201);
    await json(a.api("POST", "/people", { enrollid: 7, name: "Ann" }), 201);
    const message = "enrollid: no one has enroll id 99; add them on People first";
    expect(await refused(a.api("POST", "/schedules", { shiftId: 1, enrollid: 99, weekdays: [1], from: "2026-11-01" }), 400, "unknown_person")).toBe(message);
    const ann = await json<{ id: number }>(a.api("POST", "/schedules", { shiftId: 1, enrollid: 7, weekdays: [1], from: "2026-11-01" }), 201);
    expect(await refused(a.api("PATCH", `/schedules/${ann.id}`, { enrollid: 99 }), 400, "unknown_person")).toBe(message);
    expect((await a.store.timesheets.schedules()).map((s) => [s.id, s.enrollid])).toEqual([[ann.id, 7]]);
    expect((await a.store.auditLog({ action: "timesheets.schedule.create", limit: 10 })).items.map((e) => e.target)).toEqual([`schedule:${ann.id}`]);
    expect((await a.store.auditLog({ action: "timesheets.schedule.update", limit: 10 })).items).toEqual([]);
    // Ending the schedule of someone removed since stays possible: only a newly named person is checked.
    await json(a.api("DELETE", "/people/7"));
    expect(await json(a.api("PATCH", `/schedules/${ann.id}`, { to: "2026-11-30" }))).toMatchObject({ id: ann.id, enrollid: 7, to: "2026-11-30" });
  });

  test("leave given both as minutes and as a half day is refused (400, naming minutes), added or changed; nothing stored or audited", async () => {
    const a = await app();
    await json(a.api("POST", "/leave-types", { name: "Sick" }), 201);
    await json(a.api("POST", "/people", { enrollid: 7, name: "Ann" }), 201);
    const message = "minutes: give minutes or a half day, not both";
    expect(await refused(a.api("POST", "/leave", { enrollid: 7, date: "2026-11-03", type: "sick", halfDay: "first", minutes: 30 }), 400, "bad_request")).toBe(message);
    expect(await refused(a.api("POST", "/leave", { enrollid: 7, date: "2026-11-03", type: "sick", halfDay: true, minutes: 30 }), 400, "bad_request")).toBe(message);
    const half = await json<{ id: number }>(a.api("POST", "/leave", { enrollid: 7, date: "2026-11-04", type: "sick", halfDay: "second" }), 201);
    expect(await refused(a.api("PATCH", `/leave/${half.id}`, { halfDay: "first", minutes: 30 }), 400, "bad_request")).toBe(message);
    // halfDay false says "not a half day": beside minutes it is no contradiction.
    expect(await json(a.api("POST", "/leave", { enrollid: 7, date: "2026-11-05", type: "sick", halfDay: false, minutes: 30 }), 201)).toMatchObject({ date: "2026-11-05", wholeDay: false, halfDay: null, minutes: 30 });
    expect((await a.store.timesheets.leave({ from: "2026-11-01", to: "2026-11-30" })).map((e) => [e.date, e.part])).toEqual([
      ["2026-11-04", { kind: "half", half: "second" }],
      ["2026-11-05", { kind: "minutes", minutes: 30 }],
    ]);
    const audited = (await a.store.auditLog({ limit: 100 })).items.filter((e) => e.action.startsWith("timesheets.leave."));
    expect(audited.map((e) => e.action)).toEqual(["timesheets.leave.add", "timesheets.leave.add"]);
  });

  test("leave and an added punch for an enroll id no one has are refused (400 unknown_person), added or moved to; nothing stored or audited", async () => {
    const a = await app();
    await json(a.api("POST", "/leave-types", { name: "Sick" }), 201);
    await json(a.api("POST", "/people", { enrollid: 7, name: "Ann" }), 201);
    const message = "enrollid: no one has enroll id 99; add them on People first";
    expect(await refused(a.api("POST", "/leave", { enrollid: 99, date: "2026-11-03", type: "sick" }), 400, "unknown_person")).toBe(message);
    expect(await refused(a.api("POST", "/corrections", { enrollid: 99, time: "2026-11-03 09:00:00", reason: "forgot" }), 400, "unknown_person")).toBe(message);
    const leave = await json<{ id: number }>(a.api("POST", "/leave", { enrollid: 7, date: "2026-11-03", type: "sick" }), 201);
    expect(await refused(a.api("PATCH", `/leave/${leave.id}`, { enrollid: 99 }), 400, "unknown_person")).toBe(message);
    expect((await a.store.timesheets.leave({ from: "2026-11-01", to: "2026-11-30" })).map((e) => [e.id, e.enrollid, e.date])).toEqual([[leave.id, 7, "2026-11-03"]]);
    expect(await a.store.timesheets.corrections(99)).toEqual([]);
    const audited = (await a.store.auditLog({ limit: 100 })).items.filter((e) => e.action.startsWith("timesheets.leave.") || e.action.startsWith("timesheets.correction."));
    expect(audited.map((e) => [e.action, e.target])).toEqual([["timesheets.leave.add", "person:7"]]);

    // A punch stored for someone not on People can still be left out: an exclusion names the punch.
    await a.store.write([punchesOp("T1", [punch(99, "2026-11-03 09:00:00")])]);
    const stray = (await a.store.attendance({ enrollid: 99, from: "2026-11-03 00:00:00", to: "2026-11-04 00:00:00", limit: 1 })).items[0];
    expect(await json(a.api("POST", "/corrections", { punchId: stray?.id, reason: "not one of ours" }), 201)).toMatchObject({ enrollid: 99, kind: "exclude", punchId: stray?.id });
    // Changing the leave of someone removed since stays possible: only a newly named person is checked.
    await json(a.api("DELETE", "/people/7"));
    expect(await json(a.api("PATCH", `/leave/${leave.id}`, { enrollid: 7, date: "2026-11-04" }))).toMatchObject({ id: leave.id, enrollid: 7, date: "2026-11-04" });
  });

  test("rebuild: the API and tm20 timesheets rebuild leave the same audit entry and the same results", async () => {
    const [api, cli] = await Promise.all([app(), app()]);
    for (const a of [api, cli]) {
      await json(a.api("POST", "/shifts", { name: "Day", start: "09:00", end: "17:00" }), 201);
      await json(a.api("POST", "/people", { enrollid: 7, name: "Ann" }), 201);
      await json(a.api("POST", "/schedules", { shiftId: 1, enrollid: 7, weekdays: [1, 2, 3, 4, 5], from: "2026-11-01", to: "2026-11-30" }), 201);
      await a.recompute.idle();
      // Punches stored without passing through a terminal: only a rebuild computes them.
      await a.store.write([punchesOp("T1", [punch(7, "2026-11-02 08:50:00"), punch(7, "2026-11-02 16:00:00")])]);
    }
    await json(api.api("POST", "/timesheets/rebuild", { from: "2026-11-02", to: "2026-11-03" }), 202);
    await timesheetsCommand(["rebuild", "--from", "2026-11-02", "--to", "2026-11-03", "--data-dir", cli.dataDir, "--tz", "UTC"]);
    await expect(timesheetsCommand(["rebuild", "--from", "2026-11-03", "--to", "2026-11-02", "--data-dir", cli.dataDir])).rejects.toThrow("to is before from");
    // 09:00–16:00 = 420 worked, 60 early (no grace).
    const expected = [day("2026-11-02", "present", "2026-11-02 08:50:00", "2026-11-02 16:00:00", 420, 0, 60), day("2026-11-03", "absent", null, null, 0)];
    expect(await days(api, "from=2026-11-02&to=2026-11-03")).toEqual(expected);
    expect(await days(cli, "from=2026-11-02&to=2026-11-03")).toEqual(expected);
    const rebuilds = async (a: InProcessApp) =>
      (await a.store.auditLog({ action: "timesheets.rebuild", limit: 10 })).items.map(({ actor, action, target, details, result }) => ({ actor, action, target, details, result }));
    expect(await rebuilds(api)).toEqual([{ actor: "token:api", action: "timesheets.rebuild", target: "site", details: JSON.stringify({ from: "2026-11-02", to: "2026-11-03" }), result: "ok" }]);
    expect(await rebuilds(cli)).toEqual([{ actor: "cli", action: "timesheets.rebuild", target: "site", details: JSON.stringify({ from: "2026-11-02", to: "2026-11-03" }), result: "ok" }]);
  });

  test("scopes: a read token reads the timesheets and changes nothing (403 insufficient_scope)", async () => {
    const a = await app();
    await a.store.createToken("viewer", hashToken("tm20_viewer-token"), Date.now(), { scope: "read", expiresAt: null });
    const as = (method: string, path: string, body?: unknown) =>
      a.request(`/api/v1${path}`, {
        method,
        headers: { authorization: "Bearer tm20_viewer-token", ...(body === undefined ? {} : { "content-type": "application/json" }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    for (const path of ["/departments", "/shifts", "/schedules", "/holidays", "/leave-types", "/leave?from=2026-11-01&to=2026-11-30", "/corrections?enrollid=7", "/timesheets/rules", "/timesheets/days?from=2026-11-01&to=2026-11-30", "/timesheets/summary?from=2026-11-01&to=2026-11-30", "/timesheets/today", "/timesheets/rebuild"]) {
      expect({ path, status: (await as("GET", path)).status }).toEqual({ path, status: 200 });
    }
    await refused(as("POST", "/departments", { name: "Office" }), 403, "insufficient_scope");
    await refused(as("POST", "/shifts", { name: "Day", start: "09:00", end: "17:00" }), 403, "insufficient_scope");
    await refused(as("POST", "/corrections", { enrollid: 7, time: "2026-11-02 09:00:00", reason: "x" }), 403, "insufficient_scope");
    await refused(as("POST", "/timesheets/rebuild", { from: "2026-11-01", to: "2026-11-02" }), 403, "insufficient_scope");
    await refused(as("PATCH", "/timesheets/rules", { doubleScanSeconds: 60 }), 403, "insufficient_scope");
    expect((await a.store.auditLog({ limit: 10 })).items.filter((e) => e.action.startsWith("timesheets."))).toEqual([]);
  });
});
