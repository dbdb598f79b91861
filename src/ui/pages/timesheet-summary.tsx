/**
 * Timesheets → Summary (/timesheets/summary): per person of a period (of a department), the sums
 * payroll reads; and the print-ready monthly sheets (/timesheets/print: one person per page).
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import { clockOf, hm, hmOrDash, statusOf } from "../../../web/components/timesheet-format.ts";
import { parseDate } from "../../protocol/index.ts";
import { dayNumber, weekday } from "../../timesheets/calendar.ts";
import type { LeaveType } from "../../timesheets/types.ts";
import { EmptyState } from "../components.tsx";
import type { UiDeps, UiEnv } from "../env.ts";
import { page, printPage } from "../layout.tsx";
import { monthRange, namesOf, plannedHours, TimesheetTabs } from "../timesheets/area.tsx";
import { SummaryTotals } from "../timesheets/day-parts.tsx";
import { type PersonPeriod, periodOf } from "../timesheets/summary-data.ts";
import { monthOf } from "./timesheet-people.tsx";

/** The longest period one summary page covers. */
const MAX_DAYS = 366;
const blank = (v: unknown) => (v === "" ? undefined : v);
const date = (label: string) => z.string().transform((s, ctx) => parseDate(s) ?? (ctx.addIssue({ code: "custom", message: `${label}: expected a date YYYY-MM-DD` }), z.NEVER));

const summaryQuery = z
  .object({
    from: z.preprocess(blank, date("From").optional()),
    to: z.preprocess(blank, date("To").optional()),
    departmentId: z.preprocess(blank, z.coerce.number({ message: "Department: choose one from the list" }).int().min(1).optional()),
  })
  .refine((q) => !q.from || !q.to || q.to >= q.from, { message: "To: the end is before the start" })
  .refine((q) => !q.from || !q.to || dayNumber(q.to) - dayNumber(q.from) < MAX_DAYS, { message: `To: at most ${MAX_DAYS} days at once` });

type Names = Awaited<ReturnType<typeof namesOf>>;

function leaveCell(p: PersonPeriod, type: LeaveType): string {
  const t = p.summary.leave.find((l) => l.typeId === type.id);
  return t ? `${t.days} d · ${hm(t.minutes)}` : "—";
}

function SummaryTable({ people, names, leaveTypes, from }: { people: PersonPeriod[]; names: Names; leaveTypes: LeaveType[]; from: string }) {
  const used = leaveTypes.filter((t) => people.some((p) => p.summary.leave.some((l) => l.typeId === t.id)));
  return (
    <div class="table-wrap">
      <table class="table" aria-label="Summary">
        <thead>
          <tr>
            <th scope="col">Person</th>
            <th scope="col">Department</th>
            <th scope="col" class="num">Days worked</th>
            <th scope="col" class="num">Worked</th>
            <th scope="col" class="num">Overtime</th>
            <th scope="col" class="num">Late</th>
            <th scope="col" class="num">Early leave</th>
            <th scope="col" class="num">Absences</th>
            <th scope="col" class="num">Missing punch</th>
            {used.map((t) => (
              <th scope="col" class="num">
                {t.name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {people.map((p) => {
            const s = p.summary;
            return (
              <tr data-enrollid={s.enrollid}>
                <td>
                  <a href={`/timesheets/people/${s.enrollid}?month=${from.slice(0, 7)}`}>{names.person(s.enrollid) || `#${s.enrollid}`}</a> <span class="muted">#{s.enrollid}</span>
                </td>
                <td>{names.department(p.departmentId) ?? <span class="muted">—</span>}</td>
                <td class="num">{s.daysWorked}</td>
                <td class="num" data-col="worked">{hm(s.workedMinutes)}</td>
                <td class="num">{hmOrDash(s.overtimeMinutes)}</td>
                <td class="num">{s.lateCount === 0 ? "—" : `${s.lateCount} × ${hm(s.lateMinutes)}`}</td>
                <td class="num">{s.earlyLeaveCount === 0 ? "—" : `${s.earlyLeaveCount} × ${hm(s.earlyLeaveMinutes)}`}</td>
                <td class="num">{s.absences}</td>
                <td class="num">{s.missingPunchDays}</td>
                {used.map((t) => (
                  <td class="num">{leaveCell(p, t)}</td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function PeriodForm(props: { from: string; to: string; departmentId: number | undefined; departments: Array<{ id: number; name: string }> }) {
  return (
    <form method="get" action="/timesheets/summary" class="filters" aria-label="Period">
      <div class="field">
        <label for="f-from">From</label>
        <input id="f-from" type="date" name="from" value={props.from} required />
      </div>
      <div class="field">
        <label for="f-to">To (inclusive)</label>
        <input id="f-to" type="date" name="to" value={props.to} required />
      </div>
      <div class="field">
        <label for="f-departmentId">Department</label>
        <select id="f-departmentId" name="departmentId">
          <option value="">All departments</option>
          {props.departments.map((d) => (
            <option value={String(d.id)} selected={props.departmentId === d.id}>
              {d.name}
            </option>
          ))}
        </select>
      </div>
      <div class="filter-buttons">
        <button type="submit" class="btn btn-primary">
          Show
        </button>
      </div>
    </form>
  );
}

async function summaryPage(c: Context<UiEnv>, deps: UiDeps) {
  const parsed = summaryQuery.safeParse(c.req.query());
  const month = monthRange(deps.settings.clock.format(deps.now()).slice(0, 7));
  const q = parsed.success ? parsed.data : {};
  const from = q.from ?? month.from;
  const to = q.to ?? month.to;
  const departmentId = q.departmentId;
  const [{ people, leaveTypes }, departments] = await Promise.all([periodOf(deps, { from, to, ...(departmentId ? { departmentId } : {}) }), deps.store.timesheets.departments()]);
  const names = await namesOf(deps.store, people.map((p) => p.summary.enrollid));
  const dept = departmentId ? `&departmentId=${departmentId}` : "";
  return page(
    c,
    deps.settings.siteName,
    {
      title: "Timesheets",
      active: "timesheets",
      flash: parsed.success ? undefined : { kind: "error", text: parsed.error.issues[0]?.message ?? "Check the period." },
      actions: from.slice(0, 7) === to.slice(0, 7) && from.endsWith("-01") ? (
        <a class="btn btn-plain" href={`/timesheets/print?month=${from.slice(0, 7)}${dept}`}>
          Print monthly sheets
        </a>
      ) : undefined,
    },
    <>
      <TimesheetTabs active="summary" />
      <PeriodForm from={from} to={to} departmentId={departmentId} departments={departments} />
      {people.length === 0 ? (
        <EmptyState title="No results in this period">Results appear as punches arrive; Rebuild computes a range again.</EmptyState>
      ) : (
        <SummaryTable people={people} names={names} leaveTypes={leaveTypes} from={from} />
      )}
    </>,
  );
}

const WEEKDAY = ["", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

function Sheet({ p, names, month, siteName }: { p: PersonPeriod; names: Names; month: string; siteName: string }) {
  const s = p.summary;
  return (
    <article class="sheet" data-enrollid={s.enrollid}>
      <header class="sheet-head">
        <h1>
          {names.person(s.enrollid) || `#${s.enrollid}`} <span class="muted">#{s.enrollid}</span>
        </h1>
        <p>
          {siteName} · {month} · {names.department(p.departmentId) ?? "No department"}
        </p>
      </header>
      <table class="sheet-table">
        <thead>
          <tr>
            <th scope="col">Date</th>
            <th scope="col">Status</th>
            <th scope="col">Shift</th>
            <th scope="col">In</th>
            <th scope="col">Out</th>
            <th scope="col" class="num">Worked</th>
            <th scope="col" class="num">Late</th>
            <th scope="col" class="num">Early</th>
            <th scope="col" class="num">Overtime</th>
          </tr>
        </thead>
        <tbody>
          {p.days.map((d) => (
            <tr>
              <td class="nowrap">
                {WEEKDAY[weekday(d.date)]} {d.date.slice(8, 10)}
              </td>
              <td>
                {statusOf(d.status).label}
                {d.manual ? " (manual)" : ""}
              </td>
              <td>{plannedHours(d) ?? ""}</td>
              <td>{clockOf(d.firstIn, d.date)}</td>
              <td>{clockOf(d.lastOut, d.date)}</td>
              <td class="num">{hm(d.workedMinutes)}</td>
              <td class="num">{hmOrDash(d.lateMinutes)}</td>
              <td class="num">{hmOrDash(d.earlyLeaveMinutes)}</td>
              <td class="num">{hmOrDash(d.overtimeMinutes)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <SummaryTotals summary={s} />
      <p class="sheet-sign">Signature: ______________________ Date: ____________</p>
    </article>
  );
}

async function printSheets(c: Context<UiEnv>, deps: UiDeps) {
  const month = monthRange(monthOf(c, deps));
  const query = z.object({ enrollid: z.coerce.number().int().min(1).optional().catch(undefined), departmentId: z.coerce.number().int().min(1).optional().catch(undefined) }).parse(c.req.query());
  const { people } = await periodOf(deps, { from: month.from, to: month.to, ...(query.enrollid ? { enrollid: query.enrollid } : {}), ...(query.departmentId ? { departmentId: query.departmentId } : {}) });
  const names = await namesOf(deps.store, people.map((p) => p.summary.enrollid));
  const siteName = deps.settings.siteName;
  return printPage(
    c,
    siteName,
    `Timesheets ${month.month}`,
    <>
      <p class="no-print print-bar">
        <button type="button" class="btn btn-primary" data-print>
          Print
        </button>{" "}
        <a class="btn btn-plain" href="/timesheets/summary">
          Back
        </a>{" "}
        <span class="muted">One person per page, with totals.</span>
      </p>
      {people.length === 0 ? <p>No results stored for {month.month}.</p> : people.map((p) => <Sheet p={p} names={names} month={month.month} siteName={siteName} />)}
    </>,
  );
}

export function timesheetSummaryPages(deps: UiDeps) {
  const app = new Hono<UiEnv>();
  app.get("/timesheets/summary", (c) => summaryPage(c, deps));
  app.get("/timesheets/print", (c) => printSheets(c, deps));
  return app;
}

