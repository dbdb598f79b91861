/** Schedules: which shift a department or a person works, weekly or rotating, from a date. */
import { z } from "zod";
import { badRequest, notFound } from "../../lib/app-error.ts";
import type { NoId } from "../../store/timesheets-contract.ts";
import { addDays } from "../../timesheets/calendar.ts";
import * as schemas from "../../timesheets/schemas.ts";
import type { LocalDate, Schedule, Weekday } from "../../timesheets/types.ts";
import type { Actor } from "../actor.ts";
import { audit } from "../audit.ts";
import { validInput } from "../input.ts";
import { checkDepartments, checkPerson, keyed, personDays, reach, recomputeSpan, type TimesheetDeps, today } from "./deps.ts";
import { enrollid, id } from "./fields.ts";

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
  const fields = validInput(scheduleInput, input);
  const model = await scheduleModel(deps, fields);
  if (fields.enrollid !== undefined) await checkPerson(deps, fields.enrollid);
  const schedule = await deps.store.timesheets.createSchedule(model);
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
  // Only a newly named person: ending the schedule of someone since removed stays possible.
  if (patch.enrollid !== undefined) await checkPerson(deps, patch.enrollid);
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
