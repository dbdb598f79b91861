/**
 * Timesheets → Summary (/timesheets/summary): per person of a period (of a department), the sums
 * payroll reads (periodSummary, as the API's); its downloads as CSV and XLSX (the API's sheets,
 * src/export/timesheet-sheets.ts); the print-ready monthly sheets are timesheet-print.tsx.
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import { hm, hmOrDash } from "../../../web/components/timesheet-format.ts";
import { notADate } from "../../lib/input-problem.ts";
import { parseDate } from "../../protocol/index.ts";
import { periodSummary, type SummaryRow } from "../../app/timesheets/results.ts";
import { csvHead } from "../../export/csv.ts";
import { DAY_CSV_HEADERS, dayCsvRows, loadSheets, summaryCsv, timesheetWorkbook } from "../../export/timesheet-sheets.ts";
import { dayNumber } from "../../timesheets/calendar.ts";
import type { LeaveType } from "../../timesheets/types.ts";
import { EmptyState } from "../components.tsx";
import type { UiDeps, UiEnv } from "../env.ts";
import { page } from "../layout.tsx";
import { monthRange, namesOf, TimesheetTabs } from "../timesheets/area.tsx";
import { type Column, numColumn, Table } from "../table.tsx";
import { printSheets } from "./timesheet-print.tsx";

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
    numColumn("Days worked", (s) => s.daysWorked),
    { ...numColumn("Worked", (s) => hm(s.workedMinutes)), attrs: { "data-col": "worked" } },
    numColumn("Overtime", (s) => hmOrDash(s.overtimeMinutes)),
    numColumn("Late", (s) => times(s.lateCount, s.lateMinutes)),
    numColumn("Early leave", (s) => times(s.earlyLeaveCount, s.earlyLeaveMinutes)),
    numColumn("Absences", (s) => s.absences),
    numColumn("Missing punch", (s) => s.missingPunchDays),
    ...used.map((type) => numColumn<SummaryRow>(type.name, (s) => leaveCell(s, type))),
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

