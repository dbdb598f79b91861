/**
 * Every change is one use case, whatever door it comes through: the same action driven through
 * the REST API, the admin UI and (where it has one) the CLI leaves the same audit entries (same
 * action, target, details and result), only the actor differs. Each door works on its own
 * in-process server built the same way, so ids line up.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { terminalCommand } from "../../src/cli/terminal.ts";
import { tokenCommand } from "../../src/cli/token.ts";
import { API_TOKEN, buildApp, type InProcessApp } from "../helpers/app.ts";

const T0 = Date.UTC(2026, 2, 1, 9);

interface AuditLine {
  actor: string;
  action: string;
  target: string | null;
  details: string | null;
  result: string;
}

const apps: InProcessApp[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.stop();
});

async function app(): Promise<InProcessApp> {
  const a = await buildApp();
  apps.push(a);
  // Two terminals have registered (pending: the tests approve and block them).
  await a.store.write([seen("T1", "CPU-T1"), seen("T2", "CPU-T2")]);
  return a;
}

const seen = (sn: string, cpusn: string, at = T0) =>
  ({ type: "terminal-seen" as const, sn, at, sessionId: `s-${sn}`, remoteAddr: "10.0.0.66", cpusn, devinfo: null, approvalIfNew: "pending" as const, online: false });

/** Terminal T1 sends person 5's PIN with a raised admin level: held for an admin (the write path decides). */
async function terminalSendsPin(a: InProcessApp, pin: string, door: () => Promise<Response>): Promise<Response> {
  await a.store.write([
    { type: "credential", sn: "T1", at: T0 + 120_000, enrollid: 5, name: undefined, admin: 2, backupnum: 10, data: pin, remoteAddr: "10.0.0.66", via: "senduser", enrolment: "accept" },
  ]);
  return door();
}

/** Other hardware registers as T1 (approved by then): what "Replaced hardware" accepts. */
async function replaceHardware(a: InProcessApp, door: () => Promise<Response>): Promise<Response> {
  await a.store.write([seen("T1", "CPU-NEW", T0 + 60_000)]);
  return door();
}

/** The id of the leave type of that name. */
async function leaveType(a: InProcessApp, name: string): Promise<number> {
  const found = (await a.store.timesheets.leaveTypes()).find((t) => t.name === name);
  if (!found) throw new Error(`no leave type ${name}`);
  return found.id;
}

/** The id of the shift of that name. */
async function shift(a: InProcessApp, name: string): Promise<number> {
  const found = (await a.store.timesheets.shifts()).find((t) => t.name === name);
  if (!found) throw new Error(`no shift ${name}`);
  return found.id;
}

function auditOf(a: InProcessApp): Promise<AuditLine[]> {
  return a.store.auditLog({ limit: 1000 }).then((page) =>
    page.items.reverse().map(({ actor, action, target, details, result }) => ({ actor, action, target, details, result })),
  );
}

/** The change went through: an API success, or a UI/CLI redirect without an error message. */
async function succeeded(res: Response): Promise<void> {
  const cookie = /tm20_flash=([^;]*)/.exec(res.headers.get("set-cookie") ?? "")?.[1];
  // The flash is JSON, URI-encoded by the UI and again by the cookie.
  const flash = cookie ? (JSON.parse(decodeURIComponent(decodeURIComponent(cookie))) as { kind: string; text: string }) : null;
  expect(res.status >= 400 ? await res.text() : flash?.kind === "error" ? flash.text : null).toBeNull();
}

interface Step {
  name: string;
  api: (a: InProcessApp) => Promise<Response>;
  ui: (a: InProcessApp) => Promise<Response>;
}

/**
 * A digest time half a day from now: the notifier runs on the wall clock here, and a digest due
 * while the steps run (08:00 in a run at 08:05) would audit its sending into one door's step only.
 */
const DIGEST_AT = `${String((new Date().getUTCHours() + 12) % 24).padStart(2, "0")}:00`;
const webhookForm = { name: "Payroll", url: "http://127.0.0.1:9/hook", auth: "none", enabled: "on", event: "attendance", batch_size: "100", timeout_s: "10", max_attempts: "", start: "now" };
const webhookBody = { name: "Payroll", url: "http://127.0.0.1:9/hook", auth_header: null, terminals: null, event_types: ["attendance"], enabled: true, batch_size: 100, timeout_ms: 10_000, max_attempts: null };

// An unchecked box is not sent at all.
const { enabled: _on, ...paused } = webhookForm;

const hrForm = {
  name: "ERPNext", url: "http://127.0.0.1:9", employee_id_from: "external_id", enabled: "on", timeout_s: "10", max_attempts: "10", start: "now",
  k_api_key: "key", k_api_secret: "secret", k_method_path: "auto", k_employee_fieldname: "attendance_device_id", k_shift_types: "Day, Night", k_send_log_type: "on",
};
const hrSettings = { methodPath: "auto", employeeFieldname: "attendance_device_id", shiftTypes: ["Day", "Night"], sendLogType: true };
const hrBody = { name: "ERPNext", url: "http://127.0.0.1:9", employeeIdFrom: "external_id", enabled: true, timeoutMs: 10_000, maxAttempts: 10, settings: hrSettings };
const { enabled: _hrOn, k_api_key: _key, k_api_secret: _secret, ...hrPaused } = hrForm;

// The form's rounding selects always send a mode; without a step there is no rounding.
const noRounding = { round_in_mode: "nearest", round_out_mode: "nearest" };

// A saved HR source on a port nobody listens on: running it fails the same way through both doors.
const { auth: _header, ...hrSourceKept } = {
  name: "HR", url: "http://127.0.0.1:9/people", auth: { name: "X-Api-Key", value: "k-123" }, mapping: { items: "data", fields: { external_id: "id" } }, paging: { type: "none" }, disableMissing: false,
};
const hrSourceBody = { ...hrSourceKept, auth: { name: "X-Api-Key", value: "k-123" } };
const hrSourceForm = { name: "HR", url: "http://127.0.0.1:9/people", auth: "header", auth_name: "X-Api-Key", auth_value: "k-123", items: "data", paging_type: "none", map_external_id: "id" };

const PEOPLE_CSV = "enrollid,name,external_id\n7,Grace Hopper,E-7\n8,Alan Turing,E-8\n";

const STEPS: Step[] = [
  { name: "approve a terminal", api: (a) => a.api("POST", "/terminals/T1/approve"), ui: (a) => a.form("/terminals/T1/approve") },
  { name: "block a terminal", api: (a) => a.api("POST", "/terminals/T2/block"), ui: (a) => a.form("/terminals/T2/block") },
  {
    name: "edit a terminal",
    api: (a) => a.api("PATCH", "/terminals/T1", { name: "Front door", location: "Lobby", nosenduser: true }),
    ui: (a) => a.form("/terminals/T1/edit", { name: "Front door", location: "Lobby", nosenduser: "on" }),
  },
  {
    name: "accept a terminal's replaced hardware",
    api: (a) => replaceHardware(a, () => a.api("POST", "/terminals/T1/replaced-hardware")),
    ui: (a) => replaceHardware(a, () => a.form("/terminals/T1/replaced-hardware")),
  },
  {
    name: "ask a terminal again to take name-only users",
    api: async (a) => {
      await a.store.people.refuseNames("T2", T0);
      return a.api("POST", "/terminals/T2/ask-names-again");
    },
    ui: async (a) => {
      await a.store.people.refuseNames("T2", T0);
      return a.form("/terminals/T2/ask-names-again");
    },
  },
  { name: "create a group", api: (a) => a.api("POST", "/groups", { name: "Lobby", sync: true }), ui: (a) => a.form("/groups", { name: "Lobby", sync: "on" }) },
  { name: "rename a group", api: (a) => a.api("PATCH", "/groups/1", { name: "Hall" }), ui: (a) => a.form("/groups/1", { name: "Hall" }) },
  { name: "add a terminal to a group", api: (a) => a.api("PUT", "/groups/1/terminals/T1"), ui: (a) => a.form("/terminals/T1/groups", { group: "1" }) },
  {
    name: "create a person",
    api: (a) => a.api("POST", "/people", { enrollid: 5, name: "Ada", admin: 0, enabled: true, validFrom: null, validTo: null, externalId: null }),
    ui: (a) => a.form("/people", { enrollid: "5", name: "Ada", admin: "0", enabled: "on", validFrom: "", validTo: "", externalId: "" }),
  },
  {
    name: "change a person",
    api: (a) => a.api("PATCH", "/people/5", { name: "Ada L.", admin: 1, enabled: false, validFrom: null, validTo: "2027-01-01", externalId: "E-5" }),
    ui: (a) => a.form("/people/5", { name: "Ada L.", admin: "1", validFrom: "", validTo: "2027-01-01", externalId: "E-5" }),
  },
  // The card set here is what the push below sends: a person without one is refused (honest pushes).
  {
    name: "set a person's card",
    api: (a) => a.api("PUT", "/people/5/credentials/11", { data: "12345678" }),
    ui: (a) => a.form("/people/5/credentials/11", { card: "12345678" }),
  },
  { name: "set a person's PIN", api: (a) => a.api("PUT", "/people/5/credentials/10", { data: "4321" }), ui: (a) => a.form("/people/5/credentials/10", { pin: "4321" }) },
  { name: "remove a person's PIN", api: (a) => a.api("DELETE", "/people/5/credentials/10"), ui: (a) => a.form("/people/5/credentials/10/delete") },
  {
    name: "read a person's credential from a terminal",
    api: (a) => a.api("POST", "/people/5/credentials/0/pull", { sn: "T1" }),
    ui: (a) => a.form("/people/5/credentials/pull", { sn: "T1", backupnum: "0" }),
  },
  { name: "push a person to a terminal", api: (a) => a.api("POST", "/people/push", { enrollids: [5], terminals: ["T1"] }), ui: (a) => a.form("/people/5/push", { sn: "T1" }) },
  {
    name: "approve a change a terminal sent",
    api: (a) => terminalSendsPin(a, "9999", () => a.api("POST", "/held-changes/1/approve")),
    ui: (a) => terminalSendsPin(a, "9999", () => a.form("/people/held/1/approve")),
  },
  {
    name: "reject a change a terminal sent",
    api: (a) => terminalSendsPin(a, "8888", () => a.api("POST", "/held-changes/2/reject")),
    ui: (a) => terminalSendsPin(a, "8888", () => a.form("/people/held/2/reject")),
  },
  { name: "resync a group", api: (a) => a.api("POST", "/groups/1/resync"), ui: (a) => a.form("/groups/1/resync") },
  { name: "queue a command", api: (a) => a.api("POST", "/terminals/T1/commands", { command: "opendoor" }), ui: (a) => a.form("/terminals/T1/commands", { action: "opendoor" }) },
  { name: "fetch a terminal's missed logs", api: (a) => a.api("POST", "/terminals/T1/fetch-logs", {}), ui: (a) => a.form("/terminals/T1/commands", { action: "fetch-logs" }) },
  { name: "import a terminal's people", api: (a) => a.api("POST", "/people/pull", { sn: "T1" }), ui: (a) => a.form("/terminals/T1/commands", { action: "pull" }) },
  {
    name: "change a terminal's door settings",
    api: (a) => a.api("PUT", "/terminals/T1/door-settings", { openDelay: 5, alarmDelay: 2 }),
    ui: (a) => a.form("/terminals/T1/door-settings", { openDelay: "5", alarmDelay: "2" }),
  },
  { name: "read a terminal's door settings", api: (a) => a.api("POST", "/terminals/T1/door-settings/read"), ui: (a) => a.form("/terminals/T1/door-settings/read") },
  { name: "issue a person's QR code", api: (a) => a.api("POST", "/people/5/qr-code"), ui: (a) => a.form("/people/5/qr-code") },
  { name: "revoke a person's QR code", api: (a) => a.api("DELETE", "/people/5/qr-code"), ui: (a) => a.form("/people/5/qr-code/delete") },
  { name: "set a person's access levels", api: (a) => a.api("PUT", "/people/5/access", { levelIds: [] }), ui: (a) => a.form("/people/5/access") },
  { name: "add a department", api: (a) => a.api("POST", "/departments", { name: "Packing" }), ui: (a) => a.form("/timesheets/departments", { name: "Packing" }) },
  { name: "rename a department", api: (a) => a.api("PATCH", "/departments/1", { name: "Shipping" }), ui: (a) => a.form("/timesheets/departments/1", { name: "Shipping" }) },
  // A department that had members stays (history): the person joins another one than the one deleted below.
  { name: "add another department", api: (a) => a.api("POST", "/departments", { name: "Quality" }), ui: (a) => a.form("/timesheets/departments", { name: "Quality" }) },
  {
    name: "put a person in a department",
    api: (a) => a.api("PATCH", "/people/5", { departmentId: 2, departmentFrom: "2026-03-01" }),
    ui: (a) => a.form("/people/5/department", { departmentId: "2", from: "2026-03-01" }),
  },
  {
    name: "add a holiday",
    api: (a) => a.api("POST", "/holidays", { date: "2026-12-25", name: "Christmas", departmentIds: [1] }),
    ui: (a) => a.form("/timesheets/holidays", { date: "2026-12-25", name: "Christmas", departmentId: "1" }),
  },
  {
    name: "change a holiday",
    api: (a) => a.api("PATCH", "/holidays/1", { date: "2026-12-26", name: "Boxing Day", departmentIds: [] }),
    ui: (a) => a.form("/timesheets/holidays/1", { date: "2026-12-26", name: "Boxing Day" }),
  },
  { name: "delete a holiday", api: (a) => a.api("DELETE", "/holidays/1"), ui: (a) => a.form("/timesheets/holidays/1/delete") },
  { name: "delete a department", api: (a) => a.api("DELETE", "/departments/1"), ui: (a) => a.form("/timesheets/departments/1/delete") },
  {
    name: "add a leave type",
    api: (a) => a.api("POST", "/leave-types", { name: "Training", paid: true, countsAsWorked: true }),
    ui: (a) => a.form("/timesheets/leave-types", { name: "Training", paid: "on", countsAsWorked: "on" }),
  },
  {
    name: "change a leave type",
    api: async (a) => a.api("PATCH", `/leave-types/${await leaveType(a, "Training")}`, { name: "Course", paid: false, countsAsWorked: false }),
    ui: async (a) => a.form(`/timesheets/leave-types/${await leaveType(a, "Training")}`, { name: "Course" }),
  },
  { name: "rebuild timesheets", api: (a) => a.api("POST", "/timesheets/rebuild", { from: "2026-03-01", to: "2026-03-02" }), ui: (a) => a.form("/timesheets/rebuild", { from: "2026-03-01", to: "2026-03-02" }) },
  {
    name: "change the timesheet rules",
    api: (a) => a.api("PATCH", "/timesheets/rules", { doubleScanSeconds: 120, calculation: "paired", defaultInterpretation: "trust" }),
    ui: (a) => a.form("/timesheets/rules", { doubleScanSeconds: "120", calculation: "paired", defaultInterpretation: "trust" }),
  },
  {
    name: "read a terminal's punches its own way",
    api: (a) => a.api("PUT", "/timesheets/rules/terminals/T1", { interpretation: "entry" }),
    ui: (a) => a.form("/timesheets/rules/terminals/T1", { interpretation: "entry" }),
  },
  {
    name: "read a terminal's punches the site's way again",
    api: (a) => a.api("DELETE", "/timesheets/rules/terminals/T1"),
    ui: (a) => a.form("/timesheets/rules/terminals/T1", { interpretation: "" }),
  },
  {
    name: "add a missed punch",
    api: (a) => a.api("POST", "/corrections", { enrollid: 5, time: "2026-03-02 08:00:00", inout: 0, reason: "forgot to punch" }),
    ui: (a) => a.form("/timesheets/people/5/days/2026-03-02/corrections", { date: "2026-03-02", time: "08:00", inout: "0", reason: "forgot to punch" }),
  },
  {
    name: "remove a correction",
    api: (a) => a.api("DELETE", "/corrections/1", { reason: "typed on the wrong day" }),
    ui: (a) => a.form("/timesheets/people/5/days/2026-03-02/corrections/1/delete", { reason: "typed on the wrong day" }),
  },
  {
    name: "add leave",
    api: async (a) => a.api("POST", "/leave", { enrollid: 5, date: "2026-03-03", type: await leaveType(a, "Course") }),
    ui: async (a) => a.form("/timesheets/people/5/days/2026-03-03/leave", { type: String(await leaveType(a, "Course")), part: "day" }),
  },
  { name: "remove leave", api: (a) => a.api("DELETE", "/leave/1"), ui: (a) => a.form("/timesheets/people/5/days/2026-03-03/leave/1/delete") },
  {
    name: "delete a leave type",
    api: async (a) => a.api("DELETE", `/leave-types/${await leaveType(a, "Course")}`),
    ui: async (a) => a.form(`/timesheets/leave-types/${await leaveType(a, "Course")}/delete`),
  },
  {
    name: "add an access schedule",
    api: (a) => a.api("POST", "/access/schedules", { name: "Office hours", days: { "1": ["08:00-18:00"], "5": ["08:00-12:00", "13:00-17:00"] }, holidaysClosed: true }),
    ui: (a) => a.form("/access/schedules", { name: "Office hours", "d1-1-from": "08:00", "d1-1-to": "18:00", "d5-1-from": "08:00", "d5-1-to": "12:00", "d5-2-from": "13:00", "d5-2-to": "17:00", holidaysClosed: "on" }),
  },
  {
    name: "change an access schedule",
    api: (a) => a.api("PATCH", "/access/schedules/1", { name: "Mornings", days: { "2": ["07:00-12:00"] }, holidaysClosed: false }),
    ui: (a) => a.form("/access/schedules/1", { name: "Mornings", "d2-1-from": "07:00", "d2-1-to": "12:00" }),
  },
  {
    name: "add an access level",
    api: (a) => a.api("POST", "/access/levels", { name: "Staff", scheduleId: 1, terminals: ["T1"], groupIds: [1] }),
    ui: (a) => a.form("/access/levels", [["name", "Staff"], ["scheduleId", "1"], ["sn", "T1"], ["groupId", "1"]]),
  },
  {
    name: "change an access level",
    api: (a) => a.api("PATCH", "/access/levels/1", { name: "Day staff", scheduleId: 1, terminals: ["T1"], groupIds: [] }),
    ui: (a) => a.form("/access/levels/1", [["name", "Day staff"], ["scheduleId", "1"], ["sn", "T1"]]),
  },
  { name: "give a person an access level", api: (a) => a.api("PUT", "/people/5/access", { levelIds: [1] }), ui: (a) => a.form("/people/5/access", { levelId: "1" }) },
  { name: "delete an access level", api: (a) => a.api("DELETE", "/access/levels/1"), ui: (a) => a.form("/access/levels/1/delete") },
  { name: "delete an access schedule", api: (a) => a.api("DELETE", "/access/schedules/1"), ui: (a) => a.form("/access/schedules/1/delete") },
  {
    name: "add a shift",
    api: (a) => a.api("POST", "/shifts", { name: "Day", kind: "fixed", start: "08:00", end: "17:00" }),
    ui: (a) => a.form("/timesheets/shifts", { name: "Day", kind: "fixed", start: "08:00", end: "17:00", ...noRounding }),
  },
  {
    name: "change a shift",
    api: async (a) => a.api("PATCH", `/shifts/${await shift(a, "Day")}`, { name: "Early", kind: "fixed", start: "07:00", end: "16:00", breakMinutes: 30 }),
    ui: async (a) => a.form(`/timesheets/shifts/${await shift(a, "Day")}`, { name: "Early", kind: "fixed", start: "07:00", end: "16:00", breakMinutes: "30", ...noRounding }),
  },
  {
    name: "give a person a work schedule",
    api: async (a) => a.api("POST", "/schedules", { enrollid: 5, from: "2026-03-01", to: null, shiftId: await shift(a, "Early"), weekdays: [1, 2, 3, 4, 5] }),
    ui: async (a) =>
      a.form("/timesheets/schedules", [["enrollid", "5"], ["from", "2026-03-01"], ["shiftId", String(await shift(a, "Early"))], ...["1", "2", "3", "4", "5"].map((d): [string, string] => ["weekday", d])]),
  },
  { name: "end a work schedule", api: (a) => a.api("PATCH", "/schedules/1", { to: "2026-06-30" }), ui: (a) => a.form("/timesheets/schedules/1", { to: "2026-06-30" }) },
  { name: "delete a work schedule", api: (a) => a.api("DELETE", "/schedules/1"), ui: (a) => a.form("/timesheets/schedules/1/delete") },
  {
    name: "delete a shift",
    api: async (a) => a.api("DELETE", `/shifts/${await shift(a, "Early")}`),
    ui: async (a) => a.form(`/timesheets/shifts/${await shift(a, "Early")}/delete`),
  },
  {
    name: "make a visitor pass",
    api: (a) => a.api("POST", "/access/passes", { name: "Visitor", validFrom: "2026-03-02T08:00", validTo: "2026-03-02T18:00", terminals: ["T1"], uses: 2 }),
    ui: (a) => a.form("/access/passes", { name: "Visitor", validFrom: "2026-03-02T08:00", validTo: "2026-03-02T18:00", sn: "T1", uses: "2" }),
  },
  { name: "revoke a visitor pass", api: (a) => a.api("POST", "/access/passes/1/revoke"), ui: (a) => a.form("/access/passes/1/revoke") },
  { name: "take a terminal out of a group", api: (a) => a.api("DELETE", "/groups/1/terminals/T1"), ui: (a) => a.form("/terminals/T1/groups/1/leave") },
  { name: "delete a group", api: (a) => a.api("DELETE", "/groups/1"), ui: (a) => a.form("/groups/1/delete") },
  {
    name: "import people from a CSV file",
    api: (a) => a.request("/api/v1/people/import", { method: "POST", headers: { authorization: `Bearer ${API_TOKEN}`, "content-type": "text/csv" }, body: PEOPLE_CSV }),
    ui: (a) => a.form("/integrations/import/csv", { csv: PEOPLE_CSV, mode: "apply" }),
  },
  { name: "delete a person", api: (a) => a.api("DELETE", "/people/5"), ui: (a) => a.form("/people/5/delete") },
  { name: "add a webhook", api: (a) => a.api("POST", "/webhooks", { ...webhookBody, start: "now" }), ui: (a) => a.form("/integrations/webhooks", webhookForm) },
  { name: "change a webhook", api: (a) => a.api("PATCH", "/webhooks/1", { ...webhookBody, enabled: false }), ui: (a) => a.form("/integrations/webhooks/1", paused) },
  { name: "delete a webhook", api: (a) => a.api("DELETE", "/webhooks/1"), ui: (a) => a.form("/integrations/webhooks/1/delete") },
  {
    name: "add an HR destination",
    api: (a) => a.api("POST", "/hr-destinations", { kind: "erpnext", ...hrBody, credentials: { apiKey: "key", apiSecret: "secret" }, start: "now" }),
    ui: (a) => a.form("/integrations/hr?kind=erpnext", hrForm),
  },
  { name: "change an HR destination", api: (a) => a.api("PATCH", "/hr-destinations/1", { ...hrBody, enabled: false }), ui: (a) => a.form("/integrations/hr/1", hrPaused) },
  {
    name: "test an HR destination's connection",
    api: async (a) => {
      const res = await a.api("POST", "/hr-destinations/1/test");
      expect(await res.clone().json()).toMatchObject({ ok: false });
      return res;
    },
    // The UI says it with an error flash: the audit entry is what must match.
    ui: async (a) => {
      const res = await a.form("/integrations/hr/1/test");
      expect([res.status, res.headers.get("location")]).toEqual([303, "/integrations/hr/1"]);
      return new Response(null, { status: 204 });
    },
  },
  { name: "delete an HR destination", api: (a) => a.api("DELETE", "/hr-destinations/1"), ui: (a) => a.form("/integrations/hr/1/delete") },
  {
    name: "change the notification settings",
    api: (a) =>
      a.api("PUT", "/notifications", {
        kinds: ["terminal_offline", "tamper"], quietSeconds: 60, notifyResolved: false, dailyDigestAt: DIGEST_AT, linkBase: "",
        email: { enabled: true, host: "smtp.example.com", port: 587, security: "starttls", username: "tm20", password: "pw-1234", from: "tm20@example.com", to: ["it@example.com"] },
        webhook: { enabled: true },
      }),
    ui: (a) =>
      a.form("/settings/notifications", {
        kind_terminal_offline: "on", kind_tamper: "on", quietSeconds: "60", dailyDigestAt: DIGEST_AT, linkBase: "",
        emailEnabled: "on", smtpHost: "smtp.example.com", smtpPort: "587", smtpSecurity: "starttls", smtpUsername: "tm20", smtpPassword: "pw-1234", smtpFrom: "tm20@example.com", smtpTo: "it@example.com",
        webhookEnabled: "on",
      }),
  },
  { name: "change the site settings", api: (a) => a.api("PATCH", "/settings", { siteName: "Plant 2", offlineAlertMinutes: 15 }), ui: (a) => a.form("/settings/site", { siteName: "Plant 2", offlineAlertMinutes: "15" }) },
  {
    name: "add an admin UI user",
    api: (a) => a.api("POST", "/users", { username: "ops", role: "viewer", password: "correct-horse-1" }),
    ui: (a) => a.form("/settings/users", { username: "ops", role: "viewer", password: "correct-horse-1" }),
  },
  { name: "make a user an admin", api: (a) => a.api("PATCH", "/users/2", { role: "admin" }), ui: (a) => a.form("/settings/users/2", { role: "admin" }) },
  { name: "disable a user", api: (a) => a.api("PATCH", "/users/2", { disabled: true }), ui: (a) => a.form("/settings/users/2", { disabled: "true" }) },
  {
    name: "set a user's password",
    api: (a) => a.api("PATCH", "/users/2", { password: "battery-staple-2" }),
    ui: (a) => a.form("/settings/users/password", { id: "2", newPassword: "battery-staple-2" }),
  },
  { name: "delete a user", api: (a) => a.api("DELETE", "/users/2"), ui: (a) => a.form("/settings/users/2/delete") },
  { name: "add an HR source", api: (a) => a.api("POST", "/import-sources", hrSourceBody), ui: (a) => a.form("/integrations/import/sources", hrSourceForm) },
  {
    name: "change an HR source (its header kept)",
    api: (a) => a.api("PUT", "/import-sources/1", { ...hrSourceKept, name: "Payroll HR" }),
    ui: (a) => a.form("/integrations/import/sources/1", { ...hrSourceForm, name: "Payroll HR", auth: "keep", auth_value: "" }),
  },
  {
    name: "run an HR source that cannot be read",
    api: async (a) => {
      const res = await a.api("POST", "/import-sources/1/run", {});
      expect(await res.clone().json()).toMatchObject({ ok: false });
      return res;
    },
    // The UI says it with an error flash: the audit entry is what must match.
    ui: async (a) => {
      const res = await a.form("/integrations/import/sources/1/run", { mode: "apply" });
      expect([res.status, res.headers.get("location")]).toEqual([303, "/integrations/import/sources/1"]);
      return new Response(null, { status: 204 });
    },
  },
  { name: "delete an HR source", api: (a) => a.api("DELETE", "/import-sources/1"), ui: (a) => a.form("/integrations/import/sources/1/delete") },
  // In-process the snapshot cannot be taken (it runs the program again, which here is the test file): the refused download is audited alike.
  {
    name: "download a backup",
    api: async (a) => {
      const res = await a.api("GET", "/backup");
      expect([res.status, await res.json()]).toEqual([503, { code: "backup_failed", message: "the snapshot could not be taken; see the server log" }]);
      return new Response(null, { status: 204 });
    },
    ui: async (a) => {
      const res = await a.form("/settings/backup");
      expect([res.status, res.headers.get("location")]).toEqual([303, "/settings/backup/1"]);
      // The snapshot is prepared in the background: its failure (and audit) comes after the answer.
      for (let i = 0; i < 200; i++) {
        const b = (await (await a.page("/settings/backup/1.json")).json()) as { status: string };
        if (b.status !== "running") break;
        await Bun.sleep(20);
      }
      expect(((await (await a.page("/settings/backup/1.json")).json()) as { status: string }).status).toBe("failed");
      return new Response(null, { status: 204 });
    },
  },
];

describe("one use case per action, whatever the door", () => {
  test("API and admin UI: each action leaves the same audit entries, by token:api and user:admin", async () => {
    const [api, ui] = await Promise.all([app(), app()]);
    for (const step of STEPS) {
      const [before, beforeUi] = [(await auditOf(api)).length, (await auditOf(ui)).length];
      await succeeded(await step.api(api));
      await succeeded(await step.ui(ui));
      const viaApi = (await auditOf(api)).slice(before);
      const viaUi = (await auditOf(ui)).slice(beforeUi);
      expect({ step: step.name, audited: viaApi.length > 0 }).toEqual({ step: step.name, audited: true });
      expect({ step: step.name, entries: viaApi.map((e) => ({ ...e, actor: e.actor === "token:api" ? "door" : e.actor })) }).toEqual({
        step: step.name,
        entries: viaUi.map((e) => ({ ...e, actor: e.actor === "user:admin" ? "door" : e.actor })),
      });
    }
    // The edit kept what the terminal got, the same through both doors.
    const [t1Api, t1Ui] = await Promise.all([api.store.getTerminal("T1"), ui.store.getTerminal("T1")]);
    expect({ name: t1Api?.name, location: t1Api?.location, nosenduser: t1Api?.nosenduser, approval: t1Api?.approval }).toEqual({
      name: "Front door",
      location: "Lobby",
      nosenduser: true,
      approval: "approved",
    });
    expect({ ...t1Ui, lastSeen: 0 }).toEqual({ ...t1Api, lastSeen: 0 } as typeof t1Ui & object);
    // The import applied (not a dry run) through both doors.
    for (const a of [api, ui]) expect((await a.store.getPerson(7))?.name).toBe("Grace Hopper");
  });

  test("CLI: terminal approve/block/replaced-hardware like the API, token create/revoke like the admin UI", async () => {
    const [api, ui, cli] = await Promise.all([app(), app(), app()]);
    const store = ["--data-dir", cli.dataDir];
    await succeeded(await api.api("POST", "/terminals/T1/approve"));
    await succeeded(await api.api("POST", "/terminals/T2/block"));
    await succeeded(await replaceHardware(api, () => api.api("POST", "/terminals/T1/replaced-hardware")));
    await terminalCommand(["approve", "T1", ...store]);
    await terminalCommand(["block", "T2", ...store]);
    await replaceHardware(cli, async () => {
      await terminalCommand(["replaced-hardware", "T1", ...store]);
      return new Response(null, { status: 204 });
    });
    await succeeded(await ui.form("/settings/tokens", { name: "payroll", scope: "admin" }));
    await succeeded(await ui.form("/settings/tokens/2/revoke"));
    await tokenCommand(["create", "--name", "payroll", ...store]);
    await tokenCommand(["revoke", "2", ...store]);
    const door = (lines: AuditLine[], actor: string) => lines.map((e) => ({ ...e, actor: e.actor === actor ? "door" : e.actor }));
    const viaCli = door(await auditOf(cli), "cli");
    expect(viaCli.slice(0, 3)).toEqual(door(await auditOf(api), "token:api"));
    expect(viaCli.slice(3)).toEqual(door(await auditOf(ui), "user:admin"));
    expect(viaCli.map((e) => [e.action, e.target])).toEqual([
      ["terminal.approve", "T1"],
      ["terminal.block", "T2"],
      ["terminal.replace-hardware", "T1"],
      ["token.create", "2"],
      ["token.revoke", "2"],
    ]);
  });
});
