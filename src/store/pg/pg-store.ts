/**
 * The cluster's store: the Store contract over PostgreSQL, shared by every instance. `write`
 * is one transaction per group commit with a savepoint per op, like SQLite's; record identity
 * is a unique index and duplicates are skipped with ON CONFLICT DO NOTHING, so a batch resent to
 * another instance after a crash is stored once.
 */
import { and, count, desc, eq, gte, isNull, lt, or, sql, type SQL } from "drizzle-orm";
import type {
  Approval,
  AuditEntry,
  AuditFilter,
  OpResult,
  Page,
  Punch,
  PunchFilter,
  Stats,
  Store,
  TerminalChanges,
  WriteOp,
} from "../contract.ts";
import { decodeCursor, encodeCursor, pageOf } from "../cursor.ts";
import { StoreError } from "../errors.ts";
import type { TerminalRow } from "../schema.ts";
import { devinfoColumns } from "../devinfo-columns.ts";
import { PgAdminStore } from "./admin-store.ts";
import { PgCommandStore } from "./commands-store.ts";
import { PgExportStore } from "./export-store.ts";
import { PgImportSourceStore } from "./import-source-store.ts";
import { PgPeopleStore } from "./people-store.ts";
import { PgWebhookLeases } from "./webhook-leases.ts";
import { PgWebhookStore } from "./webhook-store.ts";
import { connectPg, type PgConnection, type PgDb } from "./connect.ts";
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
  terminalClock,
  terminals,
} from "./schema.ts";

export interface PgStoreOptions {
  url: string;
  /** The schema of the store's tables, created when missing; without it the URL's search_path decides. */
  schema?: string;
  poolSize?: number;
  now?: () => number;
}

/**
 * Record ids in commit order. The live feed, the webhook outboxes and the exporter read "rows
 * after id X" and move X to the last id they saw. A sequence alone does not make that safe with
 * several instances: a transaction that took id 11 may commit after one that took id 12, and a
 * reader that saw 12 in between would never come back for 11. So every transaction that inserts
 * attendance or door events takes this lock before its first insert and holds it to its commit:
 * ids are handed out one transaction at a time, and PostgreSQL makes a commit visible before it
 * releases the transaction's locks, so whoever sees id 12 also sees every committed id below it.
 * (The alternative, filtering readers by pg_snapshot_xmin, needs (xid, id) cursors everywhere.)
 * The cost: record-inserting commits of the whole cluster are serialised, one group commit at a
 * time, as on a single box; group commit keeps each of them large.
 */
const RECORDS_LOCK = sql`SELECT pg_advisory_xact_lock(hashtext('tm20-records:' || current_schema()))`;

const insertsRecords = (op: WriteOp) => op.type === "punches" && op.punches.length > 0;

/** PostgreSQL allows 65,535 parameters per statement; rows go in chunks well below that. */
const CHUNK_ROWS = 1000;

const ok = (inserted = 0, duplicates = 0, quarantined = 0): Extract<OpResult, { ok: true }> => ({ ok: true, inserted, duplicates, quarantined });

function chunks<T>(items: T[], size = CHUNK_ROWS): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const identityOf = (p: { enrollid: number; time: string; mode: number; inout: number; event: number }) =>
  `${p.enrollid}|${p.time}|${p.mode}|${p.inout}|${p.event}`;

export class PgStore implements Store {
  readonly admin: PgAdminStore;
  readonly commands: PgCommandStore;
  readonly people: PgPeopleStore;
  readonly exports: PgExportStore;
  readonly webhooks: PgWebhookStore;
  /** Which instance delivers each webhook destination (a cluster has no other dispatcher). */
  readonly webhookLeases: PgWebhookLeases;
  readonly importSources: PgImportSourceStore;
  #c: PgConnection;
  #db: PgDb;

  private constructor(connection: PgConnection) {
    this.#c = connection;
    this.#db = connection.db;
    this.admin = new PgAdminStore(this.#db);
    this.commands = new PgCommandStore(this.#db);
    this.people = new PgPeopleStore(this.#db);
    this.exports = new PgExportStore(this.#db);
    this.webhooks = new PgWebhookStore(this.#db);
    this.webhookLeases = new PgWebhookLeases(this.#db);
    this.importSources = new PgImportSourceStore(this.#db);
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

  async write(ops: WriteOp[]): Promise<OpResult[]> {
    try {
      return await this.#db.transaction(async (tx) => {
        const results: OpResult[] = [];
        let locked = false;
        for (const op of ops) {
          // Just before the first record insert, and outside the savepoints (a lock taken inside
          // one would go with its rollback): ops before it do not make other instances wait.
          if (!locked && insertsRecords(op)) {
            await tx.execute(RECORDS_LOCK);
            locked = true;
          }
          try {
            // A nested transaction is a savepoint: one bad op rolls back alone.
            results.push(await tx.transaction((sp) => this.#apply(sp, op)));
          } catch (err) {
            results.push({ ok: false, error: err instanceof Error ? err : new Error(String(err)) });
          }
        }
        return results;
      });
    } catch (err) {
      throw new StoreError("commit_failed", "the transaction could not be committed", err);
    }
  }

  async #apply(db: PgDb, op: WriteOp): Promise<OpResult> {
    switch (op.type) {
      case "punches": {
        await this.#insertQuarantine(db, op.sn, op.at, op.quarantine);
        const people = op.punches.filter((p) => p.enrollid !== 0);
        const doors = op.punches.filter((p) => p.enrollid === 0);
        let inserted = 0;
        for (const part of chunks(people)) inserted += await this.#insertAttendance(db, op.sn, op.at, part);
        for (const part of chunks(doors)) {
          const rows = await db
            .insert(doorEvents)
            .values(part.map((r) => ({ sn: op.sn, time: r.time, ts: r.ts, mode: r.mode, inout: r.inout, event: r.event, receivedAt: op.at })))
            .onConflictDoNothing()
            .returning({ id: doorEvents.id });
          inserted += rows.length;
        }
        return ok(inserted, op.punches.length - inserted, op.quarantine.length);
      }
      case "terminal-seen": {
        const info = op.devinfo ? devinfoColumns(op.devinfo) : {};
        const [existing] = await db
          .select({ approval: terminals.approval, nosenduser: terminals.nosenduser })
          .from(terminals)
          .where(eq(terminals.sn, op.sn));
        const approval: Approval = existing?.approval ?? op.approvalIfNew;
        const online = op.online && approval === "approved";
        await db
          .insert(terminals)
          .values({
            sn: op.sn, approval, online, firstSeen: op.at, lastSeen: op.at, remoteAddr: op.remoteAddr,
            cpusn: op.cpusn, nosenduser: false, sessionId: online ? op.sessionId : null, ...info,
          })
          .onConflictDoUpdate({
            target: terminals.sn,
            set: {
              lastSeen: op.at, remoteAddr: op.remoteAddr, ...(op.cpusn ? { cpusn: op.cpusn } : {}), ...info,
              // A refused registration must not take the connected state away from a live session.
              ...(online ? { online, sessionId: op.sessionId } : {}),
            },
          });
        return { ...ok(existing ? 0 : 1), approval, nosenduser: existing?.nosenduser ?? false };
      }
      case "terminals-last-seen": {
        for (const part of chunks(op.entries)) {
          const values = sql.join(part.map((e) => sql`(${e.sn}::text, ${e.at}::bigint)`), sql`, `);
          await db.execute(sql`
            UPDATE terminals SET last_seen = GREATEST(terminals.last_seen, v.at)
            FROM (VALUES ${values}) AS v(sn, at) WHERE terminals.sn = v.sn`);
        }
        return ok();
      }
      case "terminal-offline": {
        await db
          .update(terminals)
          .set({ online: false, lastSeen: op.at })
          .where(and(eq(terminals.sn, op.sn), eq(terminals.sessionId, op.sessionId)));
        return ok();
      }
      case "credential": {
        await db
          .insert(people)
          .values({ enrollid: op.enrollid, name: op.name ?? "", admin: op.admin, enabled: true, createdAt: op.at, updatedAt: op.at })
          .onConflictDoUpdate({
            target: people.enrollid,
            set: { admin: op.admin, updatedAt: op.at, ...(op.name ? { name: op.name } : {}) },
          });
        await db
          .insert(credentials)
          .values({ enrollid: op.enrollid, backupnum: op.backupnum, data: op.data, sourceSn: op.sn, updatedAt: op.at })
          .onConflictDoUpdate({
            target: [credentials.enrollid, credentials.backupnum],
            set: { data: op.data, sourceSn: op.sn, updatedAt: op.at },
          });
        return ok(1);
      }
      case "quarantine": {
        await this.#insertQuarantine(db, op.sn, op.at, op.entries);
        return ok(0, 0, op.entries.length);
      }
      case "terminal-clock": {
        const { sn, at, driftSeconds, corrected } = op;
        await db
          .insert(terminalClock)
          .values({ sn, driftSeconds, checkedAt: at, correctedAt: corrected ? at : null })
          .onConflictDoUpdate({ target: terminalClock.sn, set: { driftSeconds, checkedAt: at, ...(corrected ? { correctedAt: at } : {}) } });
        return ok();
      }
    }
  }

  /** Inserts new attendance rows (and the photos of those); returns how many were new. */
  async #insertAttendance(db: PgDb, sn: string, at: number, punches: Punch[]): Promise<number> {
    if (punches.length === 0) return 0;
    const rows = await db
      .insert(attendance)
      .values(
        punches.map((r) => ({
          sn, enrollid: r.enrollid, time: r.time, ts: r.ts, mode: r.mode, inout: r.inout, event: r.event,
          verifymode: r.verifymode ?? null, temp: r.temp ?? null, receivedAt: at,
        })),
      )
      .onConflictDoNothing()
      .returning({ id: attendance.id, enrollid: attendance.enrollid, time: attendance.time, mode: attendance.mode, inout: attendance.inout, event: attendance.event });
    const images = new Map(punches.filter((p) => p.image).map((p) => [identityOf(p), p.image as string]));
    const photos = images.size === 0 ? [] : rows.flatMap((r) => {
      const data = images.get(identityOf(r));
      return data ? [{ attendanceId: r.id, data, receivedAt: at }] : [];
    });
    if (photos.length > 0) await db.insert(punchPhotos).values(photos).onConflictDoNothing();
    return rows.length;
  }

  async #insertQuarantine(db: PgDb, sn: string | null, at: number, entries: Array<{ kind: string; raw: string; reason: string }>) {
    for (const part of chunks(entries)) {
      await db.insert(quarantine).values(part.map((q) => ({ sn, kind: q.kind, raw: q.raw, reason: q.reason, receivedAt: at })));
    }
  }

  async getTerminal(sn: string): Promise<TerminalRow | null> {
    const [row] = await this.#db.select().from(terminals).where(eq(terminals.sn, sn));
    return row ?? null;
  }

  async listTerminals(): Promise<TerminalRow[]> {
    return this.#db.select().from(terminals).orderBy(terminals.sn);
  }

  async setApproval(sn: string, approval: Approval, at: number): Promise<TerminalRow | null> {
    const [row] = await this.#db
      .update(terminals)
      .set({ approval, ...(approval === "approved" ? {} : { online: false }), lastSeen: sql`GREATEST(${terminals.lastSeen}, ${at}::bigint)` })
      .where(eq(terminals.sn, sn))
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
    const where = punchWhere(attendance, filter);
    if (filter.enrollid !== undefined) where.push(eq(attendance.enrollid, filter.enrollid));
    const rows = await this.#db
      .select()
      .from(attendance)
      .where(and(...where))
      .orderBy(desc(attendance.time), desc(attendance.id))
      .limit(filter.limit + 1);
    return pageOf(rows, filter.limit, (r) => encodeCursor([r.time, r.id]));
  }

  async doorEvents(filter: PunchFilter): Promise<Page<typeof doorEvents.$inferSelect>> {
    const rows = await this.#db
      .select()
      .from(doorEvents)
      .where(and(...punchWhere(doorEvents, filter)))
      .orderBy(desc(doorEvents.time), desc(doorEvents.id))
      .limit(filter.limit + 1);
    return pageOf(rows, filter.limit, (r) => encodeCursor([r.time, r.id]));
  }

  async quarantined(filter: { cursor?: string; limit: number }) {
    const where = filter.cursor === undefined ? undefined : lt(quarantine.id, decodeCursor(filter.cursor, ["number"])[0]);
    const rows = await this.#db.select().from(quarantine).where(where).orderBy(desc(quarantine.id)).limit(filter.limit + 1);
    return pageOf(rows, filter.limit, (r) => encodeCursor([r.id]));
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

  async personForCode(code: string) {
    const byId = /^\d{1,15}$/.test(code) ? eq(people.enrollid, Number(code)) : undefined;
    const byExternal = eq(people.externalId, code);
    const [row] = await this.#db.select().from(people).where(byId ? or(byId, byExternal) : byExternal).limit(1);
    return row ?? null;
  }

  async credentialsOf(enrollid: number) {
    return this.#db
      .select({ backupnum: credentials.backupnum, data: credentials.data })
      .from(credentials)
      .where(eq(credentials.enrollid, enrollid))
      .orderBy(credentials.backupnum);
  }

  async createToken(name: string, tokenHash: string, at: number) {
    const [row] = await this.#db.insert(apiTokens).values({ name, tokenHash, createdAt: at }).returning();
    if (!row) throw new StoreError("insert_failed", "token was not stored");
    return row;
  }

  async useToken(tokenHash: string, at: number) {
    const [row] = await this.#db
      .select()
      .from(apiTokens)
      .where(and(eq(apiTokens.tokenHash, tokenHash), isNull(apiTokens.revokedAt)));
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
