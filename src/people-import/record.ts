/**
 * One person as an HR source describes it, validated by one schema whatever the source (CSV
 * column or JSON field): the external id is the key, the rest is optional and left alone when
 * absent. Header names are matched loosely ("External ID", "external_id", "employee_id" …).
 */
import { z } from "zod";
import { notADate } from "../lib/input-problem.ts";
import { ENROLLID_MAX, parseDate } from "../protocol/index.ts";

const blankToUndefined = (v: unknown) => (v === "" || v === null ? undefined : v);
const flag = z.preprocess(
  (v) => (typeof v === "string" ? v.trim().toLowerCase() : v),
  z.union([z.boolean(), z.enum(["1", "0", "true", "false", "yes", "no", "y", "n", "active", "inactive"]).transform((s) => ["1", "true", "yes", "y", "active"].includes(s))], {
    error: "must be one of yes/no, true/false, 1/0, active/inactive",
  }),
);
const date = z.string().transform((s, ctx) => {
  const d = parseDate(s);
  if (d === null) {
    ctx.addIssue({ code: "custom", message: notADate(s) });
    return z.NEVER;
  }
  return d;
});

export const importRecord = z.object({
  external_id: z.preprocess((v) => (typeof v === "number" ? String(v) : v), z.string().trim().min(1, "is empty").max(100)),
  // A terminal shows one line: line breaks and runs of spaces from a spreadsheet cell become one space.
  name: z.string().transform((s) => s.replace(/\s+/g, " ").trim()).pipe(z.string().min(1, "is empty").max(64)),
  enrollid: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(ENROLLID_MAX).optional()),
  enabled: z.preprocess(blankToUndefined, flag.optional()),
  admin: z.preprocess(blankToUndefined, z.coerce.number().int().min(0).max(2).optional()),
  valid_from: z.preprocess(blankToUndefined, date.optional()),
  valid_to: z.preprocess(blankToUndefined, date.optional()),
});
export type ImportRecord = z.infer<typeof importRecord>;
export type ImportField = keyof ImportRecord;

const ALIASES: Record<ImportField, string[]> = {
  external_id: ["external_id", "externalid", "employee_id", "employeeid", "employee_number", "id"],
  name: ["name", "full_name", "fullname", "display_name"],
  enrollid: ["enrollid", "enroll_id", "terminal_id", "user_id"],
  enabled: ["enabled", "active"],
  admin: ["admin", "role"],
  valid_from: ["valid_from", "start_date"],
  valid_to: ["valid_to", "end_date"],
};

const normal = (h: string) => h.trim().toLowerCase().replace(/[\s-]+/g, "_");

/** Which column holds which field; unknown columns are ignored, a missing key column is an error. */
export function columnsOf(header: string[]): { columns: Partial<Record<ImportField, number>>; missing: ImportField[] } {
  const columns: Partial<Record<ImportField, number>> = {};
  const names = header.map(normal);
  for (const [field, aliases] of Object.entries(ALIASES) as Array<[ImportField, string[]]>) {
    const i = names.findIndex((n) => aliases.includes(n));
    if (i !== -1) columns[field] = i;
  }
  const missing = (["external_id", "name"] as const).filter((f) => columns[f] === undefined);
  return { columns, missing };
}
