/**
 * Timesheets → Print monthly sheets (/timesheets/print): one person per page and month, with the
 * month's days and totals, for the summary's period (as months) or one person's month.
 */
import type { Context } from "hono";
import { z } from "zod";
import { clockOf, hm, hmOrDash, statusOf } from "../../../web/components/timesheet-format.ts";
import { type SummaryRow, summaryRows } from "../../app/timesheets/results.ts";
import { loadSheets, type Sheets } from "../../export/timesheet-sheets.ts";
import { weekday } from "../../timesheets/calendar.ts";
import type { DayResult } from "../../timesheets/types.ts";
import type { UiDeps, UiEnv } from "../env.ts";
import { PrintBar, printPage } from "../layout.tsx";
import { type MonthRange, monthRange, monthSchema, plannedHours } from "../timesheets/area.tsx";
import { type Column, numColumn, Table } from "../table.tsx";
import { SummaryTotals } from "../timesheets/day-parts.tsx";
import { monthOf } from "./timesheet-people.tsx";

const WEEKDAY = ["", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/** A printed sheet: one row a day. */
const sheetColumns: Array<Column<DayResult>> = [
  { head: "Date", class: "nowrap", cell: (d) => `${WEEKDAY[weekday(d.date)]} ${d.date.slice(8, 10)}` },
  { head: "Status", cell: (d) => `${statusOf(d.status).label}${d.manual ? " (manual)" : ""}` },
  { head: "Shift", cell: (d) => plannedHours(d) ?? "" },
  { head: "In", cell: (d) => clockOf(d.firstIn, d.date) },
  { head: "Out", cell: (d) => clockOf(d.lastOut, d.date) },
  numColumn("Worked", (d) => hm(d.workedMinutes)),
  numColumn("Late", (d) => hmOrDash(d.lateMinutes)),
  numColumn("Early", (d) => hmOrDash(d.earlyLeaveMinutes)),
  numColumn("Overtime", (d) => hmOrDash(d.overtimeMinutes)),
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
export async function printSheets(c: Context<UiEnv>, deps: UiDeps) {
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
