/**
 * Shifts, schedules, holidays, leave types and the site rules (`Store.timesheets`): each stored as
 * JSON by id, and `rules()`, all of them read in one snapshot.
 */
import { sql } from "drizzle-orm";
import * as schemas from "../../timesheets/schemas.ts";
import type { Holiday, LeaveType, PunchInterpretation, Schedule, Shift, SiteRules } from "../../timesheets/types.ts";
import { one, type SqlRunner } from "../sql-runner.ts";
import type { HolidayRow, NoId, SiteSettings, TimesheetSettings } from "../timesheets-contract.ts";
import { check, num, queries, read, stored, UNSAVED, withoutId } from "./rows.ts";

export function sqlTimesheetSettings(db: SqlRunner): TimesheetSettings {
  const siteRules = async (): Promise<SiteRules> => {
    const [site = [], terminals = []] = await db.snapshot([queries.site, queries.terminals]);
    return read.site(site, terminals);
  };

  return {
    async shifts() {
      return read.shifts(await db.read(queries.shifts));
    },

    async createShift(shift: NoId<Shift>) {
      const body = withoutId(check(schemas.shift, { ...shift, id: UNSAVED }));
      const row = await one(db, sql`INSERT INTO ts_shifts (body) VALUES (${JSON.stringify(body)}) RETURNING id`);
      return stored(schemas.shift, JSON.stringify(body), { id: num(row?.id) });
    },

    async updateShift(shift: Shift) {
      const valid = check(schemas.shift, shift);
      const row = await one(db, sql`UPDATE ts_shifts SET body = ${JSON.stringify(withoutId(valid))} WHERE id = ${valid.id} RETURNING id`);
      return row ? valid : null;
    },

    async deleteShift(id: number) {
      return (await db.write(sql`DELETE FROM ts_shifts WHERE id = ${id} RETURNING id`)).length > 0;
    },

    async schedules() {
      return read.schedules(await db.read(queries.schedules));
    },

    async createSchedule(schedule: NoId<Schedule>) {
      const body = withoutId(check(schemas.schedule, { ...schedule, id: UNSAVED }));
      const row = await one(db, sql`INSERT INTO ts_schedules (body) VALUES (${JSON.stringify(body)}) RETURNING id`);
      return stored(schemas.schedule, JSON.stringify(body), { id: num(row?.id) });
    },

    async updateSchedule(schedule: Schedule) {
      const valid = check(schemas.schedule, schedule);
      const row = await one(db, sql`UPDATE ts_schedules SET body = ${JSON.stringify(withoutId(valid))} WHERE id = ${valid.id} RETURNING id`);
      return row ? valid : null;
    },

    async deleteSchedule(id: number) {
      return (await db.write(sql`DELETE FROM ts_schedules WHERE id = ${id} RETURNING id`)).length > 0;
    },

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

    async createLeaveType(type: NoId<LeaveType>) {
      const body = withoutId(check(schemas.leaveType, { ...type, id: UNSAVED }));
      const row = await one(db, sql`INSERT INTO ts_leave_types (body) VALUES (${JSON.stringify(body)}) RETURNING id`);
      return stored(schemas.leaveType, JSON.stringify(body), { id: num(row?.id) });
    },

    async updateLeaveType(type: LeaveType) {
      const valid = check(schemas.leaveType, type);
      const row = await one(db, sql`UPDATE ts_leave_types SET body = ${JSON.stringify(withoutId(valid))} WHERE id = ${valid.id} RETURNING id`);
      return row ? valid : null;
    },

    async deleteLeaveType(id: number) {
      return (await db.write(sql`DELETE FROM ts_leave_types WHERE id = ${id} RETURNING id`)).length > 0;
    },

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
