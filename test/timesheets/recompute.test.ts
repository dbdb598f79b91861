/**
 * recomputeDays on a real SQLite store: the rules, memberships, punches, leave and corrections it
 * reads, the results it stores (hand-worked minutes), replacing them, and yielding between people.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SiteClock } from "../../src/protocol/time.ts";
import { openBunSqlite } from "../../src/store/sqlite/bun-driver.ts";
import { SqliteStore } from "../../src/store/sqlite/sqlite-store.ts";
import { recomputeDays, runsOf } from "../../src/timesheets/recompute.ts";
import { punch, punchesOp, T0 } from "../store/fixtures.ts";

const clock = new SiteClock("UTC");
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function freshStore(): SqliteStore {
  const dir = mkdtempSync(join(tmpdir(), "tm20-recompute-"));
  const store = new SqliteStore({ file: join(dir, "tm20.db"), open: openBunSqlite, durability: "normal" });
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }), () => store.close());
  return store;
}

/** Ops works Monday to Friday 09:00–17:00 with lunch 12:00–13:00 and 5 minutes' grace; Night has no schedule. */
async function site(store: SqliteStore) {
  const ts = store.timesheets;
  const ops = await ts.createDepartment("Ops");
  const night = await ts.createDepartment("Night");
  const shift = await ts.createShift({ kind: "fixed", name: "Day", dayStart: "00:00", start: "09:00", end: "17:00", breaks: [{ start: "12:00", end: "13:00" }], lateGraceMinutes: 5, earlyGraceMinutes: 5 });
  const schedule = await ts.createSchedule({ departmentId: ops.id, from: "2026-03-01", pattern: { kind: "weekly", shiftId: shift.id, weekdays: [1, 2, 3, 4, 5] } });
  const sick = await ts.createLeaveType({ name: "Sick", paid: true, countsAsWorked: false });
  return { ops, night, shift, schedule, sick };
}

const row = (d: { date: string; enrollid: number; status: string; workedMinutes: number; lateMinutes: number; manual: boolean; departmentId: number | null }) =>
  [d.date, d.enrollid, d.status, d.workedMinutes, d.lateMinutes, d.manual, d.departmentId];

describe("recomputeDays", () => {
  test("runsOf: sorted runs of consecutive dates, duplicates once", () => {
    expect(runsOf(["2026-03-05", "2026-03-02", "2026-03-03", "2026-03-03", "2026-02-28", "2026-03-01"])).toEqual([["2026-02-28", "2026-03-03"], ["2026-03-05", "2026-03-05"]]);
    expect(runsOf([])).toEqual([]);
  });

  test("stores each day from the store's rules, memberships (a move mid-week), punches, leave and corrections", async () => {
    const store = freshStore();
    const { ops, night, sick } = await site(store);
    const ts = store.timesheets;
    await ts.setDepartment(7, ops.id, "2026-03-01");
    await ts.setDepartment(8, ops.id, "2026-03-01");
    await ts.setDepartment(8, night.id, "2026-03-04");
    await store.write([
      punchesOp("SN1", [
        punch(7, "2026-03-02 08:58:00"), punch(7, "2026-03-02 17:02:00"),
        punch(7, "2026-03-03 09:20:00"), punch(7, "2026-03-03 17:00:00"),
        punch(7, "2026-03-05 08:59:00"),
        punch(9, "2026-03-02 09:00:00"),
      ]),
    ]);
    await ts.addLeave({ enrollid: 7, date: "2026-03-04", typeId: sick.id, part: { kind: "day" } });
    await ts.addCorrection({ kind: "add", enrollid: 7, time: "2026-03-05 17:00:00", inout: 1, reason: "forgot to punch out", by: "user:root" }, T0);

    const targets = [
      ...["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-05", "2026-03-07"].map((date) => ({ enrollid: 7, date })),
      { enrollid: 8, date: "2026-03-02" },
      { enrollid: 8, date: "2026-03-04" },
    ];
    expect(await recomputeDays(ts, targets, { clock, at: T0 })).toBe(7);

    const days = (await ts.days({ from: "2026-03-01", to: "2026-03-31", limit: 100 })).items;
    expect(days.map(row)).toEqual([
      ["2026-03-02", 7, "present", 422, 0, false, ops.id], // 09:00–17:02 less lunch; early arrival not counted
      ["2026-03-02", 8, "absent", 0, 0, false, ops.id],
      ["2026-03-03", 7, "late", 400, 20, false, ops.id], // 09:20–17:00 less lunch
      ["2026-03-04", 7, "leave", 0, 0, false, ops.id],
      ["2026-03-04", 8, "rest", 0, 0, false, night.id], // moved to Night, which has no schedule
      ["2026-03-05", 7, "present", 420, 0, true, ops.id], // the added 17:00 out closes the day
      ["2026-03-07", 7, "rest", 0, 0, false, ops.id], // Saturday
    ]);
    expect(days[3]?.leave).toEqual([{ typeId: sick.id, minutes: 420, days: 1 }]);
    expect(days[5]?.pairs).toEqual([{ in: "2026-03-05 08:59:00", out: "2026-03-05 17:00:00", manual: true }]);
  });

  test("a recomputation replaces the stored days: an excluded punch and an added one turn a late day on time", async () => {
    const store = freshStore();
    const { ops } = await site(store);
    const ts = store.timesheets;
    await ts.setDepartment(7, ops.id, "2026-03-01");
    await store.write([punchesOp("SN1", [punch(7, "2026-03-03 09:20:00"), punch(7, "2026-03-03 17:00:00")])]);
    const one = [{ enrollid: 7, date: "2026-03-03" }];
    await recomputeDays(ts, one, { clock, at: T0 });
    expect((await ts.days({ from: "2026-03-03", to: "2026-03-03", limit: 10 })).items.map(row)).toEqual([["2026-03-03", 7, "late", 400, 20, false, ops.id]]);

    const [late] = await ts.punchesOf(7, "2026-03-03 09:20:00", "2026-03-03 09:20:01");
    if (!late) throw new Error("the punch was not stored");
    await ts.addCorrection({ kind: "exclude", enrollid: 7, punchId: late.id, reason: "wrong badge", by: "user:root" }, T0);
    await ts.addCorrection({ kind: "add", enrollid: 7, time: "2026-03-03 08:57:00", inout: 0, reason: "was in", by: "user:root" }, T0);
    expect(await recomputeDays(ts, one, { clock, at: T0 + 1 })).toBe(1);
    expect((await ts.days({ from: "2026-03-01", to: "2026-03-31", limit: 10 })).items.map(row)).toEqual([["2026-03-03", 7, "present", 420, 0, true, ops.id]]);
    // The raw punch is still there, unchanged.
    expect(await store.getAttendance(late.id)).toMatchObject({ time: "2026-03-03 09:20:00", enrollid: 7 });
  });

  test("days not due yet are neither stored nor counted; one stored before is removed", async () => {
    const store = freshStore();
    const { ops } = await site(store);
    const ts = store.timesheets;
    await ts.setDepartment(7, ops.id, "2026-03-01");
    const two = [{ enrollid: 7, date: "2026-03-02" }, { enrollid: 7, date: "2026-03-03" }];
    // Read as of later: both days over, both absences.
    expect(await recomputeDays(ts, two, { clock, at: T0 })).toBe(2);
    expect((await ts.days({ from: "2026-03-01", to: "2026-03-31", limit: 10 })).items.map(row)).toEqual([
      ["2026-03-02", 7, "absent", 0, 0, false, ops.id],
      ["2026-03-03", 7, "absent", 0, 0, false, ops.id],
    ]);
    // At 08:00 on Tuesday the 3rd, before the 09:00 shift: Tuesday is no result yet, only Monday is stored.
    expect(await recomputeDays(ts, two, { clock, at: T0 + 1, asOf: Date.UTC(2026, 2, 3, 8) })).toBe(1);
    expect((await ts.days({ from: "2026-03-01", to: "2026-03-31", limit: 10 })).items.map(row)).toEqual([["2026-03-02", 7, "absent", 0, 0, false, ops.id]]);
    // Noted as removed at the pass's time, for the PostgreSQL export's mirror.
    expect((await ts.daysRemoved({ since: T0, limit: 10 })).items).toEqual([{ enrollid: 7, date: "2026-03-03", removedAt: T0 + 1 }]);
  });

  test("nothing to do reads nothing and stores nothing", async () => {
    const store = freshStore();
    expect(await recomputeDays(store.timesheets, [], { clock, at: T0 })).toBe(0);
    expect((await store.timesheets.days({ from: "2000-01-01", to: "2100-01-01", limit: 10 })).items).toEqual([]);
  });

  test("yields to the event loop between people", async () => {
    const store = freshStore();
    await site(store);
    let turns = 0;
    const tick = setInterval(() => turns++, 0);
    try {
      const targets = Array.from({ length: 50 }, (_, i) => ({ enrollid: i + 1, date: "2026-03-02" }));
      expect(await recomputeDays(store.timesheets, targets, { clock, at: T0 })).toBe(50);
    } finally {
      clearInterval(tick);
    }
    expect(turns).toBeGreaterThan(0);
  });
});
