/**
 * Pages of attendance and door events, newest first, on the (time, id) keyset, in SQL both engines
 * read. Most filters narrow on an index (terminal, person, date range); in/out and door event codes
 * have none, and a value that is rare or absent (a site whose terminals never send "out", door
 * alarms) would make one page read the whole table. On SQLite such pages walk back on the time
 * index in windows of a bounded number of rows: a page may then hold fewer rows than asked (even
 * none) with a next cursor that goes on below.
 */
import { type SQL, sql } from "drizzle-orm";
import type { Page, PunchFilter } from "./contract.ts";
import { decodeCursor, encodeCursor, pageOf } from "./cursor.ts";
import { ATTENDANCE, DOOR_EVENTS, readAttendance, readDoorEvent } from "./export-store.ts";
import type { AttendanceRow, DoorEventRow } from "./schema.ts";
import type { Row, SqlRunner } from "./sql-runner.ts";
import { whereAll } from "./sql-values.ts";

/** Rows of the time index one window covers, and windows per page: about 100,000 rows at most. */
export const SCAN_WINDOW_ROWS = 20_000;
export const SCAN_WINDOWS = 5;

interface PunchTable<T> {
  name: SQL;
  columns: SQL;
  read(r: Row): T;
}

export const PUNCHES: PunchTable<AttendanceRow> = { name: sql.raw("attendance"), columns: ATTENDANCE, read: readAttendance };
export const DOOR_EVENT_ROWS: PunchTable<DoorEventRow> = { name: sql.raw("door_events"), columns: DOOR_EVENTS, read: readDoorEvent };

export interface PunchConditions {
  /** Conditions an index serves. */
  narrowing: SQL[];
  /** Conditions none serves (walked in windows like in/out). */
  sparse: SQL[];
  /** Whether a page with only sparse conditions walks in windows (the engine's dialect). */
  windowed: boolean;
}

export async function punchPage<T extends { time: string; id: number }>(db: SqlRunner, table: PunchTable<T>, filter: PunchFilter, c: PunchConditions): Promise<Page<T>> {
  const cursor = filter.cursor === undefined ? null : decodeCursor(filter.cursor, ["string", "number"]);
  const where: SQL[] = [...c.narrowing, ...c.sparse];
  if (filter.sn !== undefined) where.push(sql`sn = ${filter.sn}`);
  if (filter.inout !== undefined) where.push(sql`inout = ${filter.inout}`);
  if (filter.from !== undefined) where.push(sql`time >= ${filter.from}`);
  if (filter.to !== undefined) where.push(sql`time < ${filter.to}`);
  if (cursor) where.push(sql`(time < ${cursor[0]} OR (time = ${cursor[0]} AND id < ${cursor[1]}))`);
  const rows = async (extra: SQL[]) =>
    (await db.read(sql`SELECT ${table.columns} FROM ${table.name} ${whereAll([...where, ...extra])} ORDER BY time DESC, id DESC LIMIT ${filter.limit + 1}`)).map(table.read);
  const cursorOf = (r: T) => encodeCursor([r.time, r.id]);
  const sparse = filter.inout !== undefined || c.sparse.length > 0;
  if (!c.windowed || !sparse || filter.sn !== undefined || c.narrowing.length > 0) return pageOf(await rows([]), filter.limit, cursorOf);

  const found: T[] = [];
  let below: string | null = null;
  for (let w = 0; w < SCAN_WINDOWS; w++) {
    // Where this window ends: SCAN_WINDOW_ROWS down the time index (an index-only read).
    const bounds: SQL[] = [];
    if (filter.from !== undefined) bounds.push(sql`time >= ${filter.from}`);
    if (below !== null) bounds.push(sql`time < ${below}`);
    else if (cursor) bounds.push(sql`time <= ${cursor[0]}`);
    else if (filter.to !== undefined) bounds.push(sql`time < ${filter.to}`);
    const [edge] = await db.read(sql`SELECT time FROM ${table.name} ${whereAll(bounds)} ORDER BY time DESC LIMIT 1 OFFSET ${SCAN_WINDOW_ROWS}`);
    const floor = edge === undefined ? undefined : String(edge.time);
    const extra: SQL[] = [];
    if (floor !== undefined) extra.push(sql`time >= ${floor}`);
    if (below !== null) extra.push(sql`time < ${below}`);
    found.push(...(await rows(extra)).slice(0, filter.limit + 1 - found.length));
    if (found.length > filter.limit || floor === undefined) return pageOf(found, filter.limit, cursorOf);
    below = floor;
  }
  // Budget spent: the next page starts below the last window (id 0: every row of that second is done).
  return { items: found, next: below === null ? null : encodeCursor([below, 0]) };
}
