/**
 * `Store.webhooks` for both engines, in SQL that SQLite and PostgreSQL read alike, run through each
 * engine's `SqlRunner`; cluster mode's leases (PostgreSQL) are pg/webhook-leases.ts, which runs
 * the settlements below inside its lease-holding transaction.
 */
import { type SQL, sql } from "drizzle-orm";
import { decodeCursor, encodeCursor, pageOf } from "./cursor.ts";
import { storeError } from "./errors.ts";
import { type DeadLetterRow, webhookDeadLetters, webhooks } from "./schema.ts";
import type { SqlRunner } from "./sql-runner.ts";
import { tableRows } from "./sql-rows.ts";
import type { Page } from "./types.ts";
import type { BatchEnd, NewDeadLetter, NewWebhook, WebhookSettings, WebhookStore } from "./webhook-contract.ts";

const hooks = tableRows(webhooks);
const letters = tableRows(webhookDeadLetters);

/** What only one engine has beside the shared tables. */
export interface WebhookDialect {
  /** Cluster mode's lease per destination (PostgreSQL's webhook_leases): removed with its destination. */
  leases: SQL | null;
}

function columns(s: Partial<WebhookSettings & BatchEnd>) {
  const { terminals, eventTypes, ...rest } = s;
  return {
    ...rest,
    ...(terminals !== undefined ? { terminals: terminals === null ? null : JSON.stringify(terminals) } : {}),
    ...(eventTypes !== undefined ? { eventTypes: JSON.stringify(eventTypes) } : {}),
  };
}

/** Cursors only move forward (CASE: SQLite's max(a, b) is PostgreSQL's GREATEST): a late or repeated settlement never re-opens delivered records. */
const forward = (end: BatchEnd) => sql`
  attendance_cursor = CASE WHEN attendance_cursor > ${end.attendanceCursor} THEN attendance_cursor ELSE ${end.attendanceCursor} END,
  door_cursor = CASE WHEN door_cursor > ${end.doorCursor} THEN door_cursor ELSE ${end.doorCursor} END`;

export class SqlWebhookStore implements WebhookStore {
  #db: SqlRunner;
  #dialect: WebhookDialect;

  constructor(db: SqlRunner, dialect: WebhookDialect) {
    this.#db = db;
    this.#dialect = dialect;
  }

  async create(w: NewWebhook) {
    const { at, ...rest } = w;
    const values = { ...columns(rest), delivered: 0, attempts: 0, createdAt: at, updatedAt: at };
    const [row] = await this.#db.write(sql`INSERT INTO webhooks ${hooks.insert(values)} RETURNING ${hooks.columns}`);
    if (!row) throw storeError("insert_failed", "webhook was not stored");
    return hooks.read(row);
  }

  async list() {
    return (await this.#db.read(sql`SELECT ${hooks.columns} FROM webhooks ORDER BY id`)).map(hooks.read);
  }

  async get(id: number) {
    const [row] = await this.#db.read(sql`SELECT ${hooks.columns} FROM webhooks WHERE id = ${id}`);
    return row ? hooks.read(row) : null;
  }

  async update(id: number, changes: Partial<WebhookSettings & BatchEnd>, at: number) {
    const [row] = await this.#db.write(sql`UPDATE webhooks SET ${hooks.set({ ...columns(changes), updatedAt: at })} WHERE id = ${id} RETURNING ${hooks.columns}`);
    return row ? hooks.read(row) : null;
  }

  async delete(id: number) {
    const leases = this.#dialect.leases;
    const removed = await this.#db.transaction([
      sql`DELETE FROM webhook_dead_letters WHERE webhook_id = ${id} RETURNING id`,
      ...(leases ? [sql`DELETE FROM ${leases} WHERE webhook_id = ${id} RETURNING webhook_id`] : []),
      sql`DELETE FROM webhooks WHERE id = ${id} RETURNING id`,
    ]);
    return (removed.at(-1) ?? []).length > 0;
  }

  async delivered(id: number, end: BatchEnd, n: number, at: number) {
    const counted = n > 0 ? sql`, delivered = delivered + ${n}, attempts = 0, last_success_at = ${at}` : sql``;
    await this.#db.write(sql`UPDATE webhooks SET ${forward(end)}${counted} WHERE id = ${id} RETURNING id`);
  }

  async failed(id: number, attempts: number, error: string, at: number) {
    await this.#db.write(sql`UPDATE webhooks SET ${hooks.set({ attempts, lastError: error, lastErrorAt: at })} WHERE id = ${id} RETURNING id`);
  }

  async deadLetter(id: number, l: NewDeadLetter) {
    const letter = {
      webhookId: id, batchId: l.batchId, records: l.records, recordCount: l.recordCount, attempts: l.attempts,
      lastError: l.error, status: "dead" as const, createdAt: l.at, updatedAt: l.at,
    };
    const [[row] = []] = await this.#db.transaction([
      sql`INSERT INTO webhook_dead_letters ${letters.insert(letter)} RETURNING ${letters.columns}`,
      sql`UPDATE webhooks SET ${forward(l)}, ${hooks.set({ attempts: 0, lastError: l.error, lastErrorAt: l.at })} WHERE id = ${id} RETURNING id`,
    ]);
    if (!row) throw storeError("insert_failed", "dead letter was not stored");
    return letters.read(row);
  }

  async deadLetters(id: number, filter: { status?: DeadLetterRow["status"]; cursor?: string; limit: number }): Promise<Page<DeadLetterRow>> {
    const where: SQL[] = [sql`webhook_id = ${id}`];
    if (filter.status !== undefined) where.push(sql`status = ${filter.status}`);
    if (filter.cursor !== undefined) where.push(sql`id < ${decodeCursor(filter.cursor, ["number"])[0]}`);
    const rows = await this.#db.read(sql`SELECT ${letters.columns} FROM webhook_dead_letters WHERE ${sql.join(where, sql` AND `)} ORDER BY id DESC LIMIT ${filter.limit + 1}`);
    return pageOf(rows.map(letters.read), filter.limit, (r) => encodeCursor([r.id]));
  }

  async getDeadLetter(webhookId: number, id: number) {
    const [row] = await this.#db.read(sql`SELECT ${letters.columns} FROM webhook_dead_letters WHERE webhook_id = ${webhookId} AND id = ${id}`);
    return row ? letters.read(row) : null;
  }

  async deadLetterCount(webhookId: number) {
    const [row] = await this.#db.read(sql`SELECT count(*) AS n FROM webhook_dead_letters WHERE webhook_id = ${webhookId} AND status = 'dead'`);
    return Number(row?.n ?? 0);
  }

  async settleDeadLetter(id: number, r: { status: DeadLetterRow["status"]; attempts: number; error: string; at: number }) {
    const set = letters.set({ status: r.status, attempts: r.attempts, lastError: r.error, updatedAt: r.at });
    const [row] = await this.#db.write(sql`UPDATE webhook_dead_letters SET ${set} WHERE id = ${id} RETURNING ${letters.columns}`);
    return row ? letters.read(row) : null;
  }
}
