/**
 * What `PgStore` (which extends it) reads: terminals, punches and door events, the quarantine,
 * people, tokens and the audit log. The store adds the writes.
 */
import { and, count, desc, eq, gt, gte, inArray, isNotNull, lt, or, sql, type SQL } from "drizzle-orm";
import { attendanceOrder, attendanceWhere, PHOTO_ID_SLICE } from "../attendance-match.ts";
import type { AttendanceMatch, AttendanceOrder, AuditFilter, Page, PunchFilter, PunchPhoto, Stats, TerminalFilter } from "../contract.ts";
import { statusCounts, statusWhere } from "../terminal-status.ts";
import { decodeCursor, encodeCursor, pageOf } from "../cursor.ts";
import { storeError } from "../errors.ts";
import type { TerminalRow } from "../schema.ts";
import type { PgDb } from "./connect.ts";
import { apiTokens, attendance, auditLog, credentials, doorEvents, people, punchPhotos, quarantine, terminals } from "./schema.ts";
export class PgReads {
  #db: PgDb;

  constructor(db: PgDb) {
    this.#db = db;
  }

  async getTerminal(sn: string): Promise<TerminalRow | null> {
    const [row] = await this.#db.select().from(terminals).where(eq(terminals.sn, sn));
    return row ?? null;
  }

  async listTerminals(): Promise<TerminalRow[]> {
    return this.#db.select().from(terminals).orderBy(terminals.sn);
  }

  async terminalsPage(filter: TerminalFilter) {
    const where: SQL[] = [];
    const q = filter.q?.trim();
    if (q) {
      const pattern = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      where.push(or(sql`${terminals.sn} ILIKE ${pattern}`, sql`${terminals.name} ILIKE ${pattern}`, sql`${terminals.location} ILIKE ${pattern}`) as SQL);
    }
    if (filter.status) where.push(statusWhere(terminals, filter.status));
    if (filter.sns) where.push(inArray(terminals.sn, [...filter.sns]));
    if (filter.cursor !== undefined) where.push(gt(terminals.sn, decodeCursor(filter.cursor, ["string"])[0]));
    const rows = await this.#db.select().from(terminals).where(and(...where)).orderBy(terminals.sn).limit(filter.limit + 1);
    return pageOf(rows, filter.limit, (r) => encodeCursor([r.sn]));
  }

  async terminalCounts() {
    return statusCounts(await this.#db.select({ approval: terminals.approval, online: terminals.online, n: count() }).from(terminals).groupBy(terminals.approval, terminals.online));
  }

  /** The terminals the store shows connected, with their session: what the cluster's presence reaper checks. */
  async onlineSessions(): Promise<Array<{ sn: string; sessionId: string }>> {
    const rows = await this.#db.select({ sn: terminals.sn, sessionId: terminals.sessionId }).from(terminals).where(eq(terminals.online, true));
    return rows.flatMap((r) => (r.sessionId ? [{ sn: r.sn, sessionId: r.sessionId }] : []));
  }

  /** The database and schema the store's tables are in, as PostgreSQL names them (the site's identity). */
  async location(): Promise<{ database: string; schema: string }> {
    const rows = await this.#db.execute<{ database: string; schema: string | null }>(sql`SELECT current_database() AS database, current_schema() AS schema`);
    const row = Array.from(rows)[0];
    // current_schema() is null only when no schema on the search_path exists, which opening the store rules out.
    if (!row?.schema) throw storeError("no_schema", "PostgreSQL names no current schema");
    return { database: row.database, schema: row.schema };
  }

  async attendance(filter: PunchFilter): Promise<Page<typeof attendance.$inferSelect>> {
    if (filter.enrollids?.length === 0) return { items: [], next: null };
    const where = punchWhere(attendance, filter);
    if (filter.enrollid !== undefined) where.push(eq(attendance.enrollid, filter.enrollid));
    if (filter.enrollids !== undefined) where.push(inArray(attendance.enrollid, [...filter.enrollids]));
    if (filter.refused) where.push(isNotNull(attendance.refused));
    const rows = await this.#db
      .select()
      .from(attendance)
      .where(and(...where))
      .orderBy(desc(attendance.time), desc(attendance.id))
      .limit(filter.limit + 1);
    return pageOf(rows, filter.limit, (r) => encodeCursor([r.time, r.id]));
  }

  async doorEvents(filter: PunchFilter): Promise<Page<typeof doorEvents.$inferSelect>> {
    if (filter.events?.length === 0) return { items: [], next: null };
    const where = punchWhere(doorEvents, filter);
    if (filter.events !== undefined) where.push(inArray(doorEvents.event, [...filter.events]));
    const rows = await this.#db
      .select()
      .from(doorEvents)
      .where(and(...where))
      .orderBy(desc(doorEvents.time), desc(doorEvents.id))
      .limit(filter.limit + 1);
    return pageOf(rows, filter.limit, (r) => encodeCursor([r.time, r.id]));
  }

  async latestDoorEvents(sns: readonly string[]) {
    // One index walk (door_events_identity: sn, time, …) per terminal, newest first.
    const rows = await Promise.all(sns.map((sn) => this.#db.select().from(doorEvents).where(eq(doorEvents.sn, sn)).orderBy(desc(doorEvents.time), desc(doorEvents.id)).limit(1)));
    return rows.flat();
  }

  async recentDoorEvents(from: string, events: readonly number[], limit: number) {
    if (events.length === 0) return [];
    return this.#db
      .select()
      .from(doorEvents)
      .where(and(gte(doorEvents.time, from), inArray(doorEvents.event, [...events])))
      .orderBy(desc(doorEvents.time), desc(doorEvents.id))
      .limit(limit);
  }

  async quarantined(filter: { cursor?: string; limit: number }) {
    const where = filter.cursor === undefined ? undefined : lt(quarantine.id, decodeCursor(filter.cursor, ["number"])[0]);
    const rows = await this.#db.select().from(quarantine).where(where).orderBy(desc(quarantine.id)).limit(filter.limit + 1);
    return pageOf(rows, filter.limit, (r) => encodeCursor([r.id]));
  }

  async getAttendance(id: number) {
    const [row] = await this.#db.select().from(attendance).where(eq(attendance.id, id));
    return row ?? null;
  }

  async punchPhoto(attendanceId: number): Promise<PunchPhoto | null> {
    const [row] = await this.#db.select().from(punchPhotos).where(eq(punchPhotos.attendanceId, attendanceId));
    return row ?? null;
  }

  async withPhotos(attendanceIds: readonly number[]) {
    const found = new Set<number>();
    // In slices, so a long list never meets the engine's limit on bound parameters.
    for (let i = 0; i < attendanceIds.length; i += PHOTO_ID_SLICE) {
      const slice = attendanceIds.slice(i, i + PHOTO_ID_SLICE);
      for (const r of await this.#db.select({ id: punchPhotos.attendanceId }).from(punchPhotos).where(inArray(punchPhotos.attendanceId, slice))) found.add(r.id);
    }
    return found;
  }

  async countAttendance(match: AttendanceMatch) {
    const where = attendanceWhere(attendance, match);
    if (where === null) return 0;
    const [row] = await this.#db.select({ n: count() }).from(attendance).where(where);
    return row?.n ?? 0;
  }

  async attendanceSlice(match: AttendanceMatch, order: AttendanceOrder, offset: number, limit: number) {
    const where = attendanceWhere(attendance, match);
    if (where === null) return [];
    return this.#db.select().from(attendance).where(where).orderBy(...attendanceOrder(attendance, order)).limit(limit).offset(offset);
  }

  async stats(): Promise<Stats> {
    const db = this.#db;
    const n = (rows: Array<{ n: number }>) => rows[0]?.n ?? 0;
    const [t] = await db
      .select({
        total: count(),
        online: sql<number>`count(*) FILTER (WHERE ${terminals.online})`.mapWith(Number),
        pending: sql<number>`count(*) FILTER (WHERE ${terminals.approval} = 'pending')`.mapWith(Number),
      })
      .from(terminals);
    const [a, d, q, p] = await Promise.all([
      db.select({ n: count() }).from(attendance),
      db.select({ n: count() }).from(doorEvents),
      db.select({ n: count() }).from(quarantine),
      db.select({ n: count() }).from(people),
    ]);
    return {
      attendance_total: n(a),
      door_events_total: n(d),
      quarantined_total: n(q),
      terminals_total: t?.total ?? 0,
      terminals_online: t?.online ?? 0,
      terminals_pending: t?.pending ?? 0,
      people_total: n(p),
    };
  }

  async getPerson(enrollid: number) {
    const [row] = await this.#db.select().from(people).where(eq(people.enrollid, enrollid));
    return row ?? null;
  }

  async credentialsOf(enrollid: number) {
    return this.#db
      .select({ backupnum: credentials.backupnum, data: credentials.data })
      .from(credentials)
      .where(eq(credentials.enrollid, enrollid))
      .orderBy(credentials.backupnum);
  }

  async listTokens() {
    return this.#db.select().from(apiTokens).orderBy(apiTokens.id);
  }

  async auditLog(filter: AuditFilter) {
    const where: SQL[] = [];
    if (filter.actor !== undefined) where.push(eq(auditLog.actor, filter.actor));
    if (filter.action !== undefined) where.push(eq(auditLog.action, filter.action));
    if (filter.target !== undefined) where.push(eq(auditLog.target, filter.target));
    if (filter.cursor !== undefined) where.push(lt(auditLog.id, decodeCursor(filter.cursor, ["number"])[0]));
    const rows = await this.#db.select().from(auditLog).where(and(...where)).orderBy(desc(auditLog.id)).limit(filter.limit + 1);
    return pageOf(rows, filter.limit, (r) => encodeCursor([r.id]));
  }

  async ping() {
    await this.#db.execute(sql`SELECT 1`);
  }
}

function punchWhere(table: typeof attendance | typeof doorEvents, filter: PunchFilter): SQL[] {
  const where: SQL[] = [];
  if (filter.sn !== undefined) where.push(eq(table.sn, filter.sn));
  if (filter.from !== undefined) where.push(gte(table.time, filter.from));
  if (filter.to !== undefined) where.push(lt(table.time, filter.to));
  if (filter.inout !== undefined) where.push(eq(table.inout, filter.inout));
  if (filter.cursor !== undefined) {
    const [time, id] = decodeCursor(filter.cursor, ["string", "number"]);
    where.push(or(lt(table.time, time), and(eq(table.time, time), lt(table.id, id))) as SQL);
  }
  return where;
}
