/** Leave and corrections, per person (`Store.timesheets`): kept apart from the punches, which nothing here edits. */
import { sql } from "drizzle-orm";
import * as schemas from "../../timesheets/schemas.ts";
import type { Correction, LeaveEntry, LocalDate } from "../../timesheets/types.ts";
import { one, type Row } from "../sql-runner.ts";
import type { TimesheetSql } from "./sql.ts";
import type { CorrectionRow, NoId, TimesheetEntries } from "../timesheets-contract.ts";
import { check, num, stored, UNSAVED } from "./rows.ts";

const correctionOf = (r: Row): CorrectionRow => ({ ...stored(schemas.correction, r.body, { id: num(r.id), enrollid: num(r.enrollid) }), at: num(r.at) });

export function sqlTimesheetEntries(db: TimesheetSql): TimesheetEntries {
  return {
    async leave(filter: { enrollid?: number; from: LocalDate; to: LocalDate }) {
      const who = filter.enrollid === undefined ? sql`` : sql` AND enrollid = ${filter.enrollid}`;
      const rows = await db.read(sql`SELECT id, enrollid, date, body FROM ts_leave WHERE date >= ${filter.from} AND date <= ${filter.to}${who} ORDER BY date, id`);
      return rows.map((r) => stored(schemas.leaveEntry, r.body, { id: num(r.id), enrollid: num(r.enrollid), date: r.date }));
    },

    async addLeave(entry: NoId<LeaveEntry>) {
      const valid = check(schemas.leaveEntry, { ...entry, id: UNSAVED });
      const body = JSON.stringify({ typeId: valid.typeId, part: valid.part });
      const row = await one(db, sql`INSERT INTO ts_leave (enrollid, date, body) VALUES (${valid.enrollid}, ${valid.date}, ${body}) RETURNING id`);
      return { ...valid, id: num(row?.id) };
    },

    async leaveEntry(id: number) {
      const [row] = await db.read(sql`SELECT id, enrollid, date, body FROM ts_leave WHERE id = ${id}`);
      return row ? stored(schemas.leaveEntry, row.body, { id, enrollid: num(row.enrollid), date: row.date }) : null;
    },

    async updateLeave(entry: LeaveEntry) {
      const valid = check(schemas.leaveEntry, entry);
      const body = JSON.stringify({ typeId: valid.typeId, part: valid.part });
      const row = await one(db, sql`UPDATE ts_leave SET enrollid = ${valid.enrollid}, date = ${valid.date}, body = ${body} WHERE id = ${valid.id} RETURNING id`);
      return row ? valid : null;
    },

    async deleteLeave(id: number) {
      const row = await one(db, sql`DELETE FROM ts_leave WHERE id = ${id} RETURNING id, enrollid, date, body`);
      return row ? stored(schemas.leaveEntry, row.body, { id, enrollid: num(row.enrollid), date: row.date }) : null;
    },

    async corrections(enrollid: number) {
      return (await db.person("corrections", enrollid)).map(correctionOf);
    },

    async addCorrection(correction: NoId<Correction>, at: number) {
      const valid = check(schemas.correction, { ...correction, id: UNSAVED });
      const { id: _id, enrollid: _e, ...body } = valid;
      const row = await one(db, sql`INSERT INTO ts_corrections (enrollid, at, body) VALUES (${valid.enrollid}, ${at}, ${JSON.stringify(body)}) RETURNING id`);
      return { ...valid, id: num(row?.id), at };
    },

    async correction(id: number) {
      const [row] = await db.read(sql`SELECT id, enrollid, at, body FROM ts_corrections WHERE id = ${id}`);
      return row ? correctionOf(row) : null;
    },

    async updateCorrection(correction: Correction) {
      const { id, enrollid, ...body } = check(schemas.correction, correction);
      const row = await one(db, sql`UPDATE ts_corrections SET body = ${JSON.stringify(body)} WHERE id = ${id} AND enrollid = ${enrollid} RETURNING id, enrollid, at, body`);
      return row ? correctionOf(row) : null;
    },

    async deleteCorrection(id: number) {
      const row = await one(db, sql`DELETE FROM ts_corrections WHERE id = ${id} RETURNING id, enrollid, at, body`);
      return row ? correctionOf(row) : null;
    },
  };
}
