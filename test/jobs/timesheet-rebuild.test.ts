/**
 * A rebuild's read-ahead (issue 14) on real SQLite stores: everyone over a range stored alike
 * whether the range is read in one window, in windows of fewer days, or person by person (a
 * window holding more than twice `readAheadPunches`). Three stores with the same punches, one
 * rebuild each, every stored result compared.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
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

/** Three people of a Monday-to-Friday day shift; Monday 2 to Saturday 7 March 2026: in at 08:55, out at 17:05, and 7 back at 00:30 on Thursday. */
async function office(): Promise<SqliteStore> {
  const dir = mkdtempSync(join(tmpdir(), "tm20-rebuild-"));
  const store = new SqliteStore({ file: join(dir, "tm20.db"), open: openBunSqlite, durability: "normal" });
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }), () => store.close());
  const ts = store.timesheets;
  const ops = await ts.createDepartment("Ops");
  const shift = await ts.createShift({ kind: "fixed", name: "Day", dayStart: "00:00", start: "09:00", end: "17:00", breaks: [], lateGraceMinutes: 5, earlyGraceMinutes: 5 });
  await ts.createSchedule({ departmentId: ops.id, from: "2026-03-01", pattern: { kind: "weekly", shiftId: shift.id, weekdays: [1, 2, 3, 4, 5] } });
  for (const enrollid of [7, 8, 9]) await ts.setDepartment(enrollid, ops.id, "2026-03-01");
  const punches = [punch(7, "2026-03-05 00:30:00")];
  for (let day = 2; day <= 7; day++) for (const enrollid of [7, 8, 9]) punches.push(punch(enrollid, `2026-03-0${day} 08:55:00`), punch(enrollid, `2026-03-0${day} 17:05:00`));
  await store.write([punchesOp("T1", punches, [], T0)]);
  return store;
}

async function rebuilt(readAheadPunches?: number): Promise<{ stored: number; days: DayResult[] }> {
  const store = await office();
  const recompute = new TimesheetRecompute({ store, clock, log: pino({ level: "silent" }), now: Date.now, debounceMs: 0, ...(readAheadPunches === undefined ? {} : { readAheadPunches }) });
  const stored = await recompute.everyone("2026-03-01", "2026-03-08");
  await recompute.stop();
  return { stored, days: (await store.timesheets.days({ from: "2026-02-01", to: "2026-04-01", limit: 1000 })).items };
}

describe("rebuild read-ahead", () => {
  test("one window, windows of fewer days and person by person store the same results", async () => {
    const whole = await rebuilt();
    // 3 people × 8 days.
    expect(whole.stored).toBe(24);
    expect(whole.days.length).toBe(24);
    // Monday: in before the start, counted from 09:00 to 17:05 = 485 minutes.
    expect(whole.days.filter((d) => d.status === "present").map((d) => [d.enrollid, d.date, d.workedMinutes]).slice(0, 2)).toEqual([[7, "2026-03-02", 485], [8, "2026-03-02", 485]]);
    // 37 punches over the range and its margins: 25 makes windows of 5 days (each with its margins under 50); 6, one-day windows read person by person.
    for (const readAheadPunches of [25, 6]) {
      const other = await rebuilt(readAheadPunches);
      expect(other.stored).toBe(24);
      expect(other.days).toEqual(whole.days);
    }
  });
});
