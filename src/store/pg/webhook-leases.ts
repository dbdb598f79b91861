/**
 * `Store.webhookLeases`: which cluster instance delivers each webhook destination. Times are the
 * database's (statement_timestamp), never an instance's clock. A fenced settlement locks the lease
 * row for its transaction (FOR SHARE), so a claim by another instance waits for it to commit and
 * then sees the cursors it moved; a settlement after such a claim finds another holder and fails.
 */
import { and, eq, sql } from "drizzle-orm";
import { storeError } from "../errors.ts";
import type { OutboxSettlements, WebhookLeaseStore } from "../webhook-contract.ts";
import type { PgDb } from "./connect.ts";
import { webhookLeases } from "./schema.ts";
import { PgWebhookStore } from "./webhook-store.ts";

const NOW_MS = sql`(extract(epoch FROM statement_timestamp()) * 1000)::bigint`;

export class PgWebhookLeases implements WebhookLeaseStore {
  #db: PgDb;

  constructor(db: PgDb) {
    this.#db = db;
  }

  async claim(holder: string, ttlMs: number): Promise<number[]> {
    // In id order, so that instances claiming at once lock the rows in the same order.
    const rows = await this.#db.execute<{ id: string }>(sql`
      INSERT INTO webhook_leases (webhook_id, holder, expires_at)
      SELECT id, ${holder}, ${NOW_MS} + ${ttlMs}::bigint FROM webhooks ORDER BY id
      ON CONFLICT (webhook_id) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
        WHERE webhook_leases.holder = EXCLUDED.holder OR webhook_leases.expires_at <= ${NOW_MS}
      RETURNING webhook_id::text AS id`);
    return Array.from(rows, (r) => Number(r.id)).sort((a, b) => a - b);
  }

  async release(holder: string): Promise<void> {
    await this.#db.delete(webhookLeases).where(eq(webhookLeases.holder, holder));
  }

  async holder(webhookId: number): Promise<string | null> {
    const [row] = await this.#db
      .select({ holder: webhookLeases.holder })
      .from(webhookLeases)
      .where(and(eq(webhookLeases.webhookId, webhookId), sql`${webhookLeases.expiresAt} > ${NOW_MS}`));
    return row?.holder ?? null;
  }

  fenced(holder: string): OutboxSettlements {
    // The holder's own lease, even expired: until someone else claims it, nobody else delivers.
    const held = <T>(id: number, settle: (webhooks: PgWebhookStore) => Promise<T>) =>
      this.#db.transaction(async (tx) => {
        const [lease] = await tx
          .select({ holder: webhookLeases.holder })
          .from(webhookLeases)
          .where(and(eq(webhookLeases.webhookId, id), eq(webhookLeases.holder, holder)))
          .for("share");
        if (!lease) throw storeError("lease_lost", `another instance delivers webhook ${id} now`);
        return settle(new PgWebhookStore(tx));
      });
    return {
      delivered: (id, end, count, at) => held(id, (w) => w.delivered(id, end, count, at)),
      failed: (id, attempts, error, at) => held(id, (w) => w.failed(id, attempts, error, at)),
      deadLetter: (id, letter) => held(id, (w) => w.deadLetter(id, letter)),
    };
  }
}
