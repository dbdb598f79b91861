/**
 * Webhook destinations and their outboxes (`Store.webhooks`). The outbox of a destination is a
 * pair of cursors over the record tables' row ids: a record is pending while its id is past the
 * cursor, so nothing is copied at ingest and nothing is ever deleted because delivery failed.
 * A batch given up on is copied into the dead letters (as sent) before the cursors pass it.
 */
import type { Page } from "./types.ts";
import type { DeadLetterRow, WebhookRow } from "./schema.ts";

export type WebhookEventType = "attendance" | "door_event" | "alert";

export interface WebhookSettings {
  name: string;
  url: string;
  /** Header name and sealed value; both null for no auth header. */
  authHeader: string | null;
  authSealed: string | null;
  hmacSealed: string | null;
  /** Null: every terminal. */
  terminals: string[] | null;
  eventTypes: WebhookEventType[];
  enabled: boolean;
  batchSize: number;
  timeoutMs: number;
  /** Null: retry forever (order is kept); else the head batch becomes a dead letter after this many. */
  maxAttempts: number | null;
}

export interface NewWebhook extends WebhookSettings {
  attendanceCursor: number;
  doorCursor: number;
  at: number;
}

/** Where a batch ends in each stream: the outbox cursors move there once it is settled. */
export interface BatchEnd {
  attendanceCursor: number;
  doorCursor: number;
}

export interface NewDeadLetter extends BatchEnd {
  batchId: string;
  /** JSON array of the records exactly as sent. */
  records: string;
  recordCount: number;
  attempts: number;
  error: string;
  at: number;
}

export interface WebhookStore {
  create(webhook: NewWebhook): Promise<WebhookRow>;
  list(): Promise<WebhookRow[]>;
  get(id: number): Promise<WebhookRow | null>;
  /** Cursors may be set here too: a stream newly subscribed starts at its present end, not at creation. */
  update(id: number, changes: Partial<WebhookSettings & BatchEnd>, at: number): Promise<WebhookRow | null>;
  /** Removes the destination and its dead letters (an admin's decision, never a delivery failure's). */
  delete(id: number): Promise<boolean>;

  /**
   * The batch was accepted: cursors forward (never back), failure count reset. With `count` 0 the
   * cursors merely skip records that other destinations want (the last success stays as it was).
   */
  delivered(id: number, end: BatchEnd, count: number, at: number): Promise<void>;
  failed(id: number, attempts: number, error: string, at: number): Promise<void>;
  /** One transaction: the batch is kept as a dead letter and the cursors pass it. */
  deadLetter(id: number, letter: NewDeadLetter): Promise<DeadLetterRow>;

  deadLetters(id: number, filter: { status?: DeadLetterRow["status"]; cursor?: string; limit: number }): Promise<Page<DeadLetterRow>>;
  getDeadLetter(webhookId: number, id: number): Promise<DeadLetterRow | null>;
  /** Dead letters not (yet) delivered by a retry. */
  deadLetterCount(webhookId: number): Promise<number>;
  /** After a manual retry: delivered, or still dead with one more attempt and its error. */
  settleDeadLetter(id: number, result: { status: DeadLetterRow["status"]; attempts: number; error: string; at: number }): Promise<DeadLetterRow | null>;
}

/** What moves a destination's outbox forward: its delivering instance's settlements. */
export type OutboxSettlements = Pick<WebhookStore, "delivered" | "failed" | "deadLetter">;

/**
 * Cluster mode: which instance delivers a destination's outbox (PostgreSQL only; a single box
 * has one dispatcher). A lease runs on the database's clock, so the instances' clocks do not
 * matter; its holder renews it, and once it has expired (the holder died, froze or lost the
 * database) another instance may take it. Settlements go through `fenced(holder)` and apply only
 * while nobody else has taken the lease: an instance that lost it may send its batch once more
 * (at-least-once), but it never moves a cursor.
 */
export interface WebhookLeaseStore {
  /**
   * Takes or renews, for `holder` and `ttlMs` from now, the lease of every destination that is
   * free, expired or already its own; returns the ids it holds.
   */
  claim(holder: string, ttlMs: number): Promise<number[]>;
  /** Gives up every lease of `holder` (a clean stop: another instance takes over at once). */
  release(holder: string): Promise<void>;
  /** Who holds the destination's lease now (null: nobody, or it has expired). */
  holder(webhookId: number): Promise<string | null>;
  /** Settlements that fail with the store error "lease_lost" once another holder has taken the lease. */
  fenced(holder: string): OutboxSettlements;
}
