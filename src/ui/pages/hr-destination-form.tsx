/**
 * The HR destination form: what the admin typed, turned into the API's request bodies (the same
 * schemas, connectors/destination.ts; the kind's own fields are checked by the kind's schemas in
 * the use case). Each kind adds its fieldset and its reading here (`KIND_FORMS`). Credentials are
 * write-only: never shown back, and left empty on an edit they stay as stored.
 */
import type { Child } from "hono/jsx";
import { describeInput, labelled } from "../../lib/input-problem.ts";
import { type CreateHrDestinationBody, createHrDestinationBody, type HrDestinationView, type PatchHrDestinationBody, patchHrDestinationBody } from "../../connectors/destination.ts";
import type { ConnectorKindName } from "../../connectors/kinds.ts";
import { Field, RadioField } from "../components.tsx";
import { DestinationForm, DestinationFormEnd } from "./destination-parts.tsx";

/** The form as filled in (secrets left out), to show it again with an error. */
export interface HrFormValues {
  kind: ConnectorKindName;
  name: string;
  url: string;
  employeeIdFrom: "external_id" | "enrollid";
  enabled: boolean;
  timeoutS: string;
  maxAttempts: string;
  start: "now" | "beginning";
  /** The kind's own fields (names without the `k_` prefix the form gives them). */
  k: Record<string, string>;
}

interface KindForm {
  label: string;
  /** The stored settings as the kind's form fields. */
  values(settings: Record<string, unknown> | null): Record<string, string>;
  fields(props: { k: Record<string, string>; existing: HrDestinationView | null }): Child;
  /** Settings and credentials from the fields; credentials absent: keep the stored ones. */
  read(k: Record<string, string>): { settings: Record<string, unknown>; credentials?: Record<string, unknown> };
}

const list = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

const erpnextForm: KindForm = {
  label: "ERPNext / Frappe HRMS",
  values: (s) => ({
    method_path: typeof s?.methodPath === "string" ? s.methodPath : "auto",
    employee_fieldname: typeof s?.employeeFieldname === "string" ? s.employeeFieldname : "attendance_device_id",
    shift_types: list(s?.shiftTypes).join(", "),
    send_log_type: s?.sendLogType === false ? "" : "on",
  }),
  fields: ({ k, existing }) => (
    <>
      <Field label="API key" name="k_api_key" autocomplete="off" hint={existing?.credentialsSet ? "Stored: leave key and secret empty to keep them." : "Of an ERPNext user with the HR User role (User → API Access)."} />
      <Field label="API secret" name="k_api_secret" type="password" autocomplete="new-password" hint="Stored encrypted; never shown again." />
      <Field label="ERPNext employee field" name="k_employee_fieldname" value={k.employee_fieldname} hint="The Employee field holding our employee id (ERPNext's Attendance Device ID: attendance_device_id)." />
      <div class="field">
        <label for="f-k_method_path">Method path</label>
        <select id="f-k_method_path" name="k_method_path">
          <option value="auto" selected={k.method_path === "auto"}>Find it (hrms on ERPNext 14 and newer, else erpnext)</option>
          <option value="hrms" selected={k.method_path === "hrms"}>hrms.hr… (ERPNext 14 and newer)</option>
          <option value="erpnext" selected={k.method_path === "erpnext"}>erpnext.hr… (ERPNext 13 and older)</option>
        </select>
      </div>
      <Field label="Shift types" name="k_shift_types" value={k.shift_types} placeholder="Day Shift, Night Shift" hint="Comma-separated: their Last Sync of Checkin is kept current, so auto attendance closes the shifts." />
      <div class="field field-check">
        <input type="checkbox" id="f-k_send_log_type" name="k_send_log_type" checked={k.send_log_type === "on"} />
        <label for="f-k_send_log_type">Send IN/OUT from the terminal's check-in/check-out state</label>
      </div>
    </>
  ),
  read: (k) => {
    const key = (k.api_key ?? "").trim();
    const secret = (k.api_secret ?? "").trim();
    return {
      settings: {
        methodPath: k.method_path ?? "auto",
        employeeFieldname: (k.employee_fieldname ?? "").trim(),
        shiftTypes: (k.shift_types ?? "").split(",").map((s) => s.trim()).filter((s) => s !== ""),
        sendLogType: k.send_log_type === "on",
      },
      ...(key !== "" || secret !== "" ? { credentials: { apiKey: key, apiSecret: secret } } : {}),
    };
  },
};

const INTERPRETATIONS = ["pair", "trust", "entry", "exit"] as const;

const odooForm: KindForm = {
  label: "Odoo",
  values: (s) => ({
    api: typeof s?.api === "string" ? s.api : "auto",
    database: typeof s?.database === "string" ? s.database : "",
    login: typeof s?.login === "string" ? s.login : "",
    employee_field: typeof s?.employeeField === "string" ? s.employeeField : "barcode",
    in_out: typeof s?.inOut === "string" ? s.inOut : "pair",
    terminals:
      typeof s?.terminals === "object" && s.terminals !== null
        ? Object.entries(s.terminals)
            .map(([sn, how]) => `${sn}=${String(how)}`)
            .join(", ")
        : "",
    double_scan_seconds: typeof s?.doubleScanSeconds === "number" ? String(s.doubleScanSeconds) : "120",
    max_attendance_hours: typeof s?.maxAttendanceHours === "number" ? String(s.maxAttendanceHours) : "16",
  }),
  fields: ({ k, existing }) => (
    <>
      <Field
        label="API key"
        name="k_api_key"
        type="password"
        autocomplete="new-password"
        hint={existing?.credentialsSet ? "Stored: leave empty to keep it." : "Of the Odoo user that writes attendances (My Preferences → Account Security → New API Key; Odoo 13 and older: the password). Stored encrypted."}
      />
      <div class="field">
        <label for="f-k_api">API</label>
        <select id="f-k_api" name="k_api">
          <option value="auto" selected={k.api === "auto"}>Find it (JSON-2 on Odoo 19 and newer, else XML-RPC)</option>
          <option value="json2" selected={k.api === "json2"}>JSON-2 (Odoo 19 and newer)</option>
          <option value="xmlrpc" selected={k.api === "xmlrpc"}>XML-RPC (Odoo 10 to 18)</option>
        </select>
      </div>
      <Field label="Database" name="k_database" value={k.database} hint="Needed by XML-RPC, and by JSON-2 when the server hosts several databases." />
      <Field label="Login" name="k_login" value={k.login} autocomplete="off" hint="The API key's user (XML-RPC only)." />
      <Field label="Odoo employee field" name="k_employee_field" value={k.employee_field} hint="The Employee field holding our employee id: barcode (Badge ID), identification_id, pin, or a custom x_ field." />
      <div class="field">
        <label for="f-k_in_out">In/out key</label>
        <select id="f-k_in_out" name="k_in_out">
          <option value="pair" selected={k.in_out === "pair"}>Pair punches in time order</option>
          <option value="trust" selected={k.in_out === "trust"}>Trust the terminal's check-in/check-out state</option>
          <option value="entry" selected={k.in_out === "entry"}>Every punch is a check-in</option>
          <option value="exit" selected={k.in_out === "exit"}>Every punch is a check-out</option>
        </select>
      </div>
      <Field label="Per terminal" name="k_terminals" value={k.terminals} placeholder="ZYTI25116685=trust, ZYTI25116686=exit" hint="Serial number = pair, trust, entry or exit, overriding the in/out key." />
      <Field label="Double scan (seconds)" name="k_double_scan_seconds" type="number" min={0} max={3600} value={k.double_scan_seconds} hint="An employee's punches closer than this to the one before count once." />
      <Field label="Longest attendance (hours)" name="k_max_attendance_hours" type="number" min={1} max={48} value={k.max_attendance_hours} hint="Only a punch within this many hours of a check-in closes it; later, the check-out counts as missing (0 hours in Odoo)." />
    </>
  ),
  read: (k) => {
    const key = (k.api_key ?? "").trim();
    const terminals: Record<string, string> = {};
    for (const entry of (k.terminals ?? "").split(",")) {
      if (entry.trim() === "") continue;
      const [sn = "", how = ""] = entry.split("=").map((x) => x.trim());
      terminals[sn] = how;
    }
    const number = (s: string | undefined) => (s === undefined || s.trim() === "" ? Number.NaN : Number(s));
    return {
      settings: {
        api: k.api ?? "auto",
        database: (k.database ?? "").trim(),
        login: (k.login ?? "").trim(),
        employeeField: (k.employee_field ?? "").trim(),
        inOut: (INTERPRETATIONS as readonly string[]).includes(k.in_out ?? "") ? k.in_out : "pair",
        terminals,
        doubleScanSeconds: number(k.double_scan_seconds),
        maxAttendanceHours: number(k.max_attendance_hours),
      },
      ...(key !== "" ? { credentials: { apiKey: key } } : {}),
    };
  },
};

export const KIND_FORMS: Record<ConnectorKindName, KindForm> = { erpnext: erpnextForm, odoo: odooForm };

export function valuesOf(kind: ConnectorKindName, d: HrDestinationView | null): HrFormValues {
  return {
    kind,
    name: d?.name ?? "",
    url: d?.url ?? "",
    employeeIdFrom: d?.employeeIdFrom ?? "external_id",
    enabled: d?.enabled ?? true,
    timeoutS: String((d?.timeoutMs ?? 10_000) / 1000),
    maxAttempts: String(d?.maxAttempts ?? 10),
    start: "now",
    k: KIND_FORMS[kind].values(d?.settings ?? null),
  };
}

type Parsed<T> = { ok: true; body: T; values: HrFormValues } | { ok: false; error: string; values: HrFormValues };

function read(kind: ConnectorKindName, form: FormData) {
  const f: Record<string, string> = {};
  for (const [key, v] of form.entries()) if (typeof v === "string" && !(key in f)) f[key] = v;
  const k: Record<string, string> = {};
  for (const [key, v] of Object.entries(f)) if (key.startsWith("k_")) k[key.slice(2)] = v;
  const values: HrFormValues = {
    kind,
    name: f.name ?? "",
    url: (f.url ?? "").trim(),
    employeeIdFrom: f.employee_id_from === "enrollid" ? "enrollid" : "external_id",
    enabled: f.enabled === "on",
    timeoutS: f.timeout_s ?? "",
    maxAttempts: f.max_attempts ?? "",
    start: f.start === "beginning" ? "beginning" : "now",
    k,
  };
  const number = (s: string) => (s.trim() === "" ? Number.NaN : Number(s));
  const body = {
    name: values.name,
    url: values.url,
    employeeIdFrom: values.employeeIdFrom,
    enabled: values.enabled,
    timeoutMs: Math.round(number(values.timeoutS) * 1000),
    maxAttempts: number(values.maxAttempts),
    ...KIND_FORMS[kind].read(k),
  };
  return { body, values };
}

/** The body's fields as the form labels them. */
const LABEL = labelled({ name: "Name", url: "URL", timeoutMs: "Time-out (seconds)", maxAttempts: "Give up after (attempts)", batchSize: "Records per batch", terminals: "Terminals" });

export function parseNewHrDestination(kind: ConnectorKindName, form: FormData): Parsed<CreateHrDestinationBody> {
  const { body, values } = read(kind, form);
  const parsed = createHrDestinationBody.safeParse({ ...body, kind, start: values.start });
  return parsed.success ? { ok: true, body: parsed.data, values } : { ok: false, error: describeInput(parsed.error, LABEL), values };
}

export function parseHrDestinationChange(kind: ConnectorKindName, form: FormData): Parsed<PatchHrDestinationBody> {
  const { body, values } = read(kind, form);
  const parsed = patchHrDestinationBody.safeParse(body);
  return parsed.success ? { ok: true, body: parsed.data, values } : { ok: false, error: describeInput(parsed.error, LABEL), values };
}

export function HrDestinationForm(props: { action: string; csrf: string; values: HrFormValues; existing: HrDestinationView | null; disabled: boolean; error?: string | undefined }) {
  const { values: v, existing } = props;
  const kind = KIND_FORMS[v.kind];
  return (
    <DestinationForm
      action={props.action}
      csrf={props.csrf}
      label={existing ? "Change HR destination" : "New HR destination"}
      error={props.error}
      disabled={props.disabled}
      name={{ value: v.name, placeholder: kind.label }}
      url={{ value: v.url, placeholder: "https://erp.example.com", hint: "The HR system's address." }}
    >
      <RadioField
        name="employee_id_from"
        label="Employee id from"
        labelId="emp-label"
        value={v.employeeIdFrom}
        options={[
          ["external_id", "Payroll number (the enroll id where none is set)"],
          ["enrollid", "Enroll id"],
        ]}
      />
      {kind.fields({ k: v.k, existing })}
      <Field label="Time-out (seconds)" name="timeout_s" type="number" min={1} max={120} value={v.timeoutS} required />
      <Field label="Give up after (attempts)" name="max_attempts" type="number" min={1} max={1000} value={v.maxAttempts} required hint="A punch still failing then becomes a dead letter, with the HR system's message." />
      <DestinationFormEnd existing={existing !== null} start={v.start} enabled={v.enabled} disabled={props.disabled} startLabels={{ now: "Punches from now on", beginning: "Every punch in the store" }} />
    </DestinationForm>
  );
}
