/**
 * The Today view at scale (issue 14): `todayResults` on a real SQLite store shows results stored
 * within the last minute as stored and computes (and stores) only the others: none stored yet,
 * stored more than a minute ago, or of people with punches above the recompute's mark. And a day
 * not due yet, with a clock the test moves: no stored result (nor summary absence) until arriving
 * would be late, then the recompute's refresh of today stores "absent".
 */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { periodSummary } from "../../src/app/timesheets/results.ts";
import { todayResults } from "../../src/app/timesheets/today.ts";
import { EventBus } from "../../src/events/bus.ts";
import { TimesheetRecompute } from "../../src/jobs/timesheet-recompute.ts";
import { SiteClock } from "../../src/protocol/time.ts";
import { openBunSqlite } from "../../src/store/sqlite/bun-driver.ts";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.ts";
import type { DayResult } from "../../src/timesheets/types.ts";
import { punch, punchesOp, T0 } from "../store/fixtures.ts";

const clock = new SiteClock("UTC");
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

/** Tuesday 2026-03-03, 12:00 UTC. */
const NOON = Date.UTC(2026, 2, 3, 12);

async function office(): Promise<SqliteStore> {
  const dir = mkdtempSync(join(tmpdir(), "tm20-today-"));
  const store = new SqliteStore({ file: join(dir, "tm20.db"), open: openBunSqlite, durability: "normal" });
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }), () => store.close());
  const ts = store.timesheets;
  const ops = await ts.createDepartment("Ops");
  const shift = await ts.createShift({ kind: "fixed", name: "Day", dayStart: "00:00", start: "09:00", end: "17:00", breaks: [], lateGraceMinutes: 5, earlyGraceMinutes: 5 });
  await ts.createSchedule({ departmentId: ops.id, from: "2026-03-01", pattern: { kind: "weekly", shiftId: shift.id, weekdays: [1, 2, 3, 4, 5] } });
  for (const enrollid of [1, 2, 3]) await ts.setDepartment(enrollid, ops.id, "2026-03-01");
  return store;
}

async function today(store: SqliteStore, now: number) {
  const days = await todayResults({ store, clock, now: () => now });
  return days.map((d): unknown[] => [d.enrollid, d.presence, d.lateMinutes]);
}

/** Who had their result of today stored at or after `since`. */
async function storedSince(store: SqliteStore, since: number) {
  return (await store.timesheets.days({ from: "2026-03-03", to: "2026-03-03", computedSince: since, limit: 10 })).items.map((d) => d.enrollid);
}

async function followedUpTo(store: SqliteStore) {
  const [last] = await store.attendanceSlice({}, "-id", 0, 1);
  expect(await store.timesheets.claimFollow("test", 60_000)).not.toBeNull();
  expect(await store.timesheets.advanceFollow("test", last?.id ?? 0)).toBe(true);
}

describe("todayResults", () => {
  test("stored results of the last minute are shown as stored; missing, older and unfollowed ones are computed and stored", async () => {
    const store = await office();
    await store.write([punchesOp("T1", [punch(1, "2026-03-03 08:55:00"), punch(2, "2026-03-03 09:10:00")], [], T0)]);

    // Nothing stored yet: everyone computed now. 2 came 10 minutes late (beyond the grace of 5, counted from 09:00).
    const first = [[1, "in", 0], [2, "late", 10], [3, "absent", 0]];
    expect(await today(store, NOON)).toEqual(first);
    expect(await storedSince(store, NOON)).toEqual([1, 2, 3]);

    // Ten seconds later, the recompute having followed every punch: nothing computed again.
    await followedUpTo(store);
    expect(await today(store, NOON + 10_000)).toEqual(first);
    expect(await storedSince(store, NOON + 1)).toEqual([]);

    // 2 leaves for lunch; the recompute has not followed that punch yet: only 2 is computed again.
    await store.write([punchesOp("T1", [punch(2, "2026-03-03 12:00:05")], [], T0)]);
    expect(await today(store, NOON + 20_000)).toEqual([[1, "in", 0], [2, "out", 10], [3, "absent", 0]]);
    expect(await storedSince(store, NOON + 1)).toEqual([2]);

    // A minute after the first look, 1 and 3 are older than a minute (2 is still behind the mark).
    expect(await today(store, NOON + 61_000)).toEqual([[1, "in", 0], [2, "out", 10], [3, "absent", 0]]);
    expect(await storedSince(store, NOON + 61_000)).toEqual([1, 2, 3]);

    // Followed: 2's result of the last look is shown as stored.
    await followedUpTo(store);
    expect(await today(store, NOON + 70_000)).toEqual([[1, "in", 0], [2, "out", 10], [3, "absent", 0]]);
    expect(await storedSince(store, NOON + 61_001)).toEqual([]);
  });

  test("a day not due yet: no result before 09:05 (09:00 + grace 5) for someone with no punch; the refresh stores absent after", async () => {
    const store = await office();
    const ts = store.timesheets;
    const at = (hm: string) => Date.UTC(2026, 2, 3, Number(hm.slice(0, 2)), Number(hm.slice(3, 5)));
    // 2 came early; 1 and 3 have not come. An "absent" of 1's stored before (as a removed correction leaves one) must go.
    await store.write([punchesOp("T1", [punch(2, "2026-03-03 06:50:00")], [], T0)]);
    const stale: DayResult = { date: "2026-03-03", enrollid: 1, shiftId: 1, scheduleId: null, departmentId: 1, firstIn: null, lastOut: null, workedMinutes: 0, expectedMinutes: 480, lateMinutes: 0, earlyLeaveMinutes: 0, overtimeMinutes: 0, status: "absent", missingPunch: false, manual: false, holiday: null, leave: [], pairs: [], inProgress: false, presence: null, shiftStart: null, shiftEnd: null };
    await ts.saveDays([stale], T0);

    let now = at("06:57");
    const recompute = new TimesheetRecompute({ store, clock, log: pino({ level: "silent" }), now: () => now, debounceMs: 0, refreshMs: 20 });
    await recompute.start(new EventBus());
    await recompute.idle();
    const stored = async () => (await ts.days({ from: "2026-03-03", to: "2026-03-03", limit: 10 })).items.map((d) => [d.enrollid, d.status]);
    const absences = async () => (await periodSummary({ store }, { from: "2026-03-03", to: "2026-03-03" })).map((r) => [r.enrollid, r.absences]);

    expect(await stored()).toEqual([[2, "present"]]);
    expect(await absences()).toEqual([[2, 0]]);
    expect(await today(store, now)).toEqual([[1, "not_yet_in", 0], [2, "in", 0], [3, "not_yet_in", 0]]);
    // The Today view stores no result of theirs either.
    expect(await stored()).toEqual([[2, "present"]]);

    // 09:05 is still inside the grace (arriving now is not late): not due. Each wait lets the 20 ms refresh run.
    now = at("09:05");
    await Bun.sleep(60);
    await recompute.idle();
    expect(await absences()).toEqual([[2, 0]]);

    // 09:06: due. The next refresh of today stores the absences.
    now = at("09:06");
    await Bun.sleep(60);
    await recompute.idle();
    expect(await stored()).toEqual([[1, "absent"], [2, "present"], [3, "absent"]]);
    expect(await absences()).toEqual([[1, 1], [2, 0], [3, 1]]);
    expect(await today(store, now)).toEqual([[1, "absent", 0], [2, "in", 0], [3, "absent", 0]]);
    await recompute.stop();
  });

  test("half a day off: after a first half off someone is not yet in until 13:05 (the middle + grace 5), nothing stored; a second half off changes nothing", async () => {
    const store = await office();
    const ts = store.timesheets;
    const at = (hms: string) => Date.UTC(2026, 2, 3, Number(hms.slice(0, 2)), Number(hms.slice(3, 5)), Number(hms.slice(6, 8) || 0));
    const unpaid = await ts.createLeaveType({ name: "Unpaid", paid: false, countsAsWorked: false });
    // 1 and 3 have the morning off, 2 the afternoon.
    for (const [enrollid, half] of [[1, "first"], [2, "second"], [3, "first"]] as const) await ts.addLeave({ enrollid, date: "2026-03-03", typeId: unpaid.id, part: { kind: "half", half } });
    const stored = async () => (await ts.days({ from: "2026-03-03", to: "2026-03-03", limit: 10 })).items.map((d) => [d.enrollid, d.status, d.lateMinutes]);

    expect(await today(store, at("09:06"))).toEqual([[1, "not_yet_in", 0], [2, "absent", 0], [3, "not_yet_in", 0]]);
    expect(await stored()).toEqual([[2, "absent", 0]]);

    // 3 comes at 13:04, inside the grace of the afternoon's start: in, not late.
    await store.write([punchesOp("T1", [punch(3, "2026-03-03 13:04:00")], [], T0)]);
    expect(await today(store, at("13:05:00"))).toEqual([[1, "not_yet_in", 0], [2, "absent", 0], [3, "in", 0]]);
    expect(await stored()).toEqual([[2, "absent", 0], [3, "present", 0]]);

    // Past 13:05 (and past the minute a not-due day is kept): 1 is due, absent, and stored.
    expect(await today(store, at("13:06:30"))).toEqual([[1, "absent", 0], [2, "absent", 0], [3, "in", 0]]);
    expect(await stored()).toEqual([[1, "absent", 0], [2, "absent", 0], [3, "present", 0]]);
  });
});
