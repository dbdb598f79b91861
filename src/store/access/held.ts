/**
 * What each terminal acknowledged holding of the access tables and user locks (`Store.access`), and
 * why the model does not fit one, if it does not.
 */
import { sql } from "drizzle-orm";
import { z } from "zod";
import type { AccessHeld, AccessSyncProblem, HeldAccessRow, HeldLockRow } from "../access-contract.ts";
import { storeError } from "../errors.ts";
import type { SqlRunner } from "../sql-runner.ts";
import { num } from "./rows.ts";

/** The held tables as `heldAfter` (access/diff.ts) leaves them; a row that no longer reads is an error. */
const heldJson = {
  dayzones: z.array(z.array(z.string())),
  weekzones: z.array(z.array(z.number().int())),
  holidays: z.array(z.strictObject({ name: z.string(), startday: z.string(), endday: z.string(), shift: z.number().int(), dayzone: z.number().int() })),
};
type HeldTable = keyof typeof heldJson;
const HELD_TABLES = Object.keys(heldJson) as HeldTable[];

function readHeld<K extends HeldTable>(table: K, value: unknown): z.output<(typeof heldJson)[K]> | null {
  if (value === null || value === undefined) return null;
  const parsed = heldJson[table].safeParse(JSON.parse(String(value)));
  if (!parsed.success) throw storeError("invalid", `held ${table}: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  return parsed.data as z.output<(typeof heldJson)[K]>;
}

export function sqlAccessHeld(db: SqlRunner): AccessHeld {
  return {
    async held(sn: string): Promise<HeldAccessRow> {
      const [tables = [], locks = []] = await db.snapshot([
        sql`SELECT dayzones, weekzones, holidays FROM access_held WHERE sn = ${sn}`,
        sql`SELECT enrollid, weekzone, lock_group, starttime, endtime FROM access_held_locks WHERE sn = ${sn} ORDER BY enrollid`,
      ]);
      const t = tables[0];
      return {
        dayzones: readHeld("dayzones", t?.dayzones),
        weekzones: readHeld("weekzones", t?.weekzones),
        holidays: readHeld("holidays", t?.holidays),
        locks: locks.map((r) => ({ enrollid: num(r.enrollid), weekzone: num(r.weekzone), group: num(r.lock_group), starttime: String(r.starttime), endtime: String(r.endtime) })),
      };
    },

    async heldTerminals() {
      const rows = await db.read(sql`SELECT sn FROM access_held UNION SELECT sn FROM access_held_locks ORDER BY sn`);
      return rows.map((r) => String(r.sn));
    },

    async holdTables(sn: string, tables: Partial<Pick<HeldAccessRow, "dayzones" | "weekzones" | "holidays">>) {
      const given = HELD_TABLES.filter((t) => tables[t] !== undefined);
      if (given.length === 0) return;
      // Column names from the fixed list above, values as parameters.
      const columns = sql.join(given.map((t) => sql.raw(t)), sql`, `);
      const values = sql.join(given.map((t) => sql`${tables[t] === null ? null : JSON.stringify(tables[t])}`), sql`, `);
      const updates = sql.join(given.map((t) => sql.raw(`${t} = excluded.${t}`)), sql`, `);
      await db.batch([sql`INSERT INTO access_held (sn, ${columns}) VALUES (${sn}, ${values}) ON CONFLICT (sn) DO UPDATE SET ${updates}`]);
    },

    async holdLocks(sn: string, locks: readonly HeldLockRow[]) {
      if (locks.length === 0) return;
      // One statement per acknowledged frame (at most 40 locks, one per person): a statement each was most of its cost.
      // PostgreSQL refuses a statement that updates one row twice: the last of a person's wins.
      const last = [...new Map(locks.map((l) => [l.enrollid, l])).values()];
      const rows = sql.join(last.map((l) => sql`(${sn}, ${l.enrollid}, ${l.weekzone}, ${l.group}, ${l.starttime}, ${l.endtime})`), sql`, `);
      await db.batch([sql`
        INSERT INTO access_held_locks (sn, enrollid, weekzone, lock_group, starttime, endtime) VALUES ${rows}
        ON CONFLICT (sn, enrollid) DO UPDATE SET weekzone = excluded.weekzone, lock_group = excluded.lock_group, starttime = excluded.starttime, endtime = excluded.endtime`]);
    },

    async releaseLocks(sn: string, enrollids: readonly number[] | null) {
      if (enrollids === null) await db.batch([sql`DELETE FROM access_held_locks WHERE sn = ${sn}`]);
      else if (enrollids.length > 0) await db.batch(enrollids.map((e) => sql`DELETE FROM access_held_locks WHERE sn = ${sn} AND enrollid = ${e}`));
    },

    async forgetHeld(sn: string) {
      await db.batch([sql`DELETE FROM access_held_locks WHERE sn = ${sn}`, sql`DELETE FROM access_held WHERE sn = ${sn}`]);
    },

    async setSyncProblem(sn: string, message: string | null, at: number) {
      if (message === null) {
        await db.batch([sql`UPDATE access_held SET problem = NULL, problem_since = NULL WHERE sn = ${sn}`]);
        return;
      }
      await db.batch([sql`
        INSERT INTO access_held (sn, problem, problem_since) VALUES (${sn}, ${message}, ${at})
        ON CONFLICT (sn) DO UPDATE SET problem = excluded.problem,
          problem_since = CASE WHEN access_held.problem = excluded.problem THEN access_held.problem_since ELSE excluded.problem_since END`]);
    },

    async syncProblems(): Promise<AccessSyncProblem[]> {
      const rows = await db.read(sql`SELECT sn, problem, problem_since FROM access_held WHERE problem IS NOT NULL ORDER BY sn`);
      return rows.map((r) => ({ sn: String(r.sn), message: String(r.problem), since: num(r.problem_since) }));
    },
  };
}
