/** Holidays, the site's or some departments'. They close doors too (issue 16): each change tells access. */
import { z } from "zod";
import { notFound } from "../../lib/app-error.ts";
import type { HolidayRow } from "../../store/timesheets-contract.ts";
import * as schemas from "../../timesheets/schemas.ts";
import type { Actor } from "../actor.ts";
import { audit } from "../audit.ts";
import { validInput } from "../input.ts";
import { checkDepartments, keyed, reach, recomputeSpan, type TimesheetDeps } from "./deps.ts";
import { id, name } from "./fields.ts";

export const holidayInput = z.strictObject({ date: schemas.localDate, name, departmentIds: z.array(id).max(1000).optional() });
export const holidayChanges = holidayInput.partial();

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
