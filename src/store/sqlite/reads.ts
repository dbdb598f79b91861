/**
 * What `SqliteStore` (which extends it) reads on its read connection: terminals, punches and door
 * events, the quarantine, people, tokens and the audit log. The store adds the writes.
 */
import { and, count, desc, eq, gt, gte, inArray, isNotNull, lt, or, sql, type SQL } from "drizzle-orm";
import { attendanceOrder, attendanceWhere, PHOTO_ID_SLICE } from "../attendance-match.ts";
import type { AttendanceMatch, AttendanceOrder, AuditFilter, Page, PunchFilter, PunchPhoto, Stats, TerminalFilter } from "../contract.ts";
import { statusCounts, statusWhere } from "../terminal-status.ts";
import { decodeCursor, encodeCursor, pageOf } from "../cursor.ts";
import { apiTokens, attendance, auditLog, credentials, doorEvents, people, punchPhotos, quarantine, terminals } from "../schema.ts";
import type { SqliteDatabase } from "./driver.ts";
import { punchPage } from "./punch-pages.ts";
export class SqliteReads {
  #r: SqliteDatabase;

  constructor(r: SqliteDatabase) {
    this.#r = r;
  }

  async getTerminal(sn: string) {
    return this.#r.select().from(terminals).where(eq(terminals.sn, sn)).all()[0] ?? null;
  }

  async listTerminals() {
    return this.#r.select().from(terminals).orderBy(terminals.sn).all();
  }

  async terminalsPage(filter: TerminalFilter) {
    const where: SQL[] = [];
    const q = filter.q?.trim();
    if (q) {
      const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      where.push(or(sql`${terminals.sn} LIKE ${pattern} ESCAPE '\\'`, sql`${terminals.name} LIKE ${pattern} ESCAPE '\\'`, sql`${terminals.location} LIKE ${pattern} ESCAPE '\\'`) as SQL);
    }
    if (filter.status) where.push(statusWhere(terminals, filter.status));
    if (filter.sns) where.push(inArray(terminals.sn, [...filter.sns]));
    if (filter.cursor !== undefined) where.push(gt(terminals.sn, decodeCursor(filter.cursor, ["string"])[0]));
    const rows = this.#r.select().from(terminals).where(and(...where)).orderBy(terminals.sn).limit(filter.limit + 1).all();
    return pageOf(rows, filter.limit, (r) => encodeCursor([r.sn]));
  }

  async terminalCounts() {
    return statusCounts(this.#r.select({ approval: terminals.approval, online: terminals.online, n: count() }).from(terminals).groupBy(terminals.approval, terminals.online).all());
  }

  async attendance(filter: PunchFilter): Promise<Page<typeof attendance.$inferSelect>> {
    if (filter.enrollids?.length === 0) return { items: [], next: null };
    const narrowing: SQL[] = [];
    if (filter.enrollid !== undefined) narrowing.push(eq(attendance.enrollid, filter.enrollid));
    if (filter.enrollids !== undefined) narrowing.push(inArray(attendance.enrollid, [...filter.enrollids]));
    // Refused punches are rare and have no index: walked in windows like in/out.
    return punchPage(this.#r, attendance, filter, narrowing, filter.refused ? [isNotNull(attendance.refused)] : []);
  }

  async doorEvents(filter: PunchFilter): Promise<Page<typeof doorEvents.$inferSelect>> {
    if (filter.events?.length === 0) return { items: [], next: null };
    return punchPage(this.#r, doorEvents, filter, [], filter.events === undefined ? [] : [inArray(doorEvents.event, [...filter.events])]);
  }

  async latestDoorEvents(sns: readonly string[]) {
    // One index walk (door_events_identity: sn, time, …) per terminal, newest first.
    return sns.flatMap((sn) => this.#r.select().from(doorEvents).where(eq(doorEvents.sn, sn)).orderBy(desc(doorEvents.time), desc(doorEvents.id)).limit(1).all());
  }

  async recentDoorEvents(from: string, events: readonly number[], limit: number) {
    if (events.length === 0) return [];
    return this.#r
      .select()
      .from(doorEvents)
      .where(and(gte(doorEvents.time, from), inArray(doorEvents.event, [...events])))
      .orderBy(desc(doorEvents.time), desc(doorEvents.id))
      .limit(limit)
      .all();
  }

  async quarantined(filter: { cursor?: string; limit: number }) {
    const where = filter.cursor === undefined ? undefined : lt(quarantine.id, decodeCursor(filter.cursor, ["number"])[0]);
    const rows = this.#r.select().from(quarantine).where(where).orderBy(desc(quarantine.id)).limit(filter.limit + 1).all();
    return pageOf(rows, filter.limit, (r) => encodeCursor([r.id]));
  }

  async getAttendance(id: number) {
    return this.#r.select().from(attendance).where(eq(attendance.id, id)).all()[0] ?? null;
  }

  async punchPhoto(attendanceId: number): Promise<PunchPhoto | null> {
    return this.#r.select().from(punchPhotos).where(eq(punchPhotos.attendanceId, attendanceId)).all()[0] ?? null;
  }

  async withPhotos(attendanceIds: readonly number[]) {
    const found = new Set<number>();
    // In slices, so a long list never meets the engine's limit on bound parameters.
    for (let i = 0; i < attendanceIds.length; i += PHOTO_ID_SLICE) {
      const slice = attendanceIds.slice(i, i + PHOTO_ID_SLICE);
      for (const r of this.#r.select({ id: punchPhotos.attendanceId }).from(punchPhotos).where(inArray(punchPhotos.attendanceId, slice)).all()) found.add(r.id);
    }
    return found;
  }

  async countAttendance(match: AttendanceMatch) {
    const where = attendanceWhere(attendance, match);
    if (where === null) return 0;
    return this.#r.select({ n: count() }).from(attendance).where(where).all()[0]?.n ?? 0;
  }

  async attendanceSlice(match: AttendanceMatch, order: AttendanceOrder, offset: number, limit: number) {
    const where = attendanceWhere(attendance, match);
    if (where === null) return [];
    return this.#r.select().from(attendance).where(where).orderBy(...attendanceOrder(attendance, order)).limit(limit).offset(offset).all();
  }

  async stats(): Promise<Stats> {
    const db = this.#r;
    const n = (rows: Array<{ n: number }>) => rows[0]?.n ?? 0;
    const t = db
      .select({
        total: count(),
        online: sql<number>`coalesce(sum(${terminals.online}), 0)`,
        pending: sql<number>`coalesce(sum(${terminals.approval} = 'pending'), 0)`,
      })
      .from(terminals)
      .all()[0];
    return {
      attendance_total: n(db.select({ n: count() }).from(attendance).all()),
      door_events_total: n(db.select({ n: count() }).from(doorEvents).all()),
      quarantined_total: n(db.select({ n: count() }).from(quarantine).all()),
      terminals_total: t?.total ?? 0,
      terminals_online: Number(t?.online ?? 0),
      terminals_pending: Number(t?.pending ?? 0),
      people_total: n(db.select({ n: count() }).from(people).all()),
    };
  }

  async getPerson(enrollid: number) {
    return this.#r.select().from(people).where(eq(people.enrollid, enrollid)).all()[0] ?? null;
  }

  async credentialsOf(enrollid: number) {
    return this.#r
      .select({ backupnum: credentials.backupnum, data: credentials.data })
      .from(credentials)
      .where(eq(credentials.enrollid, enrollid))
      .orderBy(credentials.backupnum)
      .all();
  }

  async listTokens() {
    return this.#r.select().from(apiTokens).orderBy(apiTokens.id).all();
  }

  async auditLog(filter: AuditFilter) {
    const where: SQL[] = [];
    if (filter.actor !== undefined) where.push(eq(auditLog.actor, filter.actor));
    if (filter.action !== undefined) where.push(eq(auditLog.action, filter.action));
    if (filter.target !== undefined) where.push(eq(auditLog.target, filter.target));
    if (filter.cursor !== undefined) where.push(lt(auditLog.id, decodeCursor(filter.cursor, ["number"])[0]));
    const rows = this.#r.select().from(auditLog).where(and(...where)).orderBy(desc(auditLog.id)).limit(filter.limit + 1).all();
    return pageOf(rows, filter.limit, (r) => encodeCursor([r.id]));
  }

  async ping() {
    this.#r.all(sql`SELECT 1`);
  }
}
