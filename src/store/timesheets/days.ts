/** The derived daily results, keyed (enrollid, date) (`Store.timesheets`). */
import { type SQL, sql } from "drizzle-orm";
import type { DayResult } from "../../timesheets/types.ts";
import { decodeCursor, encodeCursor, pageOf } from "../cursor.ts";
import type { TimesheetSql } from "./sql.ts";
import type { ComputedDay, DayFilter, RemovedDay, TimesheetDays } from "../timesheets-contract.ts";
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

    async removeDays(days, at) {
      const byDate = new Map<string, number[]>();
      for (const d of days) byDate.set(d.date, [...(byDate.get(d.date) ?? []), d.enrollid]);
      const statements: SQL[] = [];
      for (const [date, ids] of byDate) {
        // Bounded lists: an engine limits a statement's parameters.
        for (let i = 0; i < ids.length; i += REMOVE_EVERY) {
          const these = sql`date = ${date} AND enrollid IN (${sql.join(ids.slice(i, i + REMOVE_EVERY).map((id) => sql`${id}`), sql`, `)})`;
          // Only the stored ones are noted (most days not due were never stored), in the same transaction as their removal.
          statements.push(
            sql`INSERT INTO ts_days_removed (enrollid, date, removed_at) SELECT enrollid, date, CAST(${at} AS BIGINT) FROM ts_days WHERE ${these}
                ON CONFLICT (enrollid, date) DO UPDATE SET removed_at = excluded.removed_at`,
            sql`DELETE FROM ts_days WHERE ${these}`,
          );
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

    async daysRemoved(filter: { since: number; cursor?: string; limit: number }): Promise<Page<RemovedDay>> {
      // A day stored again since its removal is no removal: the mirror has it from daysComputed.
      const where: SQL[] = [sql`r.removed_at >= ${filter.since}`, sql`NOT EXISTS (SELECT 1 FROM ts_days d WHERE d.enrollid = r.enrollid AND d.date = r.date)`];
      if (filter.cursor !== undefined) {
        const [at, enrollid, date] = decodeCursor(filter.cursor, ["number", "number", "string"]);
        where.push(sql`(r.removed_at > ${at} OR (r.removed_at = ${at} AND (r.enrollid > ${enrollid} OR (r.enrollid = ${enrollid} AND r.date > ${date}))))`);
      }
      const rows = await db.read(
        sql`SELECT r.enrollid, r.date, r.removed_at FROM ts_days_removed r WHERE ${sql.join(where, sql` AND `)} ORDER BY r.removed_at, r.enrollid, r.date LIMIT ${filter.limit + 1}`,
      );
      const removed = rows.map((r) => ({ enrollid: num(r.enrollid), date: String(r.date), removedAt: num(r.removed_at) }));
      return pageOf(removed, filter.limit, (d) => encodeCursor([d.removedAt, d.enrollid, d.date]));
    },
  };
}
