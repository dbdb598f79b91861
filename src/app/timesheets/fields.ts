/** The input fields the timesheet use cases share (the API's bodies; the UI's forms map onto the same). */
import { z } from "zod";
import { dayNumber } from "../../timesheets/calendar.ts";
import * as schemas from "../../timesheets/schemas.ts";
import { ENROLLID_MAX } from "../../protocol/index.ts";

export const name = z.string().trim().min(1, "give it a name").max(100, "use at most 100 characters");
export const id = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
export const enrollid = z.number().int().min(1).max(ENROLLID_MAX);
export const minutes = z.number().int().min(0).max(1440);
export const reason = z.string().trim().min(1, "say why (a reason is required)").max(500);

/** The longest range one read covers (a days list, a summary): a year and a day. */
export const MAX_READ_DAYS = 366;
/** The longest rebuild: ten years. */
export const MAX_REBUILD_DAYS = 3660;

export function dateRange(maxDays: number) {
  return z
    .object({ from: schemas.localDate, to: schemas.localDate })
    .refine((r) => r.to >= r.from, "to is before from")
    .refine((r) => dayNumber(r.to) - dayNumber(r.from) < maxDays, `at most ${maxDays} days at once`);
}
