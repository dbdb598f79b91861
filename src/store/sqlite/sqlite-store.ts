import { sql } from "drizzle-orm";
import type { OpResult, Store, WriteOp } from "../contract.ts";
import { storeError } from "../errors.ts";
import { SqlAdminStore } from "../admin-store.ts";
import { type AuditWrites, auditWrites } from "../audit-writes.ts";
import { type TerminalWrites, terminalWrites } from "../terminal-writes.ts";
import { type TokenWrites, tokenWrites } from "../token-writes.ts";
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

/** The writes written once for both engines are the store's own methods (assigned in the constructor). */
export interface SqliteStore extends TerminalWrites, TokenWrites, AuditWrites {}

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
    const db = sqliteTimesheets(this.#w, this.#r);
    Object.assign(this, terminalWrites(db), tokenWrites(db, { recordUse: this.readOnly === null }), auditWrites(db));
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
