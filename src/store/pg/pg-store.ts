/**
 * The cluster's store: the Store contract over PostgreSQL, shared by every instance. `write`
 * is one transaction per group commit (write-path.ts); record identity is a unique index and
 * duplicates are skipped with ON CONFLICT DO NOTHING, so a batch resent to another instance
 * after a crash is stored once.
 */
import { PgHrLeases, pgHrDestinations } from "./hr-leases.ts";
import type { SqlHrStore } from "../hr-store.ts";
import { PgNotifierLease } from "./notifier-lease.ts";
import { and, count, desc, eq, gt, gte, inArray, isNotNull, isNull, lt, or, sql, type SQL } from "drizzle-orm";
import type {
  Approval,
  AuditEntry,
  AuditFilter,
  OpResult,
  Page,
  PunchFilter,
  PunchPhoto,
  Stats,
  Store,
  AttendanceMatch,
  AttendanceOrder,
  TokenGrant,
  TerminalChanges,
  TerminalFilter,
  WriteOp,
} from "../contract.ts";
import { statusCounts, statusWhere } from "../terminal-status.ts";
import { attendanceOrder, attendanceWhere, PHOTO_ID_SLICE } from "../attendance-match.ts";
import { decodeCursor, encodeCursor, pageOf } from "../cursor.ts";
import { storeError } from "../errors.ts";
import type { TerminalRow } from "../schema.ts";
import { SqlAdminStore } from "../admin-store.ts";
import { pgTransaction } from "./sql-transaction.ts";
import { SqlCommandStore } from "../commands-store.ts";
import { sqlTimesheetStore } from "../timesheet-store.ts";
import { sqlAccessStore } from "../access-store.ts";
import { SqlExportStore } from "../export-store.ts";
import { SqlImportSourceStore } from "../import-source-store.ts";
import { pgTimesheets } from "./timesheet-sql.ts";
import { SqlPeopleStore } from "../people-store.ts";
import { pgPeople } from "./people-store.ts";
import { PgWebhookLeases, pgWebhooks } from "./webhook-leases.ts";
import type { SqlWebhookStore } from "../webhook-store.ts";
import { connectPg, type PgConnection, type PgDb } from "./connect.ts";
import { writeOps } from "./write-path.ts";
import { ensureSchema, migratePg } from "./migrate.ts";
import { pgMigrations } from "./migrations/index.ts";
import {
  apiTokens,
  attendance,
  auditLog,
  credentials,
  doorEvents,
  people,
  punchPhotos,
  quarantine,
  terminals,
} from "./schema.ts";

export interface PgStoreOptions {
  url: string;
  /** The schema of the store's tables, created when missing; without it the URL's search_path decides. */
  schema?: string;
  poolSize?: number;
  now?: () => number;
}

export class PgStore implements Store {
  readonly admin: SqlAdminStore;
  readonly commands: SqlCommandStore;
  readonly people: SqlPeopleStore;
  readonly exports: SqlExportStore;
  readonly webhooks: SqlWebhookStore;
  /** Which instance delivers each webhook destination (a cluster has no other dispatcher). */
  readonly webhookLeases: PgWebhookLeases;
  readonly hrDestinations: SqlHrStore;
  /** Which instance delivers each HR destination. */
  readonly hrLeases: PgHrLeases;
  /** Cluster mode: the one instance that sends alert notifications. */
  readonly notifierLease: PgNotifierLease;
  readonly importSources: SqlImportSourceStore;
  readonly timesheets: Store["timesheets"];
  readonly access: Store["access"];
  #c: PgConnection;
  #db: PgDb;

  private constructor(connection: PgConnection) {
    this.#c = connection;
    this.#db = connection.db;
    this.admin = new SqlAdminStore(pgTimesheets(this.#db), pgTransaction(this.#db));
    this.commands = new SqlCommandStore({ db: pgTimesheets(this.#db), latest: pgTimesheets(this.#db), tx: pgTransaction(this.#db), step: pgTransaction(this.#db) });
    this.people = new SqlPeopleStore(pgTimesheets(this.#db), pgPeople(this.#db));
    this.exports = new SqlExportStore(pgTimesheets(this.#db));
    this.webhooks = pgWebhooks(this.#db);
    this.webhookLeases = new PgWebhookLeases(this.#db);
    this.hrDestinations = pgHrDestinations(this.#db);
    this.hrLeases = new PgHrLeases(this.#db);
    this.notifierLease = new PgNotifierLease(this.#db);
    this.importSources = new SqlImportSourceStore(pgTimesheets(this.#db));
    this.timesheets = sqlTimesheetStore(pgTimesheets(this.#db));
    this.access = sqlAccessStore(pgTimesheets(this.#db));
  }

  /** Connects, creates the schema if needed and migrates; fails when PostgreSQL cannot be reached or migrated. */
  static async open(options: PgStoreOptions): Promise<PgStore> {
    const connection = connectPg({ url: options.url, schema: options.schema, max: options.poolSize });
    try {
      if (options.schema !== undefined) await ensureSchema(connection.db, options.schema);
      await migratePg(connection.db, pgMigrations, (options.now ?? Date.now)());
    } catch (err) {
      await connection.close().catch(() => {});
      throw err;
    }
    return new PgStore(connection);
  }

  /** One transaction per group commit: write-path.ts. */
  write(ops: WriteOp[]): Promise<OpResult[]> {
    return writeOps(this.#db, ops);
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

  async setApproval(sn: string, approval: Approval, at: number): Promise<TerminalRow | null> {
    const [row] = await this.#db
      .update(terminals)
      .set({ approval, ...(approval === "approved" ? {} : { online: false }), lastSeen: sql`GREATEST(${terminals.lastSeen}, ${at}::bigint)` })
      .where(eq(terminals.sn, sn))
      .returning();
    return row ?? null;
  }

  async acceptIdentity(sn: string): Promise<TerminalRow | null> {
    const [row] = await this.#db
      .update(terminals)
      .set({ cpusn: sql`${terminals.mismatchCpusn}`, mac: sql`${terminals.mismatchMac}`, mismatchCpusn: null, mismatchMac: null, mismatchAddr: null, mismatchAt: null })
      .where(and(eq(terminals.sn, sn), isNotNull(terminals.mismatchAt)))
      .returning();
    return row ?? null;
  }

  async updateTerminal(sn: string, changes: TerminalChanges): Promise<TerminalRow | null> {
    if (Object.keys(changes).length === 0) return this.getTerminal(sn);
    const [row] = await this.#db.update(terminals).set(changes).where(eq(terminals.sn, sn)).returning();
    return row ?? null;
  }

  async markAllOffline() {
    await this.#db.update(terminals).set({ online: false }).where(eq(terminals.online, true));
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

  async createToken(name: string, tokenHash: string, at: number, grant: TokenGrant = { scope: "admin", expiresAt: null }) {
    const [row] = await this.#db.insert(apiTokens).values({ name, tokenHash, createdAt: at, scope: grant.scope, expiresAt: grant.expiresAt }).returning();
    if (!row) throw storeError("insert_failed", "token was not stored");
    return row;
  }

  async useToken(tokenHash: string, at: number) {
    const [row] = await this.#db
      .select()
      .from(apiTokens)
      .where(and(eq(apiTokens.tokenHash, tokenHash), isNull(apiTokens.revokedAt), or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, at))));
    if (!row) return null;
    // Recording every use would put a write on every API call; a minute's precision is plenty.
    if (row.lastUsedAt === null || at - row.lastUsedAt > 60_000) {
      await this.#db.update(apiTokens).set({ lastUsedAt: at }).where(eq(apiTokens.id, row.id));
    }
    return row;
  }

  async listTokens() {
    return this.#db.select().from(apiTokens).orderBy(apiTokens.id);
  }

  async revokeToken(id: number, at: number) {
    const rows = await this.#db
      .update(apiTokens)
      .set({ revokedAt: at })
      .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
      .returning({ id: apiTokens.id });
    return rows.length > 0;
  }

  async audit(entry: AuditEntry) {
    await this.#db.insert(auditLog).values({
      at: entry.at,
      actor: entry.actor,
      action: entry.action,
      target: entry.target ?? null,
      details: entry.details === undefined ? null : JSON.stringify(entry.details),
      result: entry.result,
    });
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

  /** The pool closes in the background; a CLI command awaits it so that the process can exit. */
  close(): Promise<void> {
    return this.#c.close().catch(() => {});
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
