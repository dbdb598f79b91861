/** The derived daily results, keyed (enrollid, date) (`Store.timesheets`). */
import { type SQL, sql } from "drizzle-orm";
import type { DayResult } from "../../timesheets/types.ts";
import { decodeCursor, encodeCursor, pageOf } from "../cursor.ts";
import type { TimesheetSql } from "./sql.ts";
import type { ComputedDay, DayFilter, TimesheetDays } from "../timesheets-contract.ts";
import type { Page } from "../types.ts";
import { num } from "./rows.ts";

/** Enrollids per DELETE of `removeDays`. */
const REMOVE_EVERY = 500;

export function sqlTimesheetDays(db: TimesheetSql): TimesheetDays {
  return {
    async saveDays(days: readonly DayResult[], at: number, options?: { onlyChanged?: boolean }) {
      // The last result of an (enrollid, date) given twice wins (PostgreSQL refuses to update a row twice in one statement).
      const latest = new Map(days.map((d) => [`${d.enrollid} ${d.date}`, d]));
      await db.upsertDays([...latest.values()].map((d) => [d.enrollid, d.date, d.departmentId, d.status, JSON.stringify(d), at] as const), options?.onlyChanged ?? false);
    },

    async removeDays(days) {
      const byDate = new Map<string, number[]>();
      for (const d of days) byDate.set(d.date, [...(byDate.get(d.date) ?? []), d.enrollid]);
      const statements: SQL[] = [];
      for (const [date, ids] of byDate) {
        // Bounded lists: an engine limits a statement's parameters.
        for (let i = 0; i < ids.length; i += REMOVE_EVERY) {
          statements.push(sql`DELETE FROM ts_days WHERE date = ${date} AND enrollid IN (${sql.join(ids.slice(i, i + REMOVE_EVERY).map((id) => sql`${id}`), sql`, `)})`);
        }
      }
      if (statements.length > 0) await db.batch(statements);
    },

    async days(filter: DayFilter): Promise<Page<DayResult>> {
      const where: SQL[] = [sql`date >= ${filter.from}`, sql`date <= ${filter.to}`];
      if (filter.enrollid !== undefined) where.push(sql`enrollid = ${filter.enrollid}`);
      if (filter.departmentId !== undefined) where.push(sql`department_id = ${filter.departmentId}`);
      if (filter.computedSince !== undefined) where.push(sql`computed_at >= ${filter.computedSince}`);
      if (filter.cursor !== undefined) {
        const [date, enrollid] = decodeCursor(filter.cursor, ["string", "number"]);
        where.push(sql`(date > ${date} OR (date = ${date} AND enrollid > ${enrollid}))`);
      }
      const rows = await db.read(sql`SELECT body FROM ts_days WHERE ${sql.join(where, sql` AND `)} ORDER BY date, enrollid LIMIT ${filter.limit + 1}`);
      const days = rows.map((r) => JSON.parse(String(r.body)) as DayResult);
      return pageOf(days, filter.limit, (d) => encodeCursor([d.date, d.enrollid]));
    },

    async daysComputed(filter: { since: number; cursor?: string; limit: number }): Promise<Page<ComputedDay>> {
      const where: SQL[] = [sql`computed_at >= ${filter.since}`];
      if (filter.cursor !== undefined) {
        const [at, enrollid, date] = decodeCursor(filter.cursor, ["number", "number", "string"]);
        where.push(sql`(computed_at > ${at} OR (computed_at = ${at} AND (enrollid > ${enrollid} OR (enrollid = ${enrollid} AND date > ${date}))))`);
      }
      const rows = await db.read(sql`SELECT body, computed_at FROM ts_days WHERE ${sql.join(where, sql` AND `)} ORDER BY computed_at, enrollid, date LIMIT ${filter.limit + 1}`);
      const days = rows.map((r) => ({ ...(JSON.parse(String(r.body)) as DayResult), computedAt: num(r.computed_at) }));
      return pageOf(days, filter.limit, (d) => encodeCursor([d.computedAt, d.enrollid, d.date]));
    },
  };
}
