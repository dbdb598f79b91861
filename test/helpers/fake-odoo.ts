/**
 * A local Odoo for the tests: `hr.employee` and `hr.attendance` over the JSON-2 API (`/json/2`,
 * bearer API key, `X-Odoo-Database`) and XML-RPC (`/xmlrpc/2/common` authenticate,
 * `/xmlrpc/2/object` execute_kw), answering as Odoo does, errors included. `AttendanceBook`
 * enforces hr_attendance's constraints as Odoo 17–19 write them (`_check_validity`,
 * `_check_validity_check_in_check_out`) and refuses with Odoo's messages, so a wrong pairing fails
 * the test that caused it.
 */
import { decodeCall, encodeFault, encodeResponse, type XmlRpcValue } from "../../src/connectors/odoo/xmlrpc.ts";

export type OdooVal = XmlRpcValue;
type Row = Record<string, OdooVal>;

/** An Odoo exception as the servers serialise it. */
export class OdooException extends Error {
  constructor(
    readonly odooName: string,
    message: string,
    readonly status: number,
    readonly faultCode: number,
  ) {
    super(message);
  }
}

const validation = (message: string) => new OdooException("odoo.exceptions.ValidationError", message, 422, 2);
const userError = (message: string) => new OdooException("odoo.exceptions.UserError", message, 422, 2);
const notFound = (message: string) => new OdooException("werkzeug.exceptions.NotFound", message, 404, 1);

export interface Attendance {
  id: number;
  employeeId: number;
  /** Naive UTC `YYYY-MM-DD HH:MM:SS`, as Odoo stores it. */
  checkIn: string;
  checkOut: string | null;
}

export interface Employee {
  id: number;
  name: string;
  active: boolean;
  barcode: string | null;
  identification_id: string | null;
  pin: string | null;
  /** A custom integer field, as a site might add to hold the enroll id. */
  x_enroll: number | null;
}

/** Odoo's format_datetime(dt_format=False) for an en_US user in UTC. */
function shown(odooDatetime: string): string {
  return new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "medium", timeZone: "UTC" }).format(new Date(`${odooDatetime.replace(" ", "T")}Z`));
}

const DATETIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

/** hr.attendance rows with Odoo's constraints. */
export class AttendanceBook {
  readonly rows = new Map<number, Attendance>();
  private nextId = 1;

  constructor(private readonly nameOf: (employeeId: number) => string) {}

  list(employeeId?: number): Attendance[] {
    return [...this.rows.values()].filter((a) => employeeId === undefined || a.employeeId === employeeId).sort((a, b) => (a.checkIn < b.checkIn ? -1 : a.checkIn > b.checkIn ? 1 : a.id - b.id));
  }

  create(employeeId: number, checkIn: string, checkOut: string | null): number {
    const row: Attendance = { id: this.nextId, employeeId, checkIn, checkOut };
    this.check(row);
    this.nextId++;
    this.rows.set(row.id, row);
    return row.id;
  }

  write(id: number, changes: { checkIn?: string; checkOut?: string | null }): void {
    const before = this.rows.get(id);
    if (!before) throw new OdooException("odoo.exceptions.MissingError", `Record does not exist or has been deleted.\n(Record: hr.attendance(${id},), User: 2)`, 404, 2);
    const after = { ...before, ...changes };
    this.check(after);
    this.rows.set(id, after);
  }

  /** Odoo's constraints on `a` against the employee's other attendances. */
  private check(a: Attendance): void {
    for (const t of [a.checkIn, a.checkOut]) {
      if (t !== null && !DATETIME.test(t)) throw userError(`'${t}' does not match format '%Y-%m-%d %H:%M:%S'`);
    }
    if (a.checkOut !== null && a.checkOut < a.checkIn) throw validation('"Check Out" time cannot be earlier than "Check In" time.');
    const name = this.nameOf(a.employeeId);
    // search(..., order='check_in desc', limit=1): the latest check-in, ties to the highest id.
    const others = this.list(a.employeeId).filter((o) => o.id !== a.id).reverse();
    const lastBeforeIn = others.find((o) => o.checkIn <= a.checkIn);
    if (lastBeforeIn?.checkOut && lastBeforeIn.checkOut > a.checkIn) {
      throw validation(`Cannot create new attendance record for ${name}, the employee was already checked in on ${shown(a.checkIn)}`);
    }
    if (a.checkOut === null) {
      const open = others.find((o) => o.checkOut === null);
      if (open) throw validation(`Cannot create new attendance record for ${name}, the employee hasn't checked out since ${shown(open.checkIn)}`);
    } else {
      const checkOut = a.checkOut;
      const lastBeforeOut = others.find((o) => o.checkIn < checkOut);
      if (lastBeforeOut && lastBeforeOut !== lastBeforeIn) {
        throw validation(`Cannot create new attendance record for ${name}, the employee was already checked in on ${shown(lastBeforeOut.checkIn)}`);
      }
    }
  }
}

/** An Odoo domain (prefix notation, implicit "&") over a record. */
export function matches(domain: OdooVal, row: Row): boolean {
  if (!Array.isArray(domain)) throw userError("Invalid domain");
  const terms = [...domain];
  const evalNext = (): boolean => {
    const t = terms.shift();
    if (t === "&") return evalNext() && evalNext();
    if (t === "|") {
      const a = evalNext();
      const b = evalNext();
      return a || b;
    }
    if (t === "!") return !evalNext();
    if (!Array.isArray(t) || t.length !== 3 || typeof t[0] !== "string" || typeof t[1] !== "string") throw userError(`Invalid leaf ${JSON.stringify(t)}`);
    const [field, op, value] = t as [string, string, OdooVal];
    if (!(field in row)) throw new OdooException("builtins.ValueError", `Invalid field ${field} in leaf ${JSON.stringify(t)}`, 500, 1);
    let v = row[field];
    if (Array.isArray(v)) v = v[0] ?? false; // a many2one as [id, name]
    switch (op) {
      case "=":
        return value === false ? v === false || v === null : v === value;
      case "!=":
        return value === false ? !(v === false || v === null) : v !== value;
      case "in":
      case "not in": {
        if (!Array.isArray(value)) throw userError(`Invalid leaf ${JSON.stringify(t)}`);
        const inside = value.includes(v as OdooVal);
        return op === "in" ? inside : !inside;
      }
      case ">=":
      case "<=":
      case ">":
      case "<": {
        if (v === false || v === null || (typeof v !== "string" && typeof v !== "number")) return false;
        const x = v as string | number;
        const y = value as string | number;
        return op === ">=" ? x >= y : op === "<=" ? x <= y : op === ">" ? x > y : x < y;
      }
      default:
        throw userError(`Invalid operator ${op}`);
    }
  };
  let result = true;
  while (terms.length > 0) result = evalNext() && result;
  return result;
}

function ordered(rows: Row[], order: string): Row[] {
  const keys = order
    .split(",")
    .map((k) => k.trim().split(/\s+/))
    .filter((k) => k[0]);
  return [...rows].sort((a, b) => {
    for (const [field, dir] of keys) {
      const x = a[field as string];
      const y = b[field as string];
      const nx = x === false || x === null ? "" : (x as string | number);
      const ny = y === false || y === null ? "" : (y as string | number);
      if (nx === ny) continue;
      const c = nx < ny ? -1 : 1;
      return dir?.toLowerCase() === "desc" ? -c : c;
    }
    return (a.id as number) - (b.id as number);
  });
}

export interface FakeOdooOptions {
  apiKey?: string;
  login?: string;
  database?: string;
  /** An Odoo before 19 has no `/json/2`. */
  json2?: boolean;
  xmlrpc?: boolean;
  employees?: Array<Partial<Omit<Employee, "id">> & { name: string }>;
}

export interface FakeOdooCall {
  api: "json2" | "xmlrpc";
  model: string;
  method: string;
}

export interface FakeOdoo {
  url: string;
  apiKey: string;
  login: string;
  database: string;
  uid: number;
  employees: Employee[];
  book: AttendanceBook;
  calls: FakeOdooCall[];
  /** The next `n` requests get 503 from a proxy, untouched. */
  unavailable(n: number): void;
  /** The next `n` calls of `method` are done and committed, but their answer is lost (a proxy's 504). */
  loseAnswers(method: string, n?: number): void;
  /** Attendances of an employee as `[checkIn, checkOut]`, oldest first. */
  attendancesOf(name: string): Array<[string, string | null]>;
  stop(): Promise<void>;
}

const EMPLOYEE_FIELDS = ["id", "name", "active", "barcode", "identification_id", "pin", "x_enroll"];
const ATTENDANCE_FIELDS = ["id", "employee_id", "check_in", "check_out", "worked_hours"];

export async function startFakeOdoo(options: FakeOdooOptions = {}): Promise<FakeOdoo> {
  const apiKey = options.apiKey ?? "0123456789abcdef0123456789abcdef01234567";
  const login = options.login ?? "tm20-bot";
  const database = options.database ?? "mycompany";
  const uid = 7;
  const employees: Employee[] = (options.employees ?? []).map((e, i) => ({
    id: 100 + i,
    name: e.name,
    active: e.active ?? true,
    barcode: e.barcode ?? null,
    identification_id: e.identification_id ?? null,
    pin: e.pin ?? null,
    x_enroll: e.x_enroll ?? null,
  }));
  const nameOf = (id: number) => employees.find((e) => e.id === id)?.name ?? `hr.employee(${id},)`;
  const book = new AttendanceBook(nameOf);
  const calls: FakeOdooCall[] = [];
  let unavailable = 0;
  const lose = new Map<string, number>();

  const employeeRow = (e: Employee): Row => ({
    id: e.id,
    name: e.name,
    active: e.active,
    barcode: e.barcode ?? false,
    identification_id: e.identification_id ?? false,
    pin: e.pin ?? false,
    x_enroll: e.x_enroll ?? false,
  });
  const attendanceRow = (a: Attendance): Row => ({
    id: a.id,
    employee_id: [a.employeeId, nameOf(a.employeeId)],
    check_in: a.checkIn,
    check_out: a.checkOut ?? false,
    worked_hours: a.checkOut === null ? 0 : (Date.parse(`${a.checkOut.replace(" ", "T")}Z`) - Date.parse(`${a.checkIn.replace(" ", "T")}Z`)) / 3_600_000,
  });

  /** One ORM call with named arguments (JSON-2's shape; XML-RPC's args are mapped onto it). */
  function execute(model: string, method: string, ids: number[], kw: Record<string, OdooVal>): OdooVal {
    const context = (kw.context ?? {}) as Record<string, OdooVal>;
    if (model === "res.users" && method === "context_get") return { lang: "en_US", tz: false, uid };
    const fields = model === "hr.employee" ? EMPLOYEE_FIELDS : model === "hr.attendance" ? ATTENDANCE_FIELDS : null;
    if (fields === null) throw notFound(`the model '${model}' does not exist`);
    if (method === "fields_get") {
      const wanted = Array.isArray(kw.allfields) && kw.allfields.length > 0 ? (kw.allfields as string[]) : fields;
      const out: Record<string, OdooVal> = {};
      for (const f of wanted) if (fields.includes(f)) out[f] = { type: f === "id" || f === "x_enroll" ? "integer" : f === "active" ? "boolean" : f.startsWith("check_") ? "datetime" : f === "employee_id" ? "many2one" : "char" };
      return out;
    }
    if (method === "search_read" || method === "search_count") {
      const all =
        model === "hr.employee"
          ? employees.filter((e) => e.active || context.active_test === false).map(employeeRow)
          : book.list().map(attendanceRow);
      const found = ordered(all.filter((r) => matches(kw.domain ?? [], r)), typeof kw.order === "string" ? kw.order : "id");
      if (method === "search_count") return found.length;
      const offset = typeof kw.offset === "number" ? kw.offset : 0;
      const page = typeof kw.limit === "number" && kw.limit > 0 ? found.slice(offset, offset + kw.limit) : found.slice(offset);
      const wanted = Array.isArray(kw.fields) && kw.fields.length > 0 ? (kw.fields as string[]) : fields;
      return page.map((r) => Object.fromEntries([["id", r.id as OdooVal], ...wanted.filter((f) => f in r).map((f) => [f, r[f] as OdooVal])]));
    }
    if (model !== "hr.attendance") throw new OdooException("odoo.exceptions.AccessError", `You are not allowed to modify '${model}' records.`, 403, 4);
    const vals = (v: OdooVal) => {
      if (typeof v !== "object" || v === null || Array.isArray(v)) throw userError("vals must be a dict");
      for (const k of Object.keys(v)) if (!ATTENDANCE_FIELDS.includes(k)) throw new OdooException("builtins.ValueError", `Invalid field '${k}' on model 'hr.attendance'`, 500, 1);
      return v;
    };
    if (method === "create") {
      const list = Array.isArray(kw.vals_list) ? kw.vals_list : [kw.vals_list ?? null];
      return list.map((raw) => {
        const v = vals(raw);
        const employee = employees.find((e) => e.id === v.employee_id);
        if (!employee) throw validation("The operation cannot be completed: - Create/update: a mandatory field is not set.\n- Delete: another model requires the record being deleted. If possible, archive it instead.\n\nModel: Attendance (hr.attendance)\nField: Employee (employee_id)");
        if (typeof v.check_in !== "string") throw validation("The operation cannot be completed: - Create/update: a mandatory field is not set.\n- Delete: another model requires the record being deleted. If possible, archive it instead.\n\nModel: Attendance (hr.attendance)\nField: Check In (check_in)");
        return book.create(employee.id, v.check_in, typeof v.check_out === "string" ? v.check_out : null);
      });
    }
    if (method === "write") {
      const v = vals(kw.vals ?? null);
      for (const id of ids) {
        const changes: { checkIn?: string; checkOut?: string | null } = {};
        if ("check_in" in v) changes.checkIn = String(v.check_in);
        if ("check_out" in v) changes.checkOut = typeof v.check_out === "string" ? v.check_out : null;
        book.write(id, changes);
      }
      return true;
    }
    throw notFound(`The method '${method}' does not exist on the model '${model}'`);
  }

  const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json; charset=utf-8" } });
  const json2Error = (e: OdooException) =>
    json({ name: e.odooName, message: e.message, arguments: [e.message], context: {}, debug: `Traceback (most recent call last):\n  File "odoo/http.py", line 2212, in _transactioning\n${e.odooName}: ${e.message}\n` }, e.status);
  const notFoundPage = () => new Response("<!DOCTYPE html><html><head><title>404 | Page not found</title></head><body>Page not found</body></html>", { status: 404, headers: { "Content-Type": "text/html; charset=utf-8" } });
  const xml = (body: string) => new Response(body, { headers: { "Content-Type": "text/xml; charset=utf-8" } });

  function answered(method: string, result: () => OdooVal, ok: (v: OdooVal) => Response, error: (e: OdooException) => Response): Response {
    let value: OdooVal;
    try {
      value = result();
    } catch (e) {
      if (e instanceof OdooException) return error(e);
      throw e;
    }
    const toLose = lose.get(method) ?? 0;
    if (toLose > 0) {
      lose.set(method, toLose - 1);
      return new Response("<html><body><h1>504 Gateway Time-out</h1></body></html>", { status: 504, headers: { "Content-Type": "text/html" } });
    }
    return ok(value);
  }

  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const url = new URL(req.url);
      if (unavailable > 0) {
        unavailable--;
        return new Response("<html><body><h1>503 Service Unavailable</h1></body></html>", { status: 503, headers: { "Content-Type": "text/html" } });
      }
      const json2Route = /^\/json\/2\/([^/]+)\/([^/]+)$/.exec(url.pathname);
      if (json2Route && options.json2 !== false && req.method === "POST") {
        const model = decodeURIComponent(json2Route[1] as string);
        const method = decodeURIComponent(json2Route[2] as string);
        if (req.headers.get("authorization") !== `bearer ${apiKey}`) {
          return json2Error(new OdooException("werkzeug.exceptions.Unauthorized", "Invalid apikey", 401, 3));
        }
        if ((req.headers.get("content-type") ?? "").split(";")[0]?.trim() !== "application/json") {
          return json2Error(new OdooException("werkzeug.exceptions.BadRequest", "State-changing json2 requests must use the 'application/json' Content-Type (CSRF protection).", 400, 1));
        }
        const db = req.headers.get("x-odoo-database");
        if (db !== null && db !== database) return json2Error(notFound(`database ${JSON.stringify(db)} not found`));
        let body: Record<string, OdooVal>;
        try {
          body = (await req.json()) as Record<string, OdooVal>;
        } catch {
          return json2Error(new OdooException("werkzeug.exceptions.BadRequest", "could not parse the body as json", 400, 1));
        }
        calls.push({ api: "json2", model, method });
        const { ids, ...kw } = body;
        return answered(method, () => execute(model, method, Array.isArray(ids) ? (ids as number[]) : [], kw), (v) => json(v), json2Error);
      }
      const xmlRoute = /^\/xmlrpc\/2\/(common|object)$/.exec(url.pathname);
      if (xmlRoute && options.xmlrpc !== false && req.method === "POST") {
        const call = decodeCall(await req.text());
        const fault = (e: OdooException) => xml(encodeFault({ faultCode: e.faultCode, faultString: e.message }));
        if (xmlRoute[1] === "common") {
          if (call.method !== "authenticate") return fault(notFound(`No such method ${call.method}`));
          const [db, who, key] = call.args;
          if (db !== database) return fault(new OdooException("psycopg2.OperationalError", `Traceback (most recent call last):\npsycopg2.OperationalError: connection to server failed: FATAL:  database "${String(db)}" does not exist`, 500, 1));
          return xml(encodeResponse(who === login && key === apiKey ? uid : false));
        }
        if (call.method !== "execute_kw") return fault(notFound(`No such method ${call.method}`));
        const [db, who, key, model, method, args, kwargs] = call.args;
        if (db !== database || who !== uid || key !== apiKey) return fault(new OdooException("odoo.exceptions.AccessDenied", "Access Denied", 403, 3));
        const a = Array.isArray(args) ? args : [];
        const kw = typeof kwargs === "object" && kwargs !== null && !Array.isArray(kwargs) ? kwargs : {};
        calls.push({ api: "xmlrpc", model: String(model), method: String(method) });
        // Positional arguments onto the named ones, as Odoo's execute_kw binds them.
        const named: Record<string, OdooVal> =
          method === "search_read" || method === "search_count"
            ? { domain: a[0] ?? [], ...kw }
            : method === "create"
              ? { vals_list: a[0] ?? null, ...kw }
              : method === "write"
                ? { vals: a[1] ?? null, ...kw }
                : method === "fields_get"
                  ? { allfields: a[0] ?? [], ...kw }
                  : { ...kw };
        const ids = method === "write" && Array.isArray(a[0]) ? (a[0] as number[]) : [];
        return answered(
          String(method),
          () => {
            const v = execute(String(model), String(method), ids, named);
            // Given one dict, create answers its id (a list of dicts: the ids).
            return method === "create" && !Array.isArray(a[0]) && Array.isArray(v) ? (v[0] ?? false) : v;
          },
          (v) => xml(encodeResponse(v)),
          fault,
        );
      }
      return notFoundPage();
    },
  });

  return {
    url: `http://127.0.0.1:${server.port}`,
    apiKey,
    login,
    database,
    uid,
    employees,
    book,
    calls,
    unavailable(n) {
      unavailable = n;
    },
    loseAnswers(method, n = 1) {
      lose.set(method, n);
    },
    attendancesOf(name) {
      const e = employees.find((x) => x.name === name);
      if (!e) throw new Error(`no employee ${name}`);
      return book.list(e.id).map((a) => [a.checkIn, a.checkOut]);
    },
    async stop() {
      await server.stop(true);
    },
  };
}
