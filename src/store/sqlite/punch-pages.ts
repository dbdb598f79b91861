/**
 * Pages of attendance and door events, newest first, on the (time, id) keyset. Most filters
 * narrow on an index (terminal, person, date range); in/out and door event codes have none, and a
 * value that is rare or absent (a site whose terminals never send "out", door alarms) would make one page read the whole
 * table. Such pages walk back on the time index in windows of a bounded number of rows: a page
 * may then hold fewer rows than asked (even none) with a next cursor that goes on below.
 */
import { and, desc, eq, gte, lt, lte, or, type SQL } from "drizzle-orm";
import type { Page, PunchFilter } from "../contract.ts";
import { decodeCursor, encodeCursor, pageOf } from "../cursor.ts";
import type { attendance, doorEvents } from "../schema.ts";
import type { SqliteDatabase } from "./driver.ts";

/** Rows of the time index one window covers, and windows per page: about 100,000 rows at most. */
export const SCAN_WINDOW_ROWS = 20_000;
export const SCAN_WINDOWS = 5;

type PunchTable = typeof attendance | typeof doorEvents;

/** `narrowing`: conditions an index serves; `sparse`: conditions none serves (walked in windows like in/out). */
export function punchPage<T extends PunchTable>(db: SqliteDatabase, table: T, filter: PunchFilter, narrowing: SQL[], sparse: SQL[] = []): Page<T["$inferSelect"]> {
  const cursor = filter.cursor === undefined ? null : decodeCursor(filter.cursor, ["string", "number"]);
  const where: SQL[] = [...narrowing, ...sparse];
  if (filter.sn !== undefined) where.push(eq(table.sn, filter.sn));
  if (filter.inout !== undefined) where.push(eq(table.inout, filter.inout));
  if (filter.from !== undefined) where.push(gte(table.time, filter.from));
  if (filter.to !== undefined) where.push(lt(table.time, filter.to));
  if (cursor) where.push(or(lt(table.time, cursor[0]), and(eq(table.time, cursor[0]), lt(table.id, cursor[1]))) as SQL);
  const rows = (extra: SQL[]) =>
    db
      .select()
      .from(table)
      .where(and(...where, ...extra))
      .orderBy(desc(table.time), desc(table.id))
      .limit(filter.limit + 1)
      .all() as Array<T["$inferSelect"]>;
  const cursorOf = (r: T["$inferSelect"]) => encodeCursor([r.time, r.id]);
  if ((filter.inout === undefined && sparse.length === 0) || filter.sn !== undefined || narrowing.length > 0) return pageOf(rows([]), filter.limit, cursorOf);

  const found: Array<T["$inferSelect"]> = [];
  let below: string | null = null;
  for (let w = 0; w < SCAN_WINDOWS; w++) {
    // Where this window ends: SCAN_WINDOW_ROWS down the time index (an index-only read).
    const bounds: SQL[] = [];
    if (filter.from !== undefined) bounds.push(gte(table.time, filter.from));
    if (below !== null) bounds.push(lt(table.time, below));
    else if (cursor) bounds.push(lte(table.time, cursor[0]));
    else if (filter.to !== undefined) bounds.push(lt(table.time, filter.to));
    const floor = db.select({ time: table.time }).from(table).where(and(...bounds)).orderBy(desc(table.time)).limit(1).offset(SCAN_WINDOW_ROWS).all()[0]?.time;
    const extra: SQL[] = [];
    if (floor !== undefined) extra.push(gte(table.time, floor));
    if (below !== null) extra.push(lt(table.time, below));
    found.push(...rows(extra).slice(0, filter.limit + 1 - found.length));
    if (found.length > filter.limit || floor === undefined) return pageOf(found, filter.limit, cursorOf);
    below = floor;
  }
  // Budget spent: the next page starts below the last window (id 0: every row of that second is done).
  return { items: found, next: below === null ? null : encodeCursor([below, 0]) };
}
