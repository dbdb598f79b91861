/**
 * The cluster's store: the Store contract over PostgreSQL, shared by every instance. `write`
 * is one transaction per group commit (write-path.ts); record identity is a unique index and
 * duplicates are skipped with ON CONFLICT DO NOTHING, so a batch resent to another instance
 * after a crash is stored once.
 */
import { PgHrLeases, pgHrDestinations } from "./hr-leases.ts";
import type { SqlHrStore } from "../hr-store.ts";
import { PgNotifierLease } from "./notifier-lease.ts";
import { and, eq, gt, isNotNull, isNull, or, sql } from "drizzle-orm";
import type { Approval, AuditEntry, OpResult, Store, TerminalChanges, TokenGrant, WriteOp } from "../contract.ts";
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
import { PgWebhookLeases, pgWebhooks } from "./webhook-leases.ts";
import type { SqlWebhookStore } from "../webhook-store.ts";
import { connectPg, type PgConnection, type PgDb } from "./connect.ts";
import { writeOps } from "./write-path.ts";
import { ensureSchema, migratePg } from "./migrate.ts";
import { pgMigrations } from "./migrations/index.ts";
import { PgReads } from "./reads.ts";
import { apiTokens, auditLog, terminals } from "./schema.ts";

export interface PgStoreOptions {
  url: string;
  /** The schema of the store's tables, created when missing; without it the URL's search_path decides. */
  schema?: string;
  poolSize?: number;
  now?: () => number;
}

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

  /** The pool closes in the background; a CLI command awaits it so that the process can exit. */
  close(): Promise<void> {
    return this.#c.close().catch(() => {});
  }
}
