/**
 * How each engine runs the timesheet store's statements (`TimesheetSql`: the shared ones plus its
 * fastest paths), and the statements of those paths. Built by `sqlite/timesheet-sql.ts` and
 * `pg/timesheet-sql.ts`, used by the parts in this folder.
 */
import type { SQL } from "drizzle-orm";
import { PLACEHOLDER_ENROLLIDS } from "../../protocol/messages.ts";
import type { Row, SqlRunner } from "../sql-runner.ts";

/** The timesheet store's runner: the shared statements plus each engine's fastest paths. */
export interface TimesheetSql extends SqlRunner {
  /**
   * Inserts or replaces daily results by (enrollid, date), in one transaction: the rebuild's hot
   * path (a month of 1,000 people is 31,000 rows), so each engine writes them its fastest way.
   */
  upsertDays(rows: readonly DayRow[], onlyChanged: boolean): Promise<void>;
  /**
   * The per-person reads a recomputation makes for every person (the other hot path): attendance
   * rows (id, sn, enrollid, time, ts, inout) with `time` in [from, until) by time then id; the
   * memberships (department_id, from_date, to_date) by from_date; the corrections (id, enrollid, at, body) by id.
   */
  person(kind: PersonRead, enrollid: number, from?: string, until?: string): Promise<Row[]>;
  /** An EVERYONE_READS statement with its parameters. */
  everyone(kind: EveryoneRead, params: ReadonlyArray<string | number>): Promise<Row[]>;
  /** The engine's clock in ms (leases are read on the database's clock, never an instance's). */
  nowMs: SQL;
}

export type PersonRead = "punches" | "memberships" | "corrections";
/** Reads of everyone a rebuild makes once (`TimesheetSql.everyone`). */
export type EveryoneRead = "punches" | "count" | "memberships";

/** Rows of a person's, for time and attendance: not a door event (0), not a placeholder of nobody enrolled (PROTOCOL.md §7.5). */
export const A_PERSON = `enrollid > 0 AND enrollid NOT IN (${PLACEHOLDER_ENROLLIDS.join(", ")})`;

/** The statements of `TimesheetSql.person`, with `?` placeholders (PostgreSQL's engine numbers them). */
export const PERSON_READS: Record<PersonRead, string> = {
  // (enrollid, time) is attendance_enrollid_time: the person's rows in the range, nothing else read.
  punches: `SELECT id, sn, enrollid, time, ts, inout FROM attendance WHERE enrollid = ? AND ${A_PERSON} AND time >= ? AND time < ? ORDER BY time, id`,
  memberships: "SELECT department_id, from_date, to_date FROM ts_memberships WHERE enrollid = ? ORDER BY from_date",
  corrections: "SELECT id, enrollid, at, body FROM ts_corrections WHERE enrollid = ? ORDER BY id",
};

/**
 * The statements of `TimesheetSql.everyone`: punches (as `person`'s) in [from, until) after (time,
 * id), a page of them — (time) is attendance_time, so they are read in stored order; their count;
 * every membership (enrollid first).
 */
export const EVERYONE_READS: Record<EveryoneRead, string> = {
  punches: `SELECT id, sn, enrollid, time, ts, inout FROM attendance WHERE (time, id) > (?, ?) AND time < ? AND ${A_PERSON} ORDER BY time, id LIMIT ?`,
  count: `SELECT count(*) AS n FROM attendance WHERE time >= ? AND time < ? AND ${A_PERSON}`,
  memberships: "SELECT enrollid, department_id, from_date, to_date FROM ts_memberships ORDER BY enrollid, from_date",
};

/** A `ts_days` row: enrollid, date, department_id, status, body, computed_at. */
export type DayRow = readonly [number, string, number | null, string, string, number];

/** `Store.timesheets` over an engine's runner: its parts, each in store/timesheets/. */
