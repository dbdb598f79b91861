/**
 * The Odoo client and the delivery against a local Odoo (test/helpers/fake-odoo.ts) over both
 * APIs: exact attendances in Odoo, exact outcomes per record, Odoo's errors, lost answers.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { OdooClient, type OdooConnection, OdooError } from "../../../src/connectors/odoo/client.ts";
import type { RecordOutcome } from "../../../src/connectors/adapter.ts";
import { OdooDelivery, type OdooPunchRecord } from "../../../src/connectors/odoo/deliver.ts";
import { type OdooSettings, odooSettings } from "../../../src/connectors/odoo/settings.ts";
import { type FakeOdoo, type FakeOdooOptions, startFakeOdoo } from "../../helpers/fake-odoo.ts";

const EMPLOYEES: FakeOdooOptions["employees"] = [
  { name: "Marc Demo", barcode: "1001" },
  { name: "Night Nurse", barcode: "1002" },
  { name: "Gone Away", barcode: "1003", active: false },
  { name: "Twin A", barcode: "2000" },
  { name: "Twin B", barcode: "2000" },
  { name: "Int Field", x_enroll: 7 },
];

let odoo: FakeOdoo | null = null;
afterEach(async () => {
  await odoo?.stop();
  odoo = null;
});

async function start(options: FakeOdooOptions = {}): Promise<FakeOdoo> {
  odoo = await startFakeOdoo({ employees: EMPLOYEES, ...options });
  return odoo;
}

function clientOf(o: FakeOdoo, conn: Partial<OdooConnection> = {}): OdooClient {
  return new OdooClient({ url: o.url, database: o.database, login: o.login, apiKey: o.apiKey, api: "auto", timeoutMs: 5000, userAgent: "tm20-test", ...conn });
}

/** A punch at site time = UTC (the site clock of these tests). */
const rec = (id: number, employee: string, time: string, inout = 0, sn = "T-1"): OdooPunchRecord => ({ id, employee, sn, time, utc: `${time.replace(" ", "T")}Z`, inout });
const settingsOf = (s: Partial<OdooSettings> = {}): OdooSettings => odooSettings.parse(s);
const never = new AbortController().signal;
const statuses = (outcomes: RecordOutcome[]) => outcomes.map((o) => (o.status === "skipped" ? `skipped:${o.reason}` : o.status));

describe("Odoo client", () => {
  test("auto picks JSON-2 on Odoo 19 and XML-RPC on an older Odoo; each sends what Odoo expects", async () => {
    const modern = await start();
    const c = clientOf(modern);
    await c.authenticate();
    expect(c.api).toBe("json2");
    expect(await c.searchRead("hr.employee", [["barcode", "=", "1001"]], ["name"])).toEqual([{ id: 100, name: "Marc Demo" }]);
    await modern.stop();

    const old = await start({ json2: false });
    const legacy = clientOf(old);
    expect(await legacy.searchCount("hr.employee", [["barcode", "!=", false]])).toBe(4);
    expect(legacy.api).toBe("xmlrpc");
    expect(old.calls).toEqual([{ api: "xmlrpc", model: "hr.employee", method: "search_count" }]);
    await expect(clientOf(old, { api: "json2" }).authenticate()).rejects.toThrow("/json/2 does not exist: is this an Odoo 19 server? (else choose XML-RPC)");
    // auto on an older Odoo without the database or the login XML-RPC needs: said so.
    await expect(clientOf(old, { database: "" }).authenticate()).rejects.toThrow("this Odoo has no JSON-2: XML-RPC needs the database name (and the login)");
    await expect(clientOf(old, { login: "" }).authenticate()).rejects.toThrow("this Odoo has no JSON-2: XML-RPC needs the login of the API key's user");
  });

  test.each(["json2", "xmlrpc"] as const)("%s: a wrong key, an Odoo refusal and a proxy's 503 are told apart", async (api) => {
    const o = await start();
    const bad = clientOf(o, { api, apiKey: "wrong" });
    const auth = await bad.authenticate().catch((e: unknown) => e);
    expect(auth).toBeInstanceOf(OdooError);
    expect((auth as OdooError).kind).toBe("auth");
    expect((auth as OdooError).message).toBe(api === "json2" ? "Invalid apikey" : 'Odoo refused login "tm20-bot" with this API key on database "mycompany"');

    const c = clientOf(o, { api });
    await c.create("hr.attendance", { employee_id: 100, check_in: "2026-03-02 08:00:00" });
    const refused = await c.create("hr.attendance", { employee_id: 100, check_in: "2026-03-02 09:00:00" }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OdooError);
    expect((refused as OdooError).kind).toBe("refused");
    expect((refused as OdooError).message).toBe("Cannot create new attendance record for Marc Demo, the employee hasn't checked out since Mar 2, 2026, 8:00:00 AM");

    o.unavailable(1);
    const down = await c.searchCount("hr.attendance", []).catch((e: unknown) => e);
    expect((down as OdooError).kind).toBe("unavailable");
    expect(await c.searchCount("hr.attendance", [])).toBe(1);
  });

  test("the fake Odoo's XML-RPC answers Python's xmlrpc.client as Odoo does", async () => {
    const o = await start({ json2: false });
    const script = `
import xmlrpc.client, json, sys
url, db, login, key = sys.argv[1:5]
common = xmlrpc.client.ServerProxy(url + "/xmlrpc/2/common")
uid = common.authenticate(db, login, key, {})
models = xmlrpc.client.ServerProxy(url + "/xmlrpc/2/object")
new_id = models.execute_kw(db, uid, key, "hr.attendance", "create", [{"employee_id": 100, "check_in": "2026-03-02 22:00:00"}])
rows = models.execute_kw(db, uid, key, "hr.attendance", "search_read", [[["check_out", "=", False]]], {"fields": ["employee_id", "check_in", "check_out"]})
try:
    models.execute_kw(db, uid, key, "hr.attendance", "write", [[new_id], {"check_out": "2026-03-02 21:00:00"}])
    fault = None
except xmlrpc.client.Fault as f:
    fault = [f.faultCode, f.faultString]
print(json.dumps({"uid": uid, "id": new_id, "rows": rows, "fault": fault}))`;
    // Asynchronous: the fake Odoo answers from this process's event loop.
    const proc = Bun.spawn(["/usr/bin/python3", "-c", script, o.url, o.database, o.login, o.apiKey], { stdout: "pipe", stderr: "pipe" });
    const [stdout, stderr] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    expect(stderr).toBe("");
    expect(JSON.parse(stdout)).toEqual({
      uid: o.uid,
      id: 1,
      rows: [{ id: 1, employee_id: [100, "Marc Demo"], check_in: "2026-03-02 22:00:00", check_out: false }],
      fault: [2, '"Check Out" time cannot be earlier than "Check In" time.'],
    });
  });
});

describe.each(["json2", "xmlrpc"] as const)("Odoo delivery over %s", (api) => {
  const delivery = (o: FakeOdoo, s: Partial<OdooSettings> = {}) => new OdooDelivery(clientOf(o, { api }), settingsOf({ api, database: o.database, login: o.login, ...s }));

  test("across midnight, a missing check-out, double scans, unknown, archived and ambiguous employees", async () => {
    const o = await start();
    const d = delivery(o);
    const records = [
      rec(1, "1002", "2026-03-02 22:00:00"),
      rec(2, "1001", "2026-03-02 08:00:00"),
      rec(3, "1001", "2026-03-02 08:00:50"),
      rec(4, "9999", "2026-03-02 08:01:00"),
      rec(5, "1003", "2026-03-02 08:02:00"),
      rec(6, "1002", "2026-03-03 06:00:00"),
      // Marc forgets to check out; the next morning's punch is more than 16 h later.
      rec(7, "1001", "2026-03-03 08:30:00"),
      rec(8, "1001", "2026-03-03 17:00:00"),
      rec(9, "1001", "2026-03-03 18:00:00", 1),
    ];
    const outcomes = await d.deliver(records, never);
    expect(statuses(outcomes)).toEqual([
      "delivered",
      "delivered",
      "skipped:duplicate",
      "skipped:unknown_employee",
      "skipped:inactive_employee",
      "delivered",
      "delivered",
      "delivered",
      "delivered",
    ]);
    expect(outcomes[3]).toEqual({ status: "skipped", reason: "unknown_employee", message: 'no Odoo employee has barcode "9999"' });
    expect(outcomes[4]).toEqual({ status: "skipped", reason: "inactive_employee", message: 'Odoo employee Gone Away (barcode "1003") is archived' });
    expect(o.attendancesOf("Night Nurse")).toEqual([["2026-03-02 22:00:00", "2026-03-03 06:00:00"]]);
    expect(o.attendancesOf("Marc Demo")).toEqual([
      ["2026-03-02 08:00:00", "2026-03-02 08:00:00"],
      ["2026-03-03 08:30:00", "2026-03-03 17:00:00"],
      ["2026-03-03 18:00:00", null],
    ]);
    expect(new Set(o.calls.map((c) => c.api))).toEqual(new Set([api]));

    // The same records again (a crash before the cursor moved): nothing changes in Odoo.
    const again = await d.deliver(records, never);
    expect(statuses(again)).toEqual(statuses(outcomes));
    expect(o.book.rows.size).toBe(4);

    const twins = await d.deliver([rec(10, "2000", "2026-03-03 09:00:00"), rec(11, "1002", "2026-03-03 22:00:00")], never);
    expect(twins).toEqual([{ status: "failed", retryable: false, error: "2 Odoo employees have barcode \"2000\": Twin A, Twin B" }]);
  });

  test("trusted in/out per terminal: an out with nothing open is skipped, the next check-in found open is flagged", async () => {
    const o = await start();
    const d = delivery(o, { inOut: "pair", terminals: { "T-IN-OUT": "trust" } });
    const outcomes = await d.deliver(
      [
        rec(1, "1001", "2026-03-02 07:00:00", 1, "T-IN-OUT"),
        rec(2, "1001", "2026-03-02 08:00:00", 0, "T-IN-OUT"),
        rec(3, "1001", "2026-03-02 12:00:00", 0, "T-IN-OUT"),
        rec(4, "1001", "2026-03-02 17:00:00", 1, "T-IN-OUT"),
      ],
      never,
    );
    expect(statuses(outcomes)).toEqual(["skipped:missing_check_in", "delivered", "delivered", "delivered"]);
    expect(o.attendancesOf("Marc Demo")).toEqual([
      ["2026-03-02 08:00:00", "2026-03-02 08:00:00"],
      ["2026-03-02 12:00:00", "2026-03-02 17:00:00"],
    ]);
  });

  test("an answer lost after Odoo committed: the record fails, the re-send completes without a duplicate", async () => {
    const o = await start();
    const d = delivery(o);
    const records = [rec(1, "1001", "2026-03-02 08:00:00"), rec(2, "1002", "2026-03-02 09:00:00"), rec(3, "1001", "2026-03-02 17:00:00")];
    o.loseAnswers("create");
    const first = await d.deliver(records, never);
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ status: "failed", retryable: true });
    expect((first[0] as { error: string }).error).toStartWith("Odoo unavailable:");
    expect(o.attendancesOf("Marc Demo")).toEqual([["2026-03-02 08:00:00", "2026-03-02 17:00:00"]]);
    // The dispatcher sends again from the failed record.
    expect(statuses(await d.deliver(records, never))).toEqual(["delivered", "delivered", "delivered"]);
    expect(o.attendancesOf("Marc Demo")).toEqual([["2026-03-02 08:00:00", "2026-03-02 17:00:00"]]);
    expect(o.attendancesOf("Night Nurse")).toEqual([["2026-03-02 09:00:00", null]]);
  });

  test("punches uploaded late fill the gap before Odoo's attendances, one inside an attendance is skipped; Odoo down fails the first record", async () => {
    const o = await start();
    const d = delivery(o);
    await d.deliver([rec(1, "1001", "2026-03-03 08:00:00"), rec(2, "1001", "2026-03-03 17:00:00")], never);
    const late = await d.deliver([rec(3, "1001", "2026-03-02 08:00:00"), rec(4, "1001", "2026-03-03 12:00:00"), rec(5, "1001", "2026-03-02 17:00:00")], never);
    expect(late).toEqual([
      { status: "delivered" },
      { status: "skipped", reason: "out_of_order", message: "inside an attendance Odoo already has: not placed, it would overlap (2026-03-03 12:00:00)" },
      { status: "delivered" },
    ]);
    expect(o.attendancesOf("Marc Demo")).toEqual([
      ["2026-03-02 08:00:00", "2026-03-02 17:00:00"],
      ["2026-03-03 08:00:00", "2026-03-03 17:00:00"],
    ]);
    o.unavailable(5);
    const down = await d.deliver([rec(4, "1001", "2026-03-04 08:00:00")], never);
    expect(down).toHaveLength(1);
    expect((down[0] as { error: string }).error).toStartWith("Odoo unavailable:");
  });

  test("an integer employee field is matched with numbers; a value that is no number is an unknown employee", async () => {
    const o = await start();
    const outcomes = await delivery(o, { employeeField: "x_enroll" }).deliver([rec(1, "7", "2026-03-02 08:00:00"), rec(2, "7a", "2026-03-02 08:05:00")], never);
    expect(outcomes).toEqual([{ status: "delivered" }, { status: "skipped", reason: "unknown_employee", message: 'no Odoo employee has x_enroll "7a"' }]);
    expect(o.attendancesOf("Int Field")).toEqual([["2026-03-02 08:00:00", null]]);
  });

  test("test connection: employees counted, a missing field and a wrong key reported", async () => {
    const o = await start();
    expect(await delivery(o).test(never)).toEqual({ ok: true, message: `signed in over ${api === "json2" ? "JSON-2" : "XML-RPC"}; 4 active employees have a barcode; attendances readable.` });
    expect(await delivery(o, { employeeField: "x_badge" }).test(never)).toEqual({ ok: false, message: 'signed in, but hr.employee has no field "x_badge": choose another employee field.' });
    const wrong = new OdooDelivery(clientOf(o, { api, apiKey: "nope" }), settingsOf({ api, database: o.database, login: o.login }));
    const result = await wrong.test(never);
    expect(result.ok).toBe(false);
    expect(result.message).toStartWith("Odoo refused the credentials:");
  });
});
