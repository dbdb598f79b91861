/** The period summary per person of a range (of a department), from the stored results. */
import { type PeriodSummary, summarize } from "../../timesheets/summary.ts";
import type { DayResult, LeaveType } from "../../timesheets/types.ts";
import type { UiDeps } from "../env.ts";
import { storedDays } from "./area.tsx";

export interface PersonPeriod {
  summary: PeriodSummary;
  days: DayResult[];
  /** The department of the person's last day in the range. */
  departmentId: number | null;
}

export async function periodOf(deps: UiDeps, range: { from: string; to: string; departmentId?: number; enrollid?: number }): Promise<{ people: PersonPeriod[]; leaveTypes: LeaveType[] }> {
  const [days, leaveTypes] = await Promise.all([storedDays(deps.store, range), deps.store.timesheets.leaveTypes()]);
  const byPerson = new Map<number, DayResult[]>();
  for (const d of days) {
    const list = byPerson.get(d.enrollid);
    if (list) list.push(d);
    else byPerson.set(d.enrollid, [d]);
  }
  const types = new Map(leaveTypes.map((t) => [t.id, t]));
  const people = [...byPerson.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([enrollid, list]) => ({ summary: summarize(enrollid, list, types), days: list, departmentId: list[list.length - 1]?.departmentId ?? null }));
  return { people, leaveTypes };
}
