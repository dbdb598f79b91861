/**
 * Contract cases of `Store.admin` (users, sessions, settings, the dashboard's reads) and of the
 * outbound part (`exports`, `webhooks`): registered by contractCases, so they run on every store.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { PersonInput } from "../../src/store/commands-contract.ts";
import type { NewHrDeadLetter, NewHrDestination } from "../../src/store/hr-contract.ts";
import type { NewDeadLetter, NewWebhook } from "../../src/store/webhook-contract.ts";
import { AppError } from "../../src/lib/app-error.ts";
import type { ContractStore } from "./contract-cases.ts";
import { credentialOp, punch, punchesOp, T0 } from "./fixtures.ts";

export function adminCases(fresh: () => Promise<ContractStore>): void {
  describe("admin: users, sessions, settings, dashboard reads", () => {
    test("users: the first admin only once; names unique whatever their case; list, get, by name, update, count, login, delete with sessions", async () => {
      const t = await fresh();
      const a = t.store.admin;
      assert.equal(await a.hasUsers(), false);
      const root = await a.createFirstAdmin({ username: "Root", passwordHash: "h1", role: "viewer", at: T0 });
      assert.deepEqual(root, { id: root?.id, username: "Root", passwordHash: "h1", role: "admin", disabled: false, createdAt: T0, updatedAt: T0, lastLoginAt: null });
      if (!root) return;
      assert.equal(await a.createFirstAdmin({ username: "other", passwordHash: "h", role: "admin", at: T0 }), null);
      assert.equal(await a.hasUsers(), true);
      const bob = await a.createUser({ username: "bob", passwordHash: "h2", role: "viewer", at: T0 + 1 });
      assert.deepEqual([bob?.username, bob?.role, bob?.disabled, bob?.createdAt], ["bob", "viewer", false, T0 + 1]);
      if (!bob) return;
      assert.equal(await a.createUser({ username: "BOB", passwordHash: "h3", role: "admin", at: T0 }), null);
      await a.createUser({ username: "alice", passwordHash: "h4", role: "admin", at: T0 });
      assert.deepEqual((await a.listUsers()).map((u) => u.username), ["alice", "bob", "Root"]);
      assert.deepEqual(await a.userByName("ROOT"), root);
      assert.equal(await a.userByName("nobody"), null);
      assert.equal(await a.countActiveAdmins(), 2);
      const changed = await a.updateUser(bob.id, { role: "admin", disabled: true, passwordHash: "h9" }, T0 + 5);
      assert.deepEqual([changed?.role, changed?.disabled, changed?.passwordHash, changed?.updatedAt, changed?.createdAt], ["admin", true, "h9", T0 + 5, T0 + 1]);
      assert.equal(await a.countActiveAdmins(), 2);
      assert.equal(await a.updateUser(bob.id + 100, { disabled: true }, T0), null);
      await a.recordLogin(root.id, T0 + 7);
      assert.equal((await a.getUser(root.id))?.lastLoginAt, T0 + 7);
      await a.createSession({ tokenHash: "s-bob", userId: bob.id, csrfToken: "c", at: T0, expiresAt: T0 + 100, remoteAddr: null });
      assert.equal(await a.deleteUser(bob.id), true);
      assert.equal(await a.deleteUser(bob.id), false);
      assert.equal(await a.getUser(bob.id), null);
      assert.deepEqual(await t.rows("SELECT count(*) AS n FROM admin_sessions"), [{ n: 0 }]);
    });

    test("sessions: valid before expiry with their user; touch extends; a disabled user's do not count; delete one, all but one, the expired", async () => {
      const t = await fresh();
      const a = t.store.admin;
      const u = await a.createFirstAdmin({ username: "root", passwordHash: "h", role: "admin", at: T0 });
      const v = await a.createUser({ username: "viewer", passwordHash: "h", role: "viewer", at: T0 });
      if (!u || !v) throw new Error("users were not created");
      const s = (tokenHash: string, userId: number, expiresAt: number) => ({ tokenHash, userId, csrfToken: `csrf-${tokenHash}`, at: T0, expiresAt, remoteAddr: "10.0.0.9" });
      await a.createSession(s("s1", u.id, T0 + 100));
      await a.createSession(s("s2", u.id, T0 + 100));
      await a.createSession(s("s3", u.id, T0 + 10));
      await a.createSession(s("s4", v.id, T0 + 100));
      assert.deepEqual(await a.session("s1", T0 + 50), {
        session: { tokenHash: "s1", userId: u.id, csrfToken: "csrf-s1", createdAt: T0, lastSeenAt: T0, expiresAt: T0 + 100, remoteAddr: "10.0.0.9" },
        user: u,
      });
      assert.equal(await a.session("s3", T0 + 10), null);
      assert.equal(await a.session("nope", T0), null);
      await a.touchSession("s1", T0 + 60, T0 + 1000);
      const touched = await a.session("s1", T0 + 500);
      assert.deepEqual([touched?.session.lastSeenAt, touched?.session.expiresAt], [T0 + 60, T0 + 1000]);
      await a.updateUser(v.id, { disabled: true }, T0);
      assert.equal(await a.session("s4", T0), null);
      await a.deleteSessionsOf(u.id, "s1");
      assert.equal(await a.session("s2", T0), null);
      assert.equal((await a.session("s1", T0))?.session.tokenHash, "s1");
      assert.equal(await a.deleteExpiredSessions(T0 + 100), 1);
      await a.deleteSession("s1");
      assert.deepEqual(await t.rows("SELECT count(*) AS n FROM admin_sessions"), [{ n: 0 }]);
    });

    test("settings: a put adds and overwrites keys, an empty one changes nothing", async () => {
      const t = await fresh();
      const a = t.store.admin;
      assert.deepEqual(await a.settings(), {});
      await a.putSettings({ tz: "Europe/Berlin", approval: "approve" }, T0);
      await a.putSettings({ tz: "UTC" }, T0 + 1);
      await a.putSettings({}, T0 + 2);
      assert.deepEqual(await a.settings(), { tz: "UTC", approval: "approve" });
      assert.deepEqual(await t.rows("SELECT key, updated_at FROM settings ORDER BY key"), [
        { key: "approval", updated_at: T0 },
        { key: "tz", updated_at: T0 + 1 },
      ]);
    });

    test("notification state: empty at first; a save upserts, removes and sets the digest day in one go; absent day kept", async () => {
      const t = await fresh();
      const a = t.store.admin;
      assert.deepEqual(await a.notificationState(), { alerts: [], digestDay: null });
      const x = { alertId: "terminal_offline:terminal:X", alert: '{"id":"terminal_offline:terminal:X"}', firstSeen: T0, told: false };
      const y = { alertId: "clock_drift:terminal:Y", alert: '{"id":"clock_drift:terminal:Y"}', firstSeen: T0 + 1, told: true };
      await a.saveNotificationState({ put: [x, y], remove: [], digestDay: "2026-03-02" }, T0);
      assert.deepEqual(await a.notificationState(), { alerts: [y, x], digestDay: "2026-03-02" });
      const told = { ...x, alert: '{"id":"terminal_offline:terminal:X","title":"later"}', told: true };
      await a.saveNotificationState({ put: [told], remove: [y.alertId, "never-saved"] }, T0 + 5);
      assert.deepEqual(await a.notificationState(), { alerts: [told], digestDay: "2026-03-02" });
      await a.saveNotificationState({ put: [], remove: [], digestDay: "2026-03-03" }, T0 + 9);
      assert.deepEqual(await t.rows("SELECT key, value, updated_at FROM settings"), [{ key: "notifications_digest_day", value: "2026-03-03", updated_at: T0 + 9 }]);
    });

    test("dashboard reads: attendance after a row id, the latest rows, counts from a time, quarantine since, people's names", async () => {
      const t = await fresh();
      const a = t.store.admin;
      const bad = { kind: "sendlog", raw: "{}", reason: "x" };
      await t.store.write([
        punchesOp("SN1", [punch(1, "2026-01-05 08:00:00"), punch(2, "2026-01-05 09:00:00"), punch(3, "2026-01-06 07:00:00")], [bad]),
        { type: "quarantine", sn: null, at: T0 + 10, entries: [bad, bad] },
        credentialOp(1, 10, "1", { name: "Ann" }),
      ]);
      const all = (await t.store.attendance({ limit: 10 })).items.reverse();
      assert.deepEqual(all.map((r) => r.id), [1, 2, 3]);
      assert.deepEqual(await a.attendanceAfter(0, 2), all.slice(0, 2));
      assert.deepEqual(await a.attendanceAfter(2, 10), all.slice(2));
      assert.deepEqual(await a.attendanceAfter(3, 10), []);
      assert.deepEqual(await a.latestAttendance(2), [all[2], all[1]]);
      assert.equal(await a.countAttendanceFrom("2026-01-05 09:00:00"), 2);
      assert.equal(await a.countAttendanceFrom("2026-01-07"), 0);
      assert.equal(await a.quarantinedSince(T0 + 1), 2);
      assert.equal(await a.quarantinedSince(T0), 3);
      assert.deepEqual([...(await a.peopleLabels([1, 1, 2]))], [[1, { name: "Ann", externalId: null }]]);
      assert.deepEqual([...(await a.peopleLabels([]))], []);
    });
  });
}

const person = (name: string): PersonInput => ({ name, admin: 0, enabled: true, validFrom: null, validTo: null, externalId: null });

const hook = (extra: Partial<NewWebhook> = {}): NewWebhook => ({
  name: "HR", url: "https://hr.example/hook", authHeader: "Authorization", authSealed: "v1:sealed", hmacSealed: null, terminals: ["SN1"],
  eventTypes: ["attendance"], enabled: true, batchSize: 100, timeoutMs: 5000, maxAttempts: null, attendanceCursor: 0, doorCursor: 0, at: T0, ...extra,
});

const letter = (n: number, extra: Partial<NewDeadLetter> = {}): NewDeadLetter => ({
  batchId: `b-${n}`, records: `[{"id":${n}}]`, recordCount: 1, attempts: 5, error: "HTTP 400", at: T0 + n, attendanceCursor: n, doorCursor: 0, ...extra,
});

const hr = (extra: Partial<NewHrDestination> = {}): NewHrDestination => ({
  name: "ERPNext", kind: "erpnext", url: "https://erp.example", settings: '{"shiftTypes":["Day"]}', credentialsSealed: "v1:sealed", employeeIdFrom: "external_id",
  terminals: ["SN1"], enabled: true, batchSize: 50, timeoutMs: 5000, maxAttempts: 10, cursor: 0, at: T0, ...extra,
});

const hrLetter = (n: number, extra: Partial<NewHrDeadLetter> = {}): NewHrDeadLetter => ({
  recordId: n, record: `{"id":${n}}`, attempts: 10, error: "HTTP 500: boom", at: T0 + n, ...extra,
});

export function outboundCases(fresh: () => Promise<ContractStore>): void {
  describe("exports: record streams by row id, cursors, people and templates", () => {
    test("rows after an id in id order, by terminals and from a time; counts and last ids", async () => {
      const t = await fresh();
      const e = t.store.exports;
      assert.equal(await e.lastId("attendance"), 0);
      assert.equal(await e.lastId("door_events"), 0);
      await t.store.write([
        punchesOp("SN1", [punch(1, "2026-01-05 08:00:00"), punch(0, "2026-01-05 08:00:01")]),
        punchesOp("SN2", [punch(2, "2026-01-04 08:00:00"), punch(3, "2026-01-05 10:00:00"), punch(0, "2026-01-05 10:00:01")]),
      ]);
      const all = (await t.store.attendance({ limit: 10 })).items.sort((x, y) => x.id - y.id);
      assert.deepEqual(all.map((r) => [r.id, r.sn, r.enrollid]), [[1, "SN1", 1], [2, "SN2", 2], [3, "SN2", 3]]);
      assert.deepEqual(await e.attendanceAfter({ afterId: 0, limit: 10 }), all);
      assert.deepEqual(await e.attendanceAfter({ afterId: 1, limit: 1 }), [all[1]]);
      assert.deepEqual((await e.attendanceAfter({ afterId: 0, limit: 10, sns: ["SN2"] })).map((r) => r.id), [2, 3]);
      assert.deepEqual((await e.attendanceAfter({ afterId: 0, limit: 10, since: "2026-01-05 00:00:00" })).map((r) => r.id), [1, 3]);
      const doors = (await t.store.doorEvents({ limit: 10 })).items.sort((x, y) => x.id - y.id);
      assert.deepEqual(await e.doorEventsAfter({ afterId: 1, limit: 10 }), [doors[1]]);
      assert.deepEqual((await e.doorEventsAfter({ afterId: 0, limit: 10, sns: ["SN1"] })).map((r) => r.sn), ["SN1"]);
      assert.equal(await e.countAfter("attendance", 1), 2);
      assert.equal(await e.countAfter("attendance", 0, ["SN1"]), 1);
      assert.equal(await e.countAfter("door_events", 0), 2);
      assert.equal(await e.lastId("attendance"), 3);
      assert.equal(await e.lastId("door_events"), 2);
    });

    test("cursors per target and stream only move forward and count rows; a reset forgets one target", async () => {
      const t = await fresh();
      const e = t.store.exports;
      assert.equal(await e.cursor("db#a", "attendance"), null);
      await e.advanceCursor("db#a", "attendance", 10, 10, T0);
      await e.advanceCursor("db#a", "attendance", 5, 2, T0 + 1);
      await e.advanceCursor("db#a", "door_events", 3, 3, T0);
      await e.advanceCursor("db#b", "attendance", 7, 7, T0);
      assert.deepEqual(await e.cursor("db#a", "attendance"), { lastId: 10, exported: 12, updatedAt: T0 + 1 });
      assert.deepEqual(await e.cursor("db#a", "door_events"), { lastId: 3, exported: 3, updatedAt: T0 });
      await e.resetCursors("db#a");
      assert.equal(await e.cursor("db#a", "attendance"), null);
      assert.equal(await e.cursor("db#a", "door_events"), null);
      assert.deepEqual(await e.cursor("db#b", "attendance"), { lastId: 7, exported: 7, updatedAt: T0 });
    });

    test("people, template keys without the templates, templates by key", async () => {
      const t = await fresh();
      const e = t.store.exports;
      await t.store.people.save(2, person("Bo"), T0);
      await t.store.people.save(1, person("Al"), T0);
      await t.store.people.setCredential({ enrollid: 1, backupnum: 0, data: "t0" }, "SN1", T0);
      await t.store.people.setCredential({ enrollid: 1, backupnum: 10, data: "1234" }, null, T0 + 1);
      await t.store.people.setCredential({ enrollid: 2, backupnum: 11, data: "77" }, null, T0 + 2);
      assert.deepEqual((await e.allPeople()).map((p) => [p.enrollid, p.name]), [[1, "Al"], [2, "Bo"]]);
      assert.deepEqual(await e.credentialKeys(), [
        { enrollid: 1, backupnum: 0, updatedAt: T0 },
        { enrollid: 1, backupnum: 10, updatedAt: T0 + 1 },
        { enrollid: 2, backupnum: 11, updatedAt: T0 + 2 },
      ]);
      const got = await e.credentialsFor([{ enrollid: 2, backupnum: 11 }, { enrollid: 1, backupnum: 0 }, { enrollid: 9, backupnum: 0 }]);
      assert.deepEqual(got.sort((x, y) => x.enrollid - y.enrollid), [
        { enrollid: 1, backupnum: 0, data: "t0", sourceSn: "SN1", updatedAt: T0 },
        { enrollid: 2, backupnum: 11, data: "77", sourceSn: null, updatedAt: T0 + 2 },
      ]);
      assert.deepEqual(await e.credentialsFor([]), []);
    });
  });

  describe("webhooks: destinations, outbox cursors, dead letters", () => {
    test("create, list, get, update (settings and cursors), delete with its dead letters", async () => {
      const t = await fresh();
      const w = t.store.webhooks;
      const a = await w.create(hook());
      assert.deepEqual(a, {
        id: a.id, name: "HR", url: "https://hr.example/hook", authHeader: "Authorization", authSealed: "v1:sealed", hmacSealed: null,
        terminals: '["SN1"]', eventTypes: '["attendance"]', enabled: true, batchSize: 100, timeoutMs: 5000, maxAttempts: null,
        attendanceCursor: 0, doorCursor: 0, delivered: 0, attempts: 0, lastSuccessAt: null, lastError: null, lastErrorAt: null, createdAt: T0, updatedAt: T0,
      });
      const b = await w.create(hook({ name: "Door", terminals: null, eventTypes: ["door_event"], maxAttempts: 3, attendanceCursor: 5, doorCursor: 7, at: T0 + 1 }));
      assert.deepEqual([b.terminals, b.eventTypes, b.maxAttempts, b.attendanceCursor, b.doorCursor], [null, '["door_event"]', 3, 5, 7]);
      assert.deepEqual((await w.list()).map((x) => x.id), [a.id, b.id]);
      assert.deepEqual(await w.get(a.id), a);
      const u = await w.update(a.id, { terminals: null, eventTypes: ["attendance", "door_event"], enabled: false, doorCursor: 9 }, T0 + 2);
      assert.deepEqual([u?.terminals, u?.eventTypes, u?.enabled, u?.doorCursor, u?.updatedAt, u?.name, u?.createdAt], [null, '["attendance","door_event"]', false, 9, T0 + 2, "HR", T0]);
      assert.equal(await w.update(b.id + 100, { enabled: true }, T0), null);
      assert.equal(await w.get(b.id + 100), null);
      await w.deadLetter(b.id, letter(1));
      assert.equal(await w.delete(b.id), true);
      assert.equal(await w.delete(b.id), false);
      assert.equal(await w.deadLetterCount(b.id), 0);
      assert.deepEqual(await t.rows("SELECT count(*) AS n FROM webhook_dead_letters"), [{ n: 0 }]);
      assert.deepEqual((await w.list()).map((x) => x.id), [a.id]);
    });

    test("delivered moves the cursors forward only and clears the failures; failed records the error; a dead letter passes its batch", async () => {
      const t = await fresh();
      const w = t.store.webhooks;
      const a = await w.create(hook());
      const state = async () => {
        const r = await w.get(a.id);
        return [r?.attendanceCursor, r?.doorCursor, r?.delivered, r?.attempts, r?.lastSuccessAt, r?.lastError, r?.lastErrorAt];
      };
      await w.failed(a.id, 2, "HTTP 500", T0 + 1);
      assert.deepEqual(await state(), [0, 0, 0, 2, null, "HTTP 500", T0 + 1]);
      await w.delivered(a.id, { attendanceCursor: 10, doorCursor: 4 }, 10, T0 + 2);
      assert.deepEqual(await state(), [10, 4, 10, 0, T0 + 2, "HTTP 500", T0 + 1]);
      // A late settlement never moves a cursor back; a skip (count 0) is not a success.
      await w.delivered(a.id, { attendanceCursor: 8, doorCursor: 6 }, 0, T0 + 3);
      assert.deepEqual(await state(), [10, 6, 10, 0, T0 + 2, "HTTP 500", T0 + 1]);
      await w.failed(a.id, 5, "HTTP 400", T0 + 4);
      const dead = await w.deadLetter(a.id, letter(11, { attendanceCursor: 11, doorCursor: 6, at: T0 + 5 }));
      assert.deepEqual(dead, {
        id: dead.id, webhookId: a.id, batchId: "b-11", records: '[{"id":11}]', recordCount: 1, attempts: 5, lastError: "HTTP 400", status: "dead",
        createdAt: T0 + 5, updatedAt: T0 + 5,
      });
      assert.deepEqual(await state(), [11, 6, 10, 0, T0 + 2, "HTTP 400", T0 + 5]);
    });

    test("dead letters: pages newest first, by status; get within its webhook; count of the dead; settle", async () => {
      const t = await fresh();
      const w = t.store.webhooks;
      const a = await w.create(hook());
      const other = await w.create(hook({ name: "Other" }));
      const ids = [];
      for (const n of [1, 2, 3]) ids.push((await w.deadLetter(a.id, letter(n))).id);
      await w.deadLetter(other.id, letter(4));
      const p1 = await w.deadLetters(a.id, { limit: 2 });
      assert.deepEqual(p1.items.map((l) => l.batchId), ["b-3", "b-2"]);
      const p2 = await w.deadLetters(a.id, { limit: 2, cursor: p1.next ?? undefined });
      assert.deepEqual([p2.items.map((l) => l.batchId), p2.next], [["b-1"], null]);
      const [first, second, third] = ids as [number, number, number];
      const settled = await w.settleDeadLetter(second, { status: "delivered", attempts: 6, error: "", at: T0 + 10 });
      assert.deepEqual([settled?.status, settled?.attempts, settled?.updatedAt, settled?.createdAt], ["delivered", 6, T0 + 10, T0 + 2]);
      const again = await w.settleDeadLetter(third, { status: "dead", attempts: 7, error: "HTTP 502", at: T0 + 11 });
      assert.deepEqual([again?.status, again?.attempts, again?.lastError], ["dead", 7, "HTTP 502"]);
      assert.deepEqual((await w.deadLetters(a.id, { status: "dead", limit: 10 })).items.map((l) => l.batchId), ["b-3", "b-1"]);
      assert.deepEqual((await w.deadLetters(a.id, { status: "delivered", limit: 10 })).items.map((l) => l.batchId), ["b-2"]);
      assert.equal(await w.deadLetterCount(a.id), 2);
      assert.equal(await w.deadLetterCount(other.id), 1);
      assert.equal((await w.getDeadLetter(a.id, first))?.batchId, "b-1");
      assert.equal(await w.getDeadLetter(other.id, first), null);
      assert.equal(await w.settleDeadLetter(third + 100, { status: "delivered", attempts: 1, error: "", at: T0 }), null);
      await assert.rejects(w.deadLetters(a.id, { limit: 2, cursor: "nope" }), (err: unknown) => err instanceof AppError && err.code === "bad_cursor");
    });
  });

  describe("hrDestinations: HR destinations, outbox cursor, skip counts, dead letters", () => {
    test("create, list, get, update, delete with its dead letters", async () => {
      const t = await fresh();
      const h = t.store.hrDestinations;
      const a = await h.create(hr());
      assert.deepEqual(a, {
        id: a.id, name: "ERPNext", kind: "erpnext", url: "https://erp.example", settings: '{"shiftTypes":["Day"]}', credentialsSealed: "v1:sealed",
        employeeIdFrom: "external_id", terminals: '["SN1"]', enabled: true, batchSize: 50, timeoutMs: 5000, maxAttempts: 10, cursor: 0, delivered: 0,
        skipped: "{}", lastSkip: null, attempts: 0, lastSuccessAt: null, lastError: null, lastErrorAt: null, createdAt: T0, updatedAt: T0,
      });
      const b = await h.create(hr({ name: "Odoo", kind: "odoo", terminals: null, credentialsSealed: null, employeeIdFrom: "enrollid", cursor: 42, at: T0 + 1 }));
      assert.deepEqual([b.terminals, b.credentialsSealed, b.employeeIdFrom, b.cursor], [null, null, "enrollid", 42]);
      assert.deepEqual((await h.list()).map((x) => x.id), [a.id, b.id]);
      assert.deepEqual(await h.get(a.id), a);
      const u = await h.update(a.id, { terminals: null, enabled: false, settings: "{}", credentialsSealed: null, maxAttempts: 3 }, T0 + 2);
      assert.deepEqual(
        [u?.terminals, u?.enabled, u?.settings, u?.credentialsSealed, u?.maxAttempts, u?.updatedAt, u?.createdAt, u?.name],
        [null, false, "{}", null, 3, T0 + 2, T0, "ERPNext"],
      );
      assert.equal(await h.update(b.id + 100, { enabled: true }, T0), null);
      assert.equal(await h.get(b.id + 100), null);
      await h.deadLetter(b.id, hrLetter(50));
      assert.equal(await h.delete(b.id), true);
      assert.equal(await h.delete(b.id), false);
      assert.equal(await h.deadLetterCount(b.id), 0);
      assert.deepEqual(await t.rows("SELECT count(*) AS n FROM hr_dead_letters"), [{ n: 0 }]);
      assert.deepEqual((await h.list()).map((x) => x.id), [a.id]);
    });

    test("progressed moves the cursor forward only and adds counts; failed keeps the cursor; a dead letter passes its record", async () => {
      const t = await fresh();
      const h = t.store.hrDestinations;
      const a = await h.create(hr());
      const state = async () => {
        const r = await h.get(a.id);
        return [r?.cursor, r?.delivered, JSON.parse(r?.skipped ?? "null"), r?.lastSkip, r?.attempts, r?.lastSuccessAt, r?.lastError, r?.lastErrorAt];
      };
      await h.failed(a.id, 2, "HTTP 500", T0 + 1);
      assert.deepEqual(await state(), [0, 0, {}, null, 2, null, "HTTP 500", T0 + 1]);
      await h.progressed(a.id, { cursor: 10, delivered: 7, skipped: { duplicate: 2, unknown_employee: 1 }, lastSkip: "4: No Employee found", at: T0 + 2 });
      assert.deepEqual(await state(), [10, 7, { duplicate: 2, unknown_employee: 1 }, "4: No Employee found", 0, T0 + 2, "HTTP 500", T0 + 1]);
      await h.progressed(a.id, { cursor: 12, delivered: 0, skipped: { duplicate: 1, inactive_employee: 1 }, lastSkip: null, at: T0 + 3 });
      assert.deepEqual(await state(), [12, 7, { duplicate: 3, unknown_employee: 1, inactive_employee: 1 }, "4: No Employee found", 0, T0 + 3, "HTTP 500", T0 + 1]);
      // A late settlement never moves the cursor back; a mere skip past other terminals' rows is not a success.
      await h.failed(a.id, 1, "HTTP 502", T0 + 4);
      await h.progressed(a.id, { cursor: 9, delivered: 0, skipped: {}, lastSkip: null, at: T0 + 5 });
      assert.deepEqual(await state(), [12, 7, { duplicate: 3, unknown_employee: 1, inactive_employee: 1 }, "4: No Employee found", 1, T0 + 3, "HTTP 502", T0 + 4]);
      const dead = await h.deadLetter(a.id, hrLetter(13, { at: T0 + 6 }));
      assert.deepEqual(dead, {
        id: dead.id, destinationId: a.id, recordId: 13, record: '{"id":13}', attempts: 10, lastError: "HTTP 500: boom", status: "dead", createdAt: T0 + 6, updatedAt: T0 + 6,
      });
      assert.deepEqual(await state(), [13, 7, { duplicate: 3, unknown_employee: 1, inactive_employee: 1 }, "4: No Employee found", 0, T0 + 3, "HTTP 500: boom", T0 + 6]);
      // Progress for a destination that is gone changes nothing and does not fail.
      await h.progressed(a.id + 100, { cursor: 99, delivered: 1, skipped: { duplicate: 1 }, lastSkip: null, at: T0 });
    });

    test("dead letters: pages newest first, by status; get within its destination; count of the dead; settle", async () => {
      const t = await fresh();
      const h = t.store.hrDestinations;
      const a = await h.create(hr());
      const other = await h.create(hr({ name: "Other" }));
      const ids = [];
      for (const n of [1, 2, 3]) ids.push((await h.deadLetter(a.id, hrLetter(n))).id);
      await h.deadLetter(other.id, hrLetter(4));
      const p1 = await h.deadLetters(a.id, { limit: 2 });
      assert.deepEqual(p1.items.map((l) => l.recordId), [3, 2]);
      const p2 = await h.deadLetters(a.id, { limit: 2, cursor: p1.next ?? undefined });
      assert.deepEqual([p2.items.map((l) => l.recordId), p2.next], [[1], null]);
      const [first, second, third] = ids as [number, number, number];
      const settled = await h.settleDeadLetter(second, { status: "delivered", attempts: 11, error: "HTTP 500: boom", at: T0 + 10 });
      assert.deepEqual([settled?.status, settled?.attempts, settled?.updatedAt, settled?.createdAt], ["delivered", 11, T0 + 10, T0 + 2]);
      const again = await h.settleDeadLetter(third, { status: "dead", attempts: 12, error: "HTTP 502", at: T0 + 11 });
      assert.deepEqual([again?.status, again?.attempts, again?.lastError], ["dead", 12, "HTTP 502"]);
      assert.deepEqual((await h.deadLetters(a.id, { status: "dead", limit: 10 })).items.map((l) => l.recordId), [3, 1]);
      assert.deepEqual((await h.deadLetters(a.id, { status: "delivered", limit: 10 })).items.map((l) => l.recordId), [2]);
      assert.equal(await h.deadLetterCount(a.id), 2);
      assert.equal(await h.deadLetterCount(other.id), 1);
      assert.equal((await h.getDeadLetter(a.id, first))?.recordId, 1);
      assert.equal(await h.getDeadLetter(other.id, first), null);
      assert.equal(await h.settleDeadLetter(third + 100, { status: "delivered", attempts: 1, error: "", at: T0 }), null);
      await assert.rejects(h.deadLetters(a.id, { limit: 2, cursor: "nope" }), (err: unknown) => err instanceof AppError && err.code === "bad_cursor");
    });
  });
}
