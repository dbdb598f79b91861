/**
 * Contract cases of `Store.access` (issue 16): registered by contractCases, so they run on
 * bun:sqlite, better-sqlite3 under Node and PostgreSQL. node:assert only.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseAccessModel } from "../../src/access/model.ts";
import { AppError } from "../../src/lib/app-error.ts";
import type { ContractStore } from "./contract-cases.ts";
import { T0 } from "./fixtures.ts";

const rejects = (code: string) => (err: unknown) => err instanceof AppError && err.code === code;
const closed = { "1": [], "2": [], "3": [], "4": [], "5": [], "6": [], "7": [] };
const person = (name: string, extra: Partial<{ enabled: boolean; validFrom: string | null; validTo: string | null }> = {}) =>
  ({ name, admin: 0, enabled: true, validFrom: null, validTo: null, externalId: null, ...extra });

export function accessCases(fresh: () => Promise<ContractStore>): void {
  describe("access: schedules, levels, people's levels and QR codes, the model", () => {
    test("schedules: windows merged and sorted, every weekday listed; update; delete refused while a level uses it", async () => {
      const access = (await fresh()).store.access;
      const office = await access.createSchedule({ name: " Office ", days: { ...closed, "1": ["12:00-18:00", "08:00-12:30"], "6": ["09:00-10:00"] }, holidaysClosed: true });
      assert.deepEqual(office, { id: office.id, name: "Office", days: { ...closed, "1": ["08:00-18:00"], "6": ["09:00-10:00"] }, holidaysClosed: true });
      await assert.rejects(access.createSchedule({ name: "Bad", days: { ...closed, "2": ["18:00-08:00"] }, holidaysClosed: false }), rejects("invalid"));
      const six = ["00:00-01:00", "02:00-03:00", "04:00-05:00", "06:00-07:00", "08:00-09:00", "10:00-11:00"];
      await assert.rejects(access.createSchedule({ name: "Too many", days: { ...closed, "3": six }, holidaysClosed: false }), rejects("invalid"));
      const night = await access.createSchedule({ name: "Night", days: closed, holidaysClosed: false });
      assert.notEqual(night.id, office.id);
      assert.deepEqual(await access.schedules(), [office, night]);
      const changed = { ...night, name: "Nights", days: { ...closed, "7": ["20:00-23:59"] } };
      assert.deepEqual(await access.updateSchedule(changed), changed);
      assert.equal(await access.updateSchedule({ ...changed, id: office.id + night.id + 100 }), null);

      const level = await access.createLevel({ name: "Front", scheduleId: office.id, terminals: ["T2", "T1", "T1"], groupIds: [] });
      assert.deepEqual(level, { id: level.id, name: "Front", scheduleId: office.id, terminals: ["T1", "T2"], groupIds: [] });
      await assert.rejects(access.deleteSchedule(office.id), rejects("in_use"));
      assert.deepEqual(await access.schedules(), [office, changed]);
      assert.equal(await access.deleteSchedule(changed.id), true);
      assert.equal(await access.deleteSchedule(changed.id), false);
      assert.equal(await access.deleteLevel(level.id), true);
      assert.equal(await access.deleteSchedule(office.id), true);
      assert.deepEqual(await access.schedules(), []);
    });

    test("levels: the schedule must exist; update; delete takes it from people", async () => {
      const access = (await fresh()).store.access;
      const s = await access.createSchedule({ name: "Office", days: { ...closed, "1": ["08:00-18:00"] }, holidaysClosed: false });
      await assert.rejects(access.createLevel({ name: "X", scheduleId: s.id + 1, terminals: [], groupIds: [] }), rejects("not_found"));
      const a = await access.createLevel({ name: "A", scheduleId: s.id, terminals: ["T1"], groupIds: [7, 3] });
      const b = await access.createLevel({ name: "B", scheduleId: s.id, terminals: [], groupIds: [] });
      assert.deepEqual(a.groupIds, [3, 7]);
      assert.deepEqual(await access.levels(), [a, b]);
      await assert.rejects(access.updateLevel({ ...a, scheduleId: s.id + 1 }), rejects("not_found"));
      assert.equal(await access.updateLevel({ ...a, id: a.id + b.id + 100 }), null);
      const renamed = { ...a, name: "A2", terminals: ["T9"] };
      assert.deepEqual(await access.updateLevel(renamed), renamed);

      assert.deepEqual(await access.setLevelsOf(5, [b.id, a.id, b.id]), [a.id, b.id].sort((x, y) => x - y));
      await assert.rejects(access.setLevelsOf(5, [a.id + b.id + 100]), rejects("not_found"));
      assert.deepEqual(await access.levelsOf(5), [a.id, b.id].sort((x, y) => x - y));
      assert.equal(await access.deleteLevel(a.id), true);
      assert.equal(await access.deleteLevel(a.id), false);
      assert.deepEqual(await access.levelsOf(5), [b.id]);
      assert.deepEqual(await access.setLevelsOf(5, []), []);
      assert.deepEqual(await access.levelsOf(6), []);
    });

    test("QR codes: one per person, unique across people, taken away", async () => {
      const access = (await fresh()).store.access;
      assert.equal(await access.qrCodeOf(1), null);
      await access.setQrCode(1, "QR-aaaaaaaaaaaaaaaa");
      await access.setQrCode(1, "QR-bbbbbbbbbbbbbbbb");
      assert.equal(await access.qrCodeOf(1), "QR-bbbbbbbbbbbbbbbb");
      await assert.rejects(access.setQrCode(2, "QR-bbbbbbbbbbbbbbbb"), rejects("exists"));
      await access.setQrCode(2, "QR-aaaaaaaaaaaaaaaa");
      await access.setQrCode(1, null);
      assert.equal(await access.qrCodeOf(1), null);
      assert.equal(await access.qrCodeOf(2), "QR-aaaaaaaaaaaaaaaa");
    });

    test("terminals: accessMode is 'terminal' until changed", async () => {
      const t = await fresh();
      await t.store.write([{ type: "terminal-seen", sn: "T1", at: T0, sessionId: "s1", remoteAddr: null, cpusn: null, devinfo: null, approvalIfNew: "approved", online: true }]);
      assert.equal((await t.store.getTerminal("T1"))?.accessMode, "terminal");
      assert.equal((await t.store.updateTerminal("T1", { accessMode: "server" }))?.accessMode, "server");
      assert.equal((await t.store.getTerminal("T1"))?.accessMode, "server");
      assert.equal(await t.store.updateTerminal("NOPE", { accessMode: "server" }), null);
    });

    test("model(): people with levels and codes, groups (deleted ones dropped from levels), site-wide holidays; removing a person removes their access", async () => {
      const { store } = await fresh();
      const s = await store.access.createSchedule({ name: "Office", days: { ...closed, "1": ["08:00-18:00"] }, holidaysClosed: true });
      const g = await store.people.createGroup("Doors", false, T0);
      const gone = await store.people.createGroup("Gone", false, T0);
      assert.ok(g && gone);
      await store.people.addMember(g.id, "BACK", T0);
      const level = await store.access.createLevel({ name: "Staff", scheduleId: s.id, terminals: ["FRONT"], groupIds: [g.id, gone.id] });
      await store.people.removeGroup(gone.id);
      await store.people.save(1, person("Ann"), T0);
      await store.people.save(2, person("Bob", { enabled: false, validFrom: "2026-01-01", validTo: "2026-06-30" }), T0);
      await store.access.setLevelsOf(1, [level.id]);
      await store.access.setLevelsOf(2, [level.id]);
      await store.access.setQrCode(1, "QR-ANN-0123456789ab");
      const dept = await store.timesheets.createDepartment("Ops");
      await store.timesheets.createHoliday({ date: "2026-12-25", name: "Christmas Day, the whole site closes for it" });
      await store.timesheets.createHoliday({ date: "2026-12-26", name: "Ops only", departmentIds: [dept.id] });
      const model = await store.access.model();
      assert.deepEqual(model, {
        schedules: [s],
        levels: [{ ...level, groupIds: [g.id] }],
        terminalGroups: [{ id: g.id, members: ["BACK"] }],
        people: [
          { enrollid: 1, name: "Ann", enabled: true, validFrom: null, validTo: null, levelIds: [level.id], qrCode: "QR-ANN-0123456789ab" },
          { enrollid: 2, name: "Bob", enabled: false, validFrom: "2026-01-01", validTo: "2026-06-30", levelIds: [level.id], qrCode: null },
        ],
        holidays: [{ name: "Christmas Day, the whole site cl", from: "2026-12-25", to: "2026-12-25" }],
        passes: [],
      });
      assert.equal(parseAccessModel(model).ok, true);
      assert.equal(await store.people.remove(1), true);
      await store.people.save(1, person("Ann again"), T0);
      assert.deepEqual(await store.access.levelsOf(1), []);
      assert.equal(await store.access.qrCodeOf(1), null);
    });

    test("held tables: what each terminal acknowledged, lock by lock; forgotten by cleanuserlock and initsys; sync problems keep their first time", async () => {
      const access = (await fresh()).store.access;
      const nothing = { dayzones: null, weekzones: null, holidays: null, locks: [] };
      assert.deepEqual(await access.held("T1"), nothing);
      assert.deepEqual(await access.heldTerminals(), []);
      const lock = (enrollid: number, weekzone: number) => ({ enrollid, weekzone, group: 0, starttime: "2000-01-01 00:00:00", endtime: "2099-12-31 23:59:59" });
      await access.holdLocks("T1", [lock(7, 2), lock(3, 1)]);
      await access.holdLocks("T1", [lock(7, 3)]);
      await access.holdLocks("T2", [lock(1, 1)]);
      const dayzones = [["08:00~18:00", "00:00~00:00"]];
      const holidays = [{ name: "Christmas", startday: "12-24", endday: "12-26", shift: 0, dayzone: 1 }];
      await access.holdTables("T1", { dayzones });
      await access.holdTables("T1", { weekzones: [[1, 1, 1, 1, 1, 1, 1]], holidays });
      assert.deepEqual(await access.held("T1"), { dayzones, weekzones: [[1, 1, 1, 1, 1, 1, 1]], holidays, locks: [lock(3, 1), lock(7, 3)] });
      assert.deepEqual(await access.heldTerminals(), ["T1", "T2"]);
      await access.releaseLocks("T1", [3]);
      assert.deepEqual((await access.held("T1")).locks, [lock(7, 3)]);
      await access.releaseLocks("T1", null);
      assert.deepEqual((await access.held("T1")).locks, []);
      assert.deepEqual((await access.held("T2")).locks, [lock(1, 1)]);

      await access.setSyncProblem("T3", null, T0);
      assert.deepEqual(await access.heldTerminals(), ["T1", "T2"]);
      await access.setSyncProblem("T3", "terminal T3: too many", T0);
      await access.setSyncProblem("T3", "terminal T3: too many", T0 + 5);
      await access.setSyncProblem("T1", "terminal T1: other", T0 + 1);
      assert.deepEqual(await access.syncProblems(), [{ sn: "T1", message: "terminal T1: other", since: T0 + 1 }, { sn: "T3", message: "terminal T3: too many", since: T0 }]);
      await access.setSyncProblem("T3", "terminal T3: still too many", T0 + 9);
      await access.setSyncProblem("T1", null, T0 + 10);
      assert.deepEqual(await access.syncProblems(), [{ sn: "T3", message: "terminal T3: still too many", since: T0 + 9 }]);
      // Clearing the problem keeps what is held.
      assert.deepEqual((await access.held("T1")).holidays, holidays);
      await access.forgetHeld("T1");
      assert.deepEqual(await access.held("T1"), nothing);
      assert.deepEqual(await access.heldTerminals(), ["T2", "T3"]);
    });

    test("levelHolders: people by enrollid up to the limit with their count, passes not revoked nor ended newest first; people.list by level", async () => {
      const { store } = await fresh();
      const s = await store.access.createSchedule({ name: "Office", days: { ...closed, "1": ["08:00-18:00"] }, holidaysClosed: false });
      const front = await store.access.createLevel({ name: "Front", scheduleId: s.id, terminals: ["FRONT"], groupIds: [] });
      const back = await store.access.createLevel({ name: "Back", scheduleId: s.id, terminals: ["BACK"], groupIds: [] });
      for (const [enrollid, name, levels] of [[3, "Cy", [front.id]], [1, "Ann", [front.id, back.id]], [2, "Bo", [back.id]], [4, "Di", [front.id]], [5, "Ed", [front.id]]] as const) {
        await store.people.save(enrollid, person(name, { enabled: enrollid !== 4 }), T0);
        await store.access.setLevelsOf(enrollid, levels);
      }
      await store.people.remove(5);
      const base = { validFrom: "2026-12-01 08:00:00", createdAt: T0, createdBy: "user:alice", terminals: [], uses: 1 };
      const ended = await store.access.createPass({ ...base, name: "Ended", code: "PASS-eeeeeeeeeeeeeeee", validTo: "2026-12-08 23:59:59", levelIds: [front.id] });
      const today = await store.access.createPass({ ...base, name: "Today", code: "PASS-tttttttttttttttt", validTo: "2026-12-09 00:00:00", levelIds: [back.id, front.id] });
      const revoked = await store.access.createPass({ ...base, name: "Revoked", code: "PASS-rrrrrrrrrrrrrrrr", validTo: "2026-12-31 00:00:00", levelIds: [front.id] });
      await store.access.revokePass(revoked.id, T0, "user:alice");
      await store.access.createPass({ ...base, name: "Back only", code: "PASS-bbbbbbbbbbbbbbbb", validTo: "2026-12-31 00:00:00", levelIds: [back.id] });
      const later = await store.access.createPass({ ...base, name: "Later", code: "PASS-llllllllllllllll", validTo: "2026-12-31 00:00:00", levelIds: [front.id] });
      const from = "2026-12-09 00:00:00";
      assert.deepEqual(await store.access.levelHolders(front.id, { limit: 10, passesEndingFrom: from }), {
        people: [{ enrollid: 1, name: "Ann", enabled: true }, { enrollid: 3, name: "Cy", enabled: true }, { enrollid: 4, name: "Di", enabled: false }],
        peopleTotal: 3,
        passes: [{ id: later.id, name: "Later", validTo: "2026-12-31 00:00:00" }, { id: today.id, name: "Today", validTo: "2026-12-09 00:00:00" }],
        passesTotal: 2,
      });
      const capped = await store.access.levelHolders(front.id, { limit: 1, passesEndingFrom: "2026-12-01 00:00:00" });
      assert.deepEqual([capped.people.map((p) => p.enrollid), capped.peopleTotal, capped.passes.map((p) => p.name), capped.passesTotal], [[1], 3, ["Later"], 3]);
      assert.ok(ended.id > 0);
      assert.deepEqual(await store.access.levelHolders(front.id + back.id + 100, { limit: 10, passesEndingFrom: from }), { people: [], peopleTotal: 0, passes: [], passesTotal: 0 });
      const listed = async (levelId: number, cursor?: string) => store.people.list({ levelId, limit: 2, ...(cursor ? { cursor } : {}) });
      const first = await listed(front.id);
      assert.deepEqual(first.items.map((p) => p.enrollid), [1, 3]);
      assert.deepEqual((await listed(front.id, first.next ?? undefined)).items.map((p) => p.enrollid), [4]);
      assert.deepEqual((await store.people.list({ levelId: back.id, q: "bo", limit: 10 })).items.map((p) => p.enrollid), [2]);
    });

    test("passes: created with a unique code, listed newest first by cursor, read, revoked once", async () => {
      const { store } = await fresh();
      const s = await store.access.createSchedule({ name: "Office", days: { ...closed, "1": ["08:00-18:00"] }, holidaysClosed: false });
      const level = await store.access.createLevel({ name: "Front", scheduleId: s.id, terminals: ["FRONT"], groupIds: [] });
      const base = { validFrom: "2026-12-09 08:00:00", validTo: "2026-12-09 18:00:00", createdAt: T0, createdBy: "user:alice" };
      const a = await store.access.createPass({ ...base, name: "Visitor A", code: "PASS-aaaaaaaaaaaaaaaa", levelIds: [level.id, level.id], terminals: [], uses: 1 });
      assert.deepEqual(a, {
        id: a.id, name: "Visitor A", code: "PASS-aaaaaaaaaaaaaaaa", validFrom: "2026-12-09 08:00:00", validTo: "2026-12-09 18:00:00",
        levelIds: [level.id], terminals: [], uses: 1, used: 0, revokedAt: null, revokedBy: null, createdAt: T0, createdBy: "user:alice",
      });
      const b = await store.access.createPass({ ...base, name: "Visitor B", code: "PASS-bbbbbbbbbbbbbbbb", levelIds: [], terminals: ["LOBBY", "BACK", "LOBBY"], uses: null });
      assert.deepEqual([b.terminals, b.uses], [["BACK", "LOBBY"], null]);
      const c = await store.access.createPass({ ...base, name: "Visitor C", code: "PASS-cccccccccccccccc", levelIds: [], terminals: ["BACK"], uses: 3 });
      await assert.rejects(store.access.createPass({ ...base, name: "Dup", code: "PASS-aaaaaaaaaaaaaaaa", levelIds: [], terminals: ["BACK"], uses: 1 }), rejects("exists"));
      await store.access.setQrCode(9, "QR-PERSON-0123456789");
      await assert.rejects(store.access.createPass({ ...base, name: "Dup", code: "QR-PERSON-0123456789", levelIds: [], terminals: ["BACK"], uses: 1 }), rejects("exists"));
      await assert.rejects(store.access.createPass({ ...base, name: "X", code: "PASS-xxxxxxxxxxxxxxxx", levelIds: [level.id + 100], terminals: [], uses: 1 }), rejects("not_found"));

      const first = await store.access.passes({ limit: 2 });
      assert.deepEqual(first.items.map((p) => p.name), ["Visitor C", "Visitor B"]);
      assert.ok(first.next);
      const second = await store.access.passes({ limit: 2, cursor: first.next });
      assert.deepEqual(second, { items: [a], next: null });
      assert.deepEqual(await store.access.pass(b.id), b);
      assert.equal(await store.access.pass(c.id + 100), null);

      const revoked = await store.access.revokePass(b.id, T0 + 1000, "token:desk");
      assert.deepEqual(revoked, { ...b, revokedAt: T0 + 1000, revokedBy: "token:desk" });
      assert.deepEqual(await store.access.revokePass(b.id, T0 + 5000, "user:bob"), revoked);
      assert.equal(await store.access.revokePass(c.id + 100, T0, "user:bob"), null);
    });

    test("passes: uses counted once per scan, a resend is a repeat, used up and revoked refuse without a use", async () => {
      const { store } = await fresh();
      const base = { validFrom: "2026-12-09 08:00:00", validTo: "2026-12-09 18:00:00", createdAt: T0, createdBy: "cli", levelIds: [] };
      const one = await store.access.createPass({ ...base, name: "One", code: "PASS-one-0123456789", terminals: ["FRONT", "BACK"], uses: 1 });
      const any = await store.access.createPass({ ...base, name: "Any", code: "PASS-any-0123456789", terminals: ["FRONT"], uses: null });
      const scan = (sn: string, at: number, s = "sendqrcode") => ({ sn, scan: s, at, repeatWithinMs: 10_000 });
      assert.deepEqual(await store.access.usePass(one.id, scan("FRONT", T0)), { outcome: "granted", used: 1 });
      assert.deepEqual(await store.access.usePass(one.id, scan("FRONT", T0 + 3_000)), { outcome: "repeat", used: 1 });
      assert.deepEqual(await store.access.usePass(one.id, scan("BACK", T0 + 3_000)), { outcome: "used_up", used: 1 });
      assert.deepEqual(await store.access.usePass(one.id, scan("FRONT", T0 + 3_000, "other record")), { outcome: "used_up", used: 1 });
      assert.deepEqual(await store.access.usePass(one.id, scan("FRONT", T0 + 10_001)), { outcome: "used_up", used: 1 });
      for (let i = 1; i <= 3; i++) assert.deepEqual(await store.access.usePass(any.id, scan("FRONT", T0 + i * 20_000)), { outcome: "granted", used: i });
      await store.access.revokePass(any.id, T0, "cli");
      // A resend of the last scan too: a revoke wins.
      assert.deepEqual(await store.access.usePass(any.id, scan("FRONT", T0 + 60_000 + 1_000)), { outcome: "revoked", used: 3 });
      assert.deepEqual(await store.access.usePass(any.id, scan("FRONT", T0 + 100_000)), { outcome: "revoked", used: 3 });
      assert.deepEqual(await store.access.usePass(any.id + one.id + 100, scan("FRONT", T0)), { outcome: "not_found", used: 0 });
      assert.equal((await store.access.pass(one.id))?.used, 1);
    });

    test("passes: doors scanning at once get exactly the uses left", async () => {
      const { store } = await fresh();
      const three = await store.access.createPass({
        name: "Three", code: "PASS-three-0123456789", validFrom: "2026-12-09 08:00:00", validTo: "2026-12-09 18:00:00", levelIds: [], terminals: ["D"], uses: 3, createdAt: T0, createdBy: "cli",
      });
      const outcomes = await Promise.all(Array.from({ length: 12 }, (_, i) => store.access.usePass(three.id, { sn: `D${i}`, scan: "sendqrcode", at: T0, repeatWithinMs: 10_000 })));
      assert.deepEqual(outcomes.map((o) => o.outcome).sort(), [...Array(3).fill("granted"), ...Array(9).fill("used_up")]);
      assert.deepEqual(outcomes.filter((o) => o.outcome === "granted").map((o) => o.used).sort(), [1, 2, 3]);
      assert.equal((await store.access.pass(three.id))?.used, 3);
    });

    test("model(): passes with their levels (deleted ones dropped), a pass left with no door left out, revoked marked; ended ones or none left out on request", async () => {
      const { store } = await fresh();
      const s = await store.access.createSchedule({ name: "Office", days: { ...closed, "1": ["08:00-18:00"] }, holidaysClosed: false });
      const keep = await store.access.createLevel({ name: "Keep", scheduleId: s.id, terminals: ["FRONT"], groupIds: [] });
      const drop = await store.access.createLevel({ name: "Drop", scheduleId: s.id, terminals: ["BACK"], groupIds: [] });
      const base = { validFrom: "2026-12-09 08:00:00", validTo: "2026-12-10 18:00:00", createdAt: T0, createdBy: "cli", uses: 2 };
      const both = await store.access.createPass({ ...base, name: "Both", code: "PASS-both-0123456789", levelIds: [keep.id, drop.id], terminals: [] });
      await store.access.createPass({ ...base, name: "Dropped", code: "PASS-drop-0123456789", levelIds: [drop.id], terminals: [] });
      const named = await store.access.createPass({ ...base, name: "Named", code: "PASS-named-012345678", levelIds: [drop.id], terminals: ["LOBBY"] });
      await store.access.revokePass(named.id, T0, "cli");
      assert.equal(await store.access.deleteLevel(drop.id), true);
      const model = await store.access.model();
      assert.deepEqual(model.passes, [
        { id: both.id, name: "Both", code: "PASS-both-0123456789", validFrom: "2026-12-09 08:00:00", validTo: "2026-12-10 18:00:00", levelIds: [keep.id], terminals: [], uses: 2, revoked: false },
        { id: named.id, name: "Named", code: "PASS-named-012345678", validFrom: "2026-12-09 08:00:00", validTo: "2026-12-10 18:00:00", levelIds: [], terminals: ["LOBBY"], uses: 2, revoked: true },
      ]);
      assert.equal(parseAccessModel(model).ok, true);
      assert.deepEqual((await store.access.model({ passesEndingFrom: "2026-12-10 18:00:00" })).passes?.map((p) => p.name), ["Both", "Named"]);
      assert.deepEqual((await store.access.model({ passesEndingFrom: "2026-12-10 18:00:01" })).passes, []);
      const withoutPasses = await store.access.model({ passes: false });
      assert.deepEqual({ passes: withoutPasses.passes, levels: withoutPasses.levels }, { passes: [], levels: model.levels });
    });
  });
}
