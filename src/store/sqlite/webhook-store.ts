import { and, asc, count, desc, eq, lt, sql, type SQL } from "drizzle-orm";
import type { Page } from "../contract.ts";
import { decodeCursor, encodeCursor, pageOf } from "../cursor.ts";
import { storeError } from "../errors.ts";
import type { BatchEnd, NewDeadLetter, NewWebhook, WebhookSettings, WebhookStore } from "../webhook-contract.ts";
import { type DeadLetterRow, webhookDeadLetters, webhooks } from "../schema.ts";
import type { SqliteDatabase } from "./driver.ts";

function columns(s: Partial<WebhookSettings & BatchEnd>) {
  const { terminals, eventTypes, ...rest } = s;
  return {
    ...rest,
    ...(terminals !== undefined ? { terminals: terminals === null ? null : JSON.stringify(terminals) } : {}),
    ...(eventTypes !== undefined ? { eventTypes: JSON.stringify(eventTypes) } : {}),
  };
}

/** Cursors only move forward: a late or repeated settlement never re-opens delivered records. */
const forward = (end: BatchEnd) => ({
  attendanceCursor: sql`max(${webhooks.attendanceCursor}, ${end.attendanceCursor})`,
  doorCursor: sql`max(${webhooks.doorCursor}, ${end.doorCursor})`,
});

/** `Store.webhooks` over SQLite: small direct writes on the store's write connection. */
export class SqliteWebhookStore implements WebhookStore {
  #w: SqliteDatabase;
  #r: SqliteDatabase;

  constructor(w: SqliteDatabase, r: SqliteDatabase) {
    this.#w = w;
    this.#r = r;
  }

  async create(w: NewWebhook) {
    const { at, ...rest } = w;
    const row = this.#w
      .insert(webhooks)
      .values({ ...columns(rest), eventTypes: JSON.stringify(rest.eventTypes), delivered: 0, attempts: 0, createdAt: at, updatedAt: at } as typeof webhooks.$inferInsert)
      .returning()
      .all()[0];
    if (!row) throw storeError("insert_failed", "webhook was not stored");
    return row;
  }

  async list() {
    return this.#r.select().from(webhooks).orderBy(asc(webhooks.id)).all();
  }

  async get(id: number) {
    return this.#r.select().from(webhooks).where(eq(webhooks.id, id)).all()[0] ?? null;
  }

  async update(id: number, changes: Partial<WebhookSettings & BatchEnd>, at: number) {
    return this.#w.update(webhooks).set({ ...columns(changes), updatedAt: at }).where(eq(webhooks.id, id)).returning().all()[0] ?? null;
  }

  async delete(id: number) {
    return this.#w.transaction(
      (tx) => {
        tx.delete(webhookDeadLetters).where(eq(webhookDeadLetters.webhookId, id)).run();
        return tx.delete(webhooks).where(eq(webhooks.id, id)).returning({ id: webhooks.id }).all().length > 0;
      },
      { behavior: "immediate" },
    );
  }

  async delivered(id: number, end: BatchEnd, n: number, at: number) {
    this.#w
      .update(webhooks)
      .set({ ...forward(end), ...(n > 0 ? { delivered: sql`${webhooks.delivered} + ${n}`, attempts: 0, lastSuccessAt: at } : {}) })
      .where(eq(webhooks.id, id))
      .run();
  }

  async failed(id: number, attempts: number, error: string, at: number) {
    this.#w.update(webhooks).set({ attempts, lastError: error, lastErrorAt: at }).where(eq(webhooks.id, id)).run();
  }

  async deadLetter(id: number, l: NewDeadLetter) {
    return this.#w.transaction(
      (tx) => {
        const row = tx
          .insert(webhookDeadLetters)
          .values({
            webhookId: id, batchId: l.batchId, records: l.records, recordCount: l.recordCount, attempts: l.attempts,
            lastError: l.error, status: "dead", createdAt: l.at, updatedAt: l.at,
          })
          .returning()
          .all()[0];
        if (!row) throw storeError("insert_failed", "dead letter was not stored");
        tx.update(webhooks).set({ ...forward(l), attempts: 0, lastError: l.error, lastErrorAt: l.at }).where(eq(webhooks.id, id)).run();
        return row;
      },
      { behavior: "immediate" },
    );
  }

  async deadLetters(id: number, filter: { status?: DeadLetterRow["status"]; cursor?: string; limit: number }): Promise<Page<DeadLetterRow>> {
    const where: SQL[] = [eq(webhookDeadLetters.webhookId, id)];
    if (filter.status !== undefined) where.push(eq(webhookDeadLetters.status, filter.status));
    if (filter.cursor !== undefined) where.push(lt(webhookDeadLetters.id, decodeCursor(filter.cursor, ["number"])[0]));
    const rows = this.#r
      .select()
      .from(webhookDeadLetters)
      .where(and(...where))
      .orderBy(desc(webhookDeadLetters.id))
      .limit(filter.limit + 1)
      .all();
    return pageOf(rows, filter.limit, (r) => encodeCursor([r.id]));
  }

  async getDeadLetter(webhookId: number, id: number) {
    return (
      this.#r
        .select()
        .from(webhookDeadLetters)
        .where(and(eq(webhookDeadLetters.webhookId, webhookId), eq(webhookDeadLetters.id, id)))
        .all()[0] ?? null
    );
  }

  async deadLetterCount(webhookId: number) {
    return (
      this.#r
        .select({ n: count() })
        .from(webhookDeadLetters)
        .where(and(eq(webhookDeadLetters.webhookId, webhookId), eq(webhookDeadLetters.status, "dead")))
        .all()[0]?.n ?? 0
    );
  }

  async settleDeadLetter(id: number, r: { status: DeadLetterRow["status"]; attempts: number; error: string; at: number }) {
    return (
      this.#w
        .update(webhookDeadLetters)
        .set({ status: r.status, attempts: r.attempts, lastError: r.error, updatedAt: r.at })
        .where(eq(webhookDeadLetters.id, id))
        .returning()
        .all()[0] ?? null
    );
  }
}
