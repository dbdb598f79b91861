/**
 * Delivering punches to Odoo as `hr.attendance`: per batch, the employees are looked up by the
 * configured `hr.employee` field (archived ones included, to tell "inactive" from "unknown"), their
 * recent attendances read back from Odoo (the open one and any touching the batch's time span), the
 * punches paired (pairing.ts) and the operations sent in order. Odoo's state is read afresh for
 * every batch, so a restart, a lost answer or a re-sent batch never duplicates an attendance.
 *
 * One outcome per record, in record order, up to the first failure (the dispatcher sends the rest
 * again later): delivered (in Odoo now, or already), skipped for a reason (counted, never retried),
 * or failed with Odoo's words. Employees are sent one after the other, so one employee's failure
 * does not hold back the others': their punches after the failed record may be in Odoo already,
 * and are found present when sent again.
 */
import { DEFAULT_SITE_RULES, type Role, roleOf } from "../../timesheets/index.ts";
import type { HrRecord, RecordOutcome, TestResult } from "../adapter.ts";
import { type OdooClient, OdooError, type OdooRecord, type OdooValue } from "./client.ts";
import { type AttendancePlan, fromOdooDatetime, type OdooAttendance, type PairingPunch, planAttendances, toOdooDatetime } from "./pairing.ts";
import type { OdooSettings } from "./settings.ts";

/** What the Odoo destination reads of a punch. */
export type OdooPunchRecord = Pick<HrRecord, "id" | "employee" | "sn" | "time" | "utc" | "inout">;

interface Employee {
  id: number;
  name: string;
  active: boolean;
}

/** Records per hr.employee search and attendances per page. */
const CODES_PER_SEARCH = 200;
const ATTENDANCE_PAGE = 1000;
/** A batch whose employees have more attendances than this in its time span is refused, not read without end. */
const MAX_ATTENDANCES = 50_000;

function describe(e: unknown): string {
  if (e instanceof OdooError) {
    const prefix = { auth: "Odoo refused the credentials", refused: "Odoo refused", access: "Odoo denied access", unavailable: "Odoo unavailable", protocol: "Odoo answered unexpectedly" }[e.kind];
    return `${prefix}: ${e.message}`;
  }
  return e instanceof Error ? e.message : String(e);
}

const failed = (e: unknown): RecordOutcome => ({ status: "failed", retryable: true, error: describe(e) });

export class OdooDelivery {
  /** The employee field's Odoo type, once known (an integer field takes numbers). */
  #fieldType: string | null = null;

  constructor(
    private readonly client: OdooClient,
    private readonly settings: OdooSettings,
  ) {}

  roleOf(r: OdooPunchRecord): Role {
    const site = { ...DEFAULT_SITE_RULES, terminals: this.settings.terminals, defaultInterpretation: this.settings.inOut };
    return roleOf({ id: r.id, sn: r.sn, enrollid: 0, time: r.time, ts: 0, inout: r.inout }, site);
  }

  async deliver(records: readonly OdooPunchRecord[], signal: AbortSignal): Promise<RecordOutcome[]> {
    if (records.length === 0) return [];
    const client = this.client.scoped(signal);
    const outcomes: Array<RecordOutcome | null> = records.map(() => null);

    let employees: Map<string, Employee[]>;
    try {
      employees = await this.#employees(client, [...new Set(records.map((r) => r.employee))]);
    } catch (e) {
      return [failed(e)];
    }
    const field = this.settings.employeeField;
    const byEmployee = new Map<number, { employee: Employee; records: Array<{ index: number; punch: PairingPunch; record: OdooPunchRecord }> }>();
    for (const [index, r] of records.entries()) {
      const found = employees.get(r.employee) ?? [];
      const active = found.filter((e) => e.active);
      const ts = Date.parse(r.utc);
      if (!Number.isFinite(ts)) outcomes[index] = { status: "failed", retryable: false, error: `not a UTC time: ${JSON.stringify(r.utc)}` };
      else if (found.length === 0) outcomes[index] = { status: "skipped", reason: "unknown_employee", message: `no Odoo employee has ${field} ${JSON.stringify(r.employee)}` };
      else if (active.length === 0) outcomes[index] = { status: "skipped", reason: "inactive_employee", message: `Odoo employee ${found[0]?.name} (${field} ${JSON.stringify(r.employee)}) is archived` };
      else if (active.length > 1) {
        outcomes[index] = { status: "failed", retryable: false, error: `${active.length} Odoo employees have ${field} ${JSON.stringify(r.employee)}: ${active.map((e) => e.name).join(", ")}` };
      } else {
        const employee = active[0] as Employee;
        const group = byEmployee.get(employee.id) ?? { employee, records: [] };
        group.records.push({ index, punch: { key: r.id, ts, role: this.roleOf(r) }, record: r });
        byEmployee.set(employee.id, group);
      }
    }

    if (byEmployee.size > 0) {
      const punchTimes = [...byEmployee.values()].flatMap((g) => g.records.map((x) => x.punch.ts));
      const lookBack = Math.max(this.settings.doubleScanSeconds * 1000, this.settings.maxAttendanceHours * 3_600_000);
      let attendances: Map<number, OdooAttendance[]>;
      try {
        attendances = await this.#attendances(client, [...byEmployee.keys()], Math.min(...punchTimes) - lookBack);
      } catch (e) {
        const first = Math.min(...[...byEmployee.values()].flatMap((g) => g.records.map((x) => x.index)));
        outcomes[first] = failed(e);
        return settled(outcomes);
      }
      for (const [id, group] of byEmployee) {
        if (signal.aborted) break;
        const plan = planAttendances(attendances.get(id) ?? [], group.records.map((x) => x.punch), this.settings);
        const { done, error } = await this.#execute(client, id, plan, signal);
        for (const { index, punch, record } of group.records) {
          outcomes[index] = outcomeOf(plan, punch.key, record, done, error, this.settings.doubleScanSeconds);
        }
      }
    }
    return settled(outcomes);
  }

  /** Sends the plan's operations in order, stopping at the first Odoo refuses; how many were done. */
  async #execute(client: OdooClient, employeeId: number, plan: AttendancePlan, signal: AbortSignal): Promise<{ done: number; error: unknown }> {
    let done = 0;
    for (const op of plan.ops) {
      if (signal.aborted) return { done, error: null };
      try {
        if (op.op === "create") {
          const vals: OdooRecord = { employee_id: employeeId, check_in: toOdooDatetime(op.checkIn) };
          if (op.checkOut !== null) vals.check_out = toOdooDatetime(op.checkOut);
          await client.create("hr.attendance", vals);
        } else {
          await client.write("hr.attendance", [op.attendanceId], { check_out: toOdooDatetime(op.checkOut) });
        }
      } catch (e) {
        return { done, error: e };
      }
      done++;
    }
    return { done, error: null };
  }

  /** Employee value → the hr.employee records having it (archived ones too). */
  async #employees(client: OdooClient, codes: string[]): Promise<Map<string, Employee[]>> {
    const field = this.settings.employeeField;
    if (this.#fieldType === null) {
      const types = await client.fieldTypes("hr.employee", [field]);
      const type = types.get(field);
      if (type === undefined) throw new OdooError("protocol", `hr.employee has no field ${field}`);
      this.#fieldType = type;
    }
    const numeric = this.#fieldType === "integer";
    const out = new Map<string, Employee[]>();
    const wanted = numeric ? codes.filter((c) => /^-?\d{1,15}$/.test(c)) : codes.filter((c) => c !== "");
    for (let i = 0; i < wanted.length; i += CODES_PER_SEARCH) {
      const chunk = wanted.slice(i, i + CODES_PER_SEARCH);
      const values: OdooValue[] = numeric ? chunk.map(Number) : chunk;
      const rows = await client.searchRead("hr.employee", [[field, "in", values]], ["id", "name", "active", field], { context: { active_test: false } });
      for (const row of rows) {
        const value = row[field];
        const id = row.id;
        if ((typeof value !== "string" && typeof value !== "number") || typeof id !== "number") continue;
        const code = String(value);
        const list = out.get(code) ?? [];
        list.push({ id, name: typeof row.name === "string" ? row.name : `#${id}`, active: row.active !== false });
        out.set(code, list);
      }
    }
    return out;
  }

  /** The employees' attendances that can matter for punches from `since` on: open ones, and any touching that span. */
  async #attendances(client: OdooClient, employeeIds: number[], since: number): Promise<Map<number, OdooAttendance[]>> {
    const from = toOdooDatetime(Math.max(0, since));
    const domain: OdooValue[] = [["employee_id", "in", employeeIds], "|", "|", ["check_out", "=", false], ["check_in", ">=", from], ["check_out", ">=", from]];
    const out = new Map<number, OdooAttendance[]>();
    for (let offset = 0; ; offset += ATTENDANCE_PAGE) {
      if (offset >= MAX_ATTENDANCES) throw new OdooError("protocol", `more than ${MAX_ATTENDANCES} attendances since ${from} UTC for this batch's employees`);
      const rows = await client.searchRead("hr.attendance", domain, ["employee_id", "check_in", "check_out"], { order: "check_in asc, id asc", limit: ATTENDANCE_PAGE, offset });
      for (const row of rows) {
        const employee = Array.isArray(row.employee_id) ? row.employee_id[0] : row.employee_id;
        const checkIn = typeof row.check_in === "string" ? fromOdooDatetime(row.check_in) : null;
        const checkOut = typeof row.check_out === "string" ? fromOdooDatetime(row.check_out) : null;
        if (typeof row.id !== "number" || typeof employee !== "number" || checkIn === null) {
          throw new OdooError("protocol", `hr.attendance row not understood: ${JSON.stringify(row).slice(0, 200)}`);
        }
        if (row.check_out !== false && checkOut === null) throw new OdooError("protocol", `hr.attendance ${row.id}: check_out ${JSON.stringify(row.check_out)} is not a datetime`);
        const list = out.get(employee) ?? [];
        list.push({ id: row.id, checkIn, checkOut });
        out.set(employee, list);
      }
      if (rows.length < ATTENDANCE_PAGE) return out;
    }
  }

  /** Connects, checks the employee field and reads attendances, creating nothing. */
  async test(signal: AbortSignal): Promise<TestResult> {
    const field = this.settings.employeeField;
    const client = this.client.scoped(signal);
    try {
      await client.authenticate();
      const types = await client.fieldTypes("hr.employee", [field]);
      const type = types.get(field);
      if (type === undefined) return { ok: false, message: `signed in, but hr.employee has no field "${field}": choose another employee field.` };
      const withValue = await client.searchCount("hr.employee", [[field, "!=", false]]);
      await client.searchRead("hr.attendance", [], ["id"], { limit: 1 });
      const api = client.api === "json2" ? "JSON-2" : "XML-RPC";
      return { ok: true, message: `signed in over ${api}; ${withValue} active employee${withValue === 1 ? " has" : "s have"} a ${field}; attendances readable.` };
    } catch (e) {
      return { ok: false, message: describe(e) };
    }
  }
}

function outcomeOf(plan: AttendancePlan, key: number, record: OdooPunchRecord, done: number, error: unknown, windowSeconds: number): RecordOutcome | null {
  const what = plan.outcomes.get(key);
  switch (what) {
    case "present":
      return { status: "delivered" };
    case "double_scan":
      return { status: "skipped", reason: "duplicate", message: `a repeated scan: within ${windowSeconds} s of a punch already counted` };
    case "missing_check_in":
      return { status: "skipped", reason: "missing_check_in", message: "a check-out with no open attendance in Odoo (missing check-in): nothing created" };
    case "late":
      return { status: "skipped", reason: "out_of_order", message: `inside an attendance Odoo already has: not placed, it would overlap (${record.time})` };
    default: {
      const need = plan.needs.get(key) ?? -1;
      if (need < done) return { status: "delivered" };
      return error === null ? null : failed(error);
    }
  }
}

/** The outcomes up to the first failure, or up to the first record not attempted. */
function settled(outcomes: ReadonlyArray<RecordOutcome | null>): RecordOutcome[] {
  const out: RecordOutcome[] = [];
  for (const o of outcomes) {
    if (o === null) break;
    out.push(o);
    if (o.status === "failed") break;
  }
  return out;
}
