/**
 * The store contract: every Store method, with exact results, as cases that run on every store.
 * `contractCases(target)` registers them (node:test + node:assert/strict, so that the same cases
 * also run under Node); each test file supplies a target that opens a fresh, empty, migrated store:
 *   sqlite-store.test.ts  bun:sqlite under `bun test`, better-sqlite3 under `node --test`
 *   pg-store.test.ts      PgStore on the local PostgreSQL, a schema per store, dropped after
 * What only one engine has (pragmas, WAL, schema introspection, lock behaviour) stays in its file.
 *
 * Adding a Store method? Append a `describe("<method>")` block at the end: `fresh()` gives a
 * migrated store of its own (disposed after each test), `punch()` builds records.
 */
import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import type { Punch, TerminalFilter, WriteOp } from "../../src/store/contract.ts";
import type { OutboundStore } from "../../src/store/export-contract.ts";
import { type NewCommand, type PersonInput, SERVER_ACTOR } from "../../src/store/commands-contract.ts";
import { AppError } from "../../src/lib/app-error.ts";
import { HELD_PER_TERMINAL } from "../../src/store/held-changes.ts";
import { QUARANTINE_PER_TERMINAL, QUARANTINE_RAW_MAX } from "../../src/store/quarantine-bounds.ts";
import { credentialOp, ok, punch, punchesOp, T0 } from "./fixtures.ts";
import { checkImportSources } from "./import-sources-contract.ts";
import { adminCases, outboundCases } from "./outbound-cases.ts";
import { timesheetCases } from "./timesheets-cases.ts";
import { accessCases } from "./access-cases.ts";
import { deriveAlerts, terminalConditions } from "../../src/alerts/derive.ts";
import { NEARLY_FULL, TERMINAL_KINDS, type TerminalKind } from "../../src/alerts/model.ts";
import { AlertSource } from "../../src/alerts/source.ts";
import { SiteSettings } from "../../src/settings/site-settings.ts";
import type { TerminalRow } from "../../src/store/schema.ts";

/** A fresh store of one engine and the test's own way into its database. */
export interface ContractStore {
  store: OutboundStore;
  /** Rows of a query on a connection of the test's own (for tables the contract has no reader for); integers as numbers. */
  rows(query: string): Promise<unknown[]>;
  /** A statement on that connection. */
  exec(query: string): Promise<void>;
  /** Closes the store and waits until it is closed. */
  close(): Promise<void>;
  /** Opens the same database again (after `close`). */
  reopen(): Promise<OutboundStore>;
  /** Closes everything still open and removes the database. */
  dispose(): Promise<void>;
}

export interface ContractTarget {
  name: string;
  /** The engine's migrations, in the order they are applied. */
  migrations: ReadonlyArray<{ name: string }>;
  /** An empty, migrated store whose clock (migration times) reads `T0`. */
  fresh(): Promise<ContractStore>;
}

function seenOp(sn: string, extra: Partial<Extract<WriteOp, { type: "terminal-seen" }>> = {}): WriteOp {
  return {
    type: "terminal-seen",
    sn,
    at: T0,
    sessionId: "s1",
    remoteAddr: "10.0.0.5",
    cpusn: null,
    devinfo: null,
    approvalIfNew: "approved",
    online: true,
    ...extra,
  };
}


export function contractCases(target: ContractTarget): void {
  describe(`store contract on ${target.name}`, () => {
    const open: ContractStore[] = [];
    afterEach(async () => {
      for (const t of open.splice(0).reverse()) await t.dispose();
    });
    async function fresh(): Promise<ContractStore> {
      const t = await target.fresh();
      open.push(t);
      return t;
    }

    describe("opening: migrations", () => {
      test("a new store gets every migration once; reopening applies none and keeps the data", async () => {
        const t = await fresh();
        assert.deepEqual(await t.rows("SELECT name, applied_at FROM _migrations ORDER BY name"), target.migrations.map((m) => ({ name: m.name, applied_at: T0 })));
        await t.store.write([punchesOp("SN1", [punch(1, "2026-01-05 08:00:00")])]);
        await t.close();
        const again = await t.reopen();
        assert.deepEqual(await t.rows("SELECT count(*) AS n FROM _migrations"), [{ n: target.migrations.length }]);
        assert.equal((await again.stats()).attendance_total, 1);
      });
    });

    describe("write: punches", () => {
      test("attendance, door events and photos are stored with every field", async () => {
        const t = await fresh();
        const results = await t.store.write([
          punchesOp("SN1", [
            punch(7, "2026-01-05 08:00:00", { mode: 8, inout: 1, event: 2, verifymode: 13, temp: 36.6, image: "AAAA" }),
            punch(0, "2026-01-05 08:01:00", { mode: 0, inout: 0, event: 5 }),
          ]),
        ]);
        assert.deepEqual(results, [ok(2)]);
        const page = await t.store.attendance({ limit: 10 });
        assert.deepEqual(page, {
          items: [
            { id: 1, sn: "SN1", enrollid: 7, time: "2026-01-05 08:00:00", ts: Date.UTC(2026, 0, 5, 8), mode: 8, inout: 1, event: 2, verifymode: 13, temp: 36.6, receivedAt: T0, refused: null },
          ],
          next: null,
        });
        assert.deepEqual(await t.store.doorEvents({ limit: 10 }), {
          items: [{ id: 1, sn: "SN1", time: "2026-01-05 08:01:00", ts: Date.UTC(2026, 0, 5, 8, 1), mode: 0, inout: 0, event: 5, receivedAt: T0 }],
          next: null,
        });
        assert.deepEqual(await t.rows("SELECT attendance_id, data, received_at FROM punch_photos"), [{ attendance_id: 1, data: "AAAA", received_at: T0 }]);
      });

      test("optional fields absent are stored as null", async () => {
        const t = await fresh();
        await t.store.write([punchesOp("SN1", [punch(3, "2026-01-05 09:00:00")])]);
        const [row] = (await t.store.attendance({ limit: 1 })).items;
        assert.equal(row?.verifymode, null);
        assert.equal(row?.temp, null);
        assert.deepEqual(await t.rows("SELECT count(*) AS n FROM punch_photos"), [{ n: 0 }]);
      });

      test("a record sent twice (same batch or a resend) is stored once and counted as a duplicate", async () => {
        const t = await fresh();
        const a = punch(1, "2026-01-05 08:00:00", { image: "PHOTO1" });
        const door = punch(0, "2026-01-05 08:00:00", { event: 1 });
        assert.deepEqual(await t.store.write([punchesOp("SN1", [a, a, door, door])]), [ok(2, 2)]);
        assert.deepEqual(await t.store.write([punchesOp("SN1", [a, door]), punchesOp("SN1", [a])]), [ok(0, 2), ok(0, 1)]);
        // The image of a duplicate is not a second photo, even when it differs.
        assert.deepEqual(await t.store.write([punchesOp("SN1", [{ ...a, image: "PHOTO2" }])]), [ok(0, 1)]);
        const s = await t.store.stats();
        assert.equal(s.attendance_total, 1);
        assert.equal(s.door_events_total, 1);
        assert.deepEqual(await t.rows("SELECT attendance_id, data FROM punch_photos"), [{ attendance_id: 1, data: "PHOTO1" }]);
      });

      test("identity is (sn, enrollid, time, mode, inout, event): any difference is a new record", async () => {
        const t = await fresh();
        const base = punch(1, "2026-01-05 08:00:00");
        const variants = [
          base,
          { ...base, enrollid: 2 },
          { ...base, time: "2026-01-05 08:00:01", ts: base.ts + 1000 },
          { ...base, mode: 2 },
          { ...base, inout: 1 },
          { ...base, event: 3 },
        ];
        assert.deepEqual(await t.store.write([punchesOp("SN1", variants), punchesOp("SN2", [base])]), [ok(6), ok(1)]);
        // verifymode, temp and the receive time are not part of the identity.
        assert.deepEqual(await t.store.write([punchesOp("SN1", [{ ...base, verifymode: 1, temp: 37 }], [], T0 + 5000)]), [ok(0, 1)]);
        const doors = [punch(0, "2026-01-05 08:00:00"), { ...punch(0, "2026-01-05 08:00:00"), event: 1 }, { ...punch(0, "2026-01-05 08:00:00"), mode: 2 }];
        assert.deepEqual(await t.store.write([punchesOp("SN1", doors), punchesOp("SN2", [punch(0, "2026-01-05 08:00:00")])]), [ok(3), ok(1)]);
        assert.equal((await t.store.stats()).attendance_total, 7);
        assert.equal((await t.store.stats()).door_events_total, 4);
      });

      test("attendance by a list of people and door events by a list of codes; an empty list matches nothing", async () => {
        const t = await fresh();
        const people = [punch(1, "2026-01-05 08:00:00"), punch(2, "2026-01-05 08:01:00"), punch(3, "2026-01-05 08:02:00"), punch(1, "2026-01-05 17:00:00")];
        const doors = [0, 1, 5, 2, 6, 7].map((event, i) => punch(0, `2026-01-05 09:0${i}:00`, { event }));
        assert.deepEqual(await t.store.write([punchesOp("SN1", [...people, ...doors])]), [ok(10)]);
        const who = async (enrollids: number[]) => (await t.store.attendance({ limit: 10, enrollids })).items.map((r) => `${r.enrollid} ${r.time}`);
        assert.deepEqual(await who([1, 3]), ["1 2026-01-05 17:00:00", "3 2026-01-05 08:02:00", "1 2026-01-05 08:00:00"]);
        assert.deepEqual(await who([]), []);
        const alarms = await t.store.doorEvents({ limit: 10, events: [5, 6, 7] });
        assert.deepEqual(alarms.items.map((r) => r.event), [7, 6, 5]);
        assert.equal(alarms.next, null);
        const paged = await t.store.doorEvents({ limit: 2, events: [5, 6, 7] });
        assert.deepEqual(paged.items.map((r) => r.event), [7, 6]);
        assert.deepEqual((await t.store.doorEvents({ limit: 2, events: [5, 6, 7], cursor: paged.next ?? "" })).items.map((r) => r.event), [5]);
        assert.deepEqual((await t.store.doorEvents({ limit: 10, events: [] })).items, []);
      });

      test("attendance refused only: the punches the server refused at the door, paged", async () => {
        const t = await fresh();
        const punches = [
          punch(1, "2026-01-05 08:00:00"),
          punch(2, "2026-01-05 08:01:00", { refused: "no_level" }),
          punch(3, "2026-01-05 08:02:00"),
          punch(4, "2026-01-05 08:03:00", { refused: "outside_schedule" }),
          punch(5, "2026-01-05 08:04:00", { refused: "unknown_person" }),
        ];
        assert.deepEqual(await t.store.write([punchesOp("SN1", punches)]), [ok(5)]);
        const first = await t.store.attendance({ limit: 2, refused: true });
        assert.deepEqual(first.items.map((r) => [r.enrollid, r.refused]), [[5, "unknown_person"], [4, "outside_schedule"]]);
        const rest = await t.store.attendance({ limit: 2, refused: true, cursor: first.next ?? "" });
        assert.deepEqual(rest.items.map((r) => [r.enrollid, r.refused]), [[2, "no_level"]]);
        assert.equal(rest.next, null);
        assert.deepEqual((await t.store.attendance({ limit: 10, refused: true, enrollids: [1, 4] })).items.map((r) => r.enrollid), [4]);
        assert.equal((await t.store.attendance({ limit: 10 })).items.length, 5);
      });

      test("quarantined records of a batch are kept with the terminal, raw JSON and reason", async () => {
        const t = await fresh();
        const bad = { kind: "sendlog", raw: '{"enrollid":1,"time":"2026-13-01 00:00:00"}', reason: "record[1] time: not a valid time" };
        assert.deepEqual(await t.store.write([punchesOp("SN1", [punch(1, "2026-01-05 08:00:00")], [bad], T0 + 1)]), [ok(1, 0, 1)]);
        assert.deepEqual(await t.store.quarantined({ limit: 10 }), { items: [{ id: 1, sn: "SN1", ...bad, receivedAt: T0 + 1, originalBytes: null }], next: null });
      });

      test("a batch of only bad records stores its quarantine and no punch", async () => {
        const t = await fresh();
        const bad = { kind: "sendlog", raw: "{}", reason: "record[0] enrollid: required" };
        assert.deepEqual(await t.store.write([punchesOp("SN1", [], [bad, bad])]), [ok(0, 0, 2)]);
        assert.equal((await t.store.stats()).quarantined_total, 2);
      });
    });

    describe("write: quarantine op", () => {
      test("stores each entry, with or without a terminal", async () => {
        const t = await fresh();
        const op: WriteOp = { type: "quarantine", sn: null, at: T0, entries: [{ kind: "frame", raw: "not json", reason: "frame is not JSON" }] };
        const op2: WriteOp = { type: "quarantine", sn: "SN9", at: T0 + 1, entries: [{ kind: "senduser", raw: "{}", reason: "enrollid: required" }] };
        assert.deepEqual(await t.store.write([op, op2]), [ok(0, 0, 1), ok(0, 0, 1)]);
        assert.deepEqual((await t.store.quarantined({ limit: 10 })).items, [
          { id: 2, sn: "SN9", kind: "senduser", raw: "{}", reason: "enrollid: required", receivedAt: T0 + 1, originalBytes: null },
          { id: 1, sn: null, kind: "frame", raw: "not json", reason: "frame is not JSON", receivedAt: T0, originalBytes: null },
        ]);
      });
    });

    describe("write: one transaction, one savepoint per op", () => {
      test("a failing op is rolled back alone; the others commit", async () => {
        const t = await fresh();
        const broken = { ...punch(2, "2026-01-05 08:00:00"), ts: null } as unknown as Punch;
        const results = await t.store.write([
          punchesOp("A", [punch(1, "2026-01-05 08:00:00")]),
          punchesOp("B", [punch(1, "2026-01-05 08:00:00"), broken], [{ kind: "sendlog", raw: "{}", reason: "x" }]),
          punchesOp("C", [punch(1, "2026-01-05 08:00:00")]),
          seenOp("C"),
        ]);
        assert.equal(results.length, 4);
        assert.deepEqual(results[0], ok(1));
        assert.equal(results[1]?.ok, false);
        assert.ok(results[1]?.ok === false && results[1].error instanceof Error);
        assert.deepEqual(results[2], ok(1));
        assert.equal(results[3]?.ok, true);
        const items = (await t.store.attendance({ limit: 10 })).items.map((r) => r.sn).sort();
        assert.deepEqual(items, ["A", "C"]);
        assert.equal((await t.store.stats()).quarantined_total, 0);
        assert.equal((await t.store.getTerminal("C"))?.sn, "C");
      });

      test("records repeated across the ops of one commit count for the first op that has them, also when an op between them fails", async () => {
        const t = await fresh();
        const withPhoto = (id: number) => punch(id, "2026-01-05 08:00:00", { image: `P${id}` });
        const [a, b, c, d] = [withPhoto(1), withPhoto(2), withPhoto(3), withPhoto(4)];
        const door = punch(0, "2026-01-05 08:00:00");
        const broken = { ...punch(5, "2026-01-05 08:00:00"), ts: null } as unknown as Punch;
        const q = { kind: "sendlog", raw: "{}", reason: "x" };
        const results = await t.store.write([
          punchesOp("A", [a, b, door]),
          punchesOp("A", [b, c, door], [q]),
          punchesOp("A", [d, a, broken], [q]),
          punchesOp("A", [d, { ...c, image: "other" }]),
        ]);
        assert.deepEqual(results.map((r) => (r.ok ? r : "failed")), [ok(3), ok(1, 2, 1), "failed", ok(1, 1)]);
        // In commit order, each with the photo of its first occurrence.
        assert.deepEqual(await t.rows("SELECT a.enrollid, p.data FROM attendance a LEFT JOIN punch_photos p ON p.attendance_id = a.id ORDER BY a.id"), [
          { enrollid: 1, data: "P1" }, { enrollid: 2, data: "P2" }, { enrollid: 3, data: "P3" }, { enrollid: 4, data: "P4" },
        ]);
        assert.equal((await t.store.stats()).door_events_total, 1);
        assert.equal((await t.store.stats()).quarantined_total, 1);
      });

      test("an empty list of ops is an empty result", async () => {
        const t = await fresh();
        assert.deepEqual(await t.store.write([]), []);
      });
    });

    describe("write: terminal-seen, last-seen, offline", () => {
      const devinfo = {
        modelname: "tfs30", firmware: "TH900_click V5.0", fpalgo: "thbio3.0", mac: "00-01-F5-02-7D-5F", time: "2026-04-30 11:59:37",
        usersize: 3000, useduser: 2, fpsize: 3000, usedfp: 2, cardsize: 3000, usedcard: 0, pwdsize: 3000, usedpwd: 0,
        logsize: 193877, usedlog: 1, usednewlog: 0, facesize: 100, usedface: 3, palmsize: 50, usedpalm: 4, vendorextra: { a: 1 },
      };

      test("a new terminal under the open policy is approved, online, with its devinfo in columns and whole", async () => {
        const t = await fresh();
        const [r] = await t.store.write([seenOp("ZYTI1", { cpusn: "CPU1", devinfo })]);
        assert.deepEqual(r, { ...ok(1), approval: "approved", nosenduser: false });
        assert.deepEqual(await t.store.getTerminal("ZYTI1"), {
          sn: "ZYTI1", name: null, location: null, approval: "approved", online: true, firstSeen: T0, lastSeen: T0,
          remoteAddr: "10.0.0.5", cpusn: "CPU1", model: "tfs30", firmware: "TH900_click V5.0", fpalgo: "thbio3.0",
          mac: "00-01-F5-02-7D-5F", userSize: 3000, userUsed: 2, fpSize: 3000, fpUsed: 2, cardSize: 3000, cardUsed: 0,
          pwdSize: 3000, pwdUsed: 0, logSize: 193877, logUsed: 1, newlogUsed: 0, faceSize: 100, faceUsed: 3, palmSize: 50,
          palmUsed: 4, terminalTime: "2026-04-30 11:59:37", devinfo: JSON.stringify(devinfo), nosenduser: false, accessMode: "terminal", siteEntrance: false, sessionId: "s1",
          mismatchCpusn: null, mismatchMac: null, mismatchAddr: null, mismatchAt: null,
        });
      });

      test("seen again: first seen kept, last seen and address updated, cpusn and devinfo kept when not sent", async () => {
        const t = await fresh();
        await t.store.write([seenOp("ZYTI1", { cpusn: "CPU1", devinfo })]);
        const [r] = await t.store.write([seenOp("ZYTI1", { at: T0 + 1000, sessionId: "s2", remoteAddr: "10.0.0.6" })]);
        assert.deepEqual(r, { ...ok(0), approval: "approved", nosenduser: false });
        const row = await t.store.getTerminal("ZYTI1");
        assert.equal(row?.firstSeen, T0);
        assert.equal(row?.lastSeen, T0 + 1000);
        assert.equal(row?.remoteAddr, "10.0.0.6");
        assert.equal(row?.cpusn, "CPU1");
        assert.equal(row?.model, "tfs30");
        assert.equal(row?.devinfo, JSON.stringify(devinfo));
        assert.equal(row?.sessionId, "s2");
      });

      test("under the approve policy a new terminal is pending and not online; an approved one stays approved", async () => {
        const t = await fresh();
        const [pending] = await t.store.write([seenOp("NEW1", { approvalIfNew: "pending" })]);
        assert.deepEqual(pending, { ...ok(1), approval: "pending", nosenduser: false });
        const row = await t.store.getTerminal("NEW1");
        assert.equal(row?.approval, "pending");
        assert.equal(row?.online, false);
        assert.equal(row?.sessionId, null);
        await t.store.write([seenOp("OLD1")]);
        const [again] = await t.store.write([seenOp("OLD1", { approvalIfNew: "pending", sessionId: "s2" })]);
        assert.deepEqual(again, { ...ok(0), approval: "approved", nosenduser: false });
        assert.equal((await t.store.getTerminal("OLD1"))?.sessionId, "s2");
      });

      test("the pending list is capped: a new sn beyond maxPending is refused and not stored; known ones are still seen", async () => {
        const t = await fresh();
        const pending = (sn: string, at = T0) => seenOp(sn, { approvalIfNew: "pending", maxPending: 2, at });
        assert.deepEqual(await t.store.write([pending("P1"), pending("P2")]), [
          { ...ok(1), approval: "pending", nosenduser: false },
          { ...ok(1), approval: "pending", nosenduser: false },
        ]);
        const [full] = await t.store.write([pending("P3")]);
        assert.deepEqual(full, { ...ok(0), approval: "pending", nosenduser: false, pendingFull: true });
        assert.equal(await t.store.getTerminal("P3"), null);
        const [known] = await t.store.write([pending("P1", T0 + 1000)]);
        assert.deepEqual(known, { ...ok(0), approval: "pending", nosenduser: false });
        assert.equal((await t.store.getTerminal("P1"))?.lastSeen, T0 + 1000);
        // Approved terminals do not count; a new one is admitted once a pending one is decided.
        await t.store.setApproval("P2", "approved", T0);
        const [admitted] = await t.store.write([pending("P3")]);
        assert.deepEqual(admitted, { ...ok(1), approval: "pending", nosenduser: false });
        assert.deepEqual((await t.store.listTerminals()).map((r) => [r.sn, r.approval]).sort(), [["P1", "pending"], ["P2", "approved"], ["P3", "pending"]]);
      });

      test("a blocked terminal stays blocked and offline whatever the policy", async () => {
        const t = await fresh();
        await t.store.write([seenOp("BAD1")]);
        await t.store.setApproval("BAD1", "blocked", T0);
        const [r] = await t.store.write([seenOp("BAD1", { sessionId: "s9" })]);
        assert.deepEqual(r, { ...ok(0), approval: "blocked", nosenduser: false });
        const row = await t.store.getTerminal("BAD1");
        assert.equal(row?.online, false);
      });

      test("a registration not marked online leaves the live session connected", async () => {
        const t = await fresh();
        await t.store.write([seenOp("LIVE1", { sessionId: "live" })]);
        await t.store.write([seenOp("LIVE1", { sessionId: "other", online: false, at: T0 + 5 })]);
        const row = await t.store.getTerminal("LIVE1");
        assert.equal(row?.online, true);
        assert.equal(row?.sessionId, "live");
        assert.equal(row?.lastSeen, T0 + 5);
      });

      test("terminal-offline applies only to the latest session (a stale socket's close is a no-op)", async () => {
        const t = await fresh();
        await t.store.write([seenOp("R1", { sessionId: "old" })]);
        await t.store.write([seenOp("R1", { sessionId: "new", at: T0 + 10 })]);
        assert.deepEqual(await t.store.write([{ type: "terminal-offline", sn: "R1", at: T0 + 20, sessionId: "old" }]), [ok(0)]);
        let row = await t.store.getTerminal("R1");
        assert.equal(row?.online, true);
        assert.equal(row?.lastSeen, T0 + 10);
        await t.store.write([{ type: "terminal-offline", sn: "R1", at: T0 + 30, sessionId: "new" }]);
        row = await t.store.getTerminal("R1");
        assert.equal(row?.online, false);
        assert.equal(row?.lastSeen, T0 + 30);
      });

      test("terminals-last-seen updates only last seen, and ignores unknown terminals", async () => {
        const t = await fresh();
        await t.store.write([seenOp("A"), seenOp("B")]);
        const results = await t.store.write([{ type: "terminals-last-seen", entries: [{ sn: "A", at: T0 + 100 }, { sn: "GHOST", at: T0 + 100 }] }]);
        assert.deepEqual(results, [ok(0)]);
        assert.equal((await t.store.getTerminal("A"))?.lastSeen, T0 + 100);
        assert.equal((await t.store.getTerminal("B"))?.lastSeen, T0);
        assert.equal(await t.store.getTerminal("GHOST"), null);
      });
    });

    describe("terminals: get, list, approval, update, markAllOffline", () => {
      test("listTerminals is ordered by serial number; getTerminal of an unknown one is null", async () => {
        const t = await fresh();
        await t.store.write([seenOp("C3"), seenOp("A1"), seenOp("B2")]);
        assert.deepEqual((await t.store.listTerminals()).map((r) => r.sn), ["A1", "B2", "C3"]);
        assert.equal(await t.store.getTerminal("nope"), null);
      });

      test("setApproval: approve keeps the connection state, block and pending take it away; last seen never goes back", async () => {
        const t = await fresh();
        await t.store.write([seenOp("P1", { approvalIfNew: "pending" }), seenOp("A1")]);
        let row = await t.store.setApproval("P1", "approved", T0 - 1000);
        assert.equal(row?.approval, "approved");
        assert.equal(row?.online, false);
        assert.equal(row?.lastSeen, T0);
        row = await t.store.setApproval("A1", "approved", T0 + 1000);
        assert.equal(row?.online, true);
        assert.equal(row?.lastSeen, T0 + 1000);
        row = await t.store.setApproval("A1", "blocked", T0 + 2000);
        assert.equal(row?.approval, "blocked");
        assert.equal(row?.online, false);
        assert.deepEqual(await t.store.getTerminal("A1"), row);
        assert.equal(await t.store.setApproval("GHOST", "approved", T0), null);
      });

      test("terminalsPage: by sn, keyset pages, searched in sn, name and location (case ignored, % literal)", async () => {
        const t = await fresh();
        await t.store.write([seenOp("A1"), seenOp("B2"), seenOp("C3"), seenOp("D4")]);
        await t.store.updateTerminal("B2", { name: "North Gate" });
        await t.store.updateTerminal("D4", { location: "gate 100%" });
        const p1 = await t.store.terminalsPage({ limit: 3 });
        assert.deepEqual(p1.items.map((r) => r.sn), ["A1", "B2", "C3"]);
        const p2 = await t.store.terminalsPage({ limit: 3, cursor: p1.next ?? undefined });
        assert.deepEqual([p2.items.map((r) => r.sn), p2.next], [["D4"], null]);
        assert.deepEqual((await t.store.terminalsPage({ q: "GATE", limit: 10 })).items.map((r) => r.sn), ["B2", "D4"]);
        assert.deepEqual((await t.store.terminalsPage({ q: "c3", limit: 10 })).items.map((r) => r.sn), ["C3"]);
        assert.deepEqual((await t.store.terminalsPage({ q: "0%", limit: 10 })).items.map((r) => r.sn), ["D4"]);
        assert.deepEqual((await t.store.terminalsPage({ q: "_", limit: 10 })).items, []);
      });

      test("terminalsPage by status and by serial numbers; terminalCounts counts each status", async () => {
        const t = await fresh();
        await t.store.write([seenOp("A1"), seenOp("B2"), seenOp("C3", { approvalIfNew: "pending", online: false }), seenOp("D4"), seenOp("E5")]);
        await t.store.write([{ type: "terminal-offline", sn: "B2", at: T0 + 1, sessionId: "s1" }]);
        await t.store.setApproval("E5", "blocked", T0 + 2);
        const sns = async (filter: Omit<TerminalFilter, "limit">) => (await t.store.terminalsPage({ ...filter, limit: 10 })).items.map((r) => r.sn);
        assert.deepEqual(await sns({ status: "online" }), ["A1", "D4"]);
        assert.deepEqual(await sns({ status: "offline" }), ["B2"]);
        assert.deepEqual(await sns({ status: "pending" }), ["C3"]);
        assert.deepEqual(await sns({ status: "blocked" }), ["E5"]);
        assert.deepEqual(await sns({ sns: ["E5", "A1", "NOPE"] }), ["A1", "E5"]);
        assert.deepEqual(await sns({ sns: ["A1", "B2", "D4"], status: "online" }), ["A1", "D4"]);
        const p1 = await t.store.terminalsPage({ status: "online", limit: 1 });
        assert.deepEqual((await t.store.terminalsPage({ status: "online", limit: 1, cursor: p1.next ?? undefined })).items.map((r) => r.sn), ["D4"]);
        assert.deepEqual(await t.store.terminalCounts(), { online: 2, offline: 1, pending: 1, blocked: 1 });
        assert.deepEqual(await (await fresh()).store.terminalCounts(), { online: 0, offline: 0, pending: 0, blocked: 0 });
      });

      test("terminalsPage by more serial numbers than one statement binds: each once, bytewise, paged, filtered", async () => {
        const t = await fresh();
        const many = Array.from({ length: 2100 }, (_, i) => `T${String(i).padStart(4, "0")}`);
        await t.store.write([...many.map((sn) => seenOp(sn)), seenOp("a1"), seenOp("B-2")]);
        await t.store.write([{ type: "terminal-offline", sn: "T1500", at: T0 + 1, sessionId: "s1" }]);
        // Asked backwards, with a repeat in another slice, and more serial numbers no terminal has than
        // either engine binds in one statement (SQLite 32,766, PostgreSQL 65,535).
        const unknown = Array.from({ length: 70_000 }, (_, i) => `NOPE${i}`);
        const asked = ["a1", ...unknown, ...[...many].reverse(), "B-2", "T0001"];
        const all = await t.store.terminalsPage({ sns: asked, limit: asked.length });
        // Bytewise: "B-2" before "T…" before "a1".
        assert.deepEqual([all.items.map((r) => r.sn), all.next], [["B-2", ...many, "a1"], null]);
        assert.deepEqual(all.items[1], await t.store.getTerminal("T0000"));
        const p1 = await t.store.terminalsPage({ sns: asked, limit: 1500 });
        assert.deepEqual(p1.items.map((r) => r.sn), ["B-2", ...many.slice(0, 1499)]);
        const p2 = await t.store.terminalsPage({ sns: asked, limit: 1500, cursor: p1.next ?? undefined });
        assert.deepEqual([p2.items.map((r) => r.sn), p2.next], [[...many.slice(1499), "a1"], null]);
        assert.deepEqual((await t.store.terminalsPage({ sns: asked, status: "offline", limit: 10 })).items.map((r) => r.sn), ["T1500"]);
        assert.deepEqual(await t.store.terminalsPage({ sns: [], limit: 10 }), { items: [], next: null });
      });

      test("updateTerminal changes the admin fields only; unknown terminal is null", async () => {
        const t = await fresh();
        await t.store.write([seenOp("U1")]);
        const row = await t.store.updateTerminal("U1", { name: "Gate", location: "Lobby", nosenduser: true });
        assert.equal(row?.name, "Gate");
        assert.equal(row?.location, "Lobby");
        assert.equal(row?.nosenduser, true);
        assert.equal(row?.approval, "approved");
        assert.deepEqual(await t.store.updateTerminal("U1", {}), row);
        assert.equal((await t.store.updateTerminal("U1", { name: null }))?.name, null);
        const [seen] = await t.store.write([seenOp("U1")]);
        assert.deepEqual(seen, { ...ok(0), approval: "approved", nosenduser: true });
        assert.equal(await t.store.updateTerminal("GHOST", { name: "x" }), null);
        // A site entrance (issue 16, presence) is kept until changed back.
        assert.equal(row?.siteEntrance, false);
        assert.equal((await t.store.updateTerminal("U1", { siteEntrance: true }))?.siteEntrance, true);
        assert.equal((await t.store.getTerminal("U1"))?.siteEntrance, true);
        assert.equal((await t.store.updateTerminal("U1", { siteEntrance: false }))?.siteEntrance, false);
      });

      test("markAllOffline", async () => {
        const t = await fresh();
        await t.store.write([seenOp("A"), seenOp("B")]);
        await t.store.markAllOffline();
        assert.deepEqual((await t.store.listTerminals()).map((r) => [r.sn, r.online]), [["A", false], ["B", false]]);
        assert.equal((await t.store.stats()).terminals_online, 0);
      });
    });

    describe("write: credential; people and QR codes", () => {
      const cred = credentialOp;

      test("a credential creates its person; a second one of the same kind replaces it", async () => {
        const t = await fresh();
        const applied = { ...ok(1), terminalChange: "applied" };
        assert.deepEqual(await t.store.write([cred(1, 0, "c523(200)ff"), cred(1, 11, "12345678")]), [applied, applied]);
        assert.deepEqual(await t.store.getPerson(1), {
          enrollid: 1, name: "Ben", admin: 0, enabled: true, validFrom: null, validTo: null, externalId: null, createdAt: T0, updatedAt: T0,
        });
        // A pull (an admin's request) bringing back what the site has: stored again, the source noted.
        const resend = cred(1, 0, "c523(200)ff", { sn: "SN2", at: T0 + 5, name: undefined, via: "getuserinfo" });
        assert.deepEqual(await t.store.write([resend]), [{ ...ok(1), terminalChange: "unchanged" }]);
        // Replacing the template is an escalation: the write path holds it (see "held changes" below).
        await t.store.write([cred(1, 0, "c524(100)ee", { sn: "SN2", at: T0 + 5, name: undefined, admin: 1 })]);
        assert.ok(await t.store.people.approveHeldChange(1, T0 + 5));
        assert.deepEqual(await t.store.credentialsOf(1), [
          { backupnum: 0, data: "c524(100)ee" },
          { backupnum: 11, data: "12345678" },
        ]);
        const person = await t.store.getPerson(1);
        assert.equal(person?.name, "Ben");
        assert.equal(person?.admin, 1);
        assert.equal(person?.createdAt, T0);
        assert.equal(person?.updatedAt, T0 + 5);
        assert.deepEqual(await t.rows("SELECT source_sn, updated_at FROM credentials WHERE backupnum = 0"), [{ source_sn: "SN2", updated_at: T0 + 5 }]);
        assert.equal(await t.store.getPerson(2), null);
        assert.deepEqual(await t.store.credentialsOf(2), []);
        assert.equal((await t.store.stats()).people_total, 1);
      });
    });

    describe("reads: attendance and door events, filters and cursors", () => {
      async function seed(t: ContractStore) {
        await t.store.write([
          punchesOp("SN1", [
            punch(1, "2026-01-04 23:59:59"),
            punch(1, "2026-01-05 08:00:00"),
            punch(2, "2026-01-05 08:00:00"),
            punch(3, "2026-01-05 08:00:00"),
            punch(1, "2026-01-05 17:00:00", { inout: 1 }),
            punch(2, "2026-01-06 00:00:00"),
            punch(0, "2026-01-05 07:00:00", { event: 1 }),
            punch(0, "2026-01-05 07:00:05", { event: 0 }),
          ]),
          punchesOp("SN2", [punch(1, "2026-01-05 08:30:00"), punch(4, "2026-01-05 12:00:00"), punch(0, "2026-01-05 09:00:00", { event: 5 })]),
        ]);
      }
      const key = (r: { sn: string; time: string; id: number }) => `${r.sn} ${r.time} #${r.id}`;

      test("newest first, ties by id; filters by sn, enrollid, from (inclusive), to (exclusive)", async () => {
        const t = await fresh();
        await seed(t);
        const all = await t.store.attendance({ limit: 100 });
        assert.deepEqual(all.items.map(key), [
          "SN1 2026-01-06 00:00:00 #6",
          "SN1 2026-01-05 17:00:00 #5",
          "SN2 2026-01-05 12:00:00 #8",
          "SN2 2026-01-05 08:30:00 #7",
          "SN1 2026-01-05 08:00:00 #4",
          "SN1 2026-01-05 08:00:00 #3",
          "SN1 2026-01-05 08:00:00 #2",
          "SN1 2026-01-04 23:59:59 #1",
        ]);
        assert.equal(all.next, null);
        assert.deepEqual((await t.store.attendance({ limit: 100, sn: "SN2" })).items.map(key), ["SN2 2026-01-05 12:00:00 #8", "SN2 2026-01-05 08:30:00 #7"]);
        assert.deepEqual((await t.store.attendance({ limit: 100, enrollid: 1 })).items.map((r) => r.id), [5, 7, 2, 1]);
        assert.deepEqual((await t.store.attendance({ limit: 100, enrollid: 1, sn: "SN1" })).items.map((r) => r.id), [5, 2, 1]);
        assert.deepEqual((await t.store.attendance({ limit: 100, from: "2026-01-05", to: "2026-01-06" })).items.map((r) => r.id), [5, 8, 7, 4, 3, 2]);
        assert.deepEqual((await t.store.attendance({ limit: 100, from: "2026-01-05 08:00:00", to: "2026-01-05 12:00:00" })).items.map((r) => r.id), [7, 4, 3, 2]);
        assert.deepEqual((await t.store.attendance({ limit: 100, enrollid: 99 })).items, []);
      });

      test("cursor pages walk the whole result exactly once, with filters", async () => {
        const t = await fresh();
        await seed(t);
        for (const filter of [{}, { sn: "SN1" }, { from: "2026-01-05", to: "2026-01-06" }, { enrollid: 1 }]) {
          const whole = (await t.store.attendance({ ...filter, limit: 1000 })).items.map((r) => r.id);
          for (const limit of [1, 2, 3]) {
            const seen: number[] = [];
            let cursor: string | undefined;
            let pages = 0;
            do {
              const page = await t.store.attendance({ ...filter, limit, cursor });
              assert.ok(page.items.length <= limit);
              seen.push(...page.items.map((r) => r.id));
              cursor = page.next ?? undefined;
              pages++;
            } while (cursor !== undefined);
            assert.deepEqual(seen, whole, `filter ${JSON.stringify(filter)} limit ${limit}`);
            assert.equal(pages, Math.max(1, Math.ceil(whole.length / limit)));
          }
        }
      });

      test("a page exactly at the end has no next cursor", async () => {
        const t = await fresh();
        await seed(t);
        const first = await t.store.attendance({ limit: 4 });
        assert.deepEqual(first.items.map((r) => r.id), [6, 5, 8, 7]);
        assert.equal(typeof first.next, "string");
        const second = await t.store.attendance({ limit: 4, cursor: first.next ?? undefined });
        assert.deepEqual(second.items.map((r) => r.id), [4, 3, 2, 1]);
        assert.equal(second.next, null);
      });

      test("door events: filters and cursors", async () => {
        const t = await fresh();
        await seed(t);
        assert.deepEqual((await t.store.doorEvents({ limit: 100 })).items.map((r) => `${r.sn} ${r.time} e${r.event}`), [
          "SN2 2026-01-05 09:00:00 e5",
          "SN1 2026-01-05 07:00:05 e0",
          "SN1 2026-01-05 07:00:00 e1",
        ]);
        assert.deepEqual((await t.store.doorEvents({ limit: 100, sn: "SN1", to: "2026-01-05 07:00:05" })).items.map((r) => r.event), [1]);
        const p1 = await t.store.doorEvents({ limit: 2 });
        const p2 = await t.store.doorEvents({ limit: 2, cursor: p1.next ?? undefined });
        assert.deepEqual([...p1.items, ...p2.items].map((r) => r.id), [3, 2, 1]);
        assert.equal(p2.next, null);
      });

      test("recentDoorEvents: the codes asked for, from a site-local time, newest first, bounded", async () => {
        const t = await fresh();
        await seed(t);
        await t.store.write([punchesOp("SN3", [punch(0, "2026-01-05 10:00:00", { event: 6 }), punch(0, "2026-01-05 10:00:01", { event: 5 })])]);
        const show = (rows: Array<{ sn: string; time: string; event: number }>) => rows.map((r) => `${r.sn} ${r.time} e${r.event}`);
        assert.deepEqual(show(await t.store.recentDoorEvents("2026-01-05 00:00:00", [5, 6, 7], 10)), [
          "SN3 2026-01-05 10:00:01 e5",
          "SN3 2026-01-05 10:00:00 e6",
          "SN2 2026-01-05 09:00:00 e5",
        ]);
        assert.deepEqual(show(await t.store.recentDoorEvents("2026-01-05 09:30:00", [5, 6, 7], 10)), ["SN3 2026-01-05 10:00:01 e5", "SN3 2026-01-05 10:00:00 e6"]);
        assert.deepEqual(show(await t.store.recentDoorEvents("2026-01-05 00:00:00", [5, 6, 7], 1)), ["SN3 2026-01-05 10:00:01 e5"]);
        assert.deepEqual(show(await t.store.recentDoorEvents("2026-01-05 00:00:00", [0, 1], 10)), ["SN1 2026-01-05 07:00:05 e0", "SN1 2026-01-05 07:00:00 e1"]);
        assert.deepEqual(await t.store.recentDoorEvents("2026-01-05 00:00:00", [], 10), []);
      });

      test("latestDoorEvents: each terminal's newest door event, none for a terminal without any", async () => {
        const t = await fresh();
        await seed(t);
        await t.store.write([punchesOp("SN3", [punch(0, "2026-01-05 10:00:00", { event: 6 }), punch(0, "2026-01-05 10:00:01", { event: 5 })])]);
        const show = (rows: Array<{ sn: string; time: string; event: number }>) => rows.map((r) => `${r.sn} ${r.time} e${r.event}`).sort();
        assert.deepEqual(show(await t.store.latestDoorEvents(["SN1", "SN2", "SN3", "NONE"])), ["SN1 2026-01-05 07:00:05 e0", "SN2 2026-01-05 09:00:00 e5", "SN3 2026-01-05 10:00:01 e5"]);
        assert.deepEqual(await t.store.latestDoorEvents([]), []);
      });

      test("a cursor that is not ours is an AppError bad_cursor", async () => {
        const t = await fresh();
        await seed(t);
        const badCursor = (err: unknown) => err instanceof AppError && err.code === "bad_cursor";
        for (const cursor of ["garbage!", Buffer.from("[1,2]").toString("base64url"), Buffer.from('["x"]').toString("base64url"), ""]) {
          await assert.rejects(t.store.attendance({ limit: 10, cursor }), badCursor, `cursor ${JSON.stringify(cursor)}`);
          await assert.rejects(t.store.doorEvents({ limit: 10, cursor }), badCursor);
        }
        await assert.rejects(t.store.quarantined({ limit: 10, cursor: "nope" }), badCursor);
        await assert.rejects(t.store.auditLog({ limit: 10, cursor: Buffer.from('["1"]').toString("base64url") }), badCursor);
      });

      test("quarantine pages, newest first", async () => {
        const t = await fresh();
        const entries = Array.from({ length: 5 }, (_, i) => ({ kind: "sendlog", raw: `{"n":${i}}`, reason: `r${i}` }));
        await t.store.write([{ type: "quarantine", sn: "SN1", at: T0, entries }]);
        const p1 = await t.store.quarantined({ limit: 2 });
        const p2 = await t.store.quarantined({ limit: 2, cursor: p1.next ?? undefined });
        const p3 = await t.store.quarantined({ limit: 2, cursor: p2.next ?? undefined });
        assert.deepEqual([p1, p2, p3].map((p) => p.items.map((q) => q.reason)), [["r4", "r3"], ["r2", "r1"], ["r0"]]);
        assert.equal(p3.next, null);
      });
    });

    describe("attendance by number: getAttendance, countAttendance, attendanceSlice", () => {
      test("filters narrow together, time bounds are inclusive, orders and offsets are exact", async () => {
        const t = await fresh();
        await t.store.write([
          punchesOp("A", [punch(1, "2026-01-05 08:00:00"), punch(2, "2026-01-05 09:00:00"), punch(1, "2026-01-05 17:00:00", { inout: 1 })]),
          punchesOp("B", [punch(3, "2026-01-05 07:30:00"), punch(1, "2026-01-06 08:00:00")]),
        ]);
        const times = (rows: Array<{ time: string }>) => rows.map((r) => r.time.slice(5, 16));
        assert.equal(await t.store.countAttendance({}), 5);
        assert.equal(await t.store.countAttendance({ sns: ["A"] }), 3);
        assert.equal(await t.store.countAttendance({ sns: ["A", "B"], enrollids: [1] }), 3);
        assert.equal(await t.store.countAttendance({ sns: [] }), 0);
        assert.equal(await t.store.countAttendance({ enrollids: [] }), 0);
        assert.equal(await t.store.countAttendance({ from: "2026-01-05 09:00:00", until: "2026-01-05 17:00:00" }), 2);
        const ids = (await t.store.attendanceSlice({}, "id", 0, 10)).map((r) => r.id);
        assert.equal(await t.store.countAttendance({ afterId: ids[1], throughId: ids[3] }), 2);
        assert.equal(await t.store.countAttendance({ enrollids: [1], afterId: ids[0] }), 2);

        assert.deepEqual(times(await t.store.attendanceSlice({}, "id", 0, 10)), ["01-05 08:00", "01-05 09:00", "01-05 17:00", "01-05 07:30", "01-06 08:00"]);
        assert.deepEqual(times(await t.store.attendanceSlice({}, "time", 0, 10)), ["01-05 07:30", "01-05 08:00", "01-05 09:00", "01-05 17:00", "01-06 08:00"]);
        assert.deepEqual(times(await t.store.attendanceSlice({}, "-time", 1, 2)), ["01-05 17:00", "01-05 09:00"]);
        assert.deepEqual(times(await t.store.attendanceSlice({}, "-id", 3, 10)), ["01-05 09:00", "01-05 08:00"]);
        assert.deepEqual(times(await t.store.attendanceSlice({ enrollids: [1], until: "2026-01-05 23:59:59" }, "time", 0, 10)), ["01-05 08:00", "01-05 17:00"]);
        assert.deepEqual(await t.store.attendanceSlice({ sns: [] }, "id", 0, 10), []);
        assert.deepEqual(await t.store.attendanceSlice({}, "id", 5, 10), []);

        const [first] = await t.store.attendanceSlice({}, "id", 0, 1);
        assert.ok(first);
        assert.deepEqual(await t.store.getAttendance(first.id), first);
        assert.equal(await t.store.getAttendance(first.id + 1000), null);
      });

      test("peopleOnly leaves out the placeholders of nobody enrolled, in counts and slices alike", async () => {
        const t = await fresh();
        await t.store.write([
          punchesOp("A", [punch(1, "2026-01-05 08:00:00"), punch(99999998, "2026-01-05 08:01:00"), punch(2, "2026-01-05 08:02:00"), punch(99999999, "2026-01-05 08:03:00"), punch(99999997, "2026-01-05 08:04:00")]),
        ]);
        const people = (rows: Array<{ enrollid: number }>) => rows.map((r) => r.enrollid);
        assert.equal(await t.store.countAttendance({}), 5);
        assert.equal(await t.store.countAttendance({ peopleOnly: true }), 3);
        assert.equal(await t.store.countAttendance({ peopleOnly: true, enrollids: [99999998, 2] }), 1);
        assert.deepEqual(people(await t.store.attendanceSlice({ peopleOnly: true }, "time", 0, 10)), [1, 2, 99999997]);
        assert.deepEqual(people(await t.store.attendanceSlice({ peopleOnly: true }, "-id", 1, 10)), [2, 1]);
        const ids = (await t.store.attendanceSlice({}, "id", 0, 10)).map((r) => r.id);
        assert.equal(await t.store.countAttendance({ peopleOnly: true, afterId: ids[0], throughId: ids[3] }), 1);
      });
    });

    describe("punch photos: punchPhoto, withPhotos", () => {
      test("the photo stored with a punch is read back by its row id; rows without one are absent", async () => {
        const t = await fresh();
        await t.store.write([
          punchesOp("F1", [punch(1, "2026-01-05 08:00:00", { image: "/9j/4AAQ" }), punch(2, "2026-01-05 08:01:00"), punch(3, "2026-01-05 08:02:00", { image: "iVBORw0K" })]),
        ]);
        // By time, not id: an engine may give the rows with photos their ids first.
        const [a, b, c] = (await t.store.attendanceSlice({}, "time", 0, 10)).map((r) => r.id);
        assert.ok(a !== undefined && b !== undefined && c !== undefined);
        assert.deepEqual(await t.store.punchPhoto(a), { attendanceId: a, data: "/9j/4AAQ", receivedAt: T0 });
        assert.deepEqual(await t.store.punchPhoto(c), { attendanceId: c, data: "iVBORw0K", receivedAt: T0 });
        assert.equal(await t.store.punchPhoto(b), null);
        assert.equal(await t.store.punchPhoto(a + b + c), null);
        assert.deepEqual([...(await t.store.withPhotos([c, b, a, a + b + c]))].sort((x, y) => x - y), [a, c].sort((x, y) => x - y));
        assert.deepEqual([...(await t.store.withPhotos([]))], []);
        // More ids than one statement takes: every slice is asked.
        const last = Math.max(a, b, c);
        const many = [...Array.from({ length: 1200 }, (_, i) => last + 1 + i), c];
        assert.deepEqual([...(await t.store.withPhotos(many))], [c]);
      });
    });

    describe("stats", () => {
      test("counts every kind of row", async () => {
        const t = await fresh();
        const empty = await t.store.stats();
        assert.deepEqual(
          [empty.attendance_total, empty.door_events_total, empty.quarantined_total, empty.terminals_total, empty.terminals_online, empty.terminals_pending, empty.people_total],
          [0, 0, 0, 0, 0, 0, 0],
        );
        await t.store.write([
          seenOp("A"),
          seenOp("B"),
          seenOp("P", { approvalIfNew: "pending" }),
          seenOp("Q", { approvalIfNew: "pending" }),
          punchesOp("A", [punch(1, "2026-01-05 08:00:00"), punch(2, "2026-01-05 08:00:00"), punch(0, "2026-01-05 08:00:00")], [{ kind: "sendlog", raw: "{}", reason: "x" }]),
          { type: "terminal-offline", sn: "B", at: T0, sessionId: "s1" },
          credentialOp(5, 10, "1", { sn: "A", name: "E" }),
        ]);
        const s = await t.store.stats();
        assert.deepEqual(
          {
            attendance_total: s.attendance_total, door_events_total: s.door_events_total, quarantined_total: s.quarantined_total,
            terminals_total: s.terminals_total, terminals_online: s.terminals_online, terminals_pending: s.terminals_pending, people_total: s.people_total,
          },
          { attendance_total: 2, door_events_total: 1, quarantined_total: 1, terminals_total: 4, terminals_online: 1, terminals_pending: 2, people_total: 1 },
        );
      });
    });

    describe("API tokens", () => {
      test("create, use (last use recorded at most once a minute), list, revoke", async () => {
        const t = await fresh();
        const created = await t.store.createToken("ci", "hash-1", T0);
        assert.deepEqual(created, { id: 1, name: "ci", tokenHash: "hash-1", createdAt: T0, lastUsedAt: null, revokedAt: null, scope: "admin", expiresAt: null });
        await t.store.createToken("ui", "hash-2", T0 + 1);
        await assert.rejects(t.store.createToken("dup", "hash-1", T0 + 2));

        assert.equal(await t.store.useToken("hash-unknown", T0), null);
        assert.equal((await t.store.useToken("hash-1", T0 + 10))?.id, 1);
        assert.equal((await t.store.listTokens())[0]?.lastUsedAt, T0 + 10);
        await t.store.useToken("hash-1", T0 + 10 + 60_000);
        assert.equal((await t.store.listTokens())[0]?.lastUsedAt, T0 + 10);
        await t.store.useToken("hash-1", T0 + 10 + 60_001);
        assert.equal((await t.store.listTokens())[0]?.lastUsedAt, T0 + 60_011);

        assert.equal(await t.store.revokeToken(1, T0 + 100), true);
        assert.equal(await t.store.revokeToken(1, T0 + 200), false);
        assert.equal(await t.store.revokeToken(99, T0), false);
        assert.equal(await t.store.useToken("hash-1", T0 + 300), null);
        assert.equal((await t.store.useToken("hash-2", T0 + 300))?.name, "ui");
        assert.deepEqual(
          (await t.store.listTokens()).map((r) => [r.id, r.name, r.revokedAt]),
          [[1, "ci", T0 + 100], [2, "ui", null]],
        );
      });
    });

    describe("API token scopes and expiry", () => {
      test("a token keeps the scope it was made with; an expired one is not live", async () => {
        const t = await fresh();
        const reader = await t.store.createToken("reports", "hash-r", T0, { scope: "read", expiresAt: T0 + 1000 });
        assert.deepEqual(
          { scope: reader.scope, expiresAt: reader.expiresAt },
          { scope: "read", expiresAt: T0 + 1000 },
        );
        await t.store.createToken("doors", "hash-c", T0, { scope: "commands", expiresAt: null });
        assert.equal((await t.store.useToken("hash-r", T0 + 999))?.scope, "read");
        assert.equal(await t.store.useToken("hash-r", T0 + 1000), null);
        assert.equal((await t.store.useToken("hash-c", T0 + 10 ** 12))?.scope, "commands");
        assert.deepEqual(
          (await t.store.listTokens()).map((r) => [r.name, r.scope, r.expiresAt]),
          [["reports", "read", T0 + 1000], ["doors", "commands", null]],
        );
      });
    });

    describe("audit log", () => {
      test("entries are kept with details as JSON; filters and cursors, newest first", async () => {
        const t = await fresh();
        await t.store.audit({ at: T0, actor: "cli", action: "token.create", target: "1", details: { name: "ci" }, result: "ok" });
        await t.store.audit({ at: T0 + 1, actor: "token:ci", action: "terminal.approve", target: "SN1", result: "ok" });
        await t.store.audit({ at: T0 + 2, actor: "token:ci", action: "terminal.block", target: "SN2", result: "failed: no such terminal" });
        await t.store.audit({ at: T0 + 3, actor: "system", action: "terminal.approve", result: "ok" });
        const all = await t.store.auditLog({ limit: 10 });
        assert.deepEqual(all, {
          items: [
            { id: 4, at: T0 + 3, actor: "system", action: "terminal.approve", target: null, details: null, result: "ok" },
            { id: 3, at: T0 + 2, actor: "token:ci", action: "terminal.block", target: "SN2", details: null, result: "failed: no such terminal" },
            { id: 2, at: T0 + 1, actor: "token:ci", action: "terminal.approve", target: "SN1", details: null, result: "ok" },
            { id: 1, at: T0, actor: "cli", action: "token.create", target: "1", details: '{"name":"ci"}', result: "ok" },
          ],
          next: null,
        });
        assert.deepEqual((await t.store.auditLog({ limit: 10, actor: "token:ci" })).items.map((r) => r.id), [3, 2]);
        assert.deepEqual((await t.store.auditLog({ limit: 10, action: "terminal.approve" })).items.map((r) => r.id), [4, 2]);
        assert.deepEqual((await t.store.auditLog({ limit: 10, target: "SN2" })).items.map((r) => r.id), [3]);
        const p1 = await t.store.auditLog({ limit: 3 });
        assert.deepEqual(p1.items.map((r) => r.id), [4, 3, 2]);
        const p2 = await t.store.auditLog({ limit: 3, cursor: p1.next ?? undefined });
        assert.deepEqual(p2, { items: [all.items[3]], next: null });
      });
    });

    describe("ping, close", () => {
      test("ping succeeds on an open store and fails after close", async () => {
        const t = await fresh();
        await t.store.ping();
        await t.close();
        await assert.rejects(t.store.ping());
      });
    });

    describe("commands: queue, transitions, history, expiry", () => {
      const cmd = (sn: string, command: string, extra: Partial<NewCommand> = {}): NewCommand => ({
        sn, command, params: { enrollid: 1 }, maxAttempts: 3, deadline: null, actor: "token:ci", jobId: null, at: T0, ...extra,
      });

      test("enqueue stores each command queued with a history entry; nextQueued is the oldest of the terminal", async () => {
        const t = await fresh();
        const rows = await t.store.commands.enqueue([cmd("SN1", "getuserinfo"), cmd("SN2", "opendoor", { deadline: T0 + 60_000 }), cmd("SN1", "gettime")]);
        assert.deepEqual(rows.map((r) => [r.id, r.sn, r.command, r.status, r.attempts, r.deadline]), [
          [1, "SN1", "getuserinfo", "queued", 0, null],
          [2, "SN2", "opendoor", "queued", 0, T0 + 60_000],
          [3, "SN1", "gettime", "queued", 0, null],
        ]);
        assert.deepEqual(rows[0], {
          id: 1, sn: "SN1", command: "getuserinfo", params: '{"enrollid":1}', status: "queued", attempts: 0, maxAttempts: 3, deadline: null,
          actor: "token:ci", jobId: null, answer: null, reason: null, createdAt: T0, updatedAt: T0, sentAt: null, finishedAt: null,
        });
        assert.deepEqual(await t.store.commands.enqueue([]), []);
        assert.equal((await t.store.commands.nextQueued("SN1"))?.id, 1);
        assert.equal(await t.store.commands.nextQueued("SN9"), null);
        assert.deepEqual(await t.store.commands.history(1), [{ id: 1, commandId: 1, at: T0, status: "queued", detail: "by token:ci" }]);
      });

      test("nextQueued: a terminal's oldest queued urgent command (door, destructive) before any other, then the oldest", async () => {
        const t = await fresh();
        await t.store.commands.enqueue([
          cmd("SN1", "settime"), cmd("SN1", "getdevinfo"), cmd("SN2", "opendoor"), cmd("SN1", "reboot"), cmd("SN1", "opendoor"), cmd("SN1", "gettime"),
        ]);
        const order: number[] = [];
        for (let next = await t.store.commands.nextQueued("SN1"); next; next = await t.store.commands.nextQueued("SN1")) {
          order.push(next.id);
          await t.store.commands.transition(next.id, ["queued"], { status: "sent", at: T0 + 1 });
        }
        assert.deepEqual(order, [4, 5, 1, 2, 6]);
        // A command sent back to the queue for a retry waits behind an urgent one queued later.
        await t.store.commands.transition(1, ["sent"], { status: "queued", at: T0 + 2 });
        await t.store.commands.enqueue([cmd("SN1", "cleanlog")]);
        assert.equal((await t.store.commands.nextQueued("SN1"))?.command, "cleanlog");
      });

      test("transition only from the given statuses: a cancel cannot win over a send, and the reverse", async () => {
        const t = await fresh();
        await t.store.commands.enqueue([cmd("SN1", "getuserinfo"), cmd("SN1", "gettime")]);
        const sent = await t.store.commands.transition(1, ["queued"], { status: "sent", at: T0 + 1, attempts: 1, detail: "attempt 1 of 3" });
        assert.deepEqual([sent?.status, sent?.attempts, sent?.sentAt, sent?.finishedAt], ["sent", 1, T0 + 1, null]);
        assert.equal(await t.store.commands.transition(1, ["queued"], { status: "cancelled", at: T0 + 2 }), null);
        const done = await t.store.commands.transition(1, ["sent"], { status: "succeeded", at: T0 + 3, answer: { ret: "getuserinfo", result: true } });
        assert.deepEqual([done?.status, done?.answer, done?.finishedAt, done?.reason], ["succeeded", '{"ret":"getuserinfo","result":true}', T0 + 3, null]);
        const cancelled = await t.store.commands.transition(2, ["queued"], { status: "cancelled", at: T0 + 4, reason: "cancelled by token:ci" });
        assert.deepEqual([cancelled?.status, cancelled?.reason, cancelled?.finishedAt], ["cancelled", "cancelled by token:ci", T0 + 4]);
        assert.equal(await t.store.commands.transition(2, ["queued"], { status: "sent", at: T0 + 5 }), null);
        assert.equal(await t.store.commands.nextQueued("SN1"), null);
        assert.deepEqual((await t.store.commands.history(1)).map((h) => [h.status, h.at, h.detail]), [
          ["queued", T0, "by token:ci"],
          ["sent", T0 + 1, "attempt 1 of 3"],
          ["succeeded", T0 + 3, null],
        ]);
      });

      test("list: newest first, by terminal, job and status, with cursors; countByStatus per job", async () => {
        const t = await fresh();
        const job = await t.store.commands.createJob({ kind: "pull", target: "terminal:SN1", params: { sn: "SN1" }, actor: "token:ci", at: T0 });
        await t.store.commands.enqueue([cmd("SN1", "a", { jobId: job.id }), cmd("SN2", "b"), cmd("SN1", "c", { jobId: job.id }), cmd("SN1", "d")]);
        await t.store.commands.transition(3, ["queued"], { status: "sent", at: T0 });
        assert.deepEqual((await t.store.commands.list({ limit: 10 })).items.map((r) => r.id), [4, 3, 2, 1]);
        assert.deepEqual((await t.store.commands.list({ sn: "SN1", limit: 10 })).items.map((r) => r.id), [4, 3, 1]);
        assert.deepEqual((await t.store.commands.list({ jobId: job.id, limit: 10 })).items.map((r) => r.id), [3, 1]);
        assert.deepEqual((await t.store.commands.list({ status: ["sent"], limit: 10 })).items.map((r) => r.id), [3]);
        const p1 = await t.store.commands.list({ limit: 3 });
        assert.deepEqual(p1.items.map((r) => r.id), [4, 3, 2]);
        const p2 = await t.store.commands.list({ limit: 3, cursor: p1.next ?? undefined });
        assert.deepEqual([p2.items.map((r) => r.id), p2.next], [[1], null]);
        assert.deepEqual(await t.store.commands.countByStatus(job.id), { queued: 1, sent: 1 });
        assert.deepEqual(await t.store.commands.countByStatus(99), {});
        // By hand (no job, not the server's own) apart from a job's and the server's commands.
        await t.store.commands.enqueue([cmd("SN1", "gettime", { actor: SERVER_ACTOR })]);
        assert.deepEqual((await t.store.commands.list({ sn: "SN1", origin: "admin", limit: 10 })).items.map((r) => r.id), [4]);
        assert.deepEqual((await t.store.commands.list({ sn: "SN1", origin: "server", limit: 10 })).items.map((r) => r.id), [5, 3, 1]);
        const byServer = await t.store.commands.list({ origin: "server", limit: 2 });
        assert.deepEqual((await t.store.commands.list({ origin: "server", limit: 2, cursor: byServer.next ?? undefined })).items.map((r) => r.id), [1]);
        // One command name (a terminal's last getdevlock, issue 16).
        assert.deepEqual((await t.store.commands.list({ sn: "SN1", command: "d", limit: 10 })).items.map((r) => r.id), [4]);
        assert.deepEqual((await t.store.commands.list({ sn: "SN1", command: "gettime", status: ["queued"], limit: 1 })).items.map((r) => r.id), [5]);
        assert.deepEqual((await t.store.commands.list({ sn: "SN2", command: "d", limit: 10 })).items, []);
      });

      test("expireDue expires queued commands past their deadline only", async () => {
        const t = await fresh();
        await t.store.commands.enqueue([
          cmd("SN1", "opendoor", { deadline: T0 + 10 }),
          cmd("SN1", "reboot", { deadline: T0 + 100 }),
          cmd("SN1", "gettime"),
          cmd("SN1", "cleanlog", { deadline: T0 + 10 }),
        ]);
        await t.store.commands.transition(4, ["queued"], { status: "sent", at: T0 });
        const expired = await t.store.commands.expireDue(T0 + 50);
        assert.deepEqual(expired.map((r) => [r.id, r.status, r.reason, r.finishedAt]), [[1, "expired", "deadline passed before it could be sent", T0 + 50]]);
        assert.deepEqual((await t.store.commands.history(1)).map((h) => h.status), ["queued", "expired"]);
        assert.deepEqual(await t.store.commands.expireDue(T0 + 50), []);
      });

      test("jobs: create, get, update (finishing sets finishedAt), list by status with cursors", async () => {
        const t = await fresh();
        const a = await t.store.commands.createJob({ kind: "pull", target: "terminal:SN1", params: { sn: "SN1" }, actor: "token:ci", at: T0 });
        assert.deepEqual(a, {
          id: 1, kind: "pull", target: "terminal:SN1", params: '{"sn":"SN1"}', status: "running", actor: "token:ci", detail: null,
          createdAt: T0, updatedAt: T0, finishedAt: null,
        });
        await t.store.commands.createJob({ kind: "push", target: "person:1", params: {}, actor: "system", at: T0 + 1 });
        const noted = await t.store.commands.updateJob(1, { detail: { stage: "fetching credentials" }, at: T0 + 2 });
        assert.deepEqual([noted?.status, noted?.detail, noted?.updatedAt, noted?.finishedAt], ["running", '{"stage":"fetching credentials"}', T0 + 2, null]);
        const done = await t.store.commands.updateJob(1, { status: "failed", at: T0 + 3 });
        assert.deepEqual([done?.status, done?.finishedAt, done?.detail], ["failed", T0 + 3, '{"stage":"fetching credentials"}']);
        assert.equal(await t.store.commands.updateJob(9, { status: "failed", at: T0 }), null);
        assert.equal(await t.store.commands.getJob(9), null);
        assert.deepEqual((await t.store.commands.listJobs({ limit: 10 })).items.map((j) => j.id), [2, 1]);
        assert.deepEqual((await t.store.commands.listJobs({ status: "running", limit: 10 })).items.map((j) => j.id), [2]);
        const p1 = await t.store.commands.listJobs({ limit: 1 });
        assert.deepEqual((await t.store.commands.listJobs({ limit: 1, cursor: p1.next ?? undefined })).items.map((j) => j.id), [1]);
      });

      test("write: terminal-clock keeps the last measurement; corrected_at only moves when a settime was sent", async () => {
        const t = await fresh();
        assert.equal(await t.store.commands.clockOf("SN1"), null);
        const ok = { ok: true, inserted: 0, duplicates: 0, quarantined: 0 };
        assert.deepEqual(await t.store.write([{ type: "terminal-clock", sn: "SN1", at: T0, driftSeconds: 300, corrected: true }]), [ok]);
        assert.deepEqual(await t.store.write([{ type: "terminal-clock", sn: "SN1", at: T0 + 10, driftSeconds: 2, corrected: false }]), [ok]);
        assert.deepEqual(await t.store.commands.clockOf("SN1"), { sn: "SN1", driftSeconds: 2, checkedAt: T0 + 10, correctedAt: T0 });
        await t.store.write([{ type: "terminal-clock", sn: "SN0", at: T0, driftSeconds: -4, corrected: false }]);
        assert.deepEqual(await t.store.commands.clocks(), [
          { sn: "SN0", driftSeconds: -4, checkedAt: T0, correctedAt: null },
          { sn: "SN1", driftSeconds: 2, checkedAt: T0 + 10, correctedAt: T0 },
        ]);
        assert.deepEqual((await t.store.commands.clocks(["SN1", "SN9"])).map((c) => c.sn), ["SN1"]);
        // Off by more than the limit, either way: the clock alerts' read.
        assert.deepEqual(await t.store.commands.clocksOff(3), [{ sn: "SN0", driftSeconds: -4, checkedAt: T0, correctedAt: null }]);
        assert.deepEqual(await t.store.commands.clocksOff(4), []);
        assert.deepEqual((await t.store.commands.clocksOff(1)).map((c) => c.sn), ["SN0", "SN1"]);
      });
    });

    describe("people: persons, credentials, holdings, groups", () => {
      const person = (name: string, extra: Partial<PersonInput> = {}): PersonInput => ({
        name, admin: 0, enabled: true, validFrom: null, validTo: null, externalId: null, ...extra,
      });

      test("save creates then updates; list searches name, external id and enrollid, with credential numbers and cursors", async () => {
        const t = await fresh();
        const created = await t.store.people.save(7, person("Ann Lee", { externalId: "HR-7", validFrom: "2026-01-01" }), T0);
        assert.deepEqual(created, {
          enrollid: 7, name: "Ann Lee", admin: 0, enabled: true, validFrom: "2026-01-01", validTo: null, externalId: "HR-7", createdAt: T0, updatedAt: T0,
        });
        const updated = await t.store.people.save(7, person("Ann Lee-Park", { admin: 1, enabled: false }), T0 + 5);
        assert.deepEqual([updated.name, updated.admin, updated.enabled, updated.externalId, updated.createdAt, updated.updatedAt], ["Ann Lee-Park", 1, false, null, T0, T0 + 5]);
        await t.store.people.save(8, person("Bob 100%", { externalId: "HR-8" }), T0);
        await t.store.people.save(70, person("Carl"), T0);
        await t.store.people.setCredential({ enrollid: 7, backupnum: 11, data: "12345678" }, "SN1", T0);
        await t.store.people.setCredential({ enrollid: 7, backupnum: 0, data: "abc" }, null, T0);
        const all = await t.store.people.list({ limit: 10 });
        assert.deepEqual(all.items.map((p) => [p.enrollid, p.backupnums]), [[7, [0, 11]], [8, []], [70, []]]);
        assert.deepEqual((await t.store.people.list({ q: "lee", limit: 10 })).items.map((p) => p.enrollid), [7]);
        assert.deepEqual((await t.store.people.list({ q: "hr-8", limit: 10 })).items.map((p) => p.enrollid), [8]);
        assert.deepEqual((await t.store.people.list({ q: "100%", limit: 10 })).items.map((p) => p.enrollid), [8]);
        assert.deepEqual((await t.store.people.list({ q: "7", limit: 10 })).items.map((p) => p.enrollid), [7]);
        assert.deepEqual((await t.store.people.list({ q: "70", limit: 10 })).items.map((p) => p.enrollid), [70]);
        const p1 = await t.store.people.list({ limit: 2 });
        assert.deepEqual((await t.store.people.list({ limit: 2, cursor: p1.next ?? undefined })), { items: [all.items[2]], next: null });
        assert.deepEqual((await t.store.people.all()).map((p) => p.enrollid), [7, 8, 70]);
        // Some people by enrollid, those that exist (a page naming its rows' people in one read).
        assert.deepEqual((await t.store.people.some([70, 9, 7])).map((p) => [p.enrollid, p.name]), [[7, "Ann Lee-Park"], [70, "Carl"]]);
        assert.deepEqual(await t.store.people.some([]), []);
      });

      test("credentials are kept byte for byte; replaced, removed, and removed with their person", async () => {
        const t = await fresh();
        await t.store.people.save(1, person("A"), T0);
        await t.store.people.save(2, person("B"), T0);
        const template = "c5236a01(200)9535f5\u00e9 ";
        await t.store.people.setCredential({ enrollid: 1, backupnum: 0, data: template }, "SN1", T0);
        await t.store.people.setCredential({ enrollid: 1, backupnum: 10, data: "1234" }, null, T0);
        await t.store.people.setCredential({ enrollid: 1, backupnum: 10, data: "9999" }, null, T0 + 1);
        await t.store.people.setCredential({ enrollid: 2, backupnum: 11, data: "55" }, null, T0);
        assert.deepEqual(await t.store.people.credentials([1]), [
          { enrollid: 1, backupnum: 0, data: template },
          { enrollid: 1, backupnum: 10, data: "9999" },
        ]);
        assert.deepEqual((await t.store.people.credentials()).length, 3);
        assert.deepEqual(await t.store.people.credentials([]), []);
        assert.equal(await t.store.people.removeCredential(1, 10), true);
        assert.equal(await t.store.people.removeCredential(1, 10), false);
        assert.equal(await t.store.people.remove(1), true);
        assert.equal(await t.store.people.remove(1), false);
        assert.deepEqual(await t.store.people.credentials(), [{ enrollid: 2, backupnum: 11, data: "55" }]);
      });

      test("holdings: what each terminal holds, who holds a person, releases and wipes", async () => {
        const t = await fresh();
        await t.store.people.hold("SN1", { enrollid: 1, backupnum: 0, digest: "d1" }, T0);
        await t.store.people.hold("SN1", { enrollid: 1, backupnum: 0, digest: "d2" }, T0 + 1);
        await t.store.people.hold("SN1", { enrollid: 1, backupnum: 11, digest: "d3" }, T0);
        await t.store.people.hold("SN2", { enrollid: 1, backupnum: 0, digest: "d2" }, T0);
        await t.store.people.hold("SN2", { enrollid: 2, backupnum: 0, digest: "d4" }, T0);
        await t.store.people.setHeldEnabled("SN1", 1, false, T0);
        await t.store.people.hold("SN1", { enrollid: 1, backupnum: 1, digest: "d5" }, T0);
        const sorted = <T extends { enrollid: number }>(xs: T[]) => [...xs].sort((a, b) => a.enrollid - b.enrollid || JSON.stringify(a).localeCompare(JSON.stringify(b)));
        assert.deepEqual(sorted((await t.store.people.holdings("SN1")).credentials), [
          { enrollid: 1, backupnum: 0, digest: "d2" },
          { enrollid: 1, backupnum: 1, digest: "d5" },
          { enrollid: 1, backupnum: 11, digest: "d3" },
        ]);
        // Holding another credential does not re-enable a person disabled there.
        assert.deepEqual((await t.store.people.holdings("SN1")).people, [{ enrollid: 1, enabled: false }]);
        assert.deepEqual(await t.store.people.holdersOf(1), ["SN1", "SN2"]);
        assert.deepEqual(await t.store.people.heldCredentialsOf(1), [
          { sn: "SN1", backupnum: 0 },
          { sn: "SN1", backupnum: 1 },
          { sn: "SN1", backupnum: 11 },
          { sn: "SN2", backupnum: 0 },
        ]);
        await t.store.people.release("SN1", 1, [0, 1]);
        assert.deepEqual((await t.store.people.holdings("SN1")).credentials, [{ enrollid: 1, backupnum: 11, digest: "d3" }]);
        await t.store.people.release("SN2", 1, null);
        assert.deepEqual(await t.store.people.holdersOf(1), ["SN1"]);
        assert.deepEqual(await t.store.people.heldCredentialsOf(1), [{ sn: "SN1", backupnum: 11 }]);
        assert.deepEqual(await t.store.people.holdings("SN2"), { credentials: [{ enrollid: 2, backupnum: 0, digest: "d4" }], people: [{ enrollid: 2, enabled: true }] });
        await t.store.people.releaseAll("SN2");
        assert.deepEqual(await t.store.people.holdings("SN2"), { credentials: [], people: [] });
        assert.deepEqual(await t.store.people.holdersOf(2), []);
        // A person held by name alone (backupnum -1, people/digest.ts): a holder, with no credential there.
        await t.store.people.hold("SN3", { enrollid: 3, backupnum: -1, digest: "name" }, T0);
        assert.deepEqual(await t.store.people.holdings("SN3"), { credentials: [{ enrollid: 3, backupnum: -1, digest: "name" }], people: [{ enrollid: 3, enabled: true }] });
        assert.deepEqual(await t.store.people.holdersOf(3), ["SN3"]);
        assert.deepEqual(await t.store.people.heldCredentialsOf(3), []);
      });

      test("name refusals: kept with the terminal's firmware, across a reopen, until it registers with other firmware", async () => {
        const t = await fresh();
        await t.store.write([seenOp("SN1", { devinfo: { firmware: "V1" } }), seenOp("SN2"), seenOp("SN3", { devinfo: { firmware: "V1" } })]);
        assert.deepEqual(await t.store.people.namesRefused(), []);
        await t.store.people.refuseNames("SN1", T0);
        await t.store.people.refuseNames("SN2", T0 + 1);
        await t.store.people.refuseNames("SN1", T0 + 2);
        // A terminal the store does not have is not remembered.
        await t.store.people.refuseNames("NOPE", T0);
        assert.deepEqual(await t.rows("SELECT sn, firmware, refused_at FROM terminal_name_refusals ORDER BY sn"), [
          { sn: "SN1", firmware: "V1", refused_at: T0 + 2 },
          { sn: "SN2", firmware: "", refused_at: T0 + 1 },
        ]);
        await t.close();
        const again = await t.reopen();
        assert.deepEqual(await again.people.namesRefused(), ["SN1", "SN2"]);
        // A registration without devinfo keeps the firmware, so the refusal holds; other firmware asks again.
        await again.write([seenOp("SN1", { at: T0 + 10 })]);
        assert.deepEqual(await again.people.namesRefused(), ["SN1", "SN2"]);
        await again.write([seenOp("SN1", { at: T0 + 20, devinfo: { firmware: "V2" } }), seenOp("SN2", { at: T0 + 20, devinfo: { firmware: "V1" } })]);
        assert.deepEqual(await again.people.namesRefused(), []);
        await again.people.refuseNames("SN1", T0 + 30);
        assert.deepEqual(await again.people.namesRefused(), ["SN1"]);
        // An admin's "Ask again".
        assert.equal(await again.people.forgetNameRefusal("SN1"), true);
        assert.equal(await again.people.forgetNameRefusal("SN1"), false);
        assert.deepEqual(await again.people.namesRefused(), []);
      });

      test("groups: unique names, members, groupsOf, update conflicts, removal", async () => {
        const t = await fresh();
        const a = await t.store.people.createGroup("Doors", true, T0);
        assert.deepEqual(a, { id: 1, name: "Doors", sync: true, createdAt: T0, updatedAt: T0, members: [] });
        assert.equal(await t.store.people.createGroup("Doors", false, T0), null);
        // Ids are opaque: a refused duplicate may have used one up (a PostgreSQL sequence does).
        const b = await t.store.people.createGroup("Canteen", false, T0);
        const bid = b?.id ?? 0;
        assert.equal(await t.store.people.addMember(1, "SN2", T0), true);
        assert.equal(await t.store.people.addMember(1, "SN1", T0), true);
        assert.equal(await t.store.people.addMember(1, "SN1", T0), false);
        assert.equal(await t.store.people.addMember(bid, "SN1", T0), true);
        assert.deepEqual((await t.store.people.listGroups()).map((g) => [g.name, g.members]), [["Canteen", ["SN1"]], ["Doors", ["SN1", "SN2"]]]);
        assert.deepEqual((await t.store.people.groupsOf("SN1")).map((g) => g.name), ["Canteen", "Doors"]);
        await assert.rejects(t.store.people.updateGroup(bid, { name: "Doors" }, T0), (err: unknown) => err instanceof AppError && err.code === "exists");
        const renamed = await t.store.people.updateGroup(bid, { name: "Kitchen", sync: true }, T0 + 1);
        assert.deepEqual([renamed?.name, renamed?.sync, renamed?.updatedAt, renamed?.members], ["Kitchen", true, T0 + 1, ["SN1"]]);
        assert.equal(await t.store.people.updateGroup(9, { sync: true }, T0), null);
        assert.equal(await t.store.people.removeMember(1, "SN2"), true);
        assert.equal(await t.store.people.removeMember(1, "SN2"), false);
        assert.equal(await t.store.people.removeGroup(1), true);
        assert.equal(await t.store.people.removeGroup(1), false);
        assert.equal(await t.store.people.getGroup(1), null);
        assert.deepEqual((await t.store.people.groupsOf("SN1")).map((g) => g.name), ["Kitchen"]);
      });
    });

    describe("write: quarantine bounds (issue 11)", () => {
      test("a raw frame over the bound is cut and its original size in bytes recorded", async () => {
        const t = await fresh();
        const big = `{"x":"${"é".repeat(QUARANTINE_RAW_MAX)}"}`;
        const op: WriteOp = { type: "quarantine", sn: "SNQ", at: T0, entries: [{ kind: "sendlog", raw: big, reason: "record[0] time: invalid" }] };
        assert.deepEqual(await t.store.write([op]), [ok(0, 0, 1)]);
        const [row] = (await t.store.quarantined({ limit: 1 })).items;
        assert.equal(row?.raw, big.slice(0, QUARANTINE_RAW_MAX));
        assert.equal(row?.originalBytes, Buffer.byteLength(big, "utf8"));
        assert.equal(row?.reason, "record[0] time: invalid");
      });

      test("a terminal keeps its newest entries up to the cap; the oldest go, counted, and other terminals' stay", async () => {
        const t = await fresh();
        const entries = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ kind: "sendlog", raw: `{"n":${from + i}}`, reason: "bad" }));
        const other: WriteOp = { type: "quarantine", sn: "SNOTHER", at: T0, entries: entries(0, 3) };
        const first: WriteOp = { type: "quarantine", sn: "SNCAP", at: T0, entries: entries(0, QUARANTINE_PER_TERMINAL - 2) };
        assert.deepEqual(await t.store.write([other, first]), [ok(0, 0, 3), ok(0, 0, QUARANTINE_PER_TERMINAL - 2)]);
        const more = punchesOp("SNCAP", [], entries(QUARANTINE_PER_TERMINAL - 2, 5), T0 + 1);
        const after: WriteOp = { type: "quarantine", sn: "SNCAP", at: T0 + 2, entries: entries(QUARANTINE_PER_TERMINAL + 3, 2) };
        const results = await t.store.write([more, after]);
        // The commit's count of what went (one engine prunes per op, the other per commit).
        const pruned = results.reduce((n, r) => n + (r.ok ? (r.quarantinePruned ?? 0) : 0), 0);
        assert.equal(pruned, 5);
        assert.equal((await t.store.stats()).quarantined_total, QUARANTINE_PER_TERMINAL + 3);
        const raws: string[] = [];
        let cursor: string | undefined;
        do {
          const page = await t.store.quarantined({ limit: 500, cursor });
          raws.push(...page.items.filter((r) => r.sn === "SNCAP").map((r) => r.raw));
          cursor = page.next ?? undefined;
        } while (cursor);
        assert.equal(raws.length, QUARANTINE_PER_TERMINAL);
        assert.equal(raws[0], `{"n":${QUARANTINE_PER_TERMINAL + 4}}`);
        assert.equal(raws[raws.length - 1], '{"n":5}');
      });
    });

    describe("held changes: person changes from terminals that escalate (people.heldChanges, approve, reject)", () => {
      const fake = { sn: "SN9", remoteAddr: "10.9.9.9" } as const;
      /** Person 7 as the site has them: no admin rights, PIN 1234, card 111. */
      async function seed(t: ContractStore) {
        await t.store.write([credentialOp(7, 10, "1234", { name: "Gus" }), credentialOp(7, 11, "111", { name: "Gus" })]);
      }
      const audits = async (t: ContractStore, actor: string) =>
        (await t.store.auditLog({ limit: 500, actor })).items.reverse().map((r) => ({ action: r.action, target: r.target, details: JSON.parse(r.details ?? "null") as unknown, result: r.result }));

      test("a raised admin level with a new PIN, and a replaced card, are held: nothing applied, the held list and the audit log say so", async () => {
        const t = await fresh();
        await seed(t);
        const results = await t.store.write([
          credentialOp(7, 10, "9999", { ...fake, at: T0 + 1, name: undefined, admin: 2 }),
          credentialOp(7, 11, "666", { ...fake, at: T0 + 2, name: undefined }),
        ]);
        assert.deepEqual(results, [{ ...ok(0), terminalChange: "held" }, { ...ok(0), terminalChange: "held" }]);
        assert.equal((await t.store.getPerson(7))?.admin, 0);
        assert.deepEqual(await t.store.credentialsOf(7), [{ backupnum: 10, data: "1234" }, { backupnum: 11, data: "111" }]);
        const page = await t.store.people.heldChanges({ limit: 10 });
        assert.equal(page.next, null);
        assert.deepEqual(page.items, [
          {
            id: 1, at: T0 + 1, sn: "SN9", remoteAddr: "10.9.9.9", via: "senduser", enrollid: 7, name: null, admin: 2, backupnum: 10, data: "9999",
            reasons: '["admin-raised","credential-replaced"]', previousName: "Gus", previousAdmin: 0,
          },
          {
            id: 2, at: T0 + 2, sn: "SN9", remoteAddr: "10.9.9.9", via: "senduser", enrollid: 7, name: null, admin: 0, backupnum: 11, data: "666",
            reasons: '["credential-replaced"]', previousName: "Gus", previousAdmin: 0,
          },
        ]);
        assert.equal(await t.store.people.countHeldChanges(), 2);
        const details = (backupnum: number, kind: string, admin: number, reasons: string[], heldId: number) => ({
          sn: "SN9", address: "10.9.9.9", via: "senduser", backupnum, kind, admin, previousAdmin: 0, reasons, heldId,
        });
        assert.deepEqual(await audits(t, "terminal:SN9"), [
          { action: "people.terminal-change", target: "person:7", details: details(10, "password", 2, ["admin-raised", "credential-replaced"], 1), result: "held" },
          { action: "people.terminal-change", target: "person:7", details: details(11, "card", 0, ["credential-replaced"], 2), result: "held" },
        ]);
        // A newer upload for the same slot from the same terminal replaces its held change, under a new
        // id (an approval of id 1 must not apply what the admin never saw); ids are never reused.
        await t.store.write([credentialOp(7, 10, "8888", { ...fake, at: T0 + 3, admin: 2 })]);
        const again = (await t.store.people.heldChanges({ limit: 10 })).items;
        assert.deepEqual(again.map((h) => [h.id, h.data, h.at, h.name]), [[2, "666", T0 + 2, null], [3, "8888", T0 + 3, "Ben"]]);
        assert.equal(await t.store.people.approveHeldChange(1, T0 + 4), null);
        assert.ok(await t.store.people.rejectHeldChange(3));
        await t.store.write([credentialOp(7, 10, "7777", { ...fake, at: T0 + 5, admin: 2 })]);
        // Paged by id.
        const first = await t.store.people.heldChanges({ limit: 1 });
        assert.deepEqual(first.items.map((h) => h.id), [2]);
        assert.deepEqual((await t.store.people.heldChanges({ limit: 1, cursor: first.next ?? undefined })).items.map((h) => [h.id, h.data]), [[4, "7777"]]);
      });

      test("approve applies a held change as sent and removes it; reject removes it alone; each decides once", async () => {
        const t = await fresh();
        await seed(t);
        await t.store.write([credentialOp(7, 10, "9999", { ...fake, name: "Mallory", admin: 2 }), credentialOp(7, 11, "666", { ...fake, name: undefined })]);
        const approved = await t.store.people.approveHeldChange(1, T0 + 50);
        assert.deepEqual([approved?.id, approved?.data, approved?.sn], [1, "9999", "SN9"]);
        const person = await t.store.getPerson(7);
        assert.deepEqual([person?.admin, person?.name, person?.updatedAt], [2, "Mallory", T0 + 50]);
        assert.deepEqual(await t.rows("SELECT backupnum, data, source_sn, updated_at FROM credentials WHERE enrollid = 7 ORDER BY backupnum"), [
          { backupnum: 10, data: "9999", source_sn: "SN9", updated_at: T0 + 50 },
          { backupnum: 11, data: "111", source_sn: "SN1", updated_at: T0 },
        ]);
        assert.equal(await t.store.people.approveHeldChange(1, T0 + 51), null);
        assert.equal((await t.store.people.rejectHeldChange(2))?.data, "666");
        assert.equal(await t.store.people.rejectHeldChange(2), null);
        assert.deepEqual(await t.store.credentialsOf(7), [{ backupnum: 10, data: "9999" }, { backupnum: 11, data: "111" }]);
        assert.deepEqual(await t.store.people.heldChanges({ limit: 10 }), { items: [], next: null });
        assert.equal(await t.store.people.countHeldChanges(), 0);
      });

      test("what does not escalate is applied and audited; a resend is not audited; enrolments follow the keypad setting", async () => {
        const t = await fresh();
        await seed(t);
        const results = await t.store.write([
          // A name and a fingerprint in an empty slot of a person with no admin rights: applied.
          credentialOp(7, 0, "tpl-a", { ...fake, name: "Gustav" }),
          // The same again: nothing changes.
          credentialOp(7, 0, "tpl-a", { ...fake, name: "Gustav" }),
          // New people: the setting decides; a new terminal admin is held even under accept.
          credentialOp(20, 10, "2020", { ...fake, enrolment: "accept" }),
          credentialOp(21, 10, "2121", { ...fake, enrolment: "hold" }),
          credentialOp(22, 10, "2222", { ...fake, enrolment: "ignore" }),
          credentialOp(23, 10, "2323", { ...fake, enrolment: "accept", admin: 1 }),
        ]);
        assert.deepEqual(results.map((r) => (r.ok ? [r.inserted, r.terminalChange] : r.error.message)), [
          [1, "applied"], [1, "unchanged"], [1, "applied"], [0, "held"], [0, "ignored"], [0, "held"],
        ]);
        assert.equal((await t.store.getPerson(7))?.name, "Gustav");
        assert.deepEqual((await t.store.people.all()).map((p) => p.enrollid), [7, 20]);
        assert.deepEqual((await t.store.people.heldChanges({ limit: 10 })).items.map((h) => [h.enrollid, h.reasons, h.previousAdmin]), [
          [21, '["new-person"]', null],
          [23, '["new-person","admin-raised"]', null],
        ]);
        assert.deepEqual((await audits(t, "terminal:SN9")).map((a) => [a.target, a.result]), [
          ["person:7", "applied"], ["person:20", "applied"], ["person:21", "held"], ["person:22", "ignored"], ["person:23", "held"],
        ]);
      });

      test("a terminal holds at most HELD_PER_TERMINAL changes: beyond, they are ignored and audited; other terminals are not affected", async () => {
        const t = await fresh();
        const ops = Array.from({ length: HELD_PER_TERMINAL + 1 }, (_, i) => credentialOp(100 + i, 10, "1", { ...fake, enrolment: "hold" }));
        const results = await t.store.write([...ops, credentialOp(5, 10, "1", { sn: "SN8", enrolment: "hold" })]);
        assert.deepEqual(results.slice(-3).map((r) => (r.ok ? r.terminalChange : null)), ["held", "ignored", "held"]);
        assert.equal(await t.store.people.countHeldChanges(), HELD_PER_TERMINAL + 1);
        const last = (await t.store.auditLog({ limit: 1, actor: "terminal:SN9" })).items[0];
        assert.deepEqual([last?.target, last?.result], [`person:${100 + HELD_PER_TERMINAL}`, "ignored: held list full"]);
        // A slot already held is still replaced.
        assert.deepEqual(await t.store.write([credentialOp(100, 10, "2", { ...fake, enrolment: "hold" })]), [{ ...ok(0), terminalChange: "held" }]);
      });
    });

    adminCases(fresh);
    outboundCases(fresh);

    describe("importSources: saved HR sources", () => {
      test("create, list, get, update, recordRun, delete", async () => {
        await checkImportSources((await fresh()).store, T0);
      });
    });

    timesheetCases(fresh);
    accessCases(fresh);

    describe("hardware identity: terminal-seen against the remembered cpusn/mac, acceptIdentity", () => {
      const identityOf = async (t: ContractStore, sn: string) => {
        const r = await t.store.getTerminal(sn);
        return r && { cpusn: r.cpusn, mac: r.mac, mismatch: [r.mismatchCpusn, r.mismatchMac, r.mismatchAddr, r.mismatchAt], online: r.online, sessionId: r.sessionId, remoteAddr: r.remoteAddr };
      };

      test("other hardware under an approved sn is refused (the default) and stored apart; the live session and identity stay", async () => {
        const t = await fresh();
        await t.store.write([seenOp("ID1", { cpusn: "CPU-A", devinfo: { mac: "00-01-F5-02-7D-5F", modelname: "tfs30" } })]);
        const [r] = await t.store.write([seenOp("ID1", { at: T0 + 5, sessionId: "s2", remoteAddr: "10.0.0.66", cpusn: "CPU-B", devinfo: { mac: "00-01-F5-02-7D-5F", modelname: "fake" } })]);
        assert.deepEqual(r, { ...ok(0), approval: "approved", nosenduser: false, identityMismatch: "refused" });
        assert.deepEqual(await identityOf(t, "ID1"), {
          cpusn: "CPU-A", mac: "00-01-F5-02-7D-5F", mismatch: ["CPU-B", "00-01-F5-02-7D-5F", "10.0.0.66", T0 + 5], online: true, sessionId: "s1", remoteAddr: "10.0.0.5",
        });
        assert.equal((await t.store.getTerminal("ID1"))?.model, "tfs30");
        // A MAC differing only in case and separators is the same one; the real unit is still accepted.
        const [same] = await t.store.write([seenOp("ID1", { at: T0 + 9, sessionId: "s3", cpusn: "CPU-A", devinfo: { mac: "00:01:f5:02:7d:5f" } })]);
        assert.deepEqual(same, { ...ok(0), approval: "approved", nosenduser: false });
        assert.equal((await identityOf(t, "ID1"))?.sessionId, "s3");
      });

      test("a differing MAC alone is a mismatch; accepted under \"accept\": registered, identity kept, the mismatch stored", async () => {
        const t = await fresh();
        await t.store.write([seenOp("ID2", { cpusn: "CPU-A", devinfo: { mac: "AA-AA" } })]);
        const [r] = await t.store.write([seenOp("ID2", { at: T0 + 7, sessionId: "s2", remoteAddr: "10.0.0.9", cpusn: null, devinfo: { mac: "BB-BB" }, onIdentityMismatch: "accept" })]);
        assert.deepEqual(r, { ...ok(0), approval: "approved", nosenduser: false, identityMismatch: "accepted" });
        assert.deepEqual(await identityOf(t, "ID2"), {
          cpusn: "CPU-A", mac: "AA-AA", mismatch: [null, "BB-BB", "10.0.0.9", T0 + 7], online: true, sessionId: "s2", remoteAddr: "10.0.0.9",
        });
      });

      test("a field never sent is not judged, and is learned once when first sent; pending terminals show their latest", async () => {
        const t = await fresh();
        await t.store.write([seenOp("ID3")]);
        const [first] = await t.store.write([seenOp("ID3", { cpusn: "CPU-1", devinfo: { mac: "M-1" } })]);
        assert.deepEqual(first, { ...ok(0), approval: "approved", nosenduser: false });
        // Devinfo without a mac keeps the one learned.
        await t.store.write([seenOp("ID3", { devinfo: { modelname: "x" } })]);
        const learned = await identityOf(t, "ID3");
        assert.deepEqual([learned?.cpusn, learned?.mac, learned?.mismatch], ["CPU-1", "M-1", [null, null, null, null]]);
        await t.store.write([seenOp("P3", { approvalIfNew: "pending", cpusn: "OLD" })]);
        const [pending] = await t.store.write([seenOp("P3", { approvalIfNew: "pending", cpusn: "NEW" })]);
        assert.deepEqual(pending, { ...ok(0), approval: "pending", nosenduser: false });
        assert.deepEqual(await identityOf(t, "P3"), { cpusn: "NEW", mac: null, mismatch: [null, null, null, null], online: false, sessionId: null, remoteAddr: "10.0.0.5" });
      });

      test("acceptIdentity makes the stored mismatch the identity; null without one or for an unknown sn", async () => {
        const t = await fresh();
        await t.store.write([seenOp("ID4", { cpusn: "CPU-A", devinfo: { mac: "AA" } })]);
        assert.equal(await t.store.acceptIdentity("ID4"), null);
        assert.equal(await t.store.acceptIdentity("GHOST"), null);
        await t.store.write([seenOp("ID4", { at: T0 + 3, cpusn: "CPU-B", remoteAddr: "10.0.0.7" })]);
        const row = await t.store.acceptIdentity("ID4");
        assert.deepEqual(row && { cpusn: row.cpusn, mac: row.mac, mismatch: [row.mismatchCpusn, row.mismatchMac, row.mismatchAddr, row.mismatchAt] }, { cpusn: "CPU-B", mac: null, mismatch: [null, null, null, null] });
        assert.deepEqual(await t.store.getTerminal("ID4"), row);
        // The new unit is accepted now; the old one is the stranger, its MAC learned from the new one when sent.
        assert.deepEqual(await t.store.write([seenOp("ID4", { cpusn: "CPU-B", devinfo: { mac: "CC" } })]), [{ ...ok(0), approval: "approved", nosenduser: false }]);
        assert.deepEqual(await t.store.write([seenOp("ID4", { cpusn: "CPU-A" })]), [{ ...ok(0), approval: "approved", nosenduser: false, identityMismatch: "refused" }]);
        assert.equal((await t.store.getTerminal("ID4"))?.mac, "CC");
      });
    });

    describe("alertTerminals", () => {
      const NOW = T0 + 86_400_000;
      const MIN = 60_000;
      const LIMITS = { offlineMinutes: 10, driftSeconds: 60 };
      const KIND_OF = { pending: "terminal_pending", mismatch: "hardware_mismatch", offline: "terminal_offline", nearlyFull: "storage_nearly_full" } as const;

      /** Pending, other hardware, offline (ties in last_seen included), nearly full at and below the limit, blocked, online. */
      async function site(t: ContractStore) {
        const offline = ["O1", "O2", "O3", "O4", "O5", "O6", "O7"];
        await t.store.write([...["P2", "P1", "M1", "F1", "F2", "F3", "F4", "B1", "X1", ...offline].map((sn) => seenOp(sn, sn.startsWith("P") ? { approvalIfNew: "pending", online: false } : {}))]);
        await t.store.setApproval("B1", "blocked", T0);
        await t.exec(`UPDATE terminals SET online = FALSE, last_seen = ${NOW - 30 * MIN} WHERE sn IN ('B1', ${offline.map((sn) => `'${sn}'`).join(", ")})`);
        await t.exec(`UPDATE terminals SET last_seen = ${NOW - 60 * MIN} WHERE sn IN ('O6', 'O2')`);
        await t.exec(`UPDATE terminals SET last_seen = ${NOW - 9 * MIN} WHERE sn = 'O7'`);
        await t.exec(`UPDATE terminals SET last_seen = ${NOW - 90 * MIN} WHERE sn = 'X1'`);
        await t.exec(`UPDATE terminals SET first_seen = ${T0 - 5} WHERE sn = 'P2'`);
        await t.exec(`UPDATE terminals SET mismatch_at = ${NOW - MIN}, mismatch_cpusn = 'CPU-X' WHERE sn = 'M1'`);
        await t.exec(`UPDATE terminals SET log_size = 100, log_used = 95 WHERE sn = 'F1'`);
        await t.exec(`UPDATE terminals SET user_size = 10, user_used = 9, face_size = 0, face_used = 5 WHERE sn = 'F2'`);
        await t.exec(`UPDATE terminals SET card_size = 10, card_used = 8, fp_used = 99 WHERE sn = 'F3'`);
        await t.exec(`UPDATE terminals SET face_size = 0, face_used = 0, log_size = 1000, log_used = 899 WHERE sn = 'F4'`);
      }

      test("counts each condition and reads the first few of each, as alerts/derive.ts decides for every terminal", async () => {
        const t = await fresh();
        await site(t);
        const read = await t.store.alertTerminals({ offlineBefore: NOW - LIMITS.offlineMinutes * MIN, nearlyFull: NEARLY_FULL, limit: 3 });
        assert.deepEqual(read.counts, { pending: 2, mismatch: 1, offline: 6, nearlyFull: 2 });
        // Offline by last_seen then sn: O2, O6 (60 min) then O1, O3 (30 min; O4, O5 not read).
        assert.deepEqual(read.terminals.map((r) => r.sn), ["F1", "F2", "M1", "O1", "O2", "O6", "P1", "P2"]);
        // The same as the pure rule over every terminal: its counts, and the first three of each by since, then sn.
        const all = await t.store.listTerminals();
        const since = { terminal_pending: (r: TerminalRow) => r.firstSeen, hardware_mismatch: (r: TerminalRow) => r.mismatchAt ?? 0, terminal_offline: (r: TerminalRow) => r.lastSeen, storage_nearly_full: () => 0 };
        const firsts = new Set<string>();
        for (const [condition, kind] of Object.entries(KIND_OF)) {
          const inIt = all.filter((r) => terminalConditions(r, NOW, LIMITS).includes(kind));
          assert.equal(inIt.length, read.counts[condition as keyof typeof KIND_OF], condition);
          for (const r of [...inIt].sort((a, b) => since[kind](a) - since[kind](b) || (a.sn < b.sn ? -1 : 1)).slice(0, 3)) firsts.add(r.sn);
        }
        assert.deepEqual(read.terminals.map((r) => r.sn), [...firsts].sort());
        assert.deepEqual(read.terminals.find((r) => r.sn === "M1"), all.find((r) => r.sn === "M1"));
        const none = await (await fresh()).store.alertTerminals({ offlineBefore: NOW, nearlyFull: NEARLY_FULL, limit: 3 });
        assert.deepEqual(none, { counts: { pending: 0, mismatch: 0, offline: 0, nearlyFull: 0 }, terminals: [] });
      });

      test("AlertSource: the exact alert lines, one by one and summarised, as derived from every terminal", async () => {
        const t = await fresh();
        const store = t.store;
        const settings = await SiteSettings.load(store, { tz: "UTC", approval: "open" });
        let now = NOW;
        const source = new AlertSource({ store, settings, now: () => now, exporter: null, storeHealth: () => null });
        const lines = async () => (await source.current()).alerts.map((a) => [a.id, a.title, a.count]);
        await store.write(["A1", "A2", "A3", "C1"].map((sn) => seenOp(sn)));
        await t.exec(`UPDATE terminals SET name = 'Canteen' WHERE sn = 'C1'`);
        await t.exec(`UPDATE terminals SET online = FALSE, last_seen = ${NOW - 30 * MIN} WHERE sn IN ('A1', 'A2', 'A3')`);
        await store.write([{ type: "terminal-clock", sn: "C1", at: NOW - 2 * MIN, driftSeconds: 125, corrected: false }]);
        assert.deepEqual(await lines(), [
          ["terminal_offline:terminal:A1", "A1 offline for 30 min", 1],
          ["terminal_offline:terminal:A2", "A2 offline for 30 min", 1],
          ["terminal_offline:terminal:A3", "A3 offline for 30 min", 1],
          ["clock_drift:terminal:C1", "Canteen (C1) clock is 125 s ahead", 1],
        ]);
        // Seven offline: one line naming the five oldest, the same as from every terminal's row.
        await store.write(["A4", "A5", "A6", "A7"].map((sn) => seenOp(sn)));
        await t.exec(`UPDATE terminals SET online = FALSE, last_seen = ${NOW - 20 * MIN} WHERE sn IN ('A4', 'A5', 'A6', 'A7')`);
        await t.exec(`UPDATE terminals SET last_seen = ${NOW - 40 * MIN} WHERE sn = 'A6'`);
        now += 2001;
        const [offline, drift, ...rest] = (await source.current()).alerts;
        assert.deepEqual(rest, []);
        assert.deepEqual(drift?.id, "clock_drift:terminal:C1");
        const terminals = await store.listTerminals();
        const counts = Object.fromEntries(TERMINAL_KINDS.map((k) => [k, terminals.filter((r) => terminalConditions(r, now, LIMITS).includes(k)).length])) as Record<TerminalKind, number>;
        const [fromAll] = deriveAlerts({
          now, limits: LIMITS, terminals, terminalCounts: counts, clocks: [], webhooks: [], exporter: null, doorAlarms: [], doorStates: [], refusedPunches: [], quarantinedLastHour: 0, heldChanges: { count: 0, oldestAt: null }, accessNotFit: [], store: null,
        });
        assert.deepEqual(offline, fromAll);
        assert.deepEqual([offline?.id, offline?.title, offline?.count, offline?.message], [
          "terminal_offline:*", "7 terminals offline", 7,
          "A6 offline for 40 min; A1 offline for 30 min; A2 offline for 30 min; A3 offline for 30 min; A4 offline for 20 min; and 2 more.",
        ]);
      });

      test("AlertSource: door events and refused punches of 30 terminals give the exact lines, with the terminals' names", async () => {
        const t = await fresh();
        const store = t.store;
        const settings = await SiteSettings.load(store, { tz: "UTC", approval: "open" });
        const source = new AlertSource({ store, settings, now: () => NOW, exporter: null, storeHealth: () => null });
        const doors = Array.from({ length: 30 }, (_, i) => `D${String(i + 1).padStart(2, "0")}`);
        await store.write(doors.map((sn) => seenOp(sn)));
        await t.exec(`UPDATE terminals SET name = 'Door ' || substr(sn, 2)`);
        // D23 is offline too: read with the terminals in an alert's condition, not again by sn.
        await t.exec(`UPDATE terminals SET online = FALSE, last_seen = ${NOW - 30 * MIN} WHERE sn = 'D23'`);
        const site = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace("T", " ");
        const door = (ms: number, event: number) => punch(0, site(ms), { event });
        await store.write([
          // D01–D10 forced open, D10 first (30 min ago); D11–D20 opened (D20 15 min ago) after a close; D23 tampered with.
          ...doors.slice(0, 10).map((sn, i) => punchesOp(sn, [door(NOW - (21 + i) * MIN, 5)])),
          ...doors.slice(10, 20).map((sn, i) => punchesOp(sn, [door(NOW - 60 * MIN, 0), door(NOW - (6 + i) * MIN, 1)])),
          // D21 and D22 refuse five punches each (a burst); D24–D30 report a close (named, no alert).
          ...doors.slice(20, 22).map((sn) => punchesOp(sn, [1, 2, 3, 4, 5].map((k) => punch(k, site(NOW - k * MIN), { refused: "no_level" })))),
          punchesOp("D23", [door(NOW - 3 * MIN, 6)]),
          ...doors.slice(23).map((sn) => punchesOp(sn, [door(NOW - 2 * MIN, 0)])),
        ]);
        const alerts = (await source.current()).alerts;
        assert.deepEqual(alerts.map((a) => [a.id, a.title, a.count]), [
          ["terminal_offline:terminal:D23", "Door 23 (D23) offline for 30 min", 1],
          ["door_forced_open:*", "Doors forced open on 10 terminals", 10],
          ["door_held_open:*", "Doors held open on 10 terminals", 10],
          ["tamper:terminal:D23", "Door 23 (D23): tamper alarm (unit removed from the wall)", 1],
          ["refused_punches:terminal:D21", "Door 21 (D21): 5 refused punches in 10 min", 1],
          ["refused_punches:terminal:D22", "Door 22 (D22): 5 refused punches in 10 min", 1],
        ]);
        assert.deepEqual(alerts.slice(1, 3).map((a) => a.message), [
          "Door 10 (D10): door forced open; Door 09 (D09): door forced open; Door 08 (D08): door forced open; Door 07 (D07): door forced open; Door 06 (D06): door forced open; and 5 more.",
          "Door 20 (D20): door held open for 15 min; Door 19 (D19): door held open for 14 min; Door 18 (D18): door held open for 13 min; Door 17 (D17): door held open for 12 min; Door 16 (D16): door held open for 11 min; and 5 more.",
        ]);
      });
    });
  });
}
