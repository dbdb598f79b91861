/**
 * Shifts, schedules, holidays, leave types and the site rules (`Store.timesheets`): each stored as
 * JSON by id, and `rules()`, all of them read in one snapshot.
 */
import { sql } from "drizzle-orm";
import type { z } from "zod";
import * as schemas from "../../timesheets/schemas.ts";
import type { Holiday, PunchInterpretation, SiteRules } from "../../timesheets/types.ts";
import { one, type SqlRunner } from "../sql-runner.ts";
import type { HolidayRow, SiteSettings, TimesheetSettings } from "../timesheets-contract.ts";
import { check, num, queries, read, stored, UNSAVED, withoutId } from "./rows.ts";

/** Create, update and delete of a table holding each row as a JSON body by id (shifts, schedules, leave types). */
function bodyTable<S extends z.ZodType<{ id: number }>>(db: SqlRunner, name: string, schema: S) {
  const table = sql.raw(name);
  return {
    async create(value: Omit<z.input<S>, "id">): Promise<z.output<S>> {
      const body = withoutId(check(schema, { ...value, id: UNSAVED }));
      const row = await one(db, sql`INSERT INTO ${table} (body) VALUES (${JSON.stringify(body)}) RETURNING id`);
      return stored(schema, JSON.stringify(body), { id: num(row?.id) });
    },
    async update(value: z.input<S>): Promise<z.output<S> | null> {
      const valid = check(schema, value);
      const row = await one(db, sql`UPDATE ${table} SET body = ${JSON.stringify(withoutId(valid))} WHERE id = ${valid.id} RETURNING id`);
      return row ? valid : null;
    },
    async remove(id: number): Promise<boolean> {
      return (await db.write(sql`DELETE FROM ${table} WHERE id = ${id} RETURNING id`)).length > 0;
    },
  };
}

export function sqlTimesheetSettings(db: SqlRunner): TimesheetSettings {
  const siteRules = async (): Promise<SiteRules> => {
    const [site = [], terminals = []] = await db.snapshot([queries.site, queries.terminals]);
    return read.site(site, terminals);
  };

  const shifts = bodyTable(db, "ts_shifts", schemas.shift);
  const schedules = bodyTable(db, "ts_schedules", schemas.schedule);
  const leaveTypes = bodyTable(db, "ts_leave_types", schemas.leaveType);

  return {
    async shifts() {
      return read.shifts(await db.read(queries.shifts));
    },

    createShift: shifts.create,
    updateShift: shifts.update,
    deleteShift: shifts.remove,

    async schedules() {
      return read.schedules(await db.read(queries.schedules));
    },

    createSchedule: schedules.create,
    updateSchedule: schedules.update,
    deleteSchedule: schedules.remove,

    async holidays() {
      return read.holidays(await db.read(queries.holidays));
    },

    async createHoliday(holiday: Holiday) {
      const valid = check(schemas.holiday, holiday);
      const row = await one(db, sql`INSERT INTO ts_holidays (date, body) VALUES (${valid.date}, ${JSON.stringify(valid)}) RETURNING id`);
      return { id: num(row?.id), ...valid };
    },

    async updateHoliday(holiday: HolidayRow) {
      const { id, ...rest } = holiday;
      const valid = check(schemas.holiday, rest);
      const row = await one(db, sql`UPDATE ts_holidays SET date = ${valid.date}, body = ${JSON.stringify(valid)} WHERE id = ${id} RETURNING id`);
      return row ? { id, ...valid } : null;
    },

    async deleteHoliday(id: number) {
      return (await db.write(sql`DELETE FROM ts_holidays WHERE id = ${id} RETURNING id`)).length > 0;
    },

    async leaveTypes() {
      return read.leaveTypes(await db.read(queries.leaveTypes));
    },

    createLeaveType: leaveTypes.create,
    updateLeaveType: leaveTypes.update,
    deleteLeaveType: leaveTypes.remove,

    siteRules,

    async setSiteRules(settings: SiteSettings) {
      const { terminals: _t, ...valid } = check(schemas.siteRules, { ...settings, terminals: {} });
      const body = JSON.stringify(valid);
      await db.batch([sql`INSERT INTO ts_site (id, body) VALUES (1, ${body}) ON CONFLICT (id) DO UPDATE SET body = ${body}`]);
      return siteRules();
    },

    async setTerminalInterpretation(sn: string, interpretation: PunchInterpretation | null) {
      const key = check(schemas.siteRules.shape.terminals.keyType, sn);
      if (interpretation === null) {
        await db.batch([sql`DELETE FROM ts_terminal_rules WHERE sn = ${key}`]);
      } else {
        const how = check(schemas.punchInterpretation, interpretation);
        await db.batch([sql`INSERT INTO ts_terminal_rules (sn, interpretation) VALUES (${key}, ${how}) ON CONFLICT (sn) DO UPDATE SET interpretation = ${how}`]);
      }
      return siteRules();
    },

    async rules() {
      const [site = [], terminals = [], shifts = [], schedules = [], holidays = [], leaveTypes = []] = await db.snapshot([
        queries.site,
        queries.terminals,
        queries.shifts,
        queries.schedules,
        queries.holidays,
        queries.leaveTypes,
      ]);
      return {
        site: read.site(site, terminals),
        shifts: new Map(read.shifts(shifts).map((s) => [s.id, s])),
        schedules: read.schedules(schedules),
        holidays: read.holidays(holidays),
        leaveTypes: new Map(read.leaveTypes(leaveTypes).map((t) => [t.id, t])),
      };
    },
  };
}
