/**
 * Timesheet exports (issue 14): the period summary and the daily detail as CSV (through csv.ts)
 * and as one XLSX workbook (exceljs) with typed cells: dates and times are dates, minutes and
 * hours are numbers, so a spreadsheet sums them as they are. The API and the admin UI's download
 * buttons both use these, so the columns are the same wherever a sheet comes from. Manual days
 * (a correction touched them) say so in their own column. Columns are added, never renamed:
 * payroll imports read these headers.
 */
import ExcelJS from "exceljs";
import { statusOf } from "../../web/components/timesheet-format.ts";
import type { TimesheetDeps } from "../app/timesheets/deps.ts";
import { listDays, summaryRows, type SummaryRow } from "../app/timesheets/results.ts";
import { badRequest } from "../lib/app-error.ts";
import type { DayResult, LeaveType } from "../timesheets/types.ts";
import { type CsvCell, type CsvDelimiter, csvHead, csvRow } from "./csv.ts";

/** What the sheets name besides the figures: people's names, departments, shifts, leave types. */
export interface SheetNames {
  people: ReadonlyMap<number, string>;
  departments: ReadonlyMap<number, string>;
  shifts: ReadonlyMap<number, string>;
  leaveTypes: readonly LeaveType[];
}

const hours = (minutes: number) => Math.round((minutes / 60) * 100) / 100;

type Cell = { kind: "text"; value: string | null } | { kind: "int"; value: number } | { kind: "hours"; value: number } | { kind: "date"; value: string } | { kind: "time"; value: string | null } | { kind: "bool"; value: boolean };

interface Column<T> {
  header: string;
  width: number;
  cell(row: T, names: SheetNames): Cell;
}

const text = (value: string | null): Cell => ({ kind: "text", value });
const int = (value: number): Cell => ({ kind: "int", value });

function summaryColumns(names: SheetNames): Array<Column<SummaryRow>> {
  const columns: Array<Column<SummaryRow>> = [
    { header: "Enroll ID", width: 10, cell: (r) => int(r.enrollid) },
    { header: "Name", width: 24, cell: (r, n) => text(n.people.get(r.enrollid) ?? null) },
    { header: "Department", width: 18, cell: (r, n) => text(r.departmentId === null ? null : (n.departments.get(r.departmentId) ?? null)) },
    { header: "Days", width: 8, cell: (r) => int(r.days) },
    { header: "Days worked", width: 12, cell: (r) => int(r.daysWorked) },
    { header: "Worked minutes", width: 15, cell: (r) => int(r.workedMinutes) },
    { header: "Worked hours", width: 13, cell: (r) => ({ kind: "hours", value: hours(r.workedMinutes) }) },
    { header: "Planned minutes", width: 15, cell: (r) => int(r.expectedMinutes) },
    { header: "Overtime minutes", width: 16, cell: (r) => int(r.overtimeMinutes) },
    { header: "Late count", width: 11, cell: (r) => int(r.lateCount) },
    { header: "Late minutes", width: 13, cell: (r) => int(r.lateMinutes) },
    { header: "Early leaves", width: 12, cell: (r) => int(r.earlyLeaveCount) },
    { header: "Early leave minutes", width: 18, cell: (r) => int(r.earlyLeaveMinutes) },
    { header: "Absences", width: 10, cell: (r) => int(r.absences) },
    { header: "Missing punch days", width: 18, cell: (r) => int(r.missingPunchDays) },
    { header: "Holidays", width: 10, cell: (r) => int(r.holidays) },
    { header: "Rest days", width: 10, cell: (r) => int(r.restDays) },
    { header: "Leave days", width: 11, cell: (r) => ({ kind: "hours", value: r.leaveDays }) },
    { header: "Manual days", width: 12, cell: (r) => int(r.manualDays) },
  ];
  for (const type of names.leaveTypes) {
    columns.push(
      { header: `${type.name} (days)`, width: 14, cell: (r) => ({ kind: "hours", value: r.leave.find((l) => l.typeId === type.id)?.days ?? 0 }) },
      { header: `${type.name} (minutes)`, width: 16, cell: (r) => int(r.leave.find((l) => l.typeId === type.id)?.minutes ?? 0) },
    );
  }
  return columns;
}

const DAY_COLUMNS: Array<Column<DayResult>> = [
  { header: "Date", width: 12, cell: (d) => ({ kind: "date", value: d.date }) },
  { header: "Enroll ID", width: 10, cell: (d) => int(d.enrollid) },
  { header: "Name", width: 24, cell: (d, n) => text(n.people.get(d.enrollid) ?? null) },
  { header: "Department", width: 18, cell: (d, n) => text(d.departmentId === null ? null : (n.departments.get(d.departmentId) ?? null)) },
  // The shift's name, as the admin gave it: its id means nothing outside the API.
  { header: "Shift", width: 14, cell: (d, n) => text(d.shiftId === null ? null : (n.shifts.get(d.shiftId) ?? null)) },
  { header: "Status", width: 14, cell: (d) => text(d.status) },
  // The words the pages show beside the code a payroll import may match on (docs/timesheets.md, "Status").
  { header: "Status label", width: 14, cell: (d) => text(statusOf(d.status).label) },
  { header: "First in", width: 20, cell: (d) => ({ kind: "time", value: d.firstIn }) },
  { header: "Last out", width: 20, cell: (d) => ({ kind: "time", value: d.lastOut }) },
  { header: "Worked minutes", width: 15, cell: (d) => int(d.workedMinutes) },
  { header: "Worked hours", width: 13, cell: (d) => ({ kind: "hours", value: hours(d.workedMinutes) }) },
  { header: "Planned minutes", width: 15, cell: (d) => int(d.expectedMinutes) },
  { header: "Late minutes", width: 13, cell: (d) => int(d.lateMinutes) },
  { header: "Early leave minutes", width: 18, cell: (d) => int(d.earlyLeaveMinutes) },
  { header: "Overtime minutes", width: 16, cell: (d) => int(d.overtimeMinutes) },
  { header: "Missing punch", width: 14, cell: (d) => ({ kind: "bool", value: d.missingPunch }) },
  { header: "Manual", width: 8, cell: (d) => ({ kind: "bool", value: d.manual }) },
  { header: "Holiday", width: 16, cell: (d) => text(d.holiday) },
];

/** The CSV form of a cell: dates and times as the site-local text, booleans as yes/no. */
function csvCell(cell: Cell): CsvCell {
  if (cell.kind === "bool") return cell.value ? "yes" : "no";
  return cell.value;
}

export function summaryCsv(rows: readonly SummaryRow[], names: SheetNames, delimiter: CsvDelimiter): string {
  const columns = summaryColumns(names);
  return csvHead(columns.map((c) => c.header), delimiter) + rows.map((r) => csvRow(columns.map((c) => csvCell(c.cell(r, names))), delimiter)).join("");
}

export const DAY_CSV_HEADERS = DAY_COLUMNS.map((c) => c.header);

/** The daily detail's CSV rows (without the head: they are written page by page). */
export function dayCsvRows(days: readonly DayResult[], names: SheetNames, delimiter: CsvDelimiter): string {
  return days.map((d) => csvRow(DAY_COLUMNS.map((c) => csvCell(c.cell(d, names))), delimiter)).join("");
}

/** A site-local date or time as the wall-clock Date Excel shows (Excel has no time zones: UTC fields = the local reading). */
function wallClock(local: string): Date {
  return new Date(`${local.length === 10 ? `${local}T00:00:00` : local.replace(" ", "T")}Z`);
}

function addSheet<T>(book: ExcelJS.Workbook, name: string, columns: Array<Column<T>>, rows: readonly T[], names: SheetNames, totals: boolean): void {
  const sheet = book.addWorksheet(name, { views: [{ state: "frozen", ySplit: 1 }] });
  sheet.columns = columns.map((c) => ({ header: c.header, width: c.width }));
  sheet.getRow(1).font = { bold: true };
  const sums = columns.map(() => 0);
  rows.forEach((row, i) => {
    const line = sheet.getRow(i + 2);
    columns.forEach((column, j) => {
      const cell = column.cell(row, names);
      const target = line.getCell(j + 1);
      switch (cell.kind) {
        case "text":
          target.value = cell.value;
          break;
        case "int":
          target.value = cell.value;
          target.numFmt = "0";
          break;
        case "hours":
          target.value = cell.value;
          target.numFmt = "0.00";
          break;
        case "date":
          target.value = wallClock(cell.value);
          target.numFmt = "yyyy-mm-dd";
          break;
        case "time":
          target.value = cell.value === null ? null : wallClock(cell.value);
          target.numFmt = "yyyy-mm-dd hh:mm:ss";
          break;
        case "bool":
          target.value = cell.value;
          break;
      }
      if ((cell.kind === "int" || cell.kind === "hours") && j > 0) sums[j] = (sums[j] ?? 0) + cell.value;
    });
  });
  if (!totals || rows.length === 0) return;
  // Totals as values (not formulas): every reader shows them, even one that computes nothing.
  const total = sheet.getRow(rows.length + 2);
  total.font = { bold: true };
  total.getCell(1).value = "Total";
  columns.forEach((column, j) => {
    if (j === 0) return;
    const sample = column.cell(rows[0] as T, names);
    if (sample.kind !== "int" && sample.kind !== "hours") return;
    const target = total.getCell(j + 1);
    target.value = Math.round((sums[j] ?? 0) * 100) / 100;
    target.numFmt = sample.kind === "int" ? "0" : "0.00";
  });
}

/**
 * The workbook: "Summary" (one row per person, a Total row) and "Days" (one row per person-day),
 * dates as dates, minutes and hours as numbers.
 */
export async function timesheetWorkbook(input: { summary: readonly SummaryRow[]; days: readonly DayResult[]; names: SheetNames; from: string; to: string }): Promise<Uint8Array> {
  const book = new ExcelJS.Workbook();
  book.creator = "TM20 Server";
  book.title = `Timesheets ${input.from} to ${input.to}`;
  addSheet(book, "Summary", summaryColumns(input.names), input.summary, input.names, true);
  addSheet(book, "Days", DAY_COLUMNS, input.days, input.names, false);
  return new Uint8Array(await book.xlsx.writeBuffer());
}

/** The most person-days one workbook or one summary download holds (a month of 1,000 people is 31,000). */
export const MAX_SHEET_DAYS = 100_000;

export interface Sheets {
  from: string;
  to: string;
  summary: SummaryRow[];
  days: DayResult[];
  names: SheetNames;
}

/** Everything a download of [from, to] (of one department) shows, read once. */
export async function loadSheets(deps: Pick<TimesheetDeps, "store">, input: { from: string; to: string; departmentId?: number }): Promise<Sheets> {
  const days: DayResult[] = [];
  let cursor: string | undefined;
  do {
    const page = await listDays(deps, { ...input, limit: 1000, ...(cursor ? { cursor } : {}) });
    days.push(...page.items);
    if (days.length > MAX_SHEET_DAYS) throw badRequest(`more than ${MAX_SHEET_DAYS} person-days: choose a shorter period or one department`);
    cursor = page.next ?? undefined;
  } while (cursor);
  const leaveTypes = await deps.store.timesheets.leaveTypes();
  const summary = summaryRows(days, leaveTypes);
  const people = new Map<number, string>();
  for (const row of summary) {
    const person = await deps.store.getPerson(row.enrollid);
    if (person) people.set(row.enrollid, person.name);
  }
  const departments = new Map((await deps.store.timesheets.departments()).map((d) => [d.id, d.name]));
  const shifts = new Map((await deps.store.timesheets.shifts()).map((s) => [s.id, s.name]));
  return { from: input.from, to: input.to, summary, days, names: { people, departments, shifts, leaveTypes } };
}
