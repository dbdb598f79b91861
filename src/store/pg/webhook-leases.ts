/** `Store.webhookLeases`: which cluster instance delivers each webhook destination (leases.ts). */
import { sql } from "drizzle-orm";
import type { OutboxSettlements, WebhookLeaseStore } from "../webhook-contract.ts";
import { type WebhookDialect, SqlWebhookStore } from "../webhook-store.ts";
import type { PgDb } from "./connect.ts";
import { PgLeases } from "./leases.ts";
import { pgTimesheets } from "./timesheet-sql.ts";

/** `Store.webhooks` on PostgreSQL: a destination's lease goes with it. */
export const pgWebhooks = (db: PgDb) => new SqlWebhookStore(pgTimesheets(db), { leases: sql.raw("webhook_leases") } satisfies WebhookDialect);

export class PgWebhookLeases implements WebhookLeaseStore {
  #leases: PgLeases;

  constructor(db: PgDb) {
    this.#leases = new PgLeases(db, { leases: "webhook_leases", key: "webhook_id", destinations: "webhooks", what: "webhook" });
  }

  claim(holder: string, ttlMs: number) {
    return this.#leases.claim(holder, ttlMs);
  }

  release(holder: string) {
    return this.#leases.release(holder);
  }

  holder(webhookId: number) {
    return this.#leases.holder(webhookId);
  }

  fenced(holder: string): OutboxSettlements {
    const held = <T>(id: number, settle: (webhooks: SqlWebhookStore) => Promise<T>) => this.#leases.held(id, holder, (tx) => settle(pgWebhooks(tx)));
    return {
      delivered: (id, end, count, at) => held(id, (w) => w.delivered(id, end, count, at)),
      failed: (id, attempts, error, at) => held(id, (w) => w.failed(id, attempts, error, at)),
      deadLetter: (id, letter) => held(id, (w) => w.deadLetter(id, letter)),
    };
  }
}
