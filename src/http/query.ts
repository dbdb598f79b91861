/** Query-string validation shared by the list endpoints. */
import { z } from "zod";
import { int, parseDate, parseTerminalTime } from "../protocol/index.ts";
import { invalidInput } from "../lib/app-error.ts";
import { shown } from "../lib/input-problem.ts";
import { isCursor } from "../store/cursor.ts";

/** Accepts "YYYY-MM-DD" or "YYYY-MM-DD HH:MM[:SS]" (or with a T), site-local. */
const siteTime = z.string().transform((s, ctx) => {
  const t = parseDate(s) ?? parseTerminalTime(s.replace("T", " "));
  if (t === null) {
    ctx.addIssue({ code: "custom", message: `${shown(s)} is not a date (YYYY-MM-DD) or a time (YYYY-MM-DD HH:MM:SS)` });
    return z.NEVER;
  }
  return t;
});

export const pageQuery = z.object({
  limit: int.pipe(z.number().min(1).max(1000)).default(100),
  cursor: z.string().max(200).refine(isCursor, "not a cursor of these lists").optional(),
});

export const punchQuery = pageQuery.extend({
  sn: z.string().min(1).max(64).optional(),
  enrollid: int.pipe(z.number().min(0)).optional(),
  /** Attendance of the people whose name holds this, accents and case ignored. */
  name: z.string().trim().min(1).max(100).optional(),
  from: siteTime.optional(),
  to: siteTime.optional(),
});

export function parseQuery<T extends z.ZodType>(schema: T, query: Record<string, string>): z.infer<T> {
  const parsed = schema.safeParse(query);
  if (!parsed.success) throw invalidInput(parsed.error);
  return parsed.data;
}
