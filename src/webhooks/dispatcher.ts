/**
 * Delivers every destination's outbox: one batch in flight per destination, the next only after
 * the previous one was accepted (or given up on as a dead letter), so order holds per
 * destination. A failed batch is retried as the same batch (same records, same batch id) after
 * an exponential back-off with jitter. Cursors move only after a settled outcome is committed, so
 * a crash re-sends at most the batch in flight: at-least-once.
 *
 * The lanes' life (one run at a time, back-off timer, leases in a cluster, changes read from the
 * store) is lanes.ts, shared with the HR destinations; here is what a webhook run does. In a
 * cluster its settlements are fenced, so an instance that lost the lease never moves a cursor.
 */
import type { Logger } from "pino";
import type { SecretBox } from "../auth/secret-box.ts";
import type { OutboundStore } from "../store/export-contract.ts";
import type { DeadLetterRow, WebhookRow } from "../store/schema.ts";
import type { OutboxSettlements, WebhookLeaseStore } from "../store/webhook-contract.ts";
import { type DeliveryResult, deliver } from "./delivery.ts";
import type { Lane } from "./lane-kind.ts";
import { OutboxLanes } from "./lanes.ts";
import { LaneDispatcher } from "./lane-dispatcher.ts";
import { type Batch, backlogOf, nextBatch } from "./outbox.ts";
import { batchIdOf, signatureOf, type WebhookBody, type WebhookRecord } from "./payload.ts";
import { parseWebhook, type Webhook, type WebhookState } from "./settings.ts";

export interface DispatcherOptions {
  store: OutboundStore;
  secrets: SecretBox;
  log: Logger;
  version: string;
  now?: () => number;
  /** Look for new records this often even without a commit event. */
  pollMs?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Cluster mode: deliver only the destinations whose lease this instance holds. */
  cluster?: { leases: WebhookLeaseStore; instance: string; leaseMs: number };
}

interface WebhookLane extends Lane<Webhook> {
  /** The batch being delivered; kept as is across retries. */
  head: { batch: Batch; batchId: string } | null;
}

const short = (text: string) => (text.length > 500 ? `${text.slice(0, 500)}…` : text);

export class WebhookDispatcher extends LaneDispatcher<Webhook, WebhookRow, WebhookLane> {
  #o: Required<Omit<DispatcherOptions, "store" | "secrets" | "log" | "version" | "cluster">> & DispatcherOptions;
  protected readonly lanes: OutboxLanes<Webhook, WebhookRow, WebhookLane>;
  #settle: OutboxSettlements;

  constructor(options: DispatcherOptions) {
    super();
    this.#o = { now: Date.now, pollMs: 2_000, retryBaseMs: 1_000, retryMaxMs: 300_000, ...options };
    const cluster = options.cluster;
    this.#settle = cluster ? cluster.leases.fenced(cluster.instance) : options.store.webhooks;
    const webhooks = options.store.webhooks;
    this.lanes = new OutboxLanes<Webhook, WebhookRow, WebhookLane>(
      {
        what: "webhook",
        label: "webhook",
        logKey: "webhook",
        list: () => webhooks.list(),
        get: (id) => webhooks.get(id),
        parse: parseWebhook,
        lane: (base) => ({ ...base, head: null }),
        changed: (lane, webhook, fresh) => {
          const before = lane.dest;
          // Cursors never go back: a row read before our own settlement committed may show older ones.
          lane.dest = {
            ...webhook,
            attendanceCursor: Math.max(before.attendanceCursor, webhook.attendanceCursor),
            doorCursor: Math.max(before.doorCursor, webhook.doorCursor),
          };
          // A batch formed under other filters or size is not the outbox's head any more.
          const reshaped =
            before.batchSize !== webhook.batchSize ||
            JSON.stringify([before.terminals, before.eventTypes]) !== JSON.stringify([webhook.terminals, webhook.eventTypes]);
          if (reshaped || fresh) lane.head = null;
        },
        // Settings changed (a fixed URL or token, say): try now rather than at the end of the back-off.
        retryNow: (_, webhook, fresh) => webhook.enabled || fresh,
        run: (lane, signal, live) => this.#run(lane, signal, live),
        lost: (lane) => {
          lane.head = null;
        },
      },
      { log: options.log, now: this.#o.now, pollMs: this.#o.pollMs, retryBaseMs: this.#o.retryBaseMs, retryMaxMs: this.#o.retryMaxMs, ...(cluster ? { cluster } : {}) },
    );
  }

  async state(webhook: Webhook): Promise<WebhookState> {
    const lane = await this.laneState(webhook.id);
    return {
      backlog: await backlogOf(this.#o.store.exports, webhook),
      dead_letters: await this.#o.store.webhooks.deadLetterCount(webhook.id),
      next_attempt_at: lane.nextAttemptAt,
      in_flight: lane.inFlight,
      instance: lane.instance,
    };
  }

  /** Sends a dead letter once more, now; it stays dead (one more attempt counted) if that fails. */
  async retryDeadLetter(letter: DeadLetterRow): Promise<{ letter: DeadLetterRow; result: DeliveryResult }> {
    const row = await this.#o.store.webhooks.get(letter.webhookId);
    if (!row) throw new Error("the webhook of this dead letter is gone");
    const webhook = parseWebhook(row);
    const records = JSON.parse(letter.records) as WebhookRecord[];
    const result = await this.#post(webhook, letter.batchId, records, letter.attempts + 1, this.stopping.signal);
    const at = this.#o.now();
    const settled = await this.#o.store.webhooks.settleDeadLetter(letter.id, {
      status: result.ok ? "delivered" : "dead",
      attempts: letter.attempts + 1,
      error: result.ok ? letter.lastError : result.error,
      at,
    });
    this.#o.log.info({ webhook: webhook.id, deadLetter: letter.id, ok: result.ok }, "dead letter retried");
    return { letter: settled ?? letter, result };
  }

  /** `signal` is this run's: once it is aborted (lease lost, destination deleted, server stopping) nothing more is changed. */
  async #run(lane: WebhookLane, signal: AbortSignal, live: () => boolean) {
    const { store, log } = this.#o;
    const settle = this.#settle;
    const id = lane.dest.id;
    while (live()) {
      const w = lane.dest;
      if (!lane.head) {
        const { batch, skipTo } = await nextBatch(store.exports, w);
        if (!live()) return;
        if (skipTo) {
          await settle.delivered(id, skipTo, 0, this.#o.now());
          if (signal.aborted) return;
          this.#advance(lane, skipTo);
        }
        if (!batch) return;
        lane.head = { batch, batchId: batchIdOf(id, batch.records) };
      }
      const { batch, batchId } = lane.head;
      const result = await this.#post(w, batchId, batch.records, lane.attempts + 1, signal);
      if (signal.aborted || this.lanes.stopped) return;
      const at = this.#o.now();
      if (result.ok) {
        await settle.delivered(id, batch.end, batch.records.length, at);
        if (signal.aborted) return;
        lane.dest = { ...lane.dest, delivered: lane.dest.delivered + batch.records.length, lastSuccessAt: at, attempts: 0 };
        this.#advance(lane, batch.end);
        continue;
      }
      const attempts = lane.attempts + 1;
      const error = short(result.error);
      if (!result.retryable || (w.maxAttempts !== null && attempts >= w.maxAttempts)) {
        const letter = await settle.deadLetter(id, {
          batchId, records: JSON.stringify(batch.records), recordCount: batch.records.length, attempts, error, at, ...batch.end,
        });
        log.warn({ webhook: id, deadLetter: letter.id, records: batch.records.length, error }, "webhook batch given up: kept as a dead letter");
        if (signal.aborted) return;
        lane.dest = { ...lane.dest, lastError: error, lastErrorAt: at, attempts: 0 };
        this.#advance(lane, batch.end);
        continue;
      }
      await settle.failed(id, attempts, error, at);
      if (signal.aborted) return;
      lane.attempts = attempts;
      lane.dest = { ...lane.dest, lastError: error, lastErrorAt: at, attempts };
      if (attempts === 1) log.warn({ webhook: id, error }, "webhook delivery failing; retrying with back-off");
      this.lanes.retryLater(lane, attempts, at);
      return;
    }
  }

  #advance(lane: WebhookLane, end: Batch["end"]) {
    lane.head = null;
    lane.attempts = 0;
    lane.dest = {
      ...lane.dest,
      attendanceCursor: Math.max(lane.dest.attendanceCursor, end.attendanceCursor),
      doorCursor: Math.max(lane.dest.doorCursor, end.doorCursor),
    };
  }

  #post(w: Webhook, batchId: string, records: WebhookRecord[], attempt: number, signal: AbortSignal): Promise<DeliveryResult> {
    const body: WebhookBody = { batch_id: batchId, webhook: { id: w.id, name: w.name }, records };
    return this.#send(w, JSON.stringify(body), { "x-tm20-batch-id": batchId, "x-tm20-attempt": String(attempt) }, signal);
  }

  /**
   * Sends one event that is not a record batch (the notifier's `alert`) to a destination now, with
   * its auth header and signature like every batch; the caller retries.
   */
  sendEvent(w: Webhook, event: "alert", id: string, body: object): Promise<DeliveryResult> {
    return this.#send(w, JSON.stringify(body), { "x-tm20-event": event, "x-tm20-event-id": id }, this.stopping.signal);
  }

  #send(w: Webhook, text: string, extra: Record<string, string>, signal: AbortSignal): Promise<DeliveryResult> {
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "user-agent": `tm20-server/${this.#o.version}`,
      ...extra,
    };
    try {
      if (w.authHeader && w.authSealed) headers[w.authHeader.toLowerCase()] = this.#o.secrets.open(w.authSealed);
      if (w.hmacSealed) headers["x-tm20-signature"] = signatureOf(this.#o.secrets.open(w.hmacSealed), text);
    } catch (err) {
      return Promise.resolve({ ok: false, retryable: true, error: err instanceof Error ? err.message : String(err) });
    }
    return deliver({ url: w.url, headers, body: text, timeoutMs: w.timeoutMs, signal });
  }
}
