/** Leave types and the leave entries of a person's days. */
import { z } from "zod";
import { AppError, badRequest, notFound } from "../../lib/app-error.ts";
import type { NoId } from "../../store/timesheets-contract.ts";
import * as schemas from "../../timesheets/schemas.ts";
import type { LeaveEntry, LeaveType } from "../../timesheets/types.ts";
import type { Actor } from "../actor.ts";
import { audit } from "../audit.ts";
import { validInput } from "../input.ts";
import { checkPerson, inUse, keyed, type TimesheetDeps } from "./deps.ts";
import { dateRange, enrollid, id, MAX_READ_DAYS, minutes, name } from "./fields.ts";

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
  if (v.minutes !== undefined && v.halfDay !== undefined && v.halfDay !== false) {
    // Half a day is half the shift's minutes: minutes besides it would be a second, contradicting size.
    const problem = "give minutes or a half day, not both";
    throw new AppError(400, "bad_request", `minutes: ${problem}`, undefined, { field: "minutes", problem });
  }
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
  const model = await leaveModel(deps, validInput(leaveInput, input));
  await checkPerson(deps, model.enrollid);
  const entry = await deps.store.timesheets.addLeave(model);
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
  // Only a newly named person: changing the leave of someone since removed stays possible.
  if (model.enrollid !== current.enrollid) await checkPerson(deps, model.enrollid);
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
