import { and, eq, gt, isNotNull, isNull, or, sql } from "drizzle-orm";
import type { Approval, AuditEntry, OpResult, Store, TerminalChanges, TokenGrant, WriteOp } from "../contract.ts";
import { storeError } from "../errors.ts";
import { apiTokens, auditLog, type TerminalRow, terminals } from "../schema.ts";
import { SqlAdminStore } from "../admin-store.ts";
import { SqlCommandStore } from "../commands-store.ts";
import { SqlPeopleStore } from "../people-store.ts";
import { sqlTimesheetStore } from "../timesheet-store.ts";
import { sqlAccessStore } from "../access-store.ts";
import { SqlExportStore } from "../export-store.ts";
import { SqlImportSourceStore } from "../import-source-store.ts";
import { SqlWebhookStore } from "../webhook-store.ts";
import { SqlHrStore } from "../hr-store.ts";
import type { PruneCounts, PruneCutoffs } from "../prune.ts";
import { openConnections, type SqliteStoreOptions } from "./connections.ts";
import type { SqliteConnection } from "./driver.ts";
import type { Durability } from "./pragmas.ts";
import { SqliteReads } from "./reads.ts";
import { pruneRows } from "./retention.ts";
import { sqliteTransaction } from "./sql-transaction.ts";
import { TickCommit } from "./tick-commit.ts";
import { sqliteTimesheets } from "./timesheet-sql.ts";
import { SqliteWritePath } from "./write-path.ts";
import { SqliteWriteThread } from "./write-thread.ts";

/**
 * The write thread's commit waits this long for another connection (the store's own, a CLI
 * command) to finish a write; it blocks only that thread, not the event loop. Past it the commit
 * fails and terminals get result:false, so it stays well below their answer time-out.
 */
const WRITE_THREAD_BUSY_MS = 2000;

export type { Durability, SqliteStoreOptions };

/**
 * The single-box store: one write connection and one read connection on the same WAL file. In the
 * server, `write` (the group commit) moves to a write thread with a connection of its own, and the
 * store's write connection keeps the other writes (admin, commands, people, retention).
 */
export class SqliteStore extends SqliteReads implements Store {
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
  #writes: SqliteWritePath;
  #thread: SqliteWriteThread | null = null;
  #file: string;
  #durability: Durability;
  /** Why the store is read-only (options.readOnly), or null. */
  readonly readOnly: string | null;

  constructor(options: SqliteStoreOptions) {
    const { w, r } = openConnections(options);
    super(w, r);
    this.#w = w;
    this.#r = r;
    this.#file = options.file;
    this.#durability = options.durability;
    this.readOnly = options.readOnly ?? null;
    this.admin = new SqlAdminStore(sqliteTimesheets(this.#w, this.#r), sqliteTransaction(this.#w.db));
    const tick = new TickCommit((statement) => w.exec(statement));
    this.commands = new SqlCommandStore({
      db: sqliteTimesheets(this.#w, this.#r),
      // The dispatcher must see its own transitions at once: read on the write connection.
      latest: sqliteTimesheets(this.#w, this.#w),
      tx: sqliteTransaction(this.#w.db),
      step: sqliteTransaction(this.#w.db, tick),
    });
    this.people = new SqlPeopleStore(sqliteTimesheets(this.#w, this.#r), sqliteTransaction(this.#w.db), { like: sql.raw("LIKE") });
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

  /** Retention: at most `limit` rows of each kind older than the cutoffs, in one write transaction. */
  prune(cutoffs: PruneCutoffs, limit: number): PruneCounts {
    return pruneRows(this.#w.db, cutoffs, limit);
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
