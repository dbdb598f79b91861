/**
 * What the Timesheets pages share: the area's tabs, month arithmetic on the query string, the
 * stored daily results of a range read page by page, and names for people and departments.
 */
import type { Context } from "hono";
import { z } from "zod";
import type { ScheduleView } from "../../app/timesheets/schedules.ts";
import { notFound } from "../../lib/app-error.ts";
import { pathId } from "../../lib/path-id.ts";
import type { Store } from "../../store/contract.ts";
import type { DayFilter } from "../../store/timesheets-contract.ts";
import { parseDate } from "../../protocol/index.ts";
import { addDays } from "../../timesheets/calendar.ts";
import type { DayResult, LocalDate } from "../../timesheets/types.ts";

export type TimesheetTab = "today" | "people" | "summary" | "departments" | "shifts" | "schedules" | "holidays" | "leave-types" | "rules" | "rebuild";

const TABS: Array<{ id: TimesheetTab; href: string; label: string }> = [
  { id: "today", href: "/timesheets", label: "Today" },
  { id: "people", href: "/timesheets/people", label: "Months" },
  { id: "summary", href: "/timesheets/summary", label: "Summary" },
  { id: "departments", href: "/timesheets/departments", label: "Departments" },
  { id: "shifts", href: "/timesheets/shifts", label: "Shifts" },
  { id: "schedules", href: "/timesheets/schedules", label: "Schedules" },
  { id: "holidays", href: "/timesheets/holidays", label: "Holidays" },
  { id: "leave-types", href: "/timesheets/leave-types", label: "Leave types" },
  { id: "rules", href: "/timesheets/rules", label: "Rules" },
  { id: "rebuild", href: "/timesheets/rebuild", label: "Rebuild" },
];

export function TimesheetTabs({ active }: { active: TimesheetTab }) {
  return (
    <nav class="tabs" aria-label="Timesheets">
      {TABS.map((t) => (
        <a href={t.href} class={t.id === active ? "tab active" : "tab"} aria-current={t.id === active ? "page" : undefined}>
          {t.label}
        </a>
      ))}
    </nav>
  );
}

export const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/** A schedule's pattern in words: "Day on Mon, Tue, Wed" or "Rotation: Day, Night, rest". */
export function schedulePattern(s: ScheduleView, shiftNames: ReadonlyMap<number, string>): string {
  if (s.kind === "weekly") return `${shiftNames.get(s.shiftId ?? 0) ?? `#${s.shiftId}`} on ${(s.weekdays ?? []).map((d) => WEEKDAYS[d - 1]).join(", ")}`;
  return `Rotation: ${(s.rotation ?? []).map((d) => (d === null ? "rest" : (shiftNames.get(d) ?? `#${d}`))).join(", ")}`;
}

/** "YYYY-MM" from a query; blank or malformed is the month of `today`. */
export const monthSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "expected a month YYYY-MM");

export interface MonthRange {
  month: string;
  from: LocalDate;
  to: LocalDate;
  prev: string;
  next: string;
}

const monthText = (year: number, month: number) => `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}`;

export function monthRange(month: string): MonthRange {
  const year = Number(month.slice(0, 4));
  const m = Number(month.slice(5, 7));
  const next = m === 12 ? monthText(year + 1, 1) : monthText(year, m + 1);
  const from = `${month}-01`;
  return { month, from, to: addDays(`${next}-01`, -1), prev: addDays(from, -1).slice(0, 7), next };
}

/** The most results one page reads (a year of a 1,000-person site is 365,000: read in pages of this). */
const DAYS_PAGE = 2000;
/** Beyond this many results a page would be unreadable anyway; the summary and exports serve larger sets. */
export const MAX_SHOWN_DAYS = 100_000;

/** Every stored result of a range (by date then enrollid), read in pages. */
export async function storedDays(store: Store, filter: Omit<DayFilter, "cursor" | "limit">): Promise<DayResult[]> {
  const out: DayResult[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.timesheets.days({ ...filter, limit: DAYS_PAGE, ...(cursor ? { cursor } : {}) });
    out.push(...page.items);
    cursor = page.next ?? undefined;
  } while (cursor && out.length < MAX_SHOWN_DAYS);
  return out;
}

/** People's names (empty for someone not in the people list) and department names by id. */
export async function namesOf(store: Store, enrollids: number[]): Promise<{ person: (enrollid: number) => string; department: (id: number | null) => string | null }> {
  const [people, departments] = await Promise.all([store.admin.peopleLabels([...new Set(enrollids)]), store.timesheets.departments()]);
  const byId = new Map(departments.map((d) => [d.id, d.name]));
  return {
    person: (enrollid) => people.get(enrollid)?.name ?? "",
    department: (id) => (id === null ? null : (byId.get(id) ?? `#${id}`)),
  };
}

/** The planned hours of a result, "09:00–17:00" (a flexible shift's core hours); null without them. */
export function plannedHours(d: Pick<DayResult, "shiftStart" | "shiftEnd">): string | null {
  return d.shiftStart && d.shiftEnd ? `${d.shiftStart.slice(11, 16)}–${d.shiftEnd.slice(11, 16)}` : null;
}

/** A numeric route parameter (an id, an enrollid); anything else is "not found", like a missing row. */
export const idParam = (c: Context, name = "id"): number => pathId(c.req.param(name), name);

/** A date route parameter "YYYY-MM-DD" (normalised); anything else is "not found". */
export function dateParam(c: Context, name = "date"): LocalDate {
  const date = parseDate(c.req.param(name) ?? "");
  if (date === null) throw notFound(`no such ${name}`);
  return date;
}
