/**
 * Timesheets → Summary (/timesheets/summary): per person of a period (of a department), the sums
 * payroll reads (periodSummary, as the API's); its downloads as CSV and XLSX (the API's sheets,
 * src/export/timesheet-sheets.ts); and the print-ready monthly sheets (/timesheets/print: one
 * person per page, with totals).
 */
import { type Context, Hono } from "hono";
import type { Child } from "hono/jsx";
import { z } from "zod";
import { clockOf, hm, hmOrDash, statusOf } from "../../../web/components/timesheet-format.ts";
import { notADate } from "../../lib/input-problem.ts";
import { parseDate } from "../../protocol/index.ts";
import { periodSummary, type SummaryRow, summaryRows } from "../../app/timesheets/results.ts";
import { csvHead } from "../../export/csv.ts";
import { DAY_CSV_HEADERS, dayCsvRows, loadSheets, type Sheets, summaryCsv, timesheetWorkbook } from "../../export/timesheet-sheets.ts";
import { dayNumber, weekday } from "../../timesheets/calendar.ts";
import type { DayResult, LeaveType } from "../../timesheets/types.ts";
import { EmptyState } from "../components.tsx";
import type { UiDeps, UiEnv } from "../env.ts";
import { page, PrintBar, printPage } from "../layout.tsx";
import { type MonthRange, monthRange, monthSchema, namesOf, plannedHours, TimesheetTabs } from "../timesheets/area.tsx";
import { type Column, Table } from "../table.tsx";
import { SummaryTotals } from "../timesheets/day-parts.tsx";
import { monthOf } from "./timesheet-people.tsx";

/** The longest period one summary page covers. */
const MAX_DAYS = 366;
const blank = (v: unknown) => (v === "" ? undefined : v);
const date = (label: string) => z.string().transform((s, ctx) => parseDate(s) ?? (ctx.addIssue({ code: "custom", message: `${label}: ${notADate(s)}` }), z.NEVER));

const summaryQuery = z
  .object({
    from: z.preprocess(blank, date("From").optional()),
    to: z.preprocess(blank, date("To").optional()),
    departmentId: z.preprocess(blank, z.coerce.number({ message: "Department: choose one from the list" }).int().min(1).optional()),
  })
  .refine((q) => !q.from || !q.to || q.to >= q.from, { message: "To: the end is before the start" })
  .refine((q) => !q.from || !q.to || dayNumber(q.to) - dayNumber(q.from) < MAX_DAYS, { message: `To: at most ${MAX_DAYS} days at once` });

type Names = Awaited<ReturnType<typeof namesOf>>;

function leaveCell(s: SummaryRow, type: LeaveType): string {
  const t = s.leave.find((l) => l.typeId === type.id);
  return t ? `${t.days} d · ${hm(t.minutes)}` : "—";
}

/** A column of figures, its head aligned with them. */
function num<R>(head: string, cell: (row: R) => Child): Column<R> {
  return { head, headClass: "num", class: "num", cell };
}
const times = (count: number, minutes: number) => (count === 0 ? "—" : `${count} × ${hm(minutes)}`);

function SummaryTable({ people, names, leaveTypes, from }: { people: SummaryRow[]; names: Names; leaveTypes: LeaveType[]; from: string }) {
  const used = leaveTypes.filter((t) => people.some((p) => p.leave.some((l) => l.typeId === t.id)));
  const columns: Array<Column<SummaryRow>> = [
    {
      head: "Person",
      cell: (s) => (
        <>
          <a href={`/timesheets/people/${s.enrollid}?month=${from.slice(0, 7)}`}>{names.person(s.enrollid) || `#${s.enrollid}`}</a> <span class="muted">#{s.enrollid}</span>
        </>
      ),
    },
    { head: "Department", cell: (s) => names.department(s.departmentId) ?? <span class="muted">—</span> },
    num("Days worked", (s) => s.daysWorked),
    { ...num("Worked", (s) => hm(s.workedMinutes)), attrs: { "data-col": "worked" } },
    num("Overtime", (s) => hmOrDash(s.overtimeMinutes)),
    num("Late", (s) => times(s.lateCount, s.lateMinutes)),
    num("Early leave", (s) => times(s.earlyLeaveCount, s.earlyLeaveMinutes)),
    num("Absences", (s) => s.absences),
    num("Missing punch", (s) => s.missingPunchDays),
    ...used.map((type) => num<SummaryRow>(type.name, (s) => leaveCell(s, type))),
  ];
  return <Table label="Summary" rows={people} row={(s) => ({ "data-enrollid": s.enrollid })} columns={columns} />;
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
  const [people, leaveTypes, departments] = await Promise.all([
    periodSummary(deps.timesheets, { from, to, ...(departmentId ? { departmentId } : {}) }),
    deps.store.timesheets.leaveTypes(),
    deps.store.timesheets.departments(),
  ]);
  const names = await namesOf(deps.store, people.map((p) => p.enrollid));
  const dept = departmentId ? `&departmentId=${departmentId}` : "";
  const period = `from=${from}&to=${to}${dept}`;
  return page(
    c,
    deps.settings.siteName,
    {
      title: "Timesheets",
      active: "timesheets",
      flash: parsed.success ? undefined : { kind: "error", text: parsed.error.issues[0]?.message ?? "Check the period." },
      actions: (
        <>
          <a class="btn btn-plain" href={`/timesheets/summary.csv?${period}`} download>
            Summary CSV
          </a>
          <a class="btn btn-plain" href={`/timesheets/days.csv?${period}`} download>
            Days CSV
          </a>
          <a class="btn btn-plain" href={`/timesheets/summary.xlsx?${period}`} download>
            XLSX
          </a>
          <a class="btn btn-plain" href={`/timesheets/print?from=${from.slice(0, 7)}&to=${to.slice(0, 7)}${dept}`}>
            Print monthly sheets
          </a>
        </>
      ),
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

/** A printed sheet: one row a day. */
const sheetColumns: Array<Column<DayResult>> = [
  { head: "Date", class: "nowrap", cell: (d) => `${WEEKDAY[weekday(d.date)]} ${d.date.slice(8, 10)}` },
  { head: "Status", cell: (d) => `${statusOf(d.status).label}${d.manual ? " (manual)" : ""}` },
  { head: "Shift", cell: (d) => plannedHours(d) ?? "" },
  { head: "In", cell: (d) => clockOf(d.firstIn, d.date) },
  { head: "Out", cell: (d) => clockOf(d.lastOut, d.date) },
  num("Worked", (d) => hm(d.workedMinutes)),
  num("Late", (d) => hmOrDash(d.lateMinutes)),
  num("Early", (d) => hmOrDash(d.earlyLeaveMinutes)),
  num("Overtime", (d) => hmOrDash(d.overtimeMinutes)),
];

function Sheet({ s, days, sheets, month, siteName }: { s: SummaryRow; days: DayResult[]; sheets: Sheets; month: string; siteName: string }) {
  const department = s.departmentId === null ? null : (sheets.names.departments.get(s.departmentId) ?? `#${s.departmentId}`);
  return (
    <article class="sheet" data-enrollid={s.enrollid} data-month={month}>
      <header class="sheet-head">
        <h1>
          {sheets.names.people.get(s.enrollid) || `#${s.enrollid}`} <span class="muted">#{s.enrollid}</span>
        </h1>
        <p>
          {siteName} · {month} · {department ?? "No department"}
        </p>
      </header>
      <Table
        sheet
        rows={days}
        columns={sheetColumns}
      />
      <SummaryTotals summary={s} />
      <p class="sheet-sign">Signature: ______________________ Date: ____________</p>
    </article>
  );
}

/** The most months one print covers: a year of sheets is already a thick stack. */
const MAX_PRINT_MONTHS = 12;

/** `month` (a person's month page links one), or `from`..`to` (the summary's period, as months). */
const printQuery = z.object({
  from: monthSchema.optional().catch(undefined),
  to: monthSchema.optional().catch(undefined),
  enrollid: z.coerce.number().int().min(1).optional().catch(undefined),
  departmentId: z.coerce.number().int().min(1).optional().catch(undefined),
});

const monthIndex = (month: string) => Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1;

/** The months `from`..`to` (whole months, as the sheets are), or why they cannot be printed at once. */
function printMonths(from: string, to: string): MonthRange[] | string {
  const count = monthIndex(to) - monthIndex(from) + 1;
  if (count < 1) return `To: ${to} is before ${from}; choose a last month on or after the first.`;
  if (count > MAX_PRINT_MONTHS) return `At most ${MAX_PRINT_MONTHS} months at once: ${from} to ${to} is ${count} months; print them in parts.`;
  const months = [monthRange(from)];
  for (let i = 1; i < count; i++) months.push(monthRange((months[i - 1] as MonthRange).next));
  return months;
}

/**
 * The monthly sheets of a month or of every month of a range (the summary's period, made whole
 * months): month after month, one person per page, each sheet with that month's days and totals.
 */
async function printSheets(c: Context<UiEnv>, deps: UiDeps) {
  const query = printQuery.parse(c.req.query());
  const from = query.from ?? monthOf(c, deps);
  const to = query.to ?? from;
  const label = from === to ? from : `${from} to ${to}`;
  const siteName = deps.settings.siteName;
  const months = printMonths(from, to);
  if (typeof months === "string") {
    return printPage(c, siteName, `Timesheets ${label}`, (
      <>
        <PrintBar back="/timesheets/summary" />
        <p class="flash flash-error" role="alert">
          {months}
        </p>
      </>
    ));
  }
  // One read for the whole range, so its person-day limit counts every month printed.
  const range = { from: (months[0] as MonthRange).from, to: (months[months.length - 1] as MonthRange).to };
  const sheets = await loadSheets(deps.timesheets, { ...range, ...(query.departmentId ? { departmentId: query.departmentId } : {}) });
  const printed = months.flatMap((month) => {
    const days = sheets.days.filter((d) => d.date >= month.from && d.date <= month.to && (query.enrollid === undefined || d.enrollid === query.enrollid));
    const byPerson = new Map<number, DayResult[]>();
    for (const d of days) {
      const own = byPerson.get(d.enrollid);
      if (own) own.push(d);
      else byPerson.set(d.enrollid, [d]);
    }
    return summaryRows(days, sheets.names.leaveTypes).map((s) => ({ s, month, days: byPerson.get(s.enrollid) ?? [] }));
  });
  return printPage(
    c,
    siteName,
    `Timesheets ${label}`,
    <>
      <PrintBar back="/timesheets/summary">
        <span class="muted">{months.length === 1 ? "One person per page, with totals." : `${label}: one person per page and month, with each month's totals.`}</span>
      </PrintBar>
      {printed.length === 0 ? (
        <p>No results stored for {label}.</p>
      ) : (
        printed.map(({ s, month, days }) => <Sheet s={s} days={days} sheets={sheets} month={month.month} siteName={siteName} />)
      )}
    </>,
  );
}

/** The summary's period as the downloads take it (the same query as the page); a bad one is a 400 naming the field. */
function periodOfQuery(c: Context<UiEnv>, deps: UiDeps): { from: string; to: string; departmentId?: number } | string {
  const parsed = summaryQuery.safeParse(c.req.query());
  if (!parsed.success) return parsed.error.issues[0]?.message ?? "Check the period.";
  const month = monthRange(deps.settings.clock.format(deps.now()).slice(0, 7));
  return { from: parsed.data.from ?? month.from, to: parsed.data.to ?? month.to, ...(parsed.data.departmentId ? { departmentId: parsed.data.departmentId } : {}) };
}

function attachment(c: Context<UiEnv>, body: string | Uint8Array, type: string, name: string) {
  return c.body(typeof body === "string" ? body : (body as Uint8Array<ArrayBuffer>), 200, { "content-type": type, "content-disposition": `attachment; filename="${name}"`, "cache-control": "no-store" });
}

export function timesheetSummaryPages(deps: UiDeps) {
  const app = new Hono<UiEnv>();
  app.get("/timesheets/summary", (c) => summaryPage(c, deps));
  app.get("/timesheets/print", (c) => printSheets(c, deps));
  // Downloads with the session: the same files as the API's /timesheets/summary?format=csv|xlsx and /timesheets/days?format=csv.
  app.get("/timesheets/summary.csv", async (c) => {
    const period = periodOfQuery(c, deps);
    if (typeof period === "string") return c.text(period, 400);
    const sheets = await loadSheets(deps.timesheets, period);
    return attachment(c, summaryCsv(sheets.summary, sheets.names, deps.settings.csvDelimiter), "text/csv; charset=utf-8", `timesheet-summary-${period.from}-${period.to}.csv`);
  });
  app.get("/timesheets/days.csv", async (c) => {
    const period = periodOfQuery(c, deps);
    if (typeof period === "string") return c.text(period, 400);
    const sheets = await loadSheets(deps.timesheets, period);
    const d = deps.settings.csvDelimiter;
    return attachment(c, csvHead(DAY_CSV_HEADERS, d) + dayCsvRows(sheets.days, sheets.names, d), "text/csv; charset=utf-8", `timesheet-days-${period.from}-${period.to}.csv`);
  });
  app.get("/timesheets/summary.xlsx", async (c) => {
    const period = periodOfQuery(c, deps);
    if (typeof period === "string") return c.text(period, 400);
    const book = await timesheetWorkbook(await loadSheets(deps.timesheets, period));
    return attachment(c, book, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", `timesheets-${period.from}-${period.to}.xlsx`);
  });
  return app;
}

