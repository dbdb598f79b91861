/**
 * A local ERPNext / Frappe HRMS for the tests: the endpoints the ERPNext destination uses, with
 * the answers Frappe gives. `frappe.throw` is HTTP 417 with `exception`, `exc_type`, `exc` (a
 * JSON list of tracebacks) and `_server_messages` (a JSON list of JSON-encoded messages, each
 * with message/title/indicator/raise_exception); the messages are HRMS's own for an unknown
 * employee, an inactive one and a duplicate (same employee, time and log type), which it checks
 * in that order. On "v13" the method lives under `erpnext.` only, and the `hrms.` path fails as
 * Frappe's handler fails for a module it cannot import.
 */
import type { Server } from "bun";

export interface FakeEmployee {
  name: string;
  deviceId: string;
  status: "Active" | "Inactive" | "Left";
}

export interface FakeCheckin {
  name: string;
  employee: string;
  time: string;
  log_type: "IN" | "OUT" | null;
  device_id: string | null;
}

export interface FakeErpnextOptions {
  employees: FakeEmployee[];
  apiKey: string;
  apiSecret: string;
  shiftTypes?: string[];
  /** v13 and older: the method exists only under `erpnext.`. */
  v13?: boolean;
  /** Employees (by device id) whose check-ins fail with a server error, while in the set. */
  failing?: Set<string>;
  /** Each check-in takes this long (ms). */
  delayMs?: number;
  /** Check-ins already in ERPNext. */
  checkins?: Array<Omit<FakeCheckin, "name">>;
}

const METHOD = "hr.doctype.employee_checkin.employee_checkin.add_log_based_on_employee_field";

function frappeError(status: number, excType: string, message: string, module = "frappe.exceptions"): Response {
  const exception = `${module}.${excType}: ${message}`;
  return Response.json(
    {
      exception,
      exc_type: excType,
      exc: JSON.stringify([`Traceback (most recent call last):\n  File "apps/frappe/frappe/app.py", line 114, in application\n    response = frappe.api.handle(request)\n${exception}\n`]),
      _server_messages: JSON.stringify([JSON.stringify({ message, title: "Message", indicator: "red", raise_exception: 1, __frappe_exc_id: "3f2a9c" })]),
    },
    { status },
  );
}

export function fakeErpnext(o: FakeErpnextOptions) {
  const checkins: FakeCheckin[] = (o.checkins ?? []).map((c, i) => ({ ...c, name: `EMP-CKIN-SEED-${i + 1}` }));
  const calls: Array<{ method: string; path: string; body: Record<string, unknown> | null }> = [];
  const shifts = new Map((o.shiftTypes ?? []).map((n) => [n, { name: n, last_sync_of_checkin: null as string | null }]));
  const puts: Array<{ name: string; last_sync_of_checkin: unknown }> = [];
  let seq = 0;

  const server: Server<undefined> = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const url = new URL(req.url);
      const path = decodeURIComponent(url.pathname);
      const text = req.method === "GET" ? "" : await req.text();
      const body = text ? (JSON.parse(text) as Record<string, unknown>) : null;
      calls.push({ method: req.method, path, body });
      if (req.headers.get("authorization") !== `token ${o.apiKey}:${o.apiSecret}`) {
        return frappeError(401, "AuthenticationError", "Invalid login credentials");
      }
      if (req.method === "GET" && path === "/api/method/frappe.auth.get_logged_user") return Response.json({ message: "hr-sync@example.com" });

      const shift = /^\/api\/resource\/Shift Type\/(.+)$/.exec(path);
      if (shift?.[1] !== undefined) {
        const row = shifts.get(shift[1]);
        if (!row) return frappeError(404, "DoesNotExistError", `Shift Type ${shift[1]} not found`);
        if (req.method === "PUT") {
          puts.push({ name: row.name, last_sync_of_checkin: body?.last_sync_of_checkin });
          row.last_sync_of_checkin = String(body?.last_sync_of_checkin);
        }
        return Response.json({ data: { doctype: "Shift Type", ...row } });
      }

      if (req.method === "POST" && (path === `/api/method/hrms.${METHOD}` || path === `/api/method/erpnext.${METHOD}`)) {
        if (o.v13 && path.startsWith("/api/method/hrms.")) {
          return frappeError(417, "ValidationError", `Failed to get method for command hrms.${METHOD} with No module named 'hrms'`);
        }
        if (!o.v13 && path.startsWith("/api/method/erpnext.")) {
          return frappeError(417, "ValidationError", `Failed to get method for command erpnext.${METHOD} with No module named 'erpnext.hr'`);
        }
        if (o.delayMs) await Bun.sleep(o.delayMs);
        const value = body?.employee_field_value;
        const time = body?.timestamp;
        const fieldname = body?.employee_fieldname ?? "attendance_device_id";
        if (typeof value !== "string" || typeof time !== "string") return frappeError(417, "ValidationError", "'employee_field_value' and 'timestamp' are required.");
        const emp = fieldname === "attendance_device_id" ? o.employees.find((e) => e.deviceId === value) : o.employees.find((e) => e.name === value);
        if (!emp) return frappeError(417, "ValidationError", `No Employee found for the given employee field value. '${String(fieldname)}': ${value}`);
        if (o.failing?.has(emp.deviceId)) {
          return frappeError(500, "OperationalError", "(2013, 'Lost connection to MySQL server during query')", "pymysql.err");
        }
        if (emp.status !== "Active") {
          return frappeError(417, "InactiveEmployeeStatusError", `Transactions cannot be created for an Inactive Employee <strong><a href="/app/employee/${emp.name}">${emp.name}</a></strong>.`, "hrms.hr.utils");
        }
        const logType = body?.log_type === "IN" || body?.log_type === "OUT" ? body.log_type : null;
        const dup = checkins.find((c) => c.employee === emp.name && c.time === time && c.log_type === logType);
        if (dup) {
          return frappeError(417, "ValidationError", `This employee already has a log with the same timestamp.<Br><a href="/app/employee-checkin/${dup.name}">${dup.name}</a>`);
        }
        seq++;
        const row: FakeCheckin = { name: `EMP-CKIN-${String(seq).padStart(5, "0")}`, employee: emp.name, time, log_type: logType, device_id: typeof body?.device_id === "string" ? body.device_id : null };
        checkins.push(row);
        return Response.json({ message: { doctype: "Employee Checkin", ...row, employee_name: emp.name, skip_auto_attendance: 0 } });
      }
      return frappeError(404, "DoesNotExistError", `Not found: ${path}`);
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    checkins,
    calls,
    shifts,
    puts,
    /** Check-in calls received (any answer). */
    checkinCalls: () => calls.filter((c) => c.method === "POST" && c.path.endsWith(METHOD)),
    stop: () => server.stop(true),
  };
}
