/**
 * Contract cases of `Store.timesheets` (issue 14): registered by contractCases, so they run on
 * bun:sqlite, better-sqlite3 under Node and PostgreSQL. node:assert only.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { AppError } from "../../src/lib/app-error.ts";
import type { DayResult } from "../../src/timesheets/types.ts";
import type { ContractStore } from "./contract-cases.ts";
import { punch, punchesOp, T0 } from "./fixtures.ts";

const rejects = (code: string) => (err: unknown) => err instanceof AppError && err.code === code;

function day(enrollid: number, date: string, extra: Partial<DayResult> = {}): DayResult {
  return {
    date, enrollid, shiftId: 1, scheduleId: 2, departmentId: null, firstIn: `${date} 08:00:00`, lastOut: `${date} 17:00:00`,
    workedMinutes: 480, expectedMinutes: 480, lateMinutes: 0, earlyLeaveMinutes: 0, overtimeMinutes: 0, status: "present",
    missingPunch: false, manual: false, holiday: null, leave: [], pairs: [{ in: `${date} 08:00:00`, out: `${date} 17:00:00`, manual: false }],
    inProgress: false, presence: null, shiftStart: `${date} 08:00:00`, shiftEnd: `${date} 17:00:00`, ...extra,
  };
}

export function timesheetCases(fresh: () => Promise<ContractStore>): void {
  describe("timesheets: departments and membership history", () => {
    test("departments: names unique whatever their case, listed by name; rename, delete", async () => {
      const ts = (await fresh()).store.timesheets;
      const ops = await ts.createDepartment(" Operations ");
      const hr = await ts.createDepartment("HR");
      assert.deepEqual(ops, { id: ops.id, name: "Operations" });
      await assert.rejects(ts.createDepartment("operations"), rejects("name_taken"));
      await assert.rejects(ts.createDepartment(""), rejects("invalid"));
      assert.deepEqual(await ts.departments(), [hr, ops]);
      await assert.rejects(ts.renameDepartment(hr.id, "OPERATIONS"), rejects("name_taken"));
      assert.deepEqual(await ts.renameDepartment(hr.id, "People"), { id: hr.id, name: "People" });
      assert.deepEqual(await ts.renameDepartment(hr.id, "people"), { id: hr.id, name: "people" });
      assert.equal(await ts.renameDepartment(hr.id + ops.id, "X"), null);
      assert.equal(await ts.deleteDepartment(ops.id), true);
      assert.equal(await ts.deleteDepartment(ops.id), false);
      assert.deepEqual(await ts.departments(), [{ id: hr.id, name: "people" }]);
      const again = await ts.createDepartment("Operations");

      // A department with members, past or present, or with a schedule stays (renamed, not deleted).
      await ts.setDepartment(7, hr.id, "2026-03-01");
      await ts.setDepartment(7, again.id, "2026-03-10");
      await assert.rejects(ts.deleteDepartment(hr.id), rejects("in_use"));
      const sales = await ts.createDepartment("Sales");
      const schedule = await ts.createSchedule({ departmentId: sales.id, from: "2026-03-01", pattern: { kind: "rotation", days: [null] } });
      await assert.rejects(ts.deleteDepartment(sales.id), rejects("in_use"));
      await ts.deleteSchedule(schedule.id);
      assert.equal(await ts.deleteDepartment(sales.id), true);
      assert.deepEqual((await ts.departments()).map((d) => d.name), ["Operations", "people"]);
    });

    test("setDepartment keeps the history: a move mid-month closes the old membership the day before; a later date replaces what started after it", async () => {
      const ts = (await fresh()).store.timesheets;
      for (const name of ["One", "Two", "Three"]) await ts.createDepartment(name);
      assert.deepEqual((await ts.departments()).map((d) => d.id).sort(), [1, 2, 3]);
      assert.deepEqual(await ts.memberships(7), []);
      assert.deepEqual(await ts.setDepartment(7, 1, "2026-3-1"), [{ departmentId: 1, from: "2026-03-01" }]);
      assert.deepEqual(await ts.setDepartment(7, 2, "2026-03-16"), [
        { departmentId: 1, from: "2026-03-01", to: "2026-03-15" },
        { departmentId: 2, from: "2026-03-16" },
      ]);
      assert.deepEqual(await ts.setDepartment(7, 3, "2026-04-01"), [
        { departmentId: 1, from: "2026-03-01", to: "2026-03-15" },
        { departmentId: 2, from: "2026-03-16", to: "2026-03-31" },
        { departmentId: 3, from: "2026-04-01" },
      ]);
      // Back-dated: the move to 2 now happens on the 10th; what started after it is replaced.
      assert.deepEqual(await ts.setDepartment(7, 2, "2026-03-10"), [
        { departmentId: 1, from: "2026-03-01", to: "2026-03-09" },
        { departmentId: 2, from: "2026-03-10" },
      ]);
      assert.deepEqual(await ts.setDepartment(7, null, "2026-05-01"), [
        { departmentId: 1, from: "2026-03-01", to: "2026-03-09" },
        { departmentId: 2, from: "2026-03-10", to: "2026-04-30" },
      ]);
      assert.deepEqual(await ts.memberships(8), []);
      await assert.rejects(ts.setDepartment(7, 1, "2026-02-30"), rejects("invalid"));
      await assert.rejects(ts.setDepartment(7, 4, "2026-06-01"), rejects("not_found"));
      assert.equal((await ts.memberships(7)).length, 2);
    });
  });

  describe("timesheets: shifts, schedules, holidays, leave types, site rules, the rules snapshot", () => {
    test("each setting is stored as validated and read back as the schemas read it; rules() has them all", async () => {
      const ts = (await fresh()).store.timesheets;
      const day = await ts.createShift({ kind: "fixed", name: "Day", dayStart: "00:00", start: "08:00", end: "17:00", breaks: [{ start: "12:00", end: "13:00" }], lateGraceMinutes: 5, earlyGraceMinutes: 0 });
      assert.deepEqual(day, { id: day.id, kind: "fixed", name: "Day", dayStart: "00:00", start: "08:00", end: "17:00", breaks: [{ start: "12:00", end: "13:00" }], lateGraceMinutes: 5, earlyGraceMinutes: 0 });
      const flex = await ts.createShift({ kind: "flexible", name: "Flex", dayStart: "00:00", requiredMinutes: 480, breaks: [], lateGraceMinutes: 0, earlyGraceMinutes: 0, core: { start: "10:00", end: "15:00" } });
      await assert.rejects(ts.createShift({ kind: "flexible", name: "Bad", dayStart: "00:00", requiredMinutes: 0, breaks: [], lateGraceMinutes: 0, earlyGraceMinutes: 0 }), rejects("invalid"));
      await assert.rejects(ts.createShift({ kind: "fixed", name: "Bad", dayStart: "00:00", start: "24:00", end: "17:00", breaks: [], lateGraceMinutes: 0, earlyGraceMinutes: 0 }), rejects("invalid"));
      const renamed = { ...day, name: "Day shift", overtime: { afterShiftEnd: true, minimumMinutes: 30 } };
      assert.deepEqual(await ts.updateShift(renamed), renamed);
      assert.equal(await ts.updateShift({ ...day, id: day.id + flex.id }), null);
      assert.deepEqual(await ts.shifts(), [renamed, flex]);

      const weekly = await ts.createSchedule({ departmentId: 4, from: "2026-3-2", pattern: { kind: "weekly", shiftId: day.id, weekdays: [1, 2, 3, 4, 5] } });
      assert.deepEqual(weekly, { id: weekly.id, departmentId: 4, from: "2026-03-02", pattern: { kind: "weekly", shiftId: day.id, weekdays: [1, 2, 3, 4, 5] } });
      const rotation = await ts.createSchedule({ enrollid: 7, from: "2026-03-01", to: "2026-03-31", pattern: { kind: "rotation", days: [flex.id, null] } });
      await assert.rejects(ts.createSchedule({ enrollid: 7, departmentId: 4, from: "2026-03-01", pattern: { kind: "rotation", days: [null] } }), rejects("invalid"));
      await assert.rejects(ts.createSchedule({ enrollid: 7, from: "2026-03-05", to: "2026-03-01", pattern: { kind: "rotation", days: [null] } }), rejects("invalid"));
      const moved = { ...weekly, to: "2026-12-31" };
      assert.deepEqual(await ts.updateSchedule(moved), moved);
      assert.equal(await ts.deleteSchedule(rotation.id), true);
      assert.equal(await ts.deleteSchedule(rotation.id), false);
      assert.deepEqual(await ts.schedules(), [moved]);

      const may = await ts.createHoliday({ date: "2026-5-1", name: "Labour Day" });
      const local = await ts.createHoliday({ date: "2026-04-03", name: "Site day", departmentIds: [4] });
      assert.deepEqual(await ts.holidays(), [local, { id: may.id, date: "2026-05-01", name: "Labour Day" }]);
      assert.equal(await ts.deleteHoliday(local.id), true);

      const sick = await ts.createLeaveType({ name: "Sick", paid: true, countsAsWorked: true });
      const unpaid = await ts.createLeaveType({ name: "Unpaid", paid: false, countsAsWorked: false });
      assert.deepEqual(await ts.updateLeaveType({ ...unpaid, name: "Unpaid leave" }), { ...unpaid, name: "Unpaid leave" });
      assert.equal(await ts.deleteLeaveType(unpaid.id), true);
      assert.equal(await ts.deleteShift(flex.id), true);

      assert.deepEqual(await ts.siteRules(), { doubleScanSeconds: 120, calculation: "first_last", terminals: {}, defaultInterpretation: "pair" });
      assert.deepEqual(await ts.setSiteRules({ doubleScanSeconds: 60, calculation: "paired", defaultInterpretation: "trust" }), { doubleScanSeconds: 60, calculation: "paired", terminals: {}, defaultInterpretation: "trust" });
      await assert.rejects(ts.setSiteRules({ doubleScanSeconds: 3601, calculation: "paired", defaultInterpretation: "trust" }), rejects("invalid"));
      await ts.setTerminalInterpretation("GATE-IN", "entry");
      await ts.setTerminalInterpretation("GATE-OUT", "exit");
      await ts.setTerminalInterpretation("GATE-IN", "trust");
      await ts.setTerminalInterpretation("LOBBY", "pair");
      assert.deepEqual((await ts.setTerminalInterpretation("LOBBY", null)).terminals, { "GATE-IN": "trust", "GATE-OUT": "exit" });

      const rules = await ts.rules();
      assert.deepEqual(rules, {
        site: { doubleScanSeconds: 60, calculation: "paired", terminals: { "GATE-IN": "trust", "GATE-OUT": "exit" }, defaultInterpretation: "trust" },
        shifts: new Map([[day.id, renamed]]),
        schedules: [moved],
        holidays: [{ id: may.id, date: "2026-05-01", name: "Labour Day" }],
        leaveTypes: new Map([[sick.id, sick]]),
      });
    });

    test("a stored setting that no longer passes its schema is an error when read, never used", async () => {
      const t = await fresh();
      await t.store.timesheets.createShift({ kind: "fixed", name: "Day", dayStart: "00:00", start: "08:00", end: "17:00", breaks: [], lateGraceMinutes: 0, earlyGraceMinutes: 0 });
      await t.exec(`UPDATE ts_shifts SET body = '{"kind":"fixed","name":"Day","dayStart":"00:00","start":"08:00","end":"25:00","breaks":[],"lateGraceMinutes":0,"earlyGraceMinutes":0}'`);
      await assert.rejects(t.store.timesheets.rules(), rejects("invalid"));
    });
  });

  describe("timesheets: leave, corrections, punches of a person", () => {
    test("leave by person and date range; corrections kept apart from the punches they add or exclude", async () => {
      const t = await fresh();
      const ts = t.store.timesheets;
      const a = await ts.addLeave({ enrollid: 7, date: "2026-3-3", typeId: 1, part: { kind: "day" } });
      const b = await ts.addLeave({ enrollid: 7, date: "2026-03-02", typeId: 2, part: { kind: "half", half: "first" } });
      const c = await ts.addLeave({ enrollid: 8, date: "2026-03-02", typeId: 1, part: { kind: "minutes", minutes: 90 } });
      await assert.rejects(ts.addLeave({ enrollid: 8, date: "2026-03-02", typeId: 1, part: { kind: "minutes", minutes: 0 } }), rejects("invalid"));
      assert.deepEqual(a, { id: a.id, enrollid: 7, date: "2026-03-03", typeId: 1, part: { kind: "day" } });
      assert.deepEqual(await ts.leave({ from: "2026-03-01", to: "2026-03-31" }), [b, c, a]);
      assert.deepEqual(await ts.leave({ enrollid: 7, from: "2026-03-03", to: "2026-03-03" }), [a]);
      assert.deepEqual(await ts.deleteLeave(b.id), b);
      assert.equal(await ts.deleteLeave(b.id), null);

      await t.store.write([punchesOp("SN1", [punch(7, "2026-03-02 08:01:00"), punch(7, "2026-03-02 17:00:00", { inout: 1 })])]);
      const [first] = (await t.store.attendance({ enrollid: 7, limit: 10 })).items.slice(-1);
      assert.ok(first);
      const added = await ts.addCorrection({ kind: "add", enrollid: 7, time: "2026-3-3 8:0:0", inout: 0, reason: "forgot to punch", by: "user:root" }, T0);
      assert.deepEqual(added, { id: added.id, kind: "add", enrollid: 7, time: "2026-03-03 08:00:00", inout: 0, reason: "forgot to punch", by: "user:root", at: T0 });
      const excluded = await ts.addCorrection({ kind: "exclude", enrollid: 7, punchId: first.id, reason: "badge lent", by: "token:hr" }, T0 + 1);
      await assert.rejects(ts.addCorrection({ kind: "exclude", enrollid: 7, punchId: first.id, reason: " ", by: "token:hr" }, T0), rejects("invalid"));
      await ts.addCorrection({ kind: "add", enrollid: 8, time: "2026-03-03 09:00:00", reason: "x", by: "user:root" }, T0 + 2);
      assert.deepEqual(await ts.corrections(7), [added, excluded]);
      assert.deepEqual(await t.store.getAttendance(first.id), first);
      assert.deepEqual(await ts.deleteCorrection(excluded.id), excluded);
      assert.equal(await ts.deleteCorrection(excluded.id), null);
      assert.deepEqual(await ts.corrections(7), [added]);
    });

    test("punchesOf: one person's punches in a site-local range, by time then id", async () => {
      const t = await fresh();
      await t.store.write([
        punchesOp("SN2", [punch(7, "2026-03-02 17:00:00", { inout: 1 }), punch(8, "2026-03-02 09:00:00"), punch(7, "2026-03-01 23:59:59")]),
        punchesOp("SN1", [punch(7, "2026-03-02 08:00:00"), punch(7, "2026-03-04 00:00:00"), punch(7, "2026-03-03 23:00:00")]),
      ]);
      const got = await t.store.timesheets.punchesOf(7, "2026-03-02", "2026-03-04");
      const ids = (await t.store.attendance({ enrollid: 7, limit: 10 })).items;
      const idOf = (time: string) => ids.find((r) => r.time === time)?.id;
      assert.deepEqual(got, [
        { id: idOf("2026-03-02 08:00:00"), sn: "SN1", enrollid: 7, time: "2026-03-02 08:00:00", ts: Date.UTC(2026, 2, 2, 8), inout: 0 },
        { id: idOf("2026-03-02 17:00:00"), sn: "SN2", enrollid: 7, time: "2026-03-02 17:00:00", ts: Date.UTC(2026, 2, 2, 17), inout: 1 },
        { id: idOf("2026-03-03 23:00:00"), sn: "SN1", enrollid: 7, time: "2026-03-03 23:00:00", ts: Date.UTC(2026, 2, 3, 23), inout: 0 },
      ]);
      assert.deepEqual(await t.store.timesheets.punchesOf(9, "2026-03-01", "2026-03-05"), []);
    });

    test("punchesBetween: everyone's punches in a site-local range by time then id, paged after the last; countPunchesBetween; allMemberships", async () => {
      const t = await fresh();
      const ts = t.store.timesheets;
      await t.store.write([
        punchesOp("SN2", [punch(7, "2026-03-02 17:00:00", { inout: 1 }), punch(8, "2026-03-02 09:00:00"), punch(7, "2026-03-01 23:59:59")]),
        punchesOp("SN1", [punch(7, "2026-03-02 08:00:00"), punch(7, "2026-03-04 00:00:00"), punch(7, "2026-03-03 23:00:00"), punch(9, "2026-03-02 09:00:00")]),
        // Nobody enrolled (PROTOCOL.md §7.5): stored, never a person's punch.
        punchesOp("SN3", [punch(99999998, "2026-03-02 10:00:00"), punch(99999999, "2026-03-03 10:00:00")]),
      ]);
      assert.deepEqual(await ts.punchesOf(99999998, "2026-03-01", "2026-03-05"), []);
      const all = (await t.store.attendance({ limit: 10 })).items;
      const idOf = (enrollid: number, time: string) => all.find((r) => r.enrollid === enrollid && r.time === time)?.id as number;
      const row = (enrollid: number, time: string, sn: string, inout = 0) => ({ id: idOf(enrollid, time), sn, enrollid, time, ts: Date.parse(`${time.replace(" ", "T")}Z`), inout });
      assert.equal(await ts.countPunchesBetween("2026-03-02", "2026-03-04"), 5);
      const pages: unknown[][] = [];
      let after: { time: string; id: number } | null = null;
      for (;;) {
        const page = await ts.punchesBetween("2026-03-02", "2026-03-04", after, 2);
        pages.push(page);
        const last = page[page.length - 1];
        if (!last) break;
        after = { time: last.time, id: last.id };
      }
      // The two punches at 09:00 by id: SN2's was stored first.
      assert.deepEqual(pages, [
        [row(7, "2026-03-02 08:00:00", "SN1"), row(8, "2026-03-02 09:00:00", "SN2")],
        [row(9, "2026-03-02 09:00:00", "SN1"), row(7, "2026-03-02 17:00:00", "SN2", 1)],
        [row(7, "2026-03-03 23:00:00", "SN1")],
        [],
      ]);
      assert.deepEqual(await ts.punchesBetween("2026-03-05", "2026-03-09", null, 10), []);

      assert.deepEqual(await ts.allMemberships(), new Map());
      const one = await ts.createDepartment("One");
      const two = await ts.createDepartment("Two");
      await ts.setDepartment(8, two.id, "2026-03-01");
      await ts.setDepartment(7, one.id, "2026-02-01");
      await ts.setDepartment(7, two.id, "2026-03-10");
      assert.deepEqual(await ts.allMemberships(), new Map([
        [7, [{ departmentId: one.id, from: "2026-02-01", to: "2026-03-09" }, { departmentId: two.id, from: "2026-03-10" }]],
        [8, [{ departmentId: two.id, from: "2026-03-01" }]],
      ]));
    });
  });

  describe("timesheets: derived days", () => {
    test("saveDays replaces per (enrollid, date); days reads by range, person or department, paged by (date, enrollid)", async () => {
      const ts = (await fresh()).store.timesheets;
      await ts.saveDays([day(7, "2026-03-02", { departmentId: 4 }), day(8, "2026-03-02", { departmentId: 5 }), day(7, "2026-03-03", { departmentId: 4 }), day(9, "2026-03-02")], T0);
      const late = day(7, "2026-03-02", { departmentId: 4, status: "late", lateMinutes: 7, firstIn: "2026-03-02 08:07:00" });
      await ts.saveDays([late, day(7, "2026-03-04", { departmentId: 5, status: "absent", firstIn: null, lastOut: null, pairs: [] })], T0 + 1);
      await ts.saveDays([], T0 + 2);

      const all = [];
      let cursor: string | undefined;
      do {
        const page = await ts.days({ from: "2026-03-01", to: "2026-03-31", limit: 2, cursor });
        assert.ok(page.items.length <= 2);
        all.push(...page.items);
        cursor = page.next ?? undefined;
      } while (cursor !== undefined);
      assert.deepEqual(all.map((d) => [d.date, d.enrollid, d.status]), [
        ["2026-03-02", 7, "late"], ["2026-03-02", 8, "present"], ["2026-03-02", 9, "present"], ["2026-03-03", 7, "present"], ["2026-03-04", 7, "absent"],
      ]);
      assert.deepEqual(all[0], late);
      assert.deepEqual((await ts.days({ from: "2026-03-03", to: "2026-03-04", enrollid: 7, limit: 10 })).items.map((d) => d.date), ["2026-03-03", "2026-03-04"]);
      assert.deepEqual((await ts.days({ from: "2026-03-01", to: "2026-03-31", departmentId: 4, limit: 10 })).items.map((d) => [d.date, d.enrollid]), [["2026-03-02", 7], ["2026-03-03", 7]]);
      assert.deepEqual(await ts.days({ from: "2026-03-05", to: "2026-03-31", limit: 10 }), { items: [], next: null });
      await assert.rejects(ts.days({ from: "2026-03-01", to: "2026-03-31", limit: 10, cursor: "nope" }), rejects("bad_cursor"));
    });

    test("saveDays onlyChanged: a result the same as stored keeps its stored time; a changed or new one is written", async () => {
      const ts = (await fresh()).store.timesheets;
      await ts.saveDays([day(7, "2026-03-02"), day(8, "2026-03-02")], T0);
      await ts.saveDays([day(7, "2026-03-02"), day(8, "2026-03-02", { status: "late", lateMinutes: 4 }), day(9, "2026-03-02")], T0 + 5, { onlyChanged: true });
      const page = await ts.daysComputed({ since: T0, limit: 10 });
      assert.deepEqual(page.items.map((d) => [d.computedAt - T0, d.enrollid, d.status, d.lateMinutes]), [[0, 7, "present", 0], [5, 8, "late", 4], [5, 9, "present", 0]]);
      // Without it the same result is stored again, at the new time.
      await ts.saveDays([day(7, "2026-03-02")], T0 + 9);
      assert.deepEqual((await ts.daysComputed({ since: T0 + 6, limit: 10 })).items.map((d) => [d.computedAt - T0, d.enrollid]), [[9, 7]]);
    });

    test("removeDays removes the results of the given (enrollid, date), stored or not, and no other", async () => {
      const ts = (await fresh()).store.timesheets;
      await ts.saveDays([day(7, "2026-03-02"), day(8, "2026-03-02"), day(7, "2026-03-03"), day(9, "2026-03-03")], T0);
      await ts.removeDays([{ enrollid: 7, date: "2026-03-03" }, { enrollid: 8, date: "2026-03-02" }, { enrollid: 8, date: "2026-03-03" }, { enrollid: 9, date: "2026-03-04" }], T0 + 1);
      await ts.removeDays([], T0 + 2);
      assert.deepEqual((await ts.days({ from: "2026-03-01", to: "2026-03-31", limit: 10 })).items.map((d) => [d.date, d.enrollid]), [["2026-03-02", 7], ["2026-03-03", 9]]);
    });

    test("daysRemoved: the stored results removed since a time and not stored again, by when then (enrollid, date), paged", async () => {
      const ts = (await fresh()).store.timesheets;
      await ts.saveDays([day(7, "2026-03-02"), day(8, "2026-03-02"), day(7, "2026-03-03"), day(9, "2026-03-03")], T0);
      // 8's day was never stored: nothing to note.
      await ts.removeDays([{ enrollid: 9, date: "2026-03-03" }, { enrollid: 7, date: "2026-03-03" }, { enrollid: 8, date: "2026-03-03" }], T0 + 5);
      await ts.removeDays([{ enrollid: 8, date: "2026-03-02" }], T0 + 9);
      const seen: Array<[number, number, string]> = [];
      let cursor: string | undefined;
      do {
        const page = await ts.daysRemoved({ since: T0, limit: 2, ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((d): [number, number, string] => [d.removedAt - T0, d.enrollid, d.date]));
        cursor = page.next ?? undefined;
      } while (cursor !== undefined);
      assert.deepEqual(seen, [[5, 7, "2026-03-03"], [5, 9, "2026-03-03"], [9, 8, "2026-03-02"]]);
      assert.deepEqual((await ts.daysRemoved({ since: T0 + 6, limit: 10 })).items, [{ enrollid: 8, date: "2026-03-02", removedAt: T0 + 9 }]);
      // Stored again: no longer a removal. Removed again later: its newer time.
      await ts.saveDays([day(7, "2026-03-03")], T0 + 12);
      await ts.saveDays([day(9, "2026-03-03")], T0 + 12);
      await ts.removeDays([{ enrollid: 9, date: "2026-03-03" }], T0 + 15);
      assert.deepEqual((await ts.daysRemoved({ since: T0, limit: 10 })).items.map((d) => [d.removedAt - T0, d.enrollid, d.date]), [[9, 8, "2026-03-02"], [15, 9, "2026-03-03"]]);
      assert.deepEqual(await ts.daysRemoved({ since: T0 + 16, limit: 10 }), { items: [], next: null });
      await assert.rejects(ts.daysRemoved({ since: T0, limit: 10, cursor: "nope" }), rejects("bad_cursor"));
    });

    test("daysComputed: results stored since a time, by when then (enrollid, date), paged", async () => {
      const ts = (await fresh()).store.timesheets;
      await ts.saveDays([day(8, "2026-03-02"), day(7, "2026-03-03"), day(7, "2026-03-02")], T0);
      await ts.saveDays([day(9, "2026-03-01")], T0 + 5);
      // Stored again later: it moves to its new time.
      await ts.saveDays([day(8, "2026-03-02", { status: "late", lateMinutes: 3 })], T0 + 9);
      const seen: Array<[number, number, string, string]> = [];
      let cursor: string | undefined;
      do {
        const page = await ts.daysComputed({ since: T0, limit: 2, ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((d): [number, number, string, string] => [d.computedAt - T0, d.enrollid, d.date, d.status]));
        cursor = page.next ?? undefined;
      } while (cursor !== undefined);
      assert.deepEqual(seen, [[0, 7, "2026-03-02", "present"], [0, 7, "2026-03-03", "present"], [5, 9, "2026-03-01", "present"], [9, 8, "2026-03-02", "late"]]);
      assert.deepEqual((await ts.daysComputed({ since: T0 + 6, limit: 10 })).items.map((d) => [d.enrollid, d.date, d.lateMinutes]), [[8, "2026-03-02", 3]]);
      assert.deepEqual(await ts.daysComputed({ since: T0 + 10, limit: 10 }), { items: [], next: null });
      // days stored since a time: what Today shows without computing it again.
      assert.deepEqual((await ts.days({ from: "2026-03-02", to: "2026-03-02", computedSince: T0 + 1, limit: 10 })).items.map((d) => [d.enrollid, d.status]), [[8, "late"]]);
      assert.deepEqual((await ts.days({ from: "2026-03-02", to: "2026-03-02", computedSince: T0, limit: 10 })).items.map((d) => d.enrollid), [7, 8]);
    });
  });

  describe("timesheets: following the punches (one follower, a mark that only moves forward)", () => {
    test("claimFollow takes the lease and gives the mark; another holder waits until it expires or is released; advanceFollow needs the lease", async () => {
      const ts = (await fresh()).store.timesheets;
      // A new store: nothing to follow yet.
      assert.equal(await ts.claimFollow("a", 60_000), 0);
      assert.equal(await ts.claimFollow("a", 60_000), 0);
      assert.equal(await ts.claimFollow("b", 60_000), null);
      assert.equal(await ts.advanceFollow("a", 17), true);
      assert.equal(await ts.advanceFollow("a", 9), true);
      assert.equal(await ts.advanceFollow("b", 40), false);
      assert.equal(await ts.claimFollow("a", 60_000), 17);
      await ts.releaseFollow("b");
      assert.equal(await ts.claimFollow("b", 60_000), null);
      await ts.releaseFollow("a");
      assert.equal(await ts.claimFollow("b", 60_000), 17);
      // Lost: a holder whose lease another took stops moving the mark.
      assert.equal(await ts.advanceFollow("a", 30), false);
      // Expired (a lease of -1 ms ran out before it was taken): anyone takes it over.
      assert.equal(await ts.claimFollow("b", -1), 17);
      assert.equal(await ts.advanceFollow("b", 21), true);
      assert.equal(await ts.claimFollow("a", 60_000), 21);
      assert.equal(await ts.advanceFollow("b", 25), false);
      assert.equal(await ts.claimFollow("a", 60_000), 21);
      assert.equal(await ts.followMark(), 21);
    });
  });

  describe("timesheets: who has days, changes of holidays, leave and corrections", () => {
    test("membershipsOn: who belongs where on a date; enrollids: people, members, leave, personal schedules and those who punched", async () => {
      const t = await fresh();
      const ts = t.store.timesheets;
      const one = await ts.createDepartment("One");
      const two = await ts.createDepartment("Two");
      await ts.setDepartment(7, one.id, "2026-03-01");
      await ts.setDepartment(7, two.id, "2026-03-16");
      await ts.setDepartment(5, one.id, "2026-03-10");
      assert.deepEqual(await ts.membershipsOn("2026-03-15"), [{ enrollid: 5, departmentId: one.id }, { enrollid: 7, departmentId: one.id }]);
      assert.deepEqual(await ts.membershipsOn("2026-03-16"), [{ enrollid: 5, departmentId: one.id }, { enrollid: 7, departmentId: two.id }]);
      assert.deepEqual(await ts.membershipsOn("2026-02-28"), []);

      await t.store.people.save(3, { name: "Ann", admin: 0, enabled: true, validFrom: null, validTo: null, externalId: null }, T0);
      await ts.addLeave({ enrollid: 11, date: "2026-04-02", typeId: 1, part: { kind: "day" } });
      await ts.createSchedule({ enrollid: 12, from: "2026-04-01", to: "2026-04-30", pattern: { kind: "rotation", days: [null] } });
      // 0 is a door event's enrollid, never a person, nor are 99999998 and 99999999 (nobody
      // enrolled, PROTOCOL.md §7.5); 13 punched only after the range.
      await t.store.write([punchesOp("SN1", [punch(9, "2026-04-03 23:59:59"), punch(13, "2026-04-04 00:00:00"), punch(99999998, "2026-04-02 09:00:00"), punch(99999999, "2026-04-04 09:00:00")])]);
      assert.deepEqual(await ts.enrollids("2026-04-01", "2026-04-03"), [3, 5, 7, 9, 11, 12]);
      assert.deepEqual(await ts.enrollids("2026-02-01", "2026-02-28"), [3]);
      assert.deepEqual(await ts.enrollids("2026-04-04", "2026-04-04"), [3, 5, 7, 12, 13]);
      assert.deepEqual(await ts.enrollids("2026-05-01", "2026-05-01"), [3, 5, 7]);
    });

    test("updateHoliday, leaveEntry/updateLeave, correction/updateCorrection: null when missing, invalid refused", async () => {
      const t = await fresh();
      const ts = t.store.timesheets;
      const h = await ts.createHoliday({ date: "2026-05-01", name: "Labour Day" });
      assert.deepEqual(await ts.updateHoliday({ ...h, date: "2026-5-2", departmentIds: [4] }), { id: h.id, date: "2026-05-02", name: "Labour Day", departmentIds: [4] });
      assert.deepEqual(await ts.holidays(), [{ id: h.id, date: "2026-05-02", name: "Labour Day", departmentIds: [4] }]);
      assert.equal(await ts.updateHoliday({ ...h, id: h.id + 1 }), null);
      await assert.rejects(ts.updateHoliday({ ...h, name: "" }), rejects("invalid"));

      const e = await ts.addLeave({ enrollid: 7, date: "2026-03-03", typeId: 1, part: { kind: "day" } });
      assert.deepEqual(await ts.leaveEntry(e.id), e);
      assert.equal(await ts.leaveEntry(e.id + 1), null);
      const changed = { ...e, date: "2026-03-04", part: { kind: "half" as const, half: "second" as const } };
      assert.deepEqual(await ts.updateLeave(changed), changed);
      assert.deepEqual(await ts.leave({ from: "2026-03-01", to: "2026-03-31" }), [changed]);
      assert.equal(await ts.updateLeave({ ...changed, id: e.id + 1 }), null);
      await assert.rejects(ts.updateLeave({ ...changed, part: { kind: "minutes", minutes: 0 } }), rejects("invalid"));

      const c = await ts.addCorrection({ kind: "add", enrollid: 7, time: "2026-03-03 08:00:00", reason: "forgot", by: "user:root" }, T0);
      assert.deepEqual(await ts.correction(c.id), c);
      assert.equal(await ts.correction(c.id + 1), null);
      const moved = await ts.updateCorrection({ id: c.id, kind: "add", enrollid: 7, time: "2026-03-03 08:05:00", inout: 0, reason: "the card says 08:05", by: "token:hr" });
      assert.deepEqual(moved, { id: c.id, kind: "add", enrollid: 7, time: "2026-03-03 08:05:00", inout: 0, reason: "the card says 08:05", by: "token:hr", at: T0 });
      assert.deepEqual(await ts.corrections(7), [moved]);
      // The person a correction is for never changes.
      assert.equal(await ts.updateCorrection({ id: c.id, kind: "add", enrollid: 8, time: "2026-03-03 08:05:00", reason: "x", by: "cli" }), null);
      await assert.rejects(ts.updateCorrection({ id: c.id, kind: "add", enrollid: 7, time: "2026-03-03 08:05:00", reason: " ", by: "cli" }), rejects("invalid"));
    });
  });
}
