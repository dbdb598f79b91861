/** Shifts: issue 14's flat fields (`HH:MM`, minutes) mapped onto the rule model and back, and their use cases. */
import { z } from "zod";
import { badRequest, notFound } from "../../lib/app-error.ts";
import type { NoId } from "../../store/timesheets-contract.ts";
import { defaultDayStart } from "../../timesheets/plan.ts";
import * as schemas from "../../timesheets/schemas.ts";
import type { Schedule, Shift } from "../../timesheets/types.ts";
import type { Actor } from "../actor.ts";
import { audit } from "../audit.ts";
import { validInput } from "../input.ts";
import { inUse, keyed, reach, recomputeSpan, type TimesheetDeps } from "./deps.ts";
import { minutes, name } from "./fields.ts";

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
