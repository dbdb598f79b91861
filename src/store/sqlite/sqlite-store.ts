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
import { AppError } from "../../lib/app-error.ts";
import { storeError } from "../errors.ts";
import { migrations } from "../migrations/index.ts";
import {
  apiTokens,
  attendance,
  auditLog,
  credentials,
  doorEvents,
  people,
  punchPhotos,
  quarantine,
  type TerminalRow,
  terminals,
} from "../schema.ts";
import { SqlAdminStore } from "../admin-store.ts";
import { sqliteTransaction } from "./sql-transaction.ts";
import { SqlCommandStore } from "../commands-store.ts";
import { SqlPeopleStore } from "../people-store.ts";
import { sqlitePeople } from "./people-store.ts";
import { sqlTimesheetStore } from "../timesheet-store.ts";
import { sqlAccessStore } from "../access-store.ts";
import { SqlExportStore } from "../export-store.ts";
import { SqlImportSourceStore } from "../import-source-store.ts";
import { sqliteTimesheets } from "./timesheet-sql.ts";
import { immediate } from "./transaction.ts";
import { TickCommit } from "./tick-commit.ts";
import { SqlWebhookStore } from "../webhook-store.ts";
import { SqlHrStore } from "../hr-store.ts";
import type { PruneCounts, PruneCutoffs } from "../prune.ts";
import type { SqliteConnection, SqliteDatabase, SqliteOpener } from "./driver.ts";
import { migrate, pendingMigrations } from "./migrate.ts";
import { punchPage } from "./punch-pages.ts";
import { applyPragmas, type Durability } from "./pragmas.ts";
import { SqliteWritePath } from "./write-path.ts";
import { SqliteWriteThread } from "./write-thread.ts";

/**
 * The write thread's commit waits this long for another connection (the store's own, a CLI
 * command) to finish a write; it blocks only that thread, not the event loop. Past it the commit
 * fails and terminals get result:false, so it stays well below their answer time-out.
 */
const WRITE_THREAD_BUSY_MS = 2000;

export type { Durability };

export interface SqliteStoreOptions {
  file: string;
  open: SqliteOpener;
  durability: Durability;
  /**
   * How long a write waits for a lock held by another process (a CLI command). Kept short:
   * the driver blocks the event loop while it waits, and a terminal told `result:false` retries.
   */
  busyTimeoutMs?: number;
  now?: () => number;
  /**
   * The disk is full (the server starts anyway): one immutable read-only connection, every write
   * refused with this reason. Nothing is migrated; a database that needs a migration cannot open.
   */
  readOnly?: string;
}

/**
 * The single-box store: one write connection and one read connection on the same WAL file. In the
 * server, `write` (the group commit) moves to a write thread with a connection of its own, and the
 * store's write connection keeps the other writes (admin, commands, people, retention).
 */
export class SqliteStore implements Store {
  readonly admin: SqlAdminStore;
  readonly commands: SqlCommandStore;
  readonly people: SqlPeopleStore;
  readonly exports: SqlExportStore;
  readonly webhooks: SqlWebhookStore;
  readonly hrDestinations: SqlHrStore;
  readonly importSources: SqlImportSourceStore;
  readonly timesheets: Store["timesheets"];
  readonly access: Store["access"];
  #w: SqliteConnection;
  #r: SqliteConnection;
  #now: () => number;
  #writes: SqliteWritePath;
  #thread: SqliteWriteThread | null = null;
  #file: string;
  #durability: Durability;
  /** Why the store is read-only (options.readOnly), or null. */
  readonly readOnly: string | null;

  constructor(options: SqliteStoreOptions) {
    this.#now = options.now ?? Date.now;
    this.#file = options.file;
    this.#durability = options.durability;
    this.readOnly = options.readOnly ?? null;
    if (this.readOnly !== null) {
      this.#w = this.#r = options.open(options.file, { readonly: true, immutable: true });
      let pending: string[] = [];
      try {
        pending = pendingMigrations(this.#w.db, migrations);
      } catch (err) {
        this.#w.close();
        throw storeError("open_failed", `cannot read store ${options.file}`, err);
      }
      if (pending.length > 0) {
        this.#w.close();
        throw storeError("open_failed", `cannot open store ${options.file} read-only: migration ${pending.join(", ")} must be applied first`);
      }
    } else {
      this.#w = options.open(options.file, { readonly: false });
      try {
        applyPragmas(this.#w.db, options.durability, options.busyTimeoutMs ?? 250);
        migrate(this.#w.db, migrations, this.#now());
      } catch (err) {
        this.#w.close();
        throw err instanceof AppError ? err : storeError("open_failed", `cannot open store ${options.file}`, err);
      }
      this.#r = options.open(options.file, { readonly: true });
      this.#r.db.run(sql.raw("PRAGMA busy_timeout = 5000"));
    }
    this.admin = new SqlAdminStore(sqliteTimesheets(this.#w, this.#r), sqliteTransaction(this.#w.db));
    const w = this.#w;
    const tick = new TickCommit((statement) => w.exec(statement));
    this.commands = new SqlCommandStore({
      db: sqliteTimesheets(this.#w, this.#r),
      // The dispatcher must see its own transitions at once: read on the write connection.
      latest: sqliteTimesheets(this.#w, this.#w),
      tx: sqliteTransaction(this.#w.db),
      step: sqliteTransaction(this.#w.db, tick),
    });
    this.people = new SqlPeopleStore(sqliteTimesheets(this.#w, this.#r), sqlitePeople(this.#w.db, this.#r.db));
    this.exports = new SqlExportStore(sqliteTimesheets(this.#w, this.#r));
    this.webhooks = new SqlWebhookStore(sqliteTimesheets(this.#w, this.#r), { leases: null });
    this.hrDestinations = new SqlHrStore(sqliteTimesheets(this.#w, this.#r), { leases: null });
    this.importSources = new SqlImportSourceStore(sqliteTimesheets(this.#w, this.#r));
    this.timesheets = sqlTimesheetStore(sqliteTimesheets(this.#w, this.#r));
    // What terminals acknowledged holding follows each command's answer: in the commands' commit.
    this.access = sqlAccessStore(sqliteTimesheets(this.#w, this.#r, tick));
    this.#writes = new SqliteWritePath(this.#w);
  }

  async write(ops: WriteOp[]): Promise<OpResult[]> {
    const readOnly = this.readOnly;
    if (readOnly !== null) return ops.map(() => ({ ok: false, error: storeError("read_only", `store open read-only: ${readOnly}`) }));
    return this.#thread ? this.#thread.write(ops) : this.#writes.write(ops);
  }

  /**
   * The server's mode: from here on `write` runs on a thread with its own connection
   * (write-thread.ts), so commits neither block the event loop nor share its core.
   */
  async startWriteThread(): Promise<void> {
    this.#thread ??= await SqliteWriteThread.start({ file: this.#file, durability: this.#durability, busyTimeoutMs: WRITE_THREAD_BUSY_MS });
  }

  async getTerminal(sn: string) {
    return this.#r.db.select().from(terminals).where(eq(terminals.sn, sn)).all()[0] ?? null;
  }

  async listTerminals() {
    return this.#r.db.select().from(terminals).orderBy(terminals.sn).all();
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
    const rows = this.#r.db.select().from(terminals).where(and(...where)).orderBy(terminals.sn).limit(filter.limit + 1).all();
    return pageOf(rows, filter.limit, (r) => encodeCursor([r.sn]));
  }

  async terminalCounts() {
    return statusCounts(this.#r.db.select({ approval: terminals.approval, online: terminals.online, n: count() }).from(terminals).groupBy(terminals.approval, terminals.online).all());
  }

  async setApproval(sn: string, approval: Approval, at: number): Promise<TerminalRow | null> {
    const rows = this.#w.db
      .update(terminals)
      .set({ approval, ...(approval === "approved" ? {} : { online: false }), lastSeen: sql`max(${terminals.lastSeen}, ${at})` })
      .where(eq(terminals.sn, sn))
      .returning()
      .all();
    return rows[0] ?? null;
  }

  async acceptIdentity(sn: string): Promise<TerminalRow | null> {
    const rows = this.#w.db
      .update(terminals)
      .set({ cpusn: sql`${terminals.mismatchCpusn}`, mac: sql`${terminals.mismatchMac}`, mismatchCpusn: null, mismatchMac: null, mismatchAddr: null, mismatchAt: null })
      .where(and(eq(terminals.sn, sn), isNotNull(terminals.mismatchAt)))
      .returning()
      .all();
    return rows[0] ?? null;
  }

  async updateTerminal(sn: string, changes: TerminalChanges): Promise<TerminalRow | null> {
    if (Object.keys(changes).length === 0) return this.getTerminal(sn);
    return this.#w.db.update(terminals).set(changes).where(eq(terminals.sn, sn)).returning().all()[0] ?? null;
  }

  async markAllOffline() {
    this.#w.db.update(terminals).set({ online: false }).where(eq(terminals.online, true)).run();
  }

  async attendance(filter: PunchFilter): Promise<Page<typeof attendance.$inferSelect>> {
    if (filter.enrollids?.length === 0) return { items: [], next: null };
    const narrowing: SQL[] = [];
    if (filter.enrollid !== undefined) narrowing.push(eq(attendance.enrollid, filter.enrollid));
    if (filter.enrollids !== undefined) narrowing.push(inArray(attendance.enrollid, [...filter.enrollids]));
    // Refused punches are rare and have no index: walked in windows like in/out.
    return punchPage(this.#r.db, attendance, filter, narrowing, filter.refused ? [isNotNull(attendance.refused)] : []);
  }

  async doorEvents(filter: PunchFilter): Promise<Page<typeof doorEvents.$inferSelect>> {
    if (filter.events?.length === 0) return { items: [], next: null };
    return punchPage(this.#r.db, doorEvents, filter, [], filter.events === undefined ? [] : [inArray(doorEvents.event, [...filter.events])]);
  }

  async latestDoorEvents(sns: readonly string[]) {
    // One index walk (door_events_identity: sn, time, …) per terminal, newest first.
    return sns.flatMap((sn) => this.#r.db.select().from(doorEvents).where(eq(doorEvents.sn, sn)).orderBy(desc(doorEvents.time), desc(doorEvents.id)).limit(1).all());
  }

  async recentDoorEvents(from: string, events: readonly number[], limit: number) {
    if (events.length === 0) return [];
    return this.#r.db
      .select()
      .from(doorEvents)
      .where(and(gte(doorEvents.time, from), inArray(doorEvents.event, [...events])))
      .orderBy(desc(doorEvents.time), desc(doorEvents.id))
      .limit(limit)
      .all();
  }

  async quarantined(filter: { cursor?: string; limit: number }) {
    const where = filter.cursor === undefined ? undefined : lt(quarantine.id, decodeCursor(filter.cursor, ["number"])[0]);
    const rows = this.#r.db.select().from(quarantine).where(where).orderBy(desc(quarantine.id)).limit(filter.limit + 1).all();
    return pageOf(rows, filter.limit, (r) => encodeCursor([r.id]));
  }

  async getAttendance(id: number) {
    return this.#r.db.select().from(attendance).where(eq(attendance.id, id)).all()[0] ?? null;
  }

  async punchPhoto(attendanceId: number): Promise<PunchPhoto | null> {
    return this.#r.db.select().from(punchPhotos).where(eq(punchPhotos.attendanceId, attendanceId)).all()[0] ?? null;
  }

  async withPhotos(attendanceIds: readonly number[]) {
    const found = new Set<number>();
    // In slices, so a long list never meets the engine's limit on bound parameters.
    for (let i = 0; i < attendanceIds.length; i += PHOTO_ID_SLICE) {
      const slice = attendanceIds.slice(i, i + PHOTO_ID_SLICE);
      for (const r of this.#r.db.select({ id: punchPhotos.attendanceId }).from(punchPhotos).where(inArray(punchPhotos.attendanceId, slice)).all()) found.add(r.id);
    }
    return found;
  }

  async countAttendance(match: AttendanceMatch) {
    const where = attendanceWhere(attendance, match);
    if (where === null) return 0;
    return this.#r.db.select({ n: count() }).from(attendance).where(where).all()[0]?.n ?? 0;
  }

  async attendanceSlice(match: AttendanceMatch, order: AttendanceOrder, offset: number, limit: number) {
    const where = attendanceWhere(attendance, match);
    if (where === null) return [];
    return this.#r.db.select().from(attendance).where(where).orderBy(...attendanceOrder(attendance, order)).limit(limit).offset(offset).all();
  }

  async stats(): Promise<Stats> {
    const db = this.#r.db;
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
    return this.#r.db.select().from(people).where(eq(people.enrollid, enrollid)).all()[0] ?? null;
  }

  async credentialsOf(enrollid: number) {
    return this.#r.db
      .select({ backupnum: credentials.backupnum, data: credentials.data })
      .from(credentials)
      .where(eq(credentials.enrollid, enrollid))
      .orderBy(credentials.backupnum)
      .all();
  }

  async createToken(name: string, tokenHash: string, at: number, grant: TokenGrant = { scope: "admin", expiresAt: null }) {
    const row = this.#w.db.insert(apiTokens).values({ name, tokenHash, createdAt: at, scope: grant.scope, expiresAt: grant.expiresAt }).returning().all()[0];
    if (!row) throw storeError("insert_failed", "token was not stored");
    return row;
  }

  async useToken(tokenHash: string, at: number) {
    const row = this.#r.db
      .select()
      .from(apiTokens)
      .where(and(eq(apiTokens.tokenHash, tokenHash), isNull(apiTokens.revokedAt), or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, at))))
      .all()[0];
    if (!row) return null;
    // Recording every use would put a write on every API call; a minute's precision is plenty.
    if (this.readOnly === null && (row.lastUsedAt === null || at - row.lastUsedAt > 60_000)) {
      this.#w.db.update(apiTokens).set({ lastUsedAt: at }).where(eq(apiTokens.id, row.id)).run();
    }
    return row;
  }

  async listTokens() {
    return this.#r.db.select().from(apiTokens).orderBy(apiTokens.id).all();
  }

  async revokeToken(id: number, at: number) {
    const rows = this.#w.db
      .update(apiTokens)
      .set({ revokedAt: at })
      .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
      .returning({ id: apiTokens.id })
      .all();
    return rows.length > 0;
  }

  async audit(entry: AuditEntry) {
    this.#w.db
      .insert(auditLog)
      .values({
        at: entry.at,
        actor: entry.actor,
        action: entry.action,
        target: entry.target ?? null,
        details: entry.details === undefined ? null : JSON.stringify(entry.details),
        result: entry.result,
      })
      .run();
  }

  async auditLog(filter: AuditFilter) {
    const where: SQL[] = [];
    if (filter.actor !== undefined) where.push(eq(auditLog.actor, filter.actor));
    if (filter.action !== undefined) where.push(eq(auditLog.action, filter.action));
    if (filter.target !== undefined) where.push(eq(auditLog.target, filter.target));
    if (filter.cursor !== undefined) where.push(lt(auditLog.id, decodeCursor(filter.cursor, ["number"])[0]));
    const rows = this.#r.db.select().from(auditLog).where(and(...where)).orderBy(desc(auditLog.id)).limit(filter.limit + 1).all();
    return pageOf(rows, filter.limit, (r) => encodeCursor([r.id]));
  }

  async ping() {
    this.#r.db.all(sql`SELECT 1`);
  }

  /** Retention: at most `limit` rows of each kind older than the cutoffs, in one write transaction. */
  prune(cutoffs: PruneCutoffs, limit: number): PruneCounts {
    const db = this.#w.db;
    const changes = () => db.all<{ n: number }>(sql`SELECT changes() AS n`)[0]?.n ?? 0;
    const counts: PruneCounts = { photos: 0, quarantine: 0, attendance: 0, doorEvents: 0 };
    try {
      immediate(db, () => {
        if (cutoffs.photosBefore !== undefined) {
          db.run(sql`DELETE FROM punch_photos WHERE attendance_id IN
            (SELECT attendance_id FROM punch_photos WHERE received_at < ${cutoffs.photosBefore} LIMIT ${limit})`);
          counts.photos = changes();
        }
        if (cutoffs.quarantineBefore !== undefined) {
          db.run(sql`DELETE FROM quarantine WHERE id IN
            (SELECT id FROM quarantine WHERE received_at < ${cutoffs.quarantineBefore} LIMIT ${limit})`);
          counts.quarantine = changes();
        }
        const t = cutoffs.punchesBefore;
        const upTo = (bound: number | undefined) => (bound === undefined ? sql`` : sql` AND id <= ${bound}`);
        if (t !== undefined && cutoffs.attendanceUpTo !== 0) {
          const doomed = sql`SELECT id FROM attendance WHERE time < ${t}${upTo(cutoffs.attendanceUpTo)} ORDER BY time LIMIT ${limit}`;
          db.run(sql`DELETE FROM punch_photos WHERE attendance_id IN (${doomed})`);
          counts.photos += changes();
          db.run(sql`DELETE FROM attendance WHERE id IN (${doomed})`);
          counts.attendance = changes();
        }
        if (t !== undefined && cutoffs.doorEventsUpTo !== 0) {
          db.run(sql`DELETE FROM door_events WHERE id IN (SELECT id FROM door_events WHERE time < ${t}${upTo(cutoffs.doorEventsUpTo)} ORDER BY time LIMIT ${limit})`);
          counts.doorEvents = changes();
        }
      });
    } catch (err) {
      throw storeError("prune_failed", "retention could not delete old rows", err);
    }
    return counts;
  }

  /** Folds the WAL back into the database; TRUNCATE when idle so the -wal file shrinks. */
  checkpoint(mode: "PASSIVE" | "TRUNCATE") {
    this.#w.db.all(sql.raw(`PRAGMA wal_checkpoint(${mode})`));
  }

  /** Closes both connections at once; the write thread's (if any) closes on its thread. */
  close(): Promise<void> {
    const thread = this.#thread;
    this.#thread = null;
    this.#r.close();
    if (this.#w !== this.#r) this.#w.close();
    return thread ? thread.close() : Promise.resolve();
  }
}
