/**
 * A BioTime-compatible read API (ZKTeco BioTime 8's REST paths and shapes) over our own store
 * and users, so that the HR and payroll connectors written for BioTime work unchanged: auth at
 * /api-token-auth/ and /jwt-api-token-auth/, then transactions, terminals, employees and
 * departments. Read-only; it reads through the Store contract, so it serves a cluster too.
 */
import { type Context, Hono } from "hono";
import type { SecretBox } from "../../auth/secret-box.ts";
import { isPlaceholderEnrollid, type SiteClock } from "../../protocol/index.ts";
import type { AttendanceMatch, AttendanceOrder, Store } from "../../store/contract.ts";
import type { PersonRow, TerminalRow } from "../../store/schema.ts";
import { BiotimeAuth, type BiotimeEnv } from "./auth.ts";
import { CountCache } from "./count-cache.ts";
import { listBody, type PageRequest, pageRequest, pastTheEnd } from "./pages.ts";
import { empCode } from "../../people/employee-code.ts";
import { type DepartmentRef, departmentRow, employeeRow, type RowContext, terminalAlias, terminalRow, transactionRow } from "./rows.ts";
import { departmentsOn } from "../../app/timesheets/departments.ts";

export interface BiotimeDeps {
  store: Store;
  secrets: SecretBox;
  now: () => number;
  clock: () => SiteClock;
}

const ORDERS: Record<string, AttendanceOrder> = {
  id: "id",
  "-id": "-id",
  punch_time: "time",
  "-punch_time": "-time",
  // Row ids are given in commit order: id order is upload order, and it has an index.
  upload_time: "id",
  "-upload_time": "-id",
};

/** "YYYY-MM-DD HH:MM:SS" (or with T, without seconds, or a date alone) as our site-local text; null if not a real time. */
export function siteTimeParam(text: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text.trim());
  if (!m) return null;
  const [y, mo, d, h = "00", mi = "00", s = "00"] = m.slice(1) as [string, string, string, string?, string?, string?];
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)));
  if (date.getUTCMonth() !== Number(mo) - 1 || date.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return null;
  return `${y}-${mo}-${d} ${h}:${mi}:${s}`;
}

/** The enroll ids whose `emp_code` is `code`: a payroll number, or an enroll id of someone without one. */
function enrollidsOf(code: string, people: PersonRow[]): number[] {
  const ids = people.filter((p) => p.externalId === code).map((p) => p.enrollid);
  if (/^\d{1,9}$/.test(code)) {
    const n = Number(code);
    if (!people.some((p) => p.enrollid === n && p.externalId !== null)) ids.push(n);
  }
  return ids;
}

export function biotimeApi(deps: BiotimeDeps) {
  const app = new Hono<BiotimeEnv>();
  const auth = new BiotimeAuth(deps);
  const { store } = deps;
  const counts = new CountCache();

  /** BioTime's paths end in a slash; a client that leaves it off is served too. */
  const paths = (p: string) => [p, p.slice(0, -1)];
  const invalidPage = (c: Context) => c.json({ detail: "Invalid page." }, 404);
  const notFound = (c: Context) => c.json({ detail: "Not found." }, 404);

  // Their bodies are bounded with every route's outside /api/v1 (body-limits.ts).
  app.on("POST", paths("/api-token-auth/"), auth.login("token"));
  app.on("POST", paths("/jwt-api-token-auth/"), auth.login("jwt"));
  for (const prefix of ["/iclock/api/*", "/personnel/api/*"]) app.use(prefix, auth.middleware());

  const context = async (): Promise<RowContext & { peopleList: PersonRow[]; terminalList: TerminalRow[]; departmentList: DepartmentRef[] }> => {
    const clock = deps.clock();
    const [peopleList, terminalList, departmentList, members] = await Promise.all([
      store.people.all(),
      store.listTerminals(),
      store.timesheets.departments(),
      departmentsOn({ store, clock, now: deps.now }),
    ]);
    const byId = new Map(departmentList.map((d) => [d.id, d]));
    const departments = new Map<number, DepartmentRef>();
    for (const [enrollid, id] of members) {
      const d = byId.get(id);
      if (d) departments.set(enrollid, d);
    }
    return {
      clock,
      people: new Map(peopleList.map((p) => [p.enrollid, p])),
      terminals: new Map(terminalList.map((t) => [t.sn, t])),
      departments,
      peopleList,
      terminalList,
      departmentList,
    };
  };

  /** One page of an in-memory list (people, terminals: a site has thousands at most). */
  const memoryPage = <T, R>(c: Context, p: PageRequest, all: T[], row: (t: T) => R) => {
    if (pastTheEnd(p, all.length)) return invalidPage(c);
    return c.json(listBody(c.req.url, p, all.length, all.slice(p.offset, p.offset + p.size).map(row)));
  };

  app.on("GET", paths("/iclock/api/transactions/"), async (c) => {
    const q = c.req.query();
    const p = pageRequest(q);
    if (!p) return invalidPage(c);
    // A BioTime transaction is an employee's punch: a scan of nobody enrolled is left out, as time and attendance and the HR destinations do.
    const match: AttendanceMatch = { peopleOnly: true };
    const errors: Record<string, string[]> = {};
    for (const [param, key] of [["start_time", "from"], ["end_time", "until"]] as const) {
      const raw = q[param];
      if (raw === undefined || raw === "") continue;
      const time = siteTimeParam(raw);
      if (time === null) errors[param] = ["Enter a valid date/time."];
      else match[key] = time;
    }
    if (Object.keys(errors).length > 0) return c.json(errors, 400);
    const ctx = await context();
    if (q.emp_code) match.enrollids = enrollidsOf(q.emp_code, ctx.peopleList);
    if (q.terminal_sn) match.sns = [q.terminal_sn];
    if (q.terminal_alias) {
      const named = ctx.terminalList.filter((t) => terminalAlias(t, t.sn) === q.terminal_alias).map((t) => t.sn);
      match.sns = match.sns ? match.sns.filter((sn) => named.includes(sn)) : named;
    }
    const count = await counts.count(store, match, deps.now());
    if (pastTheEnd(p, count)) return invalidPage(c);
    const rows = await store.attendanceSlice(match, ORDERS[q.ordering ?? ""] ?? "id", p.offset, p.size);
    return c.json(listBody(c.req.url, p, count, rows.map((r) => transactionRow(r, ctx))));
  });

  app.on("GET", paths("/iclock/api/transactions/:id/"), async (c) => {
    const id = c.req.param("id") ?? "";
    const row = /^\d{1,15}$/.test(id) ? await store.getAttendance(Number(id)) : null;
    if (!row || isPlaceholderEnrollid(row.enrollid)) return notFound(c);
    return c.json(transactionRow(row, await context()));
  });

  app.on("GET", paths("/iclock/api/terminals/"), async (c) => {
    const q = c.req.query();
    const p = pageRequest(q);
    if (!p) return invalidPage(c);
    const { terminalList, clock } = await context();
    const now = deps.now();
    const numbered = terminalList
      .toSorted((a, b) => a.firstSeen - b.firstSeen || (a.sn < b.sn ? -1 : 1))
      .map((t, i) => ({ t, id: i + 1 }))
      .filter(({ t }) => (!q.sn || t.sn === q.sn) && (!q.alias || terminalAlias(t, t.sn) === q.alias));
    return memoryPage(c, p, numbered, ({ t, id }) => terminalRow(t, id, clock, now));
  });

  app.on("GET", paths("/personnel/api/employees/"), async (c) => {
    const q = c.req.query();
    const p = pageRequest(q);
    if (!p) return invalidPage(c);
    const { peopleList, departments } = await context();
    const chosen = peopleList.filter((person) => !q.emp_code || empCode(person.enrollid, person) === q.emp_code);
    return memoryPage(c, p, chosen, (person) => employeeRow(person, departments.get(person.enrollid)));
  });

  // The timesheets' departments (a person's is the one they belong to today).
  app.on("GET", paths("/personnel/api/departments/"), async (c) => {
    const p = pageRequest(c.req.query());
    if (!p) return invalidPage(c);
    // In id order, as BioTime numbers them (ours come sorted by name).
    return memoryPage(c, p, (await context()).departmentList.toSorted((x, y) => x.id - y.id), departmentRow);
  });

  return app;
}
