/**
 * The Odoo destination end to end: the real binary, a hand-driven terminal and a local Odoo
 * (helpers/fake-odoo.ts, which refuses what hr_attendance's constraints refuse). Punches across
 * midnight, a missing check-out, a double scan, unknown and archived employees, an answer lost
 * after Odoo committed, a restart → exactly the expected attendances in Odoo, in naive UTC (the
 * site runs on Paris time). Once over JSON-2 (an Odoo 19), once over XML-RPC (an older Odoo,
 * found by `auto`).
 */
import { afterEach, describe, expect, test } from "bun:test";
import { type FakeOdoo, startFakeOdoo } from "../helpers/fake-odoo.ts";
import { logBarrier } from "../helpers/log-barrier.ts";
import { startTm20, tempDir, type Tm20Process } from "../helpers/server.ts";
import { connectTerminal } from "../helpers/terminal.ts";

const ARGS = ["--tz", "Europe/Paris", "--webhook-retry-base-ms", "200", "--webhook-retry-max-ms", "400"];

let cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

type Json = Record<string, any>;

async function api(srv: Tm20Process, method: string, path: string, body?: unknown) {
  const res = await srv.api(path, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : null) as Json, text };
}

/** The destination once its outbox is empty, nothing is in flight and `delivered` is reached. */
async function drained(srv: Tm20Process, id: number, delivered: number): Promise<Json> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const d = (await api(srv, "GET", `/api/v1/hr-destinations/${id}`)).json;
    if (d.status.backlog === 0 && !d.status.inFlight && d.status.delivered >= delivered) return d;
    if (Date.now() > deadline) throw new Error(`not drained: ${JSON.stringify(d.status)}`);
    await Bun.sleep(50);
  }
}

async function punches(srv: Tm20Process, sn: string, records: Array<[number, string]>) {
  const t = await connectTerminal(srv.ws());
  await t.register(sn);
  const record = records.map(([enrollid, time]) => ({ enrollid, time, mode: 1, inout: 0, event: 0 }));
  t.send({ cmd: "sendlog", sn, count: record.length, logindex: 0, record });
  expect(await t.next((m) => m.ret === "sendlog")).toMatchObject({ result: true, count: record.length });
  t.close();
}

for (const flavour of ["json2", "xmlrpc"] as const) {
  describe(`Odoo destination over ${flavour}`, () => {
    test("across midnight, a missing check-out, a double scan, unknown and archived employees, a lost answer, a restart", async () => {
      const odoo: FakeOdoo = await startFakeOdoo({
        json2: flavour === "json2",
        employees: [
          { name: "Ann Lee", barcode: "EMP-001" },
          { name: "Bo Ek", barcode: "2" },
          { name: "Cy Old", barcode: "3", active: false },
        ],
      });
      cleanup.push(() => odoo.stop());
      const dataDir = tempDir();
      let srv = await startTm20({ dataDir, keepData: true, args: ARGS });
      cleanup.push(() => srv.stop());
      for (const p of [
        { enrollid: 1, name: "Ann Lee", externalId: "EMP-001" },
        { enrollid: 2, name: "Bo Ek" },
        { enrollid: 3, name: "Cy Old" },
      ]) {
        expect((await api(srv, "POST", "/api/v1/people", p)).status).toBe(201);
      }

      const created = await api(srv, "POST", "/api/v1/hr-destinations", {
        kind: "odoo",
        name: "Odoo",
        url: odoo.url,
        settings: { database: odoo.database, login: odoo.login },
        credentials: { apiKey: odoo.apiKey },
      });
      expect(created.status).toBe(201);
      expect(created.text).not.toContain(odoo.apiKey);
      expect(created.json.credentialsSet).toBe(true);
      expect(created.json.settings).toEqual({
        api: "auto",
        database: odoo.database,
        login: odoo.login,
        employeeField: "barcode",
        inOut: "pair",
        terminals: {},
        doubleScanSeconds: 120,
        maxAttendanceHours: 16,
      });
      const id = created.json.id as number;
      const tested = await api(srv, "POST", `/api/v1/hr-destinations/${id}/test`);
      expect(tested.json).toEqual({ ok: true, message: `signed in over ${flavour === "json2" ? "JSON-2" : "XML-RPC"}; 2 active employees have a barcode; attendances readable.` });
      expect(odoo.book.rows.size).toBe(0);

      // Odoo commits the first attendance but its answer is lost: the retry finds it there.
      odoo.loseAnswers("create", 1);
      await punches(srv, "ODOO1", [
        [1, "2026-03-02 23:00:00"],
        [1, "2026-03-02 23:00:40"],
        [2, "2026-03-02 08:00:00"],
        [9, "2026-03-02 09:00:00"],
        [3, "2026-03-02 09:30:00"],
        [1, "2026-03-03 07:00:00"],
        [2, "2026-03-03 08:30:00"],
        [2, "2026-03-03 17:00:00"],
      ]);
      const first = await drained(srv, id, 5);
      // Paris is UTC+1 in March: Odoo gets naive UTC. Bo's missing check-out is 0 hours, not invented.
      expect(odoo.attendancesOf("Ann Lee")).toEqual([["2026-03-02 22:00:00", "2026-03-03 06:00:00"]]);
      expect(odoo.attendancesOf("Bo Ek")).toEqual([
        ["2026-03-02 07:00:00", "2026-03-02 07:00:00"],
        ["2026-03-03 07:30:00", "2026-03-03 16:00:00"],
      ]);
      expect(odoo.attendancesOf("Cy Old")).toEqual([]);
      expect(first.status).toMatchObject({ backlog: 0, delivered: 5, deadLetters: 0, failedAttempts: 0 });
      const lost = flavour === "json2" ? "/json/2/hr.attendance/create: HTTP 504 without JSON (<html><body><h1>504 Gateway Time-out</h1></body></html>)" : "/xmlrpc/2/object: HTTP 504";
      await logBarrier(srv);
      expect(srv.logs.filter((l) => l.msg === "HR delivery failing; retrying with back-off").map((l) => l.error)).toEqual([`Odoo unavailable: ${lost}`]);
      expect(first.status.skipped).toEqual({ unknownEmployee: 1, inactiveEmployee: 1, duplicate: 1, missingCheckIn: 0, outOfOrder: 0, notAPerson: 0 });
      expect(first.status.lastSkip).toBe("3 at 2026-03-02 09:30:00: Odoo employee Cy Old (barcode \"3\") is archived");

      // An open attendance, a restart, then the punch that closes it: nothing is sent twice.
      await punches(srv, "ODOO1", [[2, "2026-03-04 08:00:00"]]);
      await drained(srv, id, 6);
      expect(odoo.attendancesOf("Bo Ek").at(-1)).toEqual(["2026-03-04 07:00:00", null]);
      const creates = odoo.calls.filter((c) => c.method === "create").length;
      await srv.stop();
      srv = await startTm20({ dataDir, keepData: true, args: ARGS });
      await punches(srv, "ODOO1", [[2, "2026-03-04 16:45:00"]]);
      const last = await drained(srv, id, 7);
      expect(odoo.attendancesOf("Bo Ek")).toEqual([
        ["2026-03-02 07:00:00", "2026-03-02 07:00:00"],
        ["2026-03-03 07:30:00", "2026-03-03 16:00:00"],
        ["2026-03-04 07:00:00", "2026-03-04 15:45:00"],
      ]);
      expect(odoo.book.rows.size).toBe(4);
      expect(odoo.calls.filter((c) => c.method === "create").length).toBe(creates);
      expect(odoo.calls.filter((c) => c.method === "write").length).toBe(1);
      expect(last.status.delivered).toBe(7);
      expect(new Set(odoo.calls.map((c) => c.api))).toEqual(new Set([flavour]));
    });
  });
}
