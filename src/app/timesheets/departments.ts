/**
 * Departments and who belongs to them. A person's department: the dated memberships are the truth
 * (the rules read the history, so last month keeps last month's department); the current
 * department is the membership open today.
 */
import { notFound } from "../../lib/app-error.ts";
import { addDays } from "../../timesheets/calendar.ts";
import type { PersonDate } from "../../timesheets/recompute.ts";
import * as schemas from "../../timesheets/schemas.ts";
import type { Department, LocalDate, Membership } from "../../timesheets/types.ts";
import type { Actor } from "../actor.ts";
import { audit } from "../audit.ts";
import { validInput } from "../input.ts";
import { checkDepartments, type TimesheetDeps, today } from "./deps.ts";
import { id, name } from "./fields.ts";

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
