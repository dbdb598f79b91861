/** AttendanceMatch and AttendanceOrder as SQL that both engines read alike. */
import { type SQL, sql } from "drizzle-orm";
import type { AttendanceMatch, AttendanceOrder } from "./contract.ts";
import { oneOf, whereAll } from "./sql-values.ts";
import { A_PERSON } from "./timesheets/sql.ts";

/** The WHERE of a match; null when it can match nothing (an empty list), so no query is needed. */
export function attendanceWhere(m: AttendanceMatch): SQL | null {
  if (m.sns?.length === 0 || m.enrollids?.length === 0) return null;
  const where: SQL[] = [];
  if (m.sns) where.push(m.sns.length === 1 ? sql`sn = ${m.sns[0]}` : oneOf("sn", m.sns));
  if (m.enrollids) where.push(m.enrollids.length === 1 ? sql`enrollid = ${m.enrollids[0]}` : oneOf("enrollid", m.enrollids));
  if (m.from !== undefined) where.push(sql`time >= ${m.from}`);
  if (m.until !== undefined) where.push(sql`time <= ${m.until}`);
  if (m.afterId !== undefined) where.push(sql`id > ${m.afterId}`);
  if (m.throughId !== undefined) where.push(sql`id <= ${m.throughId}`);
  if (m.peopleOnly) where.push(sql.raw(A_PERSON));
  return whereAll(where);
}

const ORDERS: Record<AttendanceOrder, SQL> = {
  id: sql.raw("ORDER BY id"),
  "-id": sql.raw("ORDER BY id DESC"),
  time: sql.raw("ORDER BY time, id"),
  "-time": sql.raw("ORDER BY time DESC, id DESC"),
};

export const attendanceOrder = (order: AttendanceOrder): SQL => ORDERS[order];

/** Ids per statement when asking which punches have photos: far below either engine's limit on bound parameters. */
export const PHOTO_ID_SLICE = 500;
