/**
 * The punches a recompute reads (`Store.timesheets`; the hot ones are each engine's own, in
 * `TimesheetSql`), who can have days in a range, and the lease on following the punches.
 */
import { sql } from "drizzle-orm";
import { addDays } from "../../timesheets/calendar.ts";
import * as schemas from "../../timesheets/schemas.ts";
import type { LocalDate, RawPunch } from "../../timesheets/types.ts";
import { A_PERSON, type TimesheetSql } from "./sql.ts";
import type { TimesheetPunches } from "../timesheets-contract.ts";
import { check, num, queries, rawPunch, read } from "./rows.ts";

export function sqlTimesheetPunches(db: TimesheetSql): TimesheetPunches {
  return {
    async enrollids(from: LocalDate, to: LocalDate) {
      const first = check(schemas.localDate, from);
      const last = check(schemas.localDate, to);
      const [people = [], members = [], leave = [], punched = [], schedules = []] = await db.snapshot([
        sql`SELECT enrollid FROM people`,
        sql`SELECT DISTINCT enrollid FROM ts_memberships WHERE from_date <= ${last} AND (to_date IS NULL OR to_date >= ${first})`,
        sql`SELECT DISTINCT enrollid FROM ts_leave WHERE date >= ${first} AND date <= ${last}`,
        sql`SELECT DISTINCT enrollid FROM attendance WHERE time >= ${first} AND time < ${addDays(last, 1)} AND ${sql.raw(A_PERSON)}`,
        queries.schedules,
      ]);
      const ids = new Set<number>();
      for (const r of [...people, ...members, ...leave, ...punched]) ids.add(num(r.enrollid));
      for (const s of read.schedules(schedules)) {
        if (s.enrollid !== undefined && s.from <= last && (s.to === undefined || s.to >= first)) ids.add(s.enrollid);
      }
      return [...ids].sort((a, b) => a - b);
    },

    async punchesOf(enrollid: number, from: string, until: string): Promise<RawPunch[]> {
      return (await db.person("punches", enrollid, from, until)).map(rawPunch);
    },

    async countPunchesBetween(from: string, until: string) {
      const [row] = await db.everyone("count", [from, until]);
      return num(row?.n);
    },

    async punchesBetween(from: string, until: string, after: { time: string; id: number } | null, limit: number): Promise<RawPunch[]> {
      // From the start: before any punch at `from` (ids start at 1).
      const [time, id] = after === null ? [from, 0] : [after.time < from ? from : after.time, after.time < from ? 0 : after.id];
      return (await db.everyone("punches", [time, id, until, limit])).map(rawPunch);
    },

    async claimFollow(holder: string, ttlMs: number) {
      const now = db.nowMs;
      const [row] = await db.write(sql`UPDATE ts_follow SET holder = ${holder}, expires_at = ${now} + ${ttlMs}
        WHERE id = 1 AND (holder IS NULL OR holder = ${holder} OR expires_at <= ${now}) RETURNING mark`);
      return row ? num(row.mark) : null;
    },

    async advanceFollow(holder: string, mark: number) {
      const rows = await db.write(sql`UPDATE ts_follow SET mark = CASE WHEN mark < ${mark} THEN ${mark} ELSE mark END WHERE id = 1 AND holder = ${holder} RETURNING mark`);
      return rows.length > 0;
    },

    async followMark() {
      const [row] = await db.read(sql`SELECT mark FROM ts_follow WHERE id = 1`);
      return num(row?.mark ?? 0);
    },

    async releaseFollow(holder: string) {
      await db.write(sql`UPDATE ts_follow SET holder = NULL, expires_at = 0 WHERE id = 1 AND holder = ${holder} RETURNING id`);
    },
  };
}
