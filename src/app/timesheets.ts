/**
 * Time and attendance (issue 14), as an admin changes it: departments and who belongs to them,
 * shifts, schedules, holidays, leave types and entries, corrections and the site's punch rules.
 * The API and the admin UI both take the request shapes here (issue 14's API shapes: flat fields,
 * `HH:MM`, `YYYY-MM-DD`) and get the views back; this module maps them onto the rule model
 * (src/timesheets/schemas.ts), validates, writes through `Store.timesheets`, audits, and asks for
 * the affected person-days to be recomputed. The recomputation runs later, off the caller's path
 * (`RecomputeRequests`, src/jobs/timesheet-recompute.ts): a change answers at once.
 *
 * A person's department: the dated memberships are the truth (the rules read the history, so last
 * month keeps last month's department); the current department is the membership open today.
 */
import { z } from "zod";
import { AppError, badRequest, notFound } from "../lib/app-error.ts";
import { yieldToLoop } from "../lib/yield-to-loop.ts";
import type { Store } from "../store/contract.ts";
import type { CorrectionRow, HolidayRow, NoId } from "../store/timesheets-contract.ts";
import { addDays, dayNumber } from "../timesheets/calendar.ts";
import { datesAffectedBy } from "../timesheets/assign.ts";
import { computeDays } from "../timesheets/period.ts";
import { defaultDayStart, type LocalToUtc } from "../timesheets/plan.ts";
import type { PersonDate } from "../timesheets/recompute.ts";
import { indexRules } from "../timesheets/schedule.ts";
import * as schemas from "../timesheets/schemas.ts";
import { type PeriodSummary, summarize } from "../timesheets/summary.ts";
import type { Correction, DayResult, Department, LeaveEntry, LeaveType, LocalDate, Membership, PunchInterpretation, Schedule, Shift, SiteRules, Weekday } from "../timesheets/types.ts";
import { type Actor, actorId } from "./actor.ts";
import { audit } from "./audit.ts";
import { validInput } from "./input.ts";

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

/** A rebuild started on this instance: running, or how the last one ended. */
export interface RebuildState extends RebuildCount {
  /** Counts the rebuilds since start: which one the page shows. */
  run: number;
  from: LocalDate;
  to: LocalDate;
  status: "running" | "succeeded" | "failed";
  /** Results stored (known at the end). */
  stored: number;
  /** `performance.now()` at the start: a duration, not the site clock (which tests hold still). */
  startedAt: number;
  /** How long it took, once ended. */
  ms: number | null;
  error: string | null;
}

/**
 * The running or last rebuild on this instance, in memory (a restart forgets it; the results are
 * stored regardless). One at a time: `rebuildTimesheets` refuses a second while one runs.
 */
export class RebuildTracker {
  #state: RebuildState | null = null;
  #runs = 0;

  current(): RebuildState | null {
    return this.#state === null ? null : { ...this.#state };
  }

  get running(): boolean {
    return this.#state?.status === "running";
  }

  /** A new run: what to pass as the recompute's listener, and `end` for its promise. */
  start(from: LocalDate, to: LocalDate): { listen: RebuildProgressListener; end: (done: Promise<number>) => void } {
    const state: RebuildState = { run: ++this.#runs, from, to, status: "running", done: 0, total: 0, people: 0, days: 0, stored: 0, startedAt: performance.now(), ms: null, error: null };
    this.#state = state;
    return {
      listen: (p) => Object.assign(state, p),
      end: (done) =>
        done.then(
          (stored) => Object.assign(state, { status: "succeeded", stored, ms: performance.now() - state.startedAt }),
          (err: unknown) => Object.assign(state, { status: "failed", ms: performance.now() - state.startedAt, error: err instanceof Error ? err.message : String(err) }),
        ),
    };
  }
}

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

// ── input shapes (the API's bodies; the UI's forms map onto the same) ──

const name = z.string().trim().min(1, "give it a name").max(100, "use at most 100 characters");
const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const enrollid = z.number().int().min(1).max(999_999_999);
const minutes = z.number().int().min(0).max(1440);
const reason = z.string().trim().min(1, "say why (a reason is required)").max(500);

/** The longest range one read covers (a days list, a summary): a year and a day. */
export const MAX_READ_DAYS = 366;
/** The longest rebuild: ten years. */
export const MAX_REBUILD_DAYS = 3660;

function dateRange(maxDays: number) {
  return z
    .object({ from: schemas.localDate, to: schemas.localDate })
    .refine((r) => r.to >= r.from, "to is before from")
    .refine((r) => dayNumber(r.to) - dayNumber(r.from) < maxDays, `at most ${maxDays} days at once`);
}

const shiftFields = {
  name,
  kind: z.enum(["fixed", "flexible"]),
  start: schemas.timeOfDay,
  end: schemas.timeOfDay,
  countEarlyArrival: z.boolean(),
  requiredMinutes: minutes.min(1),
  coreStart: schemas.timeOfDay,
  coreEnd: schemas.timeOfDay,
  dayStart: schemas.timeOfDay,
  /** An automatic break deducted once more than `breakAfterMinutes` (default 0) were worked. */
  breakMinutes: minutes,
  breakAfterMinutes: minutes,
  breaks: z.array(schemas.breakWindow).max(8),
  lateGraceMinutes: minutes,
  earlyGraceMinutes: minutes,
  /** Worked minutes beyond this many a day are overtime. */
  overtimeAfterMinutes: minutes,
  /** Worked minutes after a fixed shift's end are overtime. */
  overtimeAfterEnd: z.boolean(),
  overtimeMinimumMinutes: minutes,
  rounding: z.strictObject({ in: schemas.rounding.optional(), out: schemas.rounding.optional() }),
};

/** A shift as the API and UI give and get it (issue 14's fields plus the flexible and rounding ones). */
const someShiftFields = z.strictObject(shiftFields).partial();
export const shiftInput = someShiftFields.extend({ name });
/** A change; null clears an optional setting (no core hours, overtime limit or minimum, rounding, the natural day start). */
export const shiftChanges = someShiftFields.extend({
  coreStart: shiftFields.coreStart.nullable(),
  coreEnd: shiftFields.coreEnd.nullable(),
  dayStart: shiftFields.dayStart.nullable(),
  breakAfterMinutes: shiftFields.breakAfterMinutes.nullable(),
  overtimeAfterMinutes: shiftFields.overtimeAfterMinutes.nullable(),
  overtimeMinimumMinutes: shiftFields.overtimeMinimumMinutes.nullable(),
  rounding: shiftFields.rounding.nullable(),
}).partial();
export type ShiftInput = z.input<typeof shiftInput>;

export interface ShiftView {
  id: number;
  name: string;
  kind: "fixed" | "flexible";
  start: string | null;
  end: string | null;
  countEarlyArrival: boolean;
  requiredMinutes: number | null;
  coreStart: string | null;
  coreEnd: string | null;
  dayStart: string;
  breakMinutes: number;
  breakAfterMinutes: number;
  breaks: Array<{ start: string; end: string }>;
  lateGraceMinutes: number;
  earlyGraceMinutes: number;
  overtimeAfterMinutes: number | null;
  overtimeAfterEnd: boolean;
  overtimeMinimumMinutes: number | null;
  rounding: { in?: { step: number; mode: "nearest" | "up" | "down" }; out?: { step: number; mode: "nearest" | "up" | "down" } } | null;
}

/** The day start a shift gets when none is given: midnight, or a night shift's off-duty middle. */
function naturalDayStart(v: { kind?: string; start?: string; end?: string; coreStart?: string; coreEnd?: string }): string {
  if (v.kind === "flexible") return v.coreStart && v.coreEnd ? defaultDayStart(v.coreStart, v.coreEnd) : "00:00";
  return v.start && v.end ? defaultDayStart(v.start, v.end) : "00:00";
}

export function shiftView(s: Shift): ShiftView {
  const fixed = s.kind === "fixed";
  return {
    id: s.id,
    name: s.name,
    kind: s.kind,
    start: fixed ? s.start : null,
    end: fixed ? s.end : null,
    countEarlyArrival: fixed ? (s.countEarlyArrival ?? false) : false,
    requiredMinutes: fixed ? null : s.requiredMinutes,
    coreStart: !fixed && s.core ? s.core.start : null,
    coreEnd: !fixed && s.core ? s.core.end : null,
    dayStart: s.dayStart,
    breakMinutes: s.autoBreak?.minutes ?? 0,
    breakAfterMinutes: s.autoBreak?.afterMinutes ?? 0,
    breaks: s.breaks,
    lateGraceMinutes: s.lateGraceMinutes,
    earlyGraceMinutes: s.earlyGraceMinutes,
    overtimeAfterMinutes: s.overtime?.beyondMinutes ?? null,
    overtimeAfterEnd: s.overtime?.afterShiftEnd ?? false,
    overtimeMinimumMinutes: s.overtime?.minimumMinutes ?? null,
    rounding: s.rounding && (s.rounding.in || s.rounding.out) ? s.rounding : null,
  };
}

type ShiftFields = z.output<typeof someShiftFields>;

/** The flat fields → the rule model (validated by the model's own schema). */
function shiftModel(v: ShiftFields & { name: string }): NoId<Shift> {
  const kind = v.kind ?? "fixed";
  const overtime = {
    ...(v.overtimeAfterEnd ? { afterShiftEnd: true } : {}),
    ...(v.overtimeAfterMinutes !== undefined ? { beyondMinutes: v.overtimeAfterMinutes } : {}),
    ...(v.overtimeMinimumMinutes !== undefined ? { minimumMinutes: v.overtimeMinimumMinutes } : {}),
  };
  const common = {
    name: v.name,
    dayStart: v.dayStart ?? naturalDayStart(v),
    breaks: v.breaks ?? [],
    ...(v.breakMinutes ? { autoBreak: { minutes: v.breakMinutes, afterMinutes: v.breakAfterMinutes ?? 0 } } : {}),
    ...(v.rounding && (v.rounding.in || v.rounding.out) ? { rounding: v.rounding } : {}),
    ...(Object.keys(overtime).length > 0 ? { overtime } : {}),
    lateGraceMinutes: v.lateGraceMinutes ?? 0,
    earlyGraceMinutes: v.earlyGraceMinutes ?? 0,
  };
  let model: NoId<Shift>;
  if (kind === "fixed") {
    if (v.start === undefined || v.end === undefined) throw badRequest("a shift needs a start and an end (HH:MM), or kind flexible with requiredMinutes");
    model = { ...common, kind, start: v.start, end: v.end, ...(v.countEarlyArrival ? { countEarlyArrival: true } : {}) };
  } else {
    if (v.requiredMinutes === undefined) throw badRequest("a flexible shift needs requiredMinutes");
    if ((v.coreStart === undefined) !== (v.coreEnd === undefined)) throw badRequest("core hours need both coreStart and coreEnd");
    model = { ...common, kind, requiredMinutes: v.requiredMinutes, ...(v.coreStart && v.coreEnd ? { core: { start: v.coreStart, end: v.coreEnd } } : {}) };
  }
  const { id: _id, ...checked } = validInput(schemas.shift, { ...model, id: 1 });
  return checked;
}

/** A view back to the flat fields, for a change to apply on top (a day start that was the natural one follows the new times). */
function shiftFieldsOf(view: ShiftView): ShiftFields & { name: string } {
  const fields: ShiftFields & { name: string } = {
    name: view.name,
    kind: view.kind,
    breakMinutes: view.breakMinutes,
    breakAfterMinutes: view.breakAfterMinutes,
    breaks: view.breaks,
    lateGraceMinutes: view.lateGraceMinutes,
    earlyGraceMinutes: view.earlyGraceMinutes,
    overtimeAfterEnd: view.overtimeAfterEnd,
    countEarlyArrival: view.countEarlyArrival,
  };
  if (view.start !== null) fields.start = view.start;
  if (view.end !== null) fields.end = view.end;
  if (view.requiredMinutes !== null) fields.requiredMinutes = view.requiredMinutes;
  if (view.coreStart !== null) fields.coreStart = view.coreStart;
  if (view.coreEnd !== null) fields.coreEnd = view.coreEnd;
  if (view.overtimeAfterMinutes !== null) fields.overtimeAfterMinutes = view.overtimeAfterMinutes;
  if (view.overtimeMinimumMinutes !== null) fields.overtimeMinimumMinutes = view.overtimeMinimumMinutes;
  if (view.rounding !== null) fields.rounding = view.rounding;
  if (view.dayStart !== naturalDayStart(fields)) fields.dayStart = view.dayStart;
  return fields;
}

const owner = { departmentId: id.optional(), enrollid: enrollid.optional() };
const scheduleFields = {
  shiftId: id,
  weekdays: z.array(schemas.weekday).min(1).max(7),
  /** Day i of the cycle (from `from`) works shift `rotation[i]`; null: a rest day. */
  rotation: z.array(id.nullable()).min(1).max(366),
  from: schemas.localDate,
  to: schemas.localDate.nullable(),
};
/** `{shiftId, weekdays}` (weekly) or `{rotation}`, for a department or a person, from a date. */
export const scheduleInput = z.strictObject({ ...owner, ...scheduleFields }).partial({ shiftId: true, weekdays: true, rotation: true, to: true });
export const scheduleChanges = z.strictObject({ ...owner, ...scheduleFields }).partial();

export interface ScheduleView {
  id: number;
  departmentId: number | null;
  enrollid: number | null;
  from: string;
  to: string | null;
  kind: "weekly" | "rotation";
  shiftId: number | null;
  weekdays: Weekday[] | null;
  rotation: Array<number | null> | null;
}

export function scheduleView(s: Schedule): ScheduleView {
  const weekly = s.pattern.kind === "weekly";
  return {
    id: s.id,
    departmentId: s.departmentId ?? null,
    enrollid: s.enrollid ?? null,
    from: s.from,
    to: s.to ?? null,
    kind: s.pattern.kind,
    shiftId: s.pattern.kind === "weekly" ? s.pattern.shiftId : null,
    weekdays: s.pattern.kind === "weekly" ? [...s.pattern.weekdays] : null,
    rotation: s.pattern.kind === "rotation" ? s.pattern.days : null,
  };
}

export const holidayInput = z.strictObject({ date: schemas.localDate, name, departmentIds: z.array(id).max(1000).optional() });
export const holidayChanges = holidayInput.partial();

export const leaveTypeInput = z.strictObject({ name, paid: z.boolean().default(true), countsAsWorked: z.boolean().default(false) });
export const leaveTypeChanges = z.strictObject({ name, paid: z.boolean(), countsAsWorked: z.boolean() }).partial();

const leaveFields = {
  enrollid,
  date: schemas.localDate,
  /** A leave type's id, or its name (whatever its case). */
  type: z.union([id, z.string().trim().min(1).max(100)]),
  minutes: minutes.min(1),
  /** true = the first half. */
  halfDay: z.union([z.boolean(), z.enum(["first", "second"])]),
};
/** Neither `minutes` nor `halfDay`: a whole day. */
export const leaveInput = z.strictObject(leaveFields).partial({ minutes: true, halfDay: true });
export const leaveChanges = z.strictObject(leaveFields).partial();

export interface LeaveView {
  id: number;
  enrollid: number;
  date: string;
  type: number;
  typeName: string | null;
  wholeDay: boolean;
  halfDay: "first" | "second" | null;
  minutes: number | null;
}

export function leaveView(e: LeaveEntry, types: ReadonlyMap<number, LeaveType>): LeaveView {
  return {
    id: e.id,
    enrollid: e.enrollid,
    date: e.date,
    type: e.typeId,
    typeName: types.get(e.typeId)?.name ?? null,
    wholeDay: e.part.kind === "day",
    halfDay: e.part.kind === "half" ? e.part.half : null,
    minutes: e.part.kind === "minutes" ? e.part.minutes : null,
  };
}

/** A missed punch `{enrollid, time, inout?, reason}`, or the exclusion of a stored punch `{punchId, reason}`. */
export const correctionInput = z.union([
  z.strictObject({ enrollid, time: schemas.localTime, inout: z.literal([0, 1]).optional(), reason }),
  z.strictObject({ punchId: id, enrollid: enrollid.optional(), reason }),
]);
/** A correction changed: a new reason always, and for an added punch its time and in/out. */
export const correctionChanges = z.strictObject({ time: schemas.localTime.optional(), inout: z.literal([0, 1]).nullable().optional(), reason });

export interface CorrectionView {
  id: number;
  enrollid: number;
  kind: "add" | "exclude";
  time: string | null;
  inout: number | null;
  punchId: number | null;
  reason: string;
  by: string;
  /** UTC ms it was made. */
  at: number;
  /** Corrections are manual everywhere they show. */
  manual: true;
}

export function correctionView(c: CorrectionRow): CorrectionView {
  return {
    id: c.id,
    enrollid: c.enrollid,
    kind: c.kind,
    time: c.kind === "add" ? c.time : null,
    inout: c.kind === "add" ? (c.inout ?? null) : null,
    punchId: c.kind === "exclude" ? c.punchId : null,
    reason: c.reason,
    by: c.by,
    at: c.at,
    manual: true,
  };
}

export const siteRulesInput = z
  .strictObject({
    doubleScanSeconds: z.number().int().min(0).max(3600),
    calculation: schemas.calculationMode,
    defaultInterpretation: schemas.punchInterpretation,
  })
  .partial();

// ── helpers ──

/** Today's site-local date. */
export function today(deps: Pick<TimesheetDeps, "clock" | "now">): LocalDate {
  return deps.clock.format(deps.now()).slice(0, 10);
}

const inUse = (message: string) => new AppError(409, "in_use", message);

function keyed<T extends { id: number }>(items: readonly T[], id: number, what: string): T {
  const found = items.find((i) => i.id === id);
  if (!found) throw notFound(`no such ${what}`);
  return found;
}

async function checkDepartments(deps: TimesheetDeps, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  const known = new Set((await deps.store.timesheets.departments()).map((d) => d.id));
  const missing = ids.find((d) => !known.has(d));
  if (missing !== undefined) throw badRequest(`no department ${missing}`);
}

/** The days a setting with a date range reaches, plus one each side (a night shift's neighbour). */
function reach(from: LocalDate, to: LocalDate | undefined | null): [LocalDate, LocalDate | null] {
  return [addDays(from, -1), to ? addDays(to, 1) : null];
}

/** Recomputes everyone over the union of these ranges (a range's null end: open). */
function recomputeSpan(deps: TimesheetDeps, ranges: ReadonlyArray<[LocalDate, LocalDate | null]>): void {
  if (ranges.length === 0) return;
  const from = ranges.map((r) => r[0]).sort()[0] ?? null;
  const to = ranges.some((r) => r[1] === null) ? null : (ranges.map((r) => r[1] as string).sort().at(-1) ?? null);
  // The caller has answered; a failure is the queue's to log.
  void deps.recompute.everyone(from, to).catch(() => undefined);
}

function personDays(enrollid: number, dates: Iterable<LocalDate>): PersonDate[] {
  return [...new Set(dates)].map((date) => ({ enrollid, date }));
}

// ── departments ──

export async function createDepartment(deps: TimesheetDeps, actor: Actor, input: { name: string }): Promise<Department> {
  const department = await deps.store.timesheets.createDepartment(validInput(name, input.name, "name"));
  await audit(deps, actor, "timesheets.department.create", `department:${department.id}`, { name: department.name });
  return department;
}

export async function renameDepartment(deps: TimesheetDeps, actor: Actor, id: number, input: { name: string }): Promise<Department> {
  const department = await deps.store.timesheets.renameDepartment(id, validInput(name, input.name, "name"));
  if (!department) throw notFound("no such department");
  await audit(deps, actor, "timesheets.department.rename", `department:${id}`, { name: department.name });
  return department;
}

/** Refused (409 in_use) while anyone belongs or belonged to it, or a schedule names it: rename it instead. */
export async function deleteDepartment(deps: TimesheetDeps, actor: Actor, id: number): Promise<void> {
  if (!(await deps.store.timesheets.deleteDepartment(id))) throw notFound("no such department");
  await audit(deps, actor, "timesheets.department.delete", `department:${id}`);
}

/**
 * The person belongs to `departmentId` (null: to none) from `from` (default: today) on; the
 * history before stays. Returns the person's memberships.
 */
export async function setPersonDepartment(
  deps: TimesheetDeps,
  actor: Actor,
  enrollid: number,
  input: { departmentId: number | null; from?: string },
): Promise<Membership[]> {
  if (!(await deps.store.getPerson(enrollid))) throw notFound("no such person");
  const departmentId = validInput(id.nullable(), input.departmentId);
  const from = input.from === undefined ? today(deps) : validInput(schemas.localDate, input.from);
  if (departmentId !== null) await checkDepartments(deps, [departmentId]);
  const memberships = await deps.store.timesheets.setDepartment(enrollid, departmentId, from);
  await audit(deps, actor, "timesheets.person.department", `person:${enrollid}`, { departmentId, from });
  deps.recompute.people(datesFrom(deps, enrollid, from));
  return memberships;
}

/** A person's days from `from` through today. */
function datesFrom(deps: TimesheetDeps, enrollid: number, from: LocalDate): PersonDate[] {
  const end = today(deps);
  const out: PersonDate[] = [];
  for (let d = addDays(from, -1); d <= end; d = addDays(d, 1)) out.push({ enrollid, date: d });
  return out;
}

/** The department each person belongs to on `date` (default today), by enrollid. */
export async function departmentsOn(deps: Pick<TimesheetDeps, "store" | "clock" | "now">, date?: string): Promise<Map<number, number>> {
  const day = date === undefined ? today(deps) : validInput(schemas.localDate, date);
  return new Map((await deps.store.timesheets.membershipsOn(day)).map((m) => [m.enrollid, m.departmentId]));
}

// ── shifts ──

export async function createShift(deps: TimesheetDeps, actor: Actor, input: unknown): Promise<ShiftView> {
  const shift = await deps.store.timesheets.createShift(shiftModel(validInput(shiftInput, input)));
  await audit(deps, actor, "timesheets.shift.create", `shift:${shift.id}`, shift);
  return shiftView(shift);
}

/** Changes the given fields. Days already computed with the shift are recomputed. */
export async function updateShift(deps: TimesheetDeps, actor: Actor, id: number, changes: unknown): Promise<ShiftView> {
  const patch = validInput(shiftChanges, changes);
  const current = keyed(await deps.store.timesheets.shifts(), id, "shift");
  const merged = Object.entries({ ...shiftFieldsOf(shiftView(current)), ...patch }).filter(([, v]) => v !== null);
  const model = shiftModel(Object.fromEntries(merged) as ShiftFields & { name: string });
  const shift = await deps.store.timesheets.updateShift({ ...model, id } as Shift);
  if (!shift) throw notFound("no such shift");
  await audit(deps, actor, "timesheets.shift.update", `shift:${id}`, shift);
  const uses = (await deps.store.timesheets.schedules()).filter((s) => shiftsOf(s).includes(id));
  recomputeSpan(deps, uses.map((s) => reach(s.from, s.to)));
  return shiftView(shift);
}

function shiftsOf(s: Schedule): number[] {
  return s.pattern.kind === "weekly" ? [s.pattern.shiftId] : s.pattern.days.filter((d): d is number => d !== null);
}

/** Refused (409 in_use) while a schedule names the shift. */
export async function deleteShift(deps: TimesheetDeps, actor: Actor, id: number): Promise<void> {
  const using = (await deps.store.timesheets.schedules()).filter((s) => shiftsOf(s).includes(id));
  if (using.length > 0) throw inUse(`the shift is in ${using.length} schedule(s) (${using.map((s) => s.id).join(", ")}): change or delete them first`);
  if (!(await deps.store.timesheets.deleteShift(id))) throw notFound("no such shift");
  await audit(deps, actor, "timesheets.shift.delete", `shift:${id}`);
}

// ── schedules ──

type ScheduleFields = z.output<typeof scheduleChanges>;

async function scheduleModel(deps: TimesheetDeps, v: ScheduleFields): Promise<NoId<Schedule>> {
  if ((v.departmentId === undefined) === (v.enrollid === undefined)) throw badRequest("a schedule is for a department (departmentId) or a person (enrollid), one of them");
  if (v.from === undefined) throw badRequest("from: the date the schedule starts (YYYY-MM-DD)");
  const weekly = v.shiftId !== undefined || v.weekdays !== undefined;
  if (weekly === (v.rotation !== undefined)) throw badRequest("give shiftId and weekdays (a weekly schedule) or rotation (a rotating pattern), not both");
  let pattern: Schedule["pattern"];
  if (weekly) {
    if (v.shiftId === undefined || v.weekdays === undefined) throw badRequest("a weekly schedule needs shiftId and weekdays (1 = Monday … 7 = Sunday)");
    pattern = { kind: "weekly", shiftId: v.shiftId, weekdays: [...new Set(v.weekdays)].sort() };
  } else {
    pattern = { kind: "rotation", days: v.rotation ?? [] };
  }
  const known = new Set((await deps.store.timesheets.shifts()).map((s) => s.id));
  const missing = (pattern.kind === "weekly" ? [pattern.shiftId] : pattern.days).find((s) => s !== null && !known.has(s));
  if (missing !== undefined && missing !== null) throw badRequest(`no shift ${missing}`);
  if (v.departmentId !== undefined) await checkDepartments(deps, [v.departmentId]);
  const model = {
    ...(v.departmentId !== undefined ? { departmentId: v.departmentId } : { enrollid: v.enrollid }),
    from: v.from,
    ...(v.to ? { to: v.to } : {}),
    pattern,
  };
  const { id: _id, ...checked } = validInput(schemas.schedule, { ...model, id: 1 });
  return checked;
}

export async function createSchedule(deps: TimesheetDeps, actor: Actor, input: unknown): Promise<ScheduleView> {
  const schedule = await deps.store.timesheets.createSchedule(await scheduleModel(deps, validInput(scheduleInput, input)));
  await audit(deps, actor, "timesheets.schedule.create", `schedule:${schedule.id}`, schedule);
  recomputeSchedules(deps, [schedule]);
  return scheduleView(schedule);
}

/** A person's schedule recomputes that person; a department's, everyone (memberships change over time). */
function recomputeSchedules(deps: TimesheetDeps, schedules: readonly Schedule[]): void {
  const personal = schedules.filter((s) => s.enrollid !== undefined);
  if (personal.length < schedules.length) {
    recomputeSpan(deps, schedules.map((s) => reach(s.from, s.to)));
    return;
  }
  const end = today(deps);
  for (const s of personal) {
    const [from, to] = reach(s.from, s.to);
    const last = to === null || to > end ? end : to;
    const dates: LocalDate[] = [];
    for (let d = from; d <= last; d = addDays(d, 1)) dates.push(d);
    deps.recompute.people(personDays(s.enrollid as number, dates));
  }
}

export async function updateSchedule(deps: TimesheetDeps, actor: Actor, id: number, changes: unknown): Promise<ScheduleView> {
  const patch = validInput(scheduleChanges, changes);
  const current = keyed(await deps.store.timesheets.schedules(), id, "schedule");
  const view = scheduleView(current);
  const base: ScheduleFields = {
    from: view.from,
    ...(view.to ? { to: view.to } : {}),
    ...(view.departmentId !== null ? { departmentId: view.departmentId } : { enrollid: view.enrollid ?? undefined }),
    ...(view.kind === "weekly" ? { shiftId: view.shiftId ?? undefined, weekdays: view.weekdays ?? undefined } : { rotation: view.rotation ?? undefined }),
  };
  // A change of owner or pattern replaces the old one rather than mixing with it.
  if (patch.departmentId !== undefined || patch.enrollid !== undefined) {
    delete base.departmentId;
    delete base.enrollid;
  }
  if (patch.rotation !== undefined) {
    delete base.shiftId;
    delete base.weekdays;
  } else if (patch.shiftId !== undefined || patch.weekdays !== undefined) {
    delete base.rotation;
  }
  const model = await scheduleModel(deps, { ...base, ...patch });
  const schedule = await deps.store.timesheets.updateSchedule({ ...model, id } as Schedule);
  if (!schedule) throw notFound("no such schedule");
  await audit(deps, actor, "timesheets.schedule.update", `schedule:${id}`, schedule);
  recomputeSchedules(deps, [current, schedule]);
  return scheduleView(schedule);
}

export async function deleteSchedule(deps: TimesheetDeps, actor: Actor, id: number): Promise<void> {
  const current = keyed(await deps.store.timesheets.schedules(), id, "schedule");
  if (!(await deps.store.timesheets.deleteSchedule(id))) throw notFound("no such schedule");
  await audit(deps, actor, "timesheets.schedule.delete", `schedule:${id}`);
  recomputeSchedules(deps, [current]);
}

// ── holidays ──

export async function createHoliday(deps: TimesheetDeps, actor: Actor, input: unknown): Promise<HolidayRow> {
  const v = validInput(holidayInput, input);
  await checkDepartments(deps, v.departmentIds ?? []);
  const holiday = await deps.store.timesheets.createHoliday(v);
  await audit(deps, actor, "timesheets.holiday.create", `holiday:${holiday.id}`, v);
  recomputeSpan(deps, [reach(holiday.date, holiday.date)]);
  await deps.accessChanged?.();
  return holiday;
}

export async function updateHoliday(deps: TimesheetDeps, actor: Actor, id: number, changes: unknown): Promise<HolidayRow> {
  const patch = validInput(holidayChanges, changes);
  const current = keyed(await deps.store.timesheets.holidays(), id, "holiday");
  await checkDepartments(deps, patch.departmentIds ?? []);
  const { id: _id, ...before } = current;
  const holiday = await deps.store.timesheets.updateHoliday({ ...before, ...patch, id });
  if (!holiday) throw notFound("no such holiday");
  await audit(deps, actor, "timesheets.holiday.update", `holiday:${id}`, patch);
  recomputeSpan(deps, [reach(current.date, current.date), reach(holiday.date, holiday.date)]);
  await deps.accessChanged?.();
  return holiday;
}

export async function deleteHoliday(deps: TimesheetDeps, actor: Actor, id: number): Promise<void> {
  const current = keyed(await deps.store.timesheets.holidays(), id, "holiday");
  if (!(await deps.store.timesheets.deleteHoliday(id))) throw notFound("no such holiday");
  await audit(deps, actor, "timesheets.holiday.delete", `holiday:${id}`, { date: current.date });
  recomputeSpan(deps, [reach(current.date, current.date)]);
  await deps.accessChanged?.();
}

// ── leave types ──

export async function createLeaveType(deps: TimesheetDeps, actor: Actor, input: unknown): Promise<LeaveType> {
  const type = await deps.store.timesheets.createLeaveType(validInput(leaveTypeInput, input));
  await audit(deps, actor, "timesheets.leave_type.create", `leave_type:${type.id}`, type);
  return type;
}

/** Leave entries of a type, all dates. */
async function entriesOfType(deps: TimesheetDeps, typeId: number): Promise<LeaveEntry[]> {
  return (await deps.store.timesheets.leave({ from: "0001-01-01", to: "9999-12-31" })).filter((e) => e.typeId === typeId);
}

export async function updateLeaveType(deps: TimesheetDeps, actor: Actor, id: number, changes: unknown): Promise<LeaveType> {
  const patch = validInput(leaveTypeChanges, changes);
  const current = keyed(await deps.store.timesheets.leaveTypes(), id, "leave type");
  const type = await deps.store.timesheets.updateLeaveType({ ...current, ...patch });
  if (!type) throw notFound("no such leave type");
  await audit(deps, actor, "timesheets.leave_type.update", `leave_type:${id}`, patch);
  if (type.countsAsWorked !== current.countsAsWorked) deps.recompute.people((await entriesOfType(deps, id)).map((e) => ({ enrollid: e.enrollid, date: e.date })));
  return type;
}

/** Refused (409 in_use) while a leave entry has the type. */
export async function deleteLeaveType(deps: TimesheetDeps, actor: Actor, id: number): Promise<void> {
  const used = await entriesOfType(deps, id);
  if (used.length > 0) throw inUse(`${used.length} leave entr${used.length === 1 ? "y has" : "ies have"} this type: delete them first`);
  if (!(await deps.store.timesheets.deleteLeaveType(id))) throw notFound("no such leave type");
  await audit(deps, actor, "timesheets.leave_type.delete", `leave_type:${id}`);
}

// ── leave entries ──

type LeaveFields = z.output<typeof leaveChanges>;

async function leaveModel(deps: TimesheetDeps, v: LeaveFields): Promise<NoId<LeaveEntry>> {
  if (v.enrollid === undefined || v.date === undefined || v.type === undefined) throw badRequest("leave needs enrollid, date and type");
  if (v.minutes !== undefined && v.halfDay !== undefined && v.halfDay !== false) throw badRequest("leave is a whole day, a half day (halfDay) or a number of minutes, one of them");
  const types = await deps.store.timesheets.leaveTypes();
  const type = typeof v.type === "number" ? types.find((t) => t.id === v.type) : types.find((t) => t.name.toLowerCase() === (v.type as string).toLowerCase());
  if (!type) throw badRequest(`no leave type ${JSON.stringify(v.type)}`);
  const part: LeaveEntry["part"] =
    v.minutes !== undefined
      ? { kind: "minutes", minutes: v.minutes }
      : v.halfDay === undefined || v.halfDay === false
        ? { kind: "day" }
        : { kind: "half", half: v.halfDay === true ? "first" : v.halfDay };
  return { enrollid: v.enrollid, date: v.date, typeId: type.id, part };
}

async function leaveTypesById(deps: TimesheetDeps): Promise<Map<number, LeaveType>> {
  return new Map((await deps.store.timesheets.leaveTypes()).map((t) => [t.id, t]));
}

export async function addLeave(deps: TimesheetDeps, actor: Actor, input: unknown): Promise<LeaveView> {
  const entry = await deps.store.timesheets.addLeave(await leaveModel(deps, validInput(leaveInput, input)));
  await audit(deps, actor, "timesheets.leave.add", `person:${entry.enrollid}`, { id: entry.id, date: entry.date, typeId: entry.typeId, part: entry.part });
  deps.recompute.people([{ enrollid: entry.enrollid, date: entry.date }]);
  return leaveView(entry, await leaveTypesById(deps));
}

export async function updateLeave(deps: TimesheetDeps, actor: Actor, id: number, changes: unknown): Promise<LeaveView> {
  const patch = validInput(leaveChanges, changes);
  const current = await deps.store.timesheets.leaveEntry(id);
  if (!current) throw notFound("no such leave entry");
  const base = leaveView(current, new Map());
  const part = patch.minutes !== undefined || patch.halfDay !== undefined ? {} : { minutes: base.minutes ?? undefined, halfDay: base.halfDay ?? undefined };
  const model = await leaveModel(deps, { enrollid: base.enrollid, date: base.date, type: base.type, ...part, ...patch });
  const entry = await deps.store.timesheets.updateLeave({ ...model, id });
  if (!entry) throw notFound("no such leave entry");
  await audit(deps, actor, "timesheets.leave.update", `person:${entry.enrollid}`, { id, date: entry.date, typeId: entry.typeId, part: entry.part });
  deps.recompute.people([
    { enrollid: current.enrollid, date: current.date },
    { enrollid: entry.enrollid, date: entry.date },
  ]);
  return leaveView(entry, await leaveTypesById(deps));
}

export async function deleteLeave(deps: TimesheetDeps, actor: Actor, id: number): Promise<void> {
  const entry = await deps.store.timesheets.deleteLeave(id);
  if (!entry) throw notFound("no such leave entry");
  await audit(deps, actor, "timesheets.leave.delete", `person:${entry.enrollid}`, { id, date: entry.date });
  deps.recompute.people([{ enrollid: entry.enrollid, date: entry.date }]);
}

export async function listLeave(deps: TimesheetDeps, input: { from: string; to: string; enrollid?: number }): Promise<LeaveView[]> {
  const range = validInput(dateRange(MAX_READ_DAYS), { from: input.from, to: input.to });
  const entries = await deps.store.timesheets.leave({ ...range, ...(input.enrollid !== undefined ? { enrollid: input.enrollid } : {}) });
  const types = await leaveTypesById(deps);
  return entries.map((e) => leaveView(e, types));
}

// ── corrections ──

/** The site-local dates whose results a correction can change. */
async function correctionDates(deps: TimesheetDeps, c: Correction): Promise<LocalDate[]> {
  if (c.kind === "add") return datesAffectedBy(c.time.slice(0, 10));
  const punch = await deps.store.getAttendance(c.punchId);
  return punch ? datesAffectedBy(punch.time.slice(0, 10)) : [];
}

/** Adds a missed punch or excludes a stored one (by its id); the stored punches never change. */
export async function addCorrection(deps: TimesheetDeps, actor: Actor, input: unknown): Promise<CorrectionView> {
  const v = validInput(correctionInput, input);
  let correction: NoId<Correction>;
  if ("punchId" in v) {
    const punch = await deps.store.getAttendance(v.punchId);
    if (!punch) throw notFound(`no punch ${v.punchId}`);
    if (v.enrollid !== undefined && v.enrollid !== punch.enrollid) throw badRequest(`punch ${v.punchId} is enroll id ${punch.enrollid}'s, not ${v.enrollid}'s`);
    correction = { kind: "exclude", enrollid: punch.enrollid, punchId: v.punchId, reason: v.reason, by: actorId(actor) };
  } else {
    correction = { kind: "add", enrollid: v.enrollid, time: v.time, ...(v.inout !== undefined ? { inout: v.inout } : {}), reason: v.reason, by: actorId(actor) };
  }
  const row = await deps.store.timesheets.addCorrection(correction, deps.now());
  const view = correctionView(row);
  await audit(deps, actor, `timesheets.correction.${row.kind}`, `person:${row.enrollid}`, { id: row.id, time: view.time, inout: view.inout, punchId: view.punchId, reason: row.reason });
  deps.recompute.people(personDays(row.enrollid, await correctionDates(deps, row)));
  return view;
}

/** Changes an added punch's time or in/out, or any correction's reason (a new reason is always required). */
export async function updateCorrection(deps: TimesheetDeps, actor: Actor, id: number, changes: unknown): Promise<CorrectionView> {
  const patch = validInput(correctionChanges, changes);
  const current = await deps.store.timesheets.correction(id);
  if (!current) throw notFound("no such correction");
  if (current.kind === "exclude" && (patch.time !== undefined || patch.inout !== undefined)) throw badRequest("an exclusion has no time or in/out: delete it and exclude another punch");
  const { at: _at, ...before } = current;
  let next: Correction;
  if (before.kind === "add") {
    const inout = patch.inout === undefined ? before.inout : patch.inout;
    const { inout: _i, ...rest } = before;
    next = { ...rest, time: patch.time ?? before.time, ...(inout === null || inout === undefined ? {} : { inout }), reason: patch.reason, by: actorId(actor) };
  } else {
    next = { ...before, reason: patch.reason, by: actorId(actor) };
  }
  const row = await deps.store.timesheets.updateCorrection(next);
  if (!row) throw notFound("no such correction");
  const view = correctionView(row);
  await audit(deps, actor, "timesheets.correction.update", `person:${row.enrollid}`, { id, time: view.time, inout: view.inout, punchId: view.punchId, reason: row.reason });
  deps.recompute.people(personDays(row.enrollid, [...(await correctionDates(deps, current)), ...(await correctionDates(deps, row))]));
  return view;
}

/** Removes a correction: the day goes back to the stored punches. A reason is required. */
export async function deleteCorrection(deps: TimesheetDeps, actor: Actor, id: number, input: { reason: string }): Promise<void> {
  const why = validInput(reason, input.reason, "reason");
  const current = await deps.store.timesheets.correction(id);
  if (!current) throw notFound("no such correction");
  const dates = await correctionDates(deps, current);
  if (!(await deps.store.timesheets.deleteCorrection(id))) throw notFound("no such correction");
  await audit(deps, actor, "timesheets.correction.delete", `person:${current.enrollid}`, { id, reason: why });
  deps.recompute.people(personDays(current.enrollid, dates));
}

export async function listCorrections(deps: TimesheetDeps, enrollid: number): Promise<CorrectionView[]> {
  return (await deps.store.timesheets.corrections(enrollid)).map(correctionView);
}

// ── site rules ──

export async function updateSiteRules(deps: TimesheetDeps, actor: Actor, changes: unknown): Promise<SiteRules> {
  const patch = validInput(siteRulesInput, changes);
  const { terminals: _t, ...current } = await deps.store.timesheets.siteRules();
  const rules = await deps.store.timesheets.setSiteRules({ ...current, ...patch });
  await audit(deps, actor, "timesheets.rules.update", "site", patch);
  recomputeSpan(deps, [[addDays(today(deps), -MAX_READ_DAYS), null]]);
  return rules;
}

/** How one terminal's in/out is read (null: the site's default). */
export async function setTerminalInterpretation(deps: TimesheetDeps, actor: Actor, sn: string, interpretation: PunchInterpretation | null): Promise<SiteRules> {
  const how = validInput(schemas.punchInterpretation.nullable(), interpretation);
  const rules = await deps.store.timesheets.setTerminalInterpretation(validInput(z.string().trim().min(1).max(64), sn), how);
  await audit(deps, actor, "timesheets.rules.terminal", `terminal:${sn}`, { interpretation: how });
  recomputeSpan(deps, [[addDays(today(deps), -MAX_READ_DAYS), null]]);
  return rules;
}

// ── results ──

/** Recomputes every person's days over [from, to] (what `tm20 timesheets rebuild` does); resolves with the results stored. */
export async function rebuildTimesheets(deps: TimesheetDeps, actor: Actor, input: { from: string; to: string }, tracker?: RebuildTracker): Promise<{ from: string; to: string; done: Promise<number> }> {
  const range = validInput(dateRange(MAX_REBUILD_DAYS), input);
  if (tracker?.running) {
    const now = tracker.current();
    throw new AppError(409, "rebuild_running", `A rebuild of ${now?.from} to ${now?.to} is running; wait for it to end.`);
  }
  await audit(deps, actor, "timesheets.rebuild", "site", range);
  if (!tracker) return { ...range, done: deps.recompute.everyone(range.from, range.to) };
  const run = tracker.start(range.from, range.to);
  const done = deps.recompute.everyone(range.from, range.to, run.listen);
  run.end(done);
  return { ...range, done };
}

export const daysQuery = z.object({
  from: schemas.localDate,
  to: schemas.localDate,
  enrollid: enrollid.optional(),
  departmentId: id.optional(),
});

/** Stored daily results, by date then enrollid, `limit` a page. */
export async function listDays(deps: Pick<TimesheetDeps, "store">, input: { from: string; to: string; enrollid?: number; departmentId?: number; cursor?: string; limit: number }) {
  const range = validInput(dateRange(MAX_READ_DAYS), { from: input.from, to: input.to });
  return deps.store.timesheets.days({ ...input, ...range });
}

export interface SummaryRow extends PeriodSummary {
  /** The department of the person's last day in the period. */
  departmentId: number | null;
}

/**
 * The period summary, one row per person with stored results in [from, to] (of a department: the
 * people whose days there were in it), by enrollid.
 */
export async function periodSummary(deps: Pick<TimesheetDeps, "store">, input: { from: string; to: string; departmentId?: number }): Promise<SummaryRow[]> {
  const range = validInput(dateRange(MAX_READ_DAYS), { from: input.from, to: input.to });
  const days: DayResult[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.store.timesheets.days({ ...range, ...(input.departmentId !== undefined ? { departmentId: input.departmentId } : {}), limit: 1000, ...(cursor ? { cursor } : {}) });
    days.push(...page.items);
    cursor = page.next ?? undefined;
  } while (cursor);
  return summaryRows(days, await deps.store.timesheets.leaveTypes());
}

/** One summary row per person of `days`, by enrollid. */
export function summaryRows(days: readonly DayResult[], leaveTypes: readonly LeaveType[]): SummaryRow[] {
  const types = new Map(leaveTypes.map((t) => [t.id, t]));
  const byPerson = new Map<number, DayResult[]>();
  for (const day of days) {
    const list = byPerson.get(day.enrollid);
    if (list) list.push(day);
    else byPerson.set(day.enrollid, [day]);
  }
  return [...byPerson.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([enrollid, list]) => ({ ...summarize(enrollid, list, types), departmentId: list[list.length - 1]?.departmentId ?? null }));
}

/** A result of today stored this recently is shown as stored (the Today page shows minutes); older ones are computed again. */
const TODAY_FRESH_MS = 60_000;
/** Punches not yet followed that Today reads to know whose results are behind; with more waiting, everyone's are computed again. */
const TODAY_UNFOLLOWED = 5000;

/**
 * Everyone's day today, as of now: the Today view. Everyone is whoever is in the people list,
 * belongs to a department or punched today. A result stored within the last minute is used as it
 * is; the rest (stored earlier: presence and lateness change by the minute; none stored; punches
 * the recompute has not followed yet) are computed now and stored, so the next look, on any
 * instance, reads them. A site's everyone is computed about once a minute, not at every look.
 */
export async function todayResults(deps: Pick<TimesheetDeps, "store" | "clock" | "now">): Promise<DayResult[]> {
  const date = today(deps);
  const ts = deps.store.timesheets;
  const now = deps.now();
  const fresh = new Map<number, DayResult>();
  for (let cursor: string | undefined; ; ) {
    const page = await ts.days({ from: date, to: date, computedSince: now - TODAY_FRESH_MS, limit: 1000, ...(cursor === undefined ? {} : { cursor }) });
    for (const day of page.items) fresh.set(day.enrollid, day);
    if (page.next === null) break;
    cursor = page.next;
  }
  const behind = await unfollowedToday(deps, date);
  const out: DayResult[] = [];
  const stale: number[] = [];
  for (const enrollid of await ts.enrollids(date, date)) {
    const day = behind === null || behind.has(enrollid) ? undefined : fresh.get(enrollid);
    if (day) out.push(day);
    else stale.push(enrollid);
  }
  if (stale.length === 0) return out;
  const index = indexRules(await ts.rules(), deps.clock);
  const computed: DayResult[] = [];
  for (const enrollid of stale) {
    const [memberships, corrections, punches, leave] = await Promise.all([
      ts.memberships(enrollid),
      ts.corrections(enrollid),
      ts.punchesOf(enrollid, addDays(date, -1), addDays(date, 2)),
      ts.leave({ enrollid, from: date, to: date }),
    ]);
    computed.push(...computeDays(index, { enrollid, memberships, punches, corrections, leave }, { from: date, to: date, asOf: now }));
    // bun:sqlite answers at once: without this a site's everyone would hold the event loop.
    await yieldToLoop();
  }
  // Stored for the next look, unchanged ones too (their time says they are fresh); a store that refuses writes (opened read-only, a full disk) still shows them, computed at every look.
  await ts.saveDays(computed, now).catch(() => undefined);
  return [...out, ...computed].sort((a, b) => a.enrollid - b.enrollid);
}

/** Who has punches touching `date` that the recompute has not followed yet; null: too many waiting to tell (everyone is behind). */
async function unfollowedToday(deps: Pick<TimesheetDeps, "store">, date: LocalDate): Promise<Set<number> | null> {
  const rows = await deps.store.attendanceSlice({ afterId: await deps.store.timesheets.followMark() }, "id", 0, TODAY_UNFOLLOWED);
  if (rows.length === TODAY_UNFOLLOWED) return null;
  const people = new Set<number>();
  for (const row of rows) if (datesAffectedBy(row.time.slice(0, 10)).includes(date)) people.add(row.enrollid);
  return people;
}
