/**
 * What the parts of `Store.timesheets` share: settings are JSON checked by `timesheetSchemas` when
 * written and when read, and the reads `rules()` makes are each also made alone.
 */
import { sql } from "drizzle-orm";
import type { z } from "zod";
import * as schemas from "../../timesheets/schemas.ts";
import { DEFAULT_SITE_RULES, type Membership, type RawPunch, type SiteRules } from "../../timesheets/types.ts";
import { storeError } from "../errors.ts";
import type { Row } from "../sql-runner.ts";
import type { HolidayRow, SiteSettings } from "../timesheets-contract.ts";

/** An id no stored row has, to validate a setting before the store gives it one. */
export const UNSAVED = 1;

export function check<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw storeError("invalid", parsed.error.issues.map((i) => `${i.path.join(".") || "value"}: ${i.message}`).join("; "));
  return parsed.data;
}

/** A row's JSON as the schema reads it: a row that no longer passes is an error, never silently used. */
export function stored<S extends z.ZodType>(schema: S, body: unknown, extra: Row): z.output<S> {
  return check(schema, { ...(JSON.parse(String(body)) as Row), ...extra });
}

export const num = (v: unknown) => Number(v);

export const membership = (r: Row): Membership => ({ departmentId: num(r.department_id), from: String(r.from_date), ...(r.to_date === null ? {} : { to: String(r.to_date) }) });
export const rawPunch = (r: Row): RawPunch => ({ id: num(r.id), sn: String(r.sn), enrollid: num(r.enrollid), time: String(r.time), ts: num(r.ts), inout: num(r.inout) });

export function withoutId(value: { id: number }): Row {
  const { id: _id, ...rest } = value;
  return rest;
}

const defaults: SiteSettings = {
  doubleScanSeconds: DEFAULT_SITE_RULES.doubleScanSeconds,
  calculation: DEFAULT_SITE_RULES.calculation,
  defaultInterpretation: DEFAULT_SITE_RULES.defaultInterpretation,
};

/** What `rules()` reads, each also read alone. */
export const queries = {
  site: sql`SELECT body FROM ts_site WHERE id = 1`,
  terminals: sql`SELECT sn, interpretation FROM ts_terminal_rules ORDER BY sn`,
  shifts: sql`SELECT id, body FROM ts_shifts ORDER BY id`,
  schedules: sql`SELECT id, body FROM ts_schedules ORDER BY id`,
  holidays: sql`SELECT id, body FROM ts_holidays ORDER BY date, id`,
  leaveTypes: sql`SELECT id, body FROM ts_leave_types ORDER BY id`,
};

export const read = {
  site(site: Row[], terminals: Row[]): SiteRules {
    const settings = site[0] ? (JSON.parse(String(site[0].body)) as Row) : defaults;
    return check(schemas.siteRules, { ...settings, terminals: Object.fromEntries(terminals.map((t) => [t.sn, t.interpretation])) });
  },
  shifts: (rows: Row[]) => rows.map((r) => stored(schemas.shift, r.body, { id: num(r.id) })),
  schedules: (rows: Row[]) => rows.map((r) => stored(schemas.schedule, r.body, { id: num(r.id) })),
  holidays: (rows: Row[]): HolidayRow[] => rows.map((r) => ({ id: num(r.id), ...stored(schemas.holiday, r.body, {}) })),
  leaveTypes: (rows: Row[]) => rows.map((r) => stored(schemas.leaveType, r.body, { id: num(r.id) })),
};
