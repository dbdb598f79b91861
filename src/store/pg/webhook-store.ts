import { and, asc, count, desc, eq, lt, sql, type SQL } from "drizzle-orm";
import type { Page } from "../contract.ts";
import { decodeCursor, encodeCursor, pageOf } from "../cursor.ts";
import { storeError } from "../errors.ts";
import type { DeadLetterRow } from "../schema.ts";
import type { BatchEnd, NewDeadLetter, NewWebhook, WebhookSettings, WebhookStore } from "../webhook-contract.ts";
import type { PgDb } from "./connect.ts";
import { webhookDeadLetters, webhookLeases, webhooks } from "./schema.ts";

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
  attendanceCursor: sql`GREATEST(${webhooks.attendanceCursor}, ${end.attendanceCursor}::bigint)`,
  doorCursor: sql`GREATEST(${webhooks.doorCursor}, ${end.doorCursor}::bigint)`,
});

/** `Store.webhooks` over PostgreSQL. */
export class PgWebhookStore implements WebhookStore {
  #db: PgDb;

  constructor(db: PgDb) {
    this.#db = db;
  }

  async create(w: NewWebhook) {
    const { at, ...rest } = w;
    const [row] = await this.#db
      .insert(webhooks)
      .values({ ...columns(rest), eventTypes: JSON.stringify(rest.eventTypes), delivered: 0, attempts: 0, createdAt: at, updatedAt: at } as typeof webhooks.$inferInsert)
      .returning();
    if (!row) throw storeError("insert_failed", "webhook was not stored");
    return row;
  }

  async list() {
    return this.#db.select().from(webhooks).orderBy(asc(webhooks.id));
  }

  async get(id: number) {
    const [row] = await this.#db.select().from(webhooks).where(eq(webhooks.id, id));
    return row ?? null;
  }

  async update(id: number, changes: Partial<WebhookSettings & BatchEnd>, at: number) {
    const [row] = await this.#db.update(webhooks).set({ ...columns(changes), updatedAt: at }).where(eq(webhooks.id, id)).returning();
    return row ?? null;
  }

  async delete(id: number) {
    return this.#db.transaction(async (tx) => {
      await tx.delete(webhookDeadLetters).where(eq(webhookDeadLetters.webhookId, id));
      await tx.delete(webhookLeases).where(eq(webhookLeases.webhookId, id));
      return (await tx.delete(webhooks).where(eq(webhooks.id, id)).returning({ id: webhooks.id })).length > 0;
    });
  }

  async delivered(id: number, end: BatchEnd, n: number, at: number) {
    await this.#db
      .update(webhooks)
      .set({ ...forward(end), ...(n > 0 ? { delivered: sql`${webhooks.delivered} + ${n}::bigint`, attempts: 0, lastSuccessAt: at } : {}) })
      .where(eq(webhooks.id, id));
  }

  async failed(id: number, attempts: number, error: string, at: number) {
    await this.#db.update(webhooks).set({ attempts, lastError: error, lastErrorAt: at }).where(eq(webhooks.id, id));
  }

  async deadLetter(id: number, l: NewDeadLetter) {
    return this.#db.transaction(async (tx) => {
      const [row] = await tx
        .insert(webhookDeadLetters)
        .values({
          webhookId: id, batchId: l.batchId, records: l.records, recordCount: l.recordCount, attempts: l.attempts,
          lastError: l.error, status: "dead", createdAt: l.at, updatedAt: l.at,
        })
        .returning();
      if (!row) throw storeError("insert_failed", "dead letter was not stored");
      await tx.update(webhooks).set({ ...forward(l), attempts: 0, lastError: l.error, lastErrorAt: l.at }).where(eq(webhooks.id, id));
      return row;
    });
  }

  async deadLetters(id: number, filter: { status?: DeadLetterRow["status"]; cursor?: string; limit: number }): Promise<Page<DeadLetterRow>> {
    const where: SQL[] = [eq(webhookDeadLetters.webhookId, id)];
    if (filter.status !== undefined) where.push(eq(webhookDeadLetters.status, filter.status));
    if (filter.cursor !== undefined) where.push(lt(webhookDeadLetters.id, decodeCursor(filter.cursor, ["number"])[0]));
    const rows = await this.#db
      .select()
      .from(webhookDeadLetters)
      .where(and(...where))
      .orderBy(desc(webhookDeadLetters.id))
      .limit(filter.limit + 1);
    return pageOf(rows, filter.limit, (r) => encodeCursor([r.id]));
  }

  async getDeadLetter(webhookId: number, id: number) {
    const [row] = await this.#db
      .select()
      .from(webhookDeadLetters)
      .where(and(eq(webhookDeadLetters.webhookId, webhookId), eq(webhookDeadLetters.id, id)));
    return row ?? null;
  }

  async deadLetterCount(webhookId: number) {
    const [row] = await this.#db
      .select({ n: count() })
      .from(webhookDeadLetters)
      .where(and(eq(webhookDeadLetters.webhookId, webhookId), eq(webhookDeadLetters.status, "dead")));
    return row?.n ?? 0;
  }

  async settleDeadLetter(id: number, r: { status: DeadLetterRow["status"]; attempts: number; error: string; at: number }) {
    const [row] = await this.#db
      .update(webhookDeadLetters)
      .set({ status: r.status, attempts: r.attempts, lastError: r.error, updatedAt: r.at })
      .where(eq(webhookDeadLetters.id, id))
      .returning();
    return row ?? null;
  }
}
