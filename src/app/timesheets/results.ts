/** The stored daily results as read back: a page of days, and the period summary. */
import { z } from "zod";
import { type PeriodSummary, summarize } from "../../timesheets/summary.ts";
import * as schemas from "../../timesheets/schemas.ts";
import type { DayResult, LeaveType } from "../../timesheets/types.ts";
import { validInput } from "../input.ts";
import type { TimesheetDeps } from "./deps.ts";
import { dateRange, enrollid, id, MAX_READ_DAYS } from "./fields.ts";

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
