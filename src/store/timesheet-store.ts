/**
 * `Store.timesheets` for both engines: the statements are plain SQL that SQLite and PostgreSQL
 * read alike (ON CONFLICT, RETURNING, lower()), so only running them differs (TimesheetSql).
 * Settings are JSON checked by `timesheetSchemas` when written and when read.
 */
import type { TimesheetStore } from "./timesheets-contract.ts";
import { sqlTimesheetDays } from "./timesheets/days.ts";
import { sqlDepartments } from "./timesheets/departments.ts";
import { sqlTimesheetEntries } from "./timesheets/entries.ts";
import { sqlTimesheetPunches } from "./timesheets/punches.ts";
import { sqlTimesheetSettings } from "./timesheets/settings.ts";
import type { TimesheetSql } from "./timesheets/sql.ts";

export function sqlTimesheetStore(db: TimesheetSql): TimesheetStore {
  return { ...sqlDepartments(db), ...sqlTimesheetSettings(db), ...sqlTimesheetEntries(db), ...sqlTimesheetPunches(db), ...sqlTimesheetDays(db) };
}
