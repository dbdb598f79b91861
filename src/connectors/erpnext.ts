/**
 * ERPNext / Frappe HRMS: each punch becomes an Employee Checkin through the method biometric sync
 * tools call, `add_log_based_on_employee_field` (in the `hrms` app since v14, in `erpnext` on v13
 * and older), with `Authorization: token KEY:SECRET`. Frappe answers a refused check-in with HTTP
 * 417 and the reason in `_server_messages` (a JSON list of JSON messages) and `exception`/`exc`;
 * three reasons are final and told apart by their text, as the sync tools do: no employee has the
 * value, the employee is inactive, or a check-in with the same time (and log type) exists — which
 * is also what makes a record sent twice (a crash between delivery and commit) harmless.
 * When the outbox is empty after a delivery, each configured Shift Type gets `last_sync_of_checkin`
 * = now (site time), so auto-attendance can close the shifts that ended before it.
 */
import { z } from "zod";
import type { AdapterContext, ConnectorKindDef, HrAdapter, HrRecord, RecordOutcome, TestResult } from "./adapter.ts";

const METHOD = "hr.doctype.employee_checkin.employee_checkin.add_log_based_on_employee_field";
const PATHS = { hrms: `/api/method/hrms.${METHOD}`, erpnext: `/api/method/erpnext.${METHOD}` } as const;

const settings = z.strictObject({
  /** Where the method lives: hrms (v14 and newer), erpnext (v13 and older), auto (hrms, else erpnext). */
  methodPath: z.enum(["auto", "hrms", "erpnext"]).default("auto"),
  /** The Employee field matched against the employee id (ERPNext's default: Attendance Device ID). */
  employeeFieldname: z.string().regex(/^[a-z][a-z0-9_]{0,139}$/, "a field name such as attendance_device_id").default("attendance_device_id"),
  /** Shift Type names whose `last_sync_of_checkin` is kept current. */
  shiftTypes: z.array(z.string().trim().min(1).max(140)).max(100).default([]),
  /** Send IN/OUT from the terminal's check-in/check-out state (false: always null, ERPNext alternates). */
  sendLogType: z.boolean().default(true),
});

const credentials = z.strictObject({
  apiKey: z.string().trim().min(1).max(200),
  apiSecret: z.string().trim().min(1).max(200),
});

export type ErpnextSettings = z.infer<typeof settings>;
export type ErpnextCredentials = z.infer<typeof credentials>;

/** The phrases Frappe HRMS uses for the three final refusals (the sync tools match the same ones). */
const SKIPS = [
  { reason: "unknown_employee", text: "No Employee found for the given employee field value" },
  { reason: "inactive_employee", text: "Transactions cannot be created for an Inactive Employee" },
  { reason: "duplicate", text: "This employee already has a log with the same timestamp" },
] as const;

/** The method is not where we looked (hrms not installed, an older ERPNext). */
const MISSING_METHOD = /No module named|ModuleNotFoundError|App hrms is not installed|Failed to get method|has no attribute/i;

/** check-in and overtime-in → IN, check-out and overtime-out → OUT (as the biometric sync tool maps them). */
export function logTypeOf(inout: number): "IN" | "OUT" | null {
  if (inout === 0 || inout === 4) return "IN";
  if (inout === 1 || inout === 5) return "OUT";
  return null;
}

const EXCERPT = 300;
const plain = (s: string) => s.replace(/<[^>]*>/g, "").replace(/\s+/g, " ").trim();

/** Frappe's error body → the human message: `_server_messages`, else `exception`, else the text. */
export function frappeMessage(text: string): string {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return plain(text).slice(0, EXCERPT);
  }
  if (typeof body !== "object" || body === null) return plain(text).slice(0, EXCERPT);
  const b = body as Record<string, unknown>;
  const messages: string[] = [];
  if (typeof b._server_messages === "string") {
    try {
      const list: unknown = JSON.parse(b._server_messages);
      for (const item of Array.isArray(list) ? list : []) {
        const m: unknown = typeof item === "string" ? JSON.parse(item) : item;
        if (typeof m === "object" && m !== null && typeof (m as { message?: unknown }).message === "string") messages.push(plain((m as { message: string }).message));
      }
    } catch {
      // Not the usual shape: fall back to the exception.
    }
  }
  if (messages.length > 0) return messages.join(" ").slice(0, EXCERPT);
  if (typeof b.exception === "string") return plain(b.exception).slice(0, EXCERPT);
  if (typeof b.message === "string") return plain(b.message).slice(0, EXCERPT);
  return plain(text).slice(0, EXCERPT);
}

class ErpnextAdapter implements HrAdapter {
  #c: AdapterContext<ErpnextSettings, ErpnextCredentials>;
  #base: string;
  /** The method path in use; found by trying in auto mode, then kept. */
  #path: keyof typeof PATHS;

  constructor(ctx: AdapterContext<ErpnextSettings, ErpnextCredentials>) {
    this.#c = ctx;
    this.#base = ctx.url.replace(/\/+$/, "");
    this.#path = ctx.settings.methodPath === "erpnext" ? "erpnext" : "hrms";
  }

  async #request(method: string, path: string, body: unknown, signal: AbortSignal): Promise<{ status: number; text: string } | { error: string }> {
    const timeout = AbortSignal.timeout(this.#c.timeoutMs);
    const headers: Record<string, string> = { accept: "application/json", "user-agent": this.#c.userAgent };
    const creds = this.#c.credentials;
    if (creds) headers.authorization = `token ${creds.apiKey}:${creds.apiSecret}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    try {
      const res = await fetch(`${this.#base}${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.any([timeout, signal]),
        redirect: "manual",
      });
      return { status: res.status, text: await res.text() };
    } catch (err) {
      if (timeout.aborted) return { error: `timed out after ${this.#c.timeoutMs} ms` };
      return { error: `request failed: ${err instanceof Error ? err.message : String(err)}` };
    }
  }

  async #checkin(r: HrRecord, signal: AbortSignal): Promise<RecordOutcome> {
    const body = {
      employee_field_value: r.employee,
      timestamp: r.time,
      device_id: r.sn,
      log_type: this.#c.settings.sendLogType ? logTypeOf(r.inout) : null,
      employee_fieldname: this.#c.settings.employeeFieldname,
    };
    for (;;) {
      const res = await this.#request("POST", PATHS[this.#path], body, signal);
      if ("error" in res) return { status: "failed", retryable: true, error: res.error };
      if (res.status >= 200 && res.status < 300) return { status: "delivered" };
      const text = res.text;
      const skip = SKIPS.find((s) => text.includes(s.text));
      if (skip) return { status: "skipped", reason: skip.reason, message: frappeMessage(text) };
      const missing = res.status === 404 || MISSING_METHOD.test(text);
      if (missing && this.#c.settings.methodPath === "auto" && this.#path === "hrms") {
        this.#path = "erpnext";
        continue;
      }
      return { status: "failed", retryable: true, error: `HTTP ${res.status}${res.status === 401 || res.status === 403 ? " (check the API key and secret)" : ""}: ${frappeMessage(text)}` };
    }
  }

  async deliver(records: readonly HrRecord[], signal: AbortSignal): Promise<RecordOutcome[]> {
    const outcomes: RecordOutcome[] = [];
    for (const r of records) {
      if (signal.aborted) break;
      const outcome = await this.#checkin(r, signal);
      if (signal.aborted) break;
      outcomes.push(outcome);
      if (outcome.status === "failed") break;
    }
    return outcomes;
  }

  async test(signal: AbortSignal): Promise<TestResult> {
    const who = await this.#request("GET", "/api/method/frappe.auth.get_logged_user", undefined, signal);
    if ("error" in who) return { ok: false, message: who.error };
    if (who.status !== 200) return { ok: false, message: `sign-in refused (HTTP ${who.status}): ${frappeMessage(who.text)}` };
    const user = frappeMessage(who.text);
    const missing: string[] = [];
    for (const name of this.#c.settings.shiftTypes) {
      const res = await this.#request("GET", shiftTypePath(name), undefined, signal);
      if ("error" in res) return { ok: false, message: res.error };
      if (res.status !== 200) missing.push(`${name} (HTTP ${res.status})`);
    }
    if (missing.length > 0) return { ok: false, message: `signed in as ${user}, but these shift types cannot be read: ${missing.join(", ")}` };
    return { ok: true, message: `signed in as ${user}${this.#c.settings.shiftTypes.length > 0 ? `; shift types found: ${this.#c.settings.shiftTypes.join(", ")}` : ""}` };
  }

  async caughtUp(signal: AbortSignal): Promise<string | null> {
    const at = this.#c.clock().format(this.#c.now());
    for (const name of this.#c.settings.shiftTypes) {
      const res = await this.#request("PUT", shiftTypePath(name), { last_sync_of_checkin: at }, signal);
      if ("error" in res) return `shift type ${name}: ${res.error}`;
      if (res.status < 200 || res.status >= 300) return `shift type ${name}: HTTP ${res.status}: ${frappeMessage(res.text)}`;
    }
    return null;
  }
}

const shiftTypePath = (name: string) => `/api/resource/Shift%20Type/${encodeURIComponent(name)}`;

export const erpnext: ConnectorKindDef<ErpnextSettings, ErpnextCredentials> = {
  kind: "erpnext",
  label: "ERPNext / Frappe HRMS",
  settings,
  credentials,
  adapter: (ctx) => new ErpnextAdapter(ctx),
};
