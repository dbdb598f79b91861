/**
 * AttendanceMatch and AttendanceOrder as drizzle conditions, written once for both engines
 * (the columns are SQLite's or PostgreSQL's; the operators are the same).
 */
import { and, asc, type Column, desc, eq, gt, gte, inArray, lte, type SQL } from "drizzle-orm";
import type { AttendanceMatch, AttendanceOrder } from "./contract.ts";

interface MatchColumns {
  id: Column;
  sn: Column;
  enrollid: Column;
  time: Column;
}

/** The WHERE of a match; null when it can match nothing (an empty list), so no query is needed. */
export function attendanceWhere(t: MatchColumns, m: AttendanceMatch): SQL | undefined | null {
  if (m.sns?.length === 0 || m.enrollids?.length === 0) return null;
  const where: SQL[] = [];
  if (m.sns) where.push(m.sns.length === 1 ? eq(t.sn, m.sns[0]) : inArray(t.sn, m.sns));
  if (m.enrollids) where.push(m.enrollids.length === 1 ? eq(t.enrollid, m.enrollids[0]) : inArray(t.enrollid, m.enrollids));
  if (m.from !== undefined) where.push(gte(t.time, m.from));
  if (m.until !== undefined) where.push(lte(t.time, m.until));
  if (m.afterId !== undefined) where.push(gt(t.id, m.afterId));
  if (m.throughId !== undefined) where.push(lte(t.id, m.throughId));
  return and(...where);
}

export function attendanceOrder(t: MatchColumns, order: AttendanceOrder): SQL[] {
  if (order === "id") return [asc(t.id)];
  if (order === "-id") return [desc(t.id)];
  return order === "time" ? [asc(t.time), asc(t.id)] : [desc(t.time), desc(t.id)];
}

/** Ids per statement when asking which punches have photos: far below either engine's limit on bound parameters. */
export const PHOTO_ID_SLICE = 500;
