/**
 * Time and attendance (issue 14), as an admin changes it: one module per aggregate in this folder
 * (departments, shifts, schedules, holidays, leave, corrections, site rules, rebuild; `results` and
 * `today` the reads). The API and the admin UI both take the request shapes there (issue 14's API
 * shapes: flat fields, `HH:MM`, `YYYY-MM-DD`) and get the views back; each use case maps them onto
 * the rule model (src/timesheets/schemas.ts), validates, writes through `Store.timesheets`, audits,
 * and asks for the affected person-days to be recomputed.
 *
 * This module: what they run on (the store, the site clock, the recompute queue) and the helpers
 * they share. The recomputation runs later, off the caller's path (`RecomputeRequests`,
 * src/jobs/timesheet-recompute.ts): a change answers at once.
 */
import { AppError, badRequest, notFound } from "../../lib/app-error.ts";
import type { Store } from "../../store/contract.ts";
import { addDays } from "../../timesheets/calendar.ts";
import type { LocalToUtc } from "../../timesheets/plan.ts";
import type { PersonDate } from "../../timesheets/recompute.ts";
import type { LocalDate } from "../../timesheets/types.ts";

/** What the site clock gives the timesheets: local → UTC for the rules, UTC → local for "today". */
export interface TimesheetClock extends LocalToUtc {
  format(ms: number): string;
}

/** Asks for results to be recomputed; returns at once, the work runs later (src/jobs/timesheet-recompute.ts). */
export interface RecomputeRequests {
  /** These person-days. */
  people(targets: Iterable<PersonDate>): void;
  /**
   * Everyone over [from, to] (from null: from the first stored punch; to null or past today: to
   * today). Resolves with the number of results stored once that range is done.
   */
  everyone(from: LocalDate | null, to: LocalDate | null, onProgress?: RebuildProgressListener): Promise<number>;
  status(): RecomputeStatus;
}

/**
 * How far "everyone over a range" is: person-days done of `total` (`people` × `days`). `from`/`to`
 * as walked: clipped to today, widened by ranges waiting that overlap it (done in the same pass).
 */
export interface RebuildCount {
  from: LocalDate;
  to: LocalDate;
  done: number;
  total: number;
  people: number;
  days: number;
}
export type RebuildProgressListener = (progress: RebuildCount) => void;

export interface RecomputeStatus {
  /** A pass is running. */
  running: boolean;
  /** Person-days and "everyone over a range" requests waiting. */
  pendingDays: number;
  pendingRanges: number;
  /** Results stored since start. */
  stored: number;
  lastError: string | null;
}

export interface TimesheetDeps {
  store: Pick<Store, "timesheets" | "audit" | "getPerson" | "getAttendance" | "attendanceSlice">;
  clock: TimesheetClock;
  recompute: RecomputeRequests;
  now: () => number;
  /** Holidays close doors too (issue 16): after a holiday changes, the access rules are read again and the terminals' tables synced. */
  accessChanged?: () => Promise<void>;
}

/** Today's site-local date. */
export function today(deps: Pick<TimesheetDeps, "clock" | "now">): LocalDate {
  return deps.clock.format(deps.now()).slice(0, 10);
}

export const inUse = (message: string) => new AppError(409, "in_use", message);

export function keyed<T extends { id: number }>(items: readonly T[], id: number, what: string): T {
  const found = items.find((i) => i.id === id);
  if (!found) throw notFound(`no such ${what}`);
  return found;
}

/**
 * A setting for a person (its `enrollid` field) names someone on People: a mistyped enroll id would
 * give it to nobody, who then shows up absent in every summary. The field comes apart from the
 * problem, so each door names it its way (the API as its body does, a form by its label).
 */
export async function checkPerson(deps: Pick<TimesheetDeps, "store">, enrollid: number): Promise<void> {
  if (await deps.store.getPerson(enrollid)) return;
  const problem = `no one has enroll id ${enrollid}; add them on People first`;
  throw new AppError(400, "unknown_person", `enrollid: ${problem}`, undefined, { field: "enrollid", problem });
}

export async function checkDepartments(deps: TimesheetDeps, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  const known = new Set((await deps.store.timesheets.departments()).map((d) => d.id));
  const missing = ids.find((d) => !known.has(d));
  if (missing !== undefined) throw badRequest(`no department ${missing}`);
}

/** The days a setting with a date range reaches, plus one each side (a night shift's neighbour). */
export function reach(from: LocalDate, to: LocalDate | undefined | null): [LocalDate, LocalDate | null] {
  return [addDays(from, -1), to ? addDays(to, 1) : null];
}

/** Recomputes everyone over the union of these ranges (a range's null end: open). */
export function recomputeSpan(deps: TimesheetDeps, ranges: ReadonlyArray<[LocalDate, LocalDate | null]>): void {
  if (ranges.length === 0) return;
  const from = ranges.map((r) => r[0]).sort()[0] ?? null;
  const to = ranges.some((r) => r[1] === null) ? null : (ranges.map((r) => r[1] as string).sort().at(-1) ?? null);
  // The caller has answered; a failure is the queue's to log.
  void deps.recompute.everyone(from, to).catch(() => undefined);
}

export function personDays(enrollid: number, dates: Iterable<LocalDate>): PersonDate[] {
  return [...new Set(dates)].map((date) => ({ enrollid, date }));
}
