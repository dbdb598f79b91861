/**
 * The ERPNext destination end to end: the real binary, a hand-driven terminal, and a local
 * ERPNext (helpers/fake-erpnext.ts) answering as Frappe HRMS does. Every punch becomes exactly one
 * Employee Checkin; the unknown, inactive and duplicate refusals are counted, never retried; a
 * server error is retried with back-off (the cursor waits) and then kept as a dead letter with
 * ERPNext's message; a kill -9 mid-delivery loses nothing and duplicates nothing.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fakeErpnext } from "../helpers/fake-erpnext.ts";
import { startTm20, type Tm20Process } from "../helpers/server.ts";
import { connectTerminal } from "../helpers/terminal.ts";

const KEY = "a1b2c3d4e5f6a7b";
const SECRET = "s3cr3t-9f8e7d6c5b4a";
const FAST_RETRY = ["--webhook-retry-base-ms", "200", "--webhook-retry-max-ms", "400"];

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

async function until<T>(what: string, probe: () => Promise<T | null> | T | null, timeoutMs = 30_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== null) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(everyMs);
  }
}

async function punches(srv: Tm20Process, sn: string, record: Array<{ enrollid: number; time: string; inout: number }>) {
  const t = await connectTerminal(srv.ws());
  await t.register(sn);
  for (let i = 0; i < record.length; i += 20) {
    const chunk = record.slice(i, i + 20).map((r) => ({ ...r, mode: 1, event: 0 }));
    t.send({ cmd: "sendlog", sn, count: chunk.length, logindex: i, record: chunk });
    expect(await t.next((m) => m.ret === "sendlog")).toMatchObject({ result: true, count: chunk.length });
  }
  t.close();
}

async function person(srv: Tm20Process, enrollid: number, externalId: string | null) {
  expect((await api(srv, "POST", "/api/v1/people", { enrollid, name: `Person ${enrollid}`, externalId })).status).toBe(201);
}

describe("ERPNext destination", () => {
  test("check-ins arrive once; unknown, inactive and duplicate counted; a server error retried, then a dead letter with ERPNext's message", async () => {
    const failing = new Set(["1500"]);
    const erp = fakeErpnext({
      apiKey: KEY,
      apiSecret: SECRET,
      shiftTypes: ["Day Shift"],
      failing,
      employees: [
        { name: "HR-EMP-00001", deviceId: "1001", status: "Active" },
        { name: "HR-EMP-00002", deviceId: "1002", status: "Active" },
        { name: "HR-EMP-00003", deviceId: "1003", status: "Inactive" },
        { name: "HR-EMP-00005", deviceId: "1500", status: "Active" },
      ],
      checkins: [{ employee: "HR-EMP-00002", time: "2026-04-01 09:00:00", log_type: "IN", device_id: "ERP1" }],
    });
    cleanup.push(erp.stop);
    const srv = await startTm20({ args: FAST_RETRY });
    cleanup.push(() => srv.stop());

    await person(srv, 1, "1001");
    await person(srv, 2, "1002");
    await person(srv, 3, "1003");
    await person(srv, 4, null);
    await person(srv, 5, "1500");

    const created = await api(srv, "POST", "/api/v1/hr-destinations", {
      kind: "erpnext", name: "ERPNext", url: `${erp.url}/`, credentials: { apiKey: KEY, apiSecret: SECRET },
      settings: { shiftTypes: ["Day Shift"] }, maxAttempts: 4, timeoutMs: 2000,
    });
    expect(created.status).toBe(201);
    expect(created.text).not.toContain(SECRET);
    expect(created.json.credentialsSet).toBe(true);
    expect(created.json.settings).toEqual({ methodPath: "auto", employeeFieldname: "attendance_device_id", shiftTypes: ["Day Shift"], sendLogType: true });
    expect(created.json.employeeIdFrom).toBe("external_id");
    const id = created.json.id as number;

    const tested = await api(srv, "POST", `/api/v1/hr-destinations/${id}/test`);
    expect(tested.status).toBe(200);
    expect(tested.json).toEqual({ ok: true, message: "signed in as hr-sync@example.com; shift types found: Day Shift" });

    await punches(srv, "ERP1", [
      { enrollid: 1, time: "2026-04-01 08:00:00", inout: 0 },
      { enrollid: 2, time: "2026-04-01 09:00:00", inout: 0 },
      { enrollid: 3, time: "2026-04-01 09:05:00", inout: 0 },
      { enrollid: 4, time: "2026-04-01 09:10:00", inout: 0 },
      { enrollid: 5, time: "2026-04-01 09:15:00", inout: 0 },
      { enrollid: 1, time: "2026-04-01 17:00:00", inout: 1 },
      { enrollid: 2, time: "2026-04-01 17:05:00", inout: 1 },
    ]);
    const ids = (srv.db().query("SELECT id FROM attendance ORDER BY id").all() as Array<{ id: number }>).map((r) => r.id);
    expect(ids.length).toBe(7);

    // While ERPNext fails on the fifth punch, the cursor waits just before it.
    const failingNow = await until("a failed attempt", async () => {
      const s = (await api(srv, "GET", `/api/v1/hr-destinations/${id}`)).json;
      return s.status.failedAttempts >= 1 && s.status.deadLetters === 0 ? s : null;
    }, 30_000, 20);
    expect(failingNow.cursor).toBe(ids[3]);
    expect(failingNow.status.backlog).toBe(3);
    expect(failingNow.status.lastError).toBe("HTTP 500: (2013, 'Lost connection to MySQL server during query')");

    const done = await until("backlog 0 and a dead letter", async () => {
      const s = (await api(srv, "GET", `/api/v1/hr-destinations/${id}`)).json;
      return s.status.backlog === 0 && s.status.deadLetters === 1 && !s.status.inFlight ? s : null;
    });
    expect(done.cursor).toBe(ids[6]);
    expect(done.status.delivered).toBe(3);
    expect(done.status.skipped).toEqual({ unknownEmployee: 1, inactiveEmployee: 1, duplicate: 1, missingCheckIn: 0, outOfOrder: 0, notAPerson: 0 });
    expect(done.status.lastSkip).toBe("4 at 2026-04-01 09:10:00: No Employee found for the given employee field value. 'attendance_device_id': 4");
    expect(done.status.failedAttempts).toBe(0);

    // Exactly the accepted check-ins, once each, in order, with log types from the terminal.
    expect(erp.checkins.map(({ employee, time, log_type, device_id }) => ({ employee, time, log_type, device_id }))).toEqual([
      { employee: "HR-EMP-00002", time: "2026-04-01 09:00:00", log_type: "IN", device_id: "ERP1" },
      { employee: "HR-EMP-00001", time: "2026-04-01 08:00:00", log_type: "IN", device_id: "ERP1" },
      { employee: "HR-EMP-00001", time: "2026-04-01 17:00:00", log_type: "OUT", device_id: "ERP1" },
      { employee: "HR-EMP-00002", time: "2026-04-01 17:05:00", log_type: "OUT", device_id: "ERP1" },
    ]);
    // One call per refused punch (never retried), four for the failing one, none of the later ones before it was given up.
    const sent = erp.checkinCalls().map((c) => `${String(c.body?.employee_field_value)} ${String(c.body?.timestamp)}`);
    expect(sent).toEqual([
      "1001 2026-04-01 08:00:00", "1002 2026-04-01 09:00:00", "1003 2026-04-01 09:05:00", "4 2026-04-01 09:10:00",
      "1500 2026-04-01 09:15:00", "1500 2026-04-01 09:15:00", "1500 2026-04-01 09:15:00", "1500 2026-04-01 09:15:00",
      "1001 2026-04-01 17:00:00", "1002 2026-04-01 17:05:00",
    ]);
    expect(erp.checkinCalls()[0]?.body).toEqual({
      employee_field_value: "1001", timestamp: "2026-04-01 08:00:00", device_id: "ERP1", log_type: "IN", employee_fieldname: "attendance_device_id",
    });

    // Auto-attendance may close the shift: last_sync_of_checkin was set (site time) after the sync.
    const put = await until("shift type updated", () => erp.puts.at(-1) ?? null);
    expect(put.name).toBe("Day Shift");
    expect(String(put.last_sync_of_checkin)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);

    // The dead letter carries ERPNext's message and the record as sent.
    const letters = await api(srv, "GET", `/api/v1/hr-destinations/${id}/dead-letters`);
    expect(letters.json.items.length).toBe(1);
    const letter = letters.json.items[0];
    expect(letter).toMatchObject({
      destinationId: id, recordId: ids[4], status: "dead", attempts: 4,
      lastError: "HTTP 500: (2013, 'Lost connection to MySQL server during query')",
      record: { id: ids[4], employee: "1500", enrollid: 5, sn: "ERP1", time: "2026-04-01 09:15:00", inout: 0 },
    });

    // ERPNext is fixed: a retry delivers it.
    failing.delete("1500");
    const retried = await api(srv, "POST", `/api/v1/hr-destinations/${id}/dead-letters/${letter.id}/retry`);
    expect(retried.status).toBe(200);
    expect(retried.json).toMatchObject({ status: "delivered", attempts: 5, outcome: { status: "delivered" } });
    expect(erp.checkins.filter((c) => c.employee === "HR-EMP-00005").length).toBe(1);
    expect((await api(srv, "GET", `/api/v1/hr-destinations/${id}`)).json.status.deadLetters).toBe(0);

    // Audited, credentials sealed at rest.
    const audit = srv.db().query("SELECT action, result FROM audit_log WHERE action LIKE 'hr-destination.%' ORDER BY id").all();
    expect(audit).toEqual([
      { action: "hr-destination.create", result: "ok" },
      { action: "hr-destination.test", result: "ok" },
      { action: "hr-destination.dead-letter.retry", result: "delivered" },
    ]);
    const dbBytes = readFileSync(join(srv.dataDir, "tm20.db")).toString("latin1") + readFileSync(join(srv.dataDir, "tm20.db-wal")).toString("latin1");
    expect(dbBytes).not.toContain(SECRET);
  }, 60_000);

  test("scans of nobody enrolled (99999998/99999999) are counted as not a person and never sent; the cursor passes them", async () => {
    const erp = fakeErpnext({
      apiKey: KEY,
      apiSecret: SECRET,
      employees: [
        { name: "HR-EMP-00001", deviceId: "1", status: "Active" },
        // Were the placeholders sent, these employees would get their check-ins.
        { name: "HR-EMP-09998", deviceId: "99999998", status: "Active" },
        { name: "HR-EMP-09999", deviceId: "99999999", status: "Active" },
      ],
    });
    cleanup.push(erp.stop);
    const srv = await startTm20({ args: FAST_RETRY });
    cleanup.push(() => srv.stop());
    const created = await api(srv, "POST", "/api/v1/hr-destinations", {
      kind: "erpnext", name: "ERPNext", url: erp.url, credentials: { apiKey: KEY, apiSecret: SECRET }, employeeIdFrom: "enrollid", batchSize: 2,
    });
    expect(created.status).toBe(201);
    const id = created.json.id as number;
    // Batches of two: a person and a placeholder, a placeholder and a person, a placeholder alone.
    await punches(srv, "ERP4", [
      { enrollid: 1, time: "2026-04-04 08:00:00", inout: 0 },
      { enrollid: 99999998, time: "2026-04-04 08:01:00", inout: 0 },
      { enrollid: 99999999, time: "2026-04-04 08:02:00", inout: 0 },
      { enrollid: 1, time: "2026-04-04 17:00:00", inout: 1 },
      { enrollid: 99999999, time: "2026-04-04 17:01:00", inout: 0 },
    ]);
    const ids = (srv.db().query("SELECT id FROM attendance ORDER BY id").all() as Array<{ id: number }>).map((r) => r.id);
    expect(ids.length).toBe(5);

    const done = await until("the cursor past the last placeholder", async () => {
      const s = (await api(srv, "GET", `/api/v1/hr-destinations/${id}`)).json;
      return s.cursor === ids[4] && !s.status.inFlight ? s : null;
    });
    expect(done.status).toMatchObject({ backlog: 0, delivered: 2, deadLetters: 0, failedAttempts: 0, lastError: null });
    expect(done.status.skipped).toEqual({ unknownEmployee: 0, inactiveEmployee: 0, duplicate: 0, missingCheckIn: 0, outOfOrder: 0, notAPerson: 3 });
    expect(done.status.lastSkip).toBe("99999999 at 2026-04-04 17:01:00: a scan of nobody enrolled, not an employee's check-in");
    expect(erp.checkinCalls().map((c) => `${String(c.body?.employee_field_value)} ${String(c.body?.timestamp)}`)).toEqual(["1 2026-04-04 08:00:00", "1 2026-04-04 17:00:00"]);
    expect(erp.checkins.map(({ employee, time, log_type }) => ({ employee, time, log_type }))).toEqual([
      { employee: "HR-EMP-00001", time: "2026-04-04 08:00:00", log_type: "IN" },
      { employee: "HR-EMP-00001", time: "2026-04-04 17:00:00", log_type: "OUT" },
    ]);
  }, 60_000);

  test("kill -9 in the middle of a sync: after the restart every check-in is in ERPNext exactly once", async () => {
    const erp = fakeErpnext({ apiKey: KEY, apiSecret: SECRET, delayMs: 25, employees: [{ name: "HR-EMP-00001", deviceId: "1001", status: "Active" }] });
    cleanup.push(erp.stop);
    const first = await startTm20({ args: FAST_RETRY, keepData: true });
    const dataDir = first.dataDir;
    await person(first, 1, "1001");
    const created = await api(first, "POST", "/api/v1/hr-destinations", {
      kind: "erpnext", name: "ERPNext", url: erp.url, credentials: { apiKey: KEY, apiSecret: SECRET }, batchSize: 10,
    });
    const id = created.json.id as number;
    const times = Array.from({ length: 60 }, (_, i) => `2026-04-02 ${String(6 + Math.floor(i / 6)).padStart(2, "0")}:${String((i % 6) * 10).padStart(2, "0")}:00`);
    await punches(first, "ERP2", times.map((time, i) => ({ enrollid: 1, time, inout: i % 2 })));
    await until("some check-ins", () => (erp.checkins.length >= 15 ? true : null), 30_000, 5);
    await first.kill9();
    expect(erp.checkins.length).toBeLessThan(60);

    const second = await startTm20({ dataDir, args: FAST_RETRY });
    cleanup.push(() => second.stop());
    const done = await until("backlog 0", async () => {
      const s = (await api(second, "GET", `/api/v1/hr-destinations/${id}`)).json;
      return s.status.backlog === 0 && !s.status.inFlight ? s : null;
    });
    expect(erp.checkins.map((c) => c.time)).toEqual(times);
    expect(erp.checkins.map((c) => c.log_type)).toEqual(times.map((_, i) => (i % 2 === 0 ? "IN" : "OUT")));
    // Whatever was sent again after the crash was a duplicate to ERPNext, and counted as one.
    const resent = erp.checkinCalls().length - 60;
    expect(resent).toBeGreaterThanOrEqual(0);
    expect(resent).toBeLessThanOrEqual(10);
    expect(done.status.skipped).toEqual({ unknownEmployee: 0, inactiveEmployee: 0, duplicate: resent, missingCheckIn: 0, outOfOrder: 0, notAPerson: 0 });
    expect(done.status.delivered + resent).toBeGreaterThanOrEqual(60);
  }, 90_000);

  test("v13 (method under erpnext.) found on its own; test connection reports bad credentials and missing shift types", async () => {
    const erp = fakeErpnext({ apiKey: KEY, apiSecret: SECRET, v13: true, shiftTypes: ["Night"], employees: [{ name: "EMP/0001", deviceId: "7", status: "Active" }] });
    cleanup.push(erp.stop);
    const srv = await startTm20({ args: FAST_RETRY });
    cleanup.push(() => srv.stop());
    const created = await api(srv, "POST", "/api/v1/hr-destinations", {
      kind: "erpnext", name: "Old ERPNext", url: erp.url, credentials: { apiKey: KEY, apiSecret: "wrong" },
      employeeIdFrom: "enrollid", settings: { shiftTypes: ["Night", "Day"] },
    });
    const id = created.json.id as number;
    const bad = await api(srv, "POST", `/api/v1/hr-destinations/${id}/test`);
    expect(bad.json).toEqual({ ok: false, message: "sign-in refused (HTTP 401): Invalid login credentials" });
    expect((await api(srv, "PATCH", `/api/v1/hr-destinations/${id}`, { credentials: { apiKey: KEY, apiSecret: SECRET } })).status).toBe(200);
    const missing = await api(srv, "POST", `/api/v1/hr-destinations/${id}/test`);
    expect(missing.json).toEqual({ ok: false, message: "signed in as hr-sync@example.com, but these shift types cannot be read: Day (HTTP 404)" });
    expect((await api(srv, "PATCH", `/api/v1/hr-destinations/${id}`, { settings: { shiftTypes: ["Night"] } })).json.settings.shiftTypes).toEqual(["Night"]);

    await punches(srv, "ERP3", [{ enrollid: 7, time: "2026-04-03 22:00:00", inout: 3 }]);
    await until("delivered", async () => ((await api(srv, "GET", `/api/v1/hr-destinations/${id}`)).json.status.delivered === 1 ? true : null));
    expect(erp.checkins.map(({ employee, time, log_type }) => ({ employee, time, log_type }))).toEqual([{ employee: "EMP/0001", time: "2026-04-03 22:00:00", log_type: null }]);
    expect(erp.checkinCalls().map((c) => c.path.split(".")[0])).toEqual(["/api/method/hrms", "/api/method/erpnext"]);
    await until("shift type updated", () => erp.puts.find((p) => p.name === "Night") ?? null);

    // Bad input is a clear error.
    const refused = await api(srv, "POST", "/api/v1/hr-destinations", { kind: "erpnext", name: "x", url: erp.url, settings: { methodPath: "v12" } });
    expect(refused.status).toBe(400);
    expect(refused.json.code).toBe("bad_request");
    expect(refused.json.message).toContain("methodPath");
  }, 60_000);
});
