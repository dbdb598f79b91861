/**
 * The cluster's store: the Store contract over PostgreSQL, shared by every instance. `write`
 * is one transaction per group commit (write-path.ts); record identity is a unique index and
 * duplicates are skipped with ON CONFLICT DO NOTHING, so a batch resent to another instance
 * after a crash is stored once.
 */
import { PgHrLeases, pgHrDestinations } from "./hr-leases.ts";
import type { SqlHrStore } from "../hr-store.ts";
import { PgNotifierLease } from "./notifier-lease.ts";
import { sql } from "drizzle-orm";
import type { OpResult, Store, WriteOp } from "../contract.ts";
import { SqlAdminStore } from "../admin-store.ts";
import { type AuditWrites, auditWrites } from "../audit-writes.ts";
import { type TerminalWrites, terminalWrites } from "../terminal-writes.ts";
import { type TokenWrites, tokenWrites } from "../token-writes.ts";
import { pgTransaction } from "./sql-transaction.ts";
import { SqlCommandStore } from "../commands-store.ts";
import { sqlTimesheetStore } from "../timesheet-store.ts";
import { sqlAccessStore } from "../access-store.ts";
import { SqlExportStore } from "../export-store.ts";
import { SqlImportSourceStore } from "../import-source-store.ts";
import { pgTimesheets } from "./timesheet-sql.ts";
import { SqlPeopleStore } from "../people-store.ts";
import { PgWebhookLeases, pgWebhooks } from "./webhook-leases.ts";
import type { SqlWebhookStore } from "../webhook-store.ts";
import { connectPg, type PgConnection, type PgDb } from "./connect.ts";
import { writeOps } from "./write-path.ts";
import { ensureSchema, migratePg } from "./migrate.ts";
import { pgMigrations } from "./migrations/index.ts";
import { PgReads } from "./reads.ts";

export interface PgStoreOptions {
  url: string;
  /** The schema of the store's tables, created when missing; without it the URL's search_path decides. */
  schema?: string;
  poolSize?: number;
  now?: () => number;
}

/** The writes written once for both engines are the store's own methods (assigned in the constructor). */
export interface PgStore extends TerminalWrites, TokenWrites, AuditWrites {}

export class PgStore extends PgReads implements Store {
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
    super(connection.db);
    this.#c = connection;
    this.#db = connection.db;
    this.admin = new SqlAdminStore(pgTimesheets(this.#db), pgTransaction(this.#db));
    this.commands = new SqlCommandStore({ db: pgTimesheets(this.#db), latest: pgTimesheets(this.#db), tx: pgTransaction(this.#db), step: pgTransaction(this.#db) });
    this.people = new SqlPeopleStore(pgTimesheets(this.#db), pgTransaction(this.#db), { like: sql.raw("ILIKE") });
    this.exports = new SqlExportStore(pgTimesheets(this.#db));
    this.webhooks = pgWebhooks(this.#db);
    this.webhookLeases = new PgWebhookLeases(this.#db);
    this.hrDestinations = pgHrDestinations(this.#db);
    this.hrLeases = new PgHrLeases(this.#db);
    this.notifierLease = new PgNotifierLease(this.#db);
    this.importSources = new SqlImportSourceStore(pgTimesheets(this.#db));
    this.timesheets = sqlTimesheetStore(pgTimesheets(this.#db));
    this.access = sqlAccessStore(pgTimesheets(this.#db));
    const db = pgTimesheets(this.#db);
    Object.assign(this, terminalWrites(db), tokenWrites(db, { recordUse: true }), auditWrites(db));
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

  /** The pool closes in the background; a CLI command awaits it so that the process can exit. */
  close(): Promise<void> {
    return this.#c.close().catch(() => {});
  }
}
