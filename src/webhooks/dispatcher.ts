/**
 * Delivers every destination's outbox: one batch in flight per destination, the next only after
 * the previous one was accepted (or given up on as a dead letter), so order holds per
 * destination. A failed batch is retried as the same batch (same records, same batch id) after
 * an exponential back-off with jitter. Cursors move only after a settled outcome is committed, so
 * a crash re-sends at most the batch in flight: at-least-once.
 *
 * In a cluster every instance runs one, but only the holder of a destination's lease delivers it
 * (leases.ts); its settlements are fenced, so an instance that lost the lease never moves a
 * cursor. The others keep the destination's settings for its status and read changes made on any
 * instance from the store on the poll timer.
 */
import type { Logger } from "pino";
import type { SecretBox } from "../auth/secret-box.ts";
import { backoffMs } from "../lib/backoff.ts";
import type { OutboundStore } from "../store/export-contract.ts";
import { hasCode } from "../lib/app-error.ts";
import type { DeadLetterRow, WebhookRow } from "../store/schema.ts";
import type { OutboxSettlements, WebhookLeaseStore } from "../store/webhook-contract.ts";
import { type DeliveryResult, deliver } from "./delivery.ts";
import { LeaseKeeper } from "./leases.ts";
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

interface Lane {
  webhook: Webhook;
  /** The batch being delivered; kept as is across retries. */
  head: { batch: Batch; batchId: string } | null;
  attempts: number;
  timer: ReturnType<typeof setTimeout> | null;
  nextAttemptAt: number | null;
  running: Promise<void> | null;
  /** Set when woken while running: look again before going idle. */
  again: boolean;
  /** Aborted (and replaced) when the lease is lost; aborted when the server stops. */
  abort: AbortController;
}

const short = (text: string) => (text.length > 500 ? `${text.slice(0, 500)}…` : text);

export class WebhookDispatcher {
  #o: Required<Omit<DispatcherOptions, "store" | "secrets" | "log" | "version" | "cluster">> & DispatcherOptions;
  #lanes = new Map<number, Lane>();
  #poll: ReturnType<typeof setInterval> | null = null;
  #stopped = false;
  /** Aborts manual dead-letter retries when the server stops (they are no lane's). */
  #stopping = new AbortController();
  #keeper: LeaseKeeper | null = null;
  #settle: OutboxSettlements;
  #syncing: Promise<void> | null = null;

  constructor(options: DispatcherOptions) {
    this.#o = { now: Date.now, pollMs: 2_000, retryBaseMs: 1_000, retryMaxMs: 300_000, ...options };
    const cluster = options.cluster;
    this.#settle = cluster ? cluster.leases.fenced(cluster.instance) : options.store.webhooks;
    if (cluster) {
      this.#keeper = new LeaseKeeper({
        store: cluster.leases,
        holder: cluster.instance,
        ttlMs: cluster.leaseMs,
        log: options.log,
        onGained: (id) => void this.reload(id, { fresh: true }).catch((err: unknown) => this.#storeError(id, err)),
        onLost: (id) => this.#lost(id),
      });
    }
  }

  async start() {
    for (const row of await this.#o.store.webhooks.list()) this.#install(parseWebhook(row));
    await this.#keeper?.start();
    this.#poll = setInterval(() => {
      // A cluster's other instances change destinations too: their changes are read from the store.
      if (this.#keeper) void this.#sync().then(() => this.wakeAll());
      else this.wakeAll();
    }, this.#o.pollMs);
    this.wakeAll();
  }

  async stop() {
    this.#stopped = true;
    this.#stopping.abort();
    if (this.#poll) clearInterval(this.#poll);
    const running: Array<Promise<void>> = [];
    for (const lane of this.#lanes.values()) {
      if (lane.timer) clearTimeout(lane.timer);
      // An aborted batch is simply not settled: it is sent again after the restart (or by another instance).
      lane.abort.abort();
      if (lane.running) running.push(lane.running);
    }
    await Promise.allSettled(running);
    await this.#syncing;
    await this.#keeper?.stop();
  }

  /** Destinations delivered here whose head batch has failed at least once and is not delivered yet. */
  get failingCount(): number {
    let n = 0;
    for (const lane of this.#lanes.values()) if (lane.attempts > 0 && this.#mine(lane.webhook.id)) n++;
    return n;
  }

  /** New records were committed. */
  wakeAll() {
    for (const lane of this.#lanes.values()) this.#wake(lane);
  }

  /**
   * The destination was created, changed or deleted (through the API here, or on another instance
   * as the poll found). `fresh`: this instance has just taken its lease, and another one may have
   * delivered it meanwhile: its outbox is read from the store again.
   */
  async reload(id: number, { fresh = false } = {}) {
    this.#apply(id, await this.#o.store.webhooks.get(id), fresh);
  }

  async state(webhook: Webhook): Promise<WebhookState> {
    const id = webhook.id;
    const lane = this.#mine(id) ? this.#lanes.get(id) : undefined;
    const cluster = this.#o.cluster;
    return {
      backlog: await backlogOf(this.#o.store.exports, webhook),
      dead_letters: await this.#o.store.webhooks.deadLetterCount(id),
      next_attempt_at: lane?.nextAttemptAt ?? null,
      in_flight: lane?.running !== null && lane?.running !== undefined,
      instance: cluster ? (this.#mine(id) ? cluster.instance : await cluster.leases.holder(id)) : null,
    };
  }

  /** Sends a dead letter once more, now; it stays dead (one more attempt counted) if that fails. */
  async retryDeadLetter(letter: DeadLetterRow): Promise<{ letter: DeadLetterRow; result: DeliveryResult }> {
    const row = await this.#o.store.webhooks.get(letter.webhookId);
    if (!row) throw new Error("the webhook of this dead letter is gone");
    const webhook = parseWebhook(row);
    const records = JSON.parse(letter.records) as WebhookRecord[];
    const result = await this.#post(webhook, letter.batchId, records, letter.attempts + 1, this.#stopping.signal);
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

  #apply(id: number, row: WebhookRow | null, fresh: boolean) {
    const lane = this.#lanes.get(id);
    if (!row) {
      if (lane) {
        if (lane.timer) clearTimeout(lane.timer);
        lane.abort.abort();
        this.#lanes.delete(id);
      }
      return;
    }
    const webhook = parseWebhook(row);
    if (!lane) {
      this.#install(webhook);
      // Created here: claim it now rather than at the next renewal.
      void this.#keeper?.claim();
      return;
    }
    const before = lane.webhook;
    // Cursors never go back: a row read before our own settlement committed may show older ones.
    lane.webhook = {
      ...webhook,
      attendanceCursor: Math.max(before.attendanceCursor, webhook.attendanceCursor),
      doorCursor: Math.max(before.doorCursor, webhook.doorCursor),
    };
    // A batch formed under other filters or size is not the outbox's head any more.
    const reshaped =
      before.batchSize !== webhook.batchSize ||
      JSON.stringify([before.terminals, before.eventTypes]) !== JSON.stringify([webhook.terminals, webhook.eventTypes]);
    if (reshaped || fresh) lane.head = null;
    if (fresh) lane.attempts = webhook.attempts;
    if (lane.timer && (webhook.enabled || fresh)) {
      // Settings changed (a fixed URL or token, say): try now rather than at the end of the back-off.
      clearTimeout(lane.timer);
      lane.timer = null;
      lane.nextAttemptAt = null;
    }
    this.#wake(lane);
  }

  /** Cluster: destinations created, changed or deleted on any instance, as the store has them now. */
  #sync(): Promise<void> {
    this.#syncing ??= (async () => {
      try {
        const rows = await this.#o.store.webhooks.list();
        const ids = new Set(rows.map((r) => r.id));
        for (const row of rows) if (this.#lanes.get(row.id)?.webhook.updatedAt !== row.updatedAt) this.#apply(row.id, row, false);
        for (const id of [...this.#lanes.keys()]) if (!ids.has(id)) this.#apply(id, null, false);
      } catch (err) {
        this.#o.log.warn({ err: err instanceof Error ? err.message : String(err) }, "webhook destinations could not be read; trying again");
      }
    })().finally(() => {
      this.#syncing = null;
    });
    return this.#syncing;
  }

  /** Single box: every destination. Cluster: those whose lease this instance holds. */
  #mine(id: number): boolean {
    return this.#keeper === null || this.#keeper.holds(id);
  }

  /** The lease went to another instance: stop at once, forget the head batch. */
  #lost(id: number) {
    const lane = this.#lanes.get(id);
    if (!lane) return;
    if (lane.timer) clearTimeout(lane.timer);
    lane.timer = null;
    lane.nextAttemptAt = null;
    lane.head = null;
    lane.abort.abort();
    lane.abort = new AbortController();
  }

  #install(webhook: Webhook) {
    const lane: Lane = {
      webhook,
      head: null,
      attempts: webhook.attempts,
      timer: null,
      nextAttemptAt: null,
      running: null,
      again: false,
      abort: new AbortController(),
    };
    this.#lanes.set(webhook.id, lane);
    this.#wake(lane);
  }

  #wake(lane: Lane) {
    if (this.#stopped || !lane.webhook.enabled || lane.timer || !this.#mine(lane.webhook.id)) return;
    if (lane.running) {
      lane.again = true;
      return;
    }
    lane.running = this.#run(lane, lane.abort.signal)
      .catch((err: unknown) => this.#storeFailed(lane, err))
      .finally(() => {
        lane.running = null;
        if (lane.again) {
          lane.again = false;
          this.#wake(lane);
        }
      });
  }

  /** `signal` is this run's: once it is aborted (lease lost, destination deleted, server stopping) nothing more is changed. */
  async #run(lane: Lane, signal: AbortSignal) {
    const { store, log } = this.#o;
    const settle = this.#settle;
    const id = lane.webhook.id;
    const live = () => !signal.aborted && !this.#stopped && lane.webhook.enabled && this.#mine(id);
    while (live()) {
      const w = lane.webhook;
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
      if (signal.aborted || this.#stopped) return;
      const at = this.#o.now();
      if (result.ok) {
        await settle.delivered(id, batch.end, batch.records.length, at);
        if (signal.aborted) return;
        lane.webhook = { ...lane.webhook, delivered: lane.webhook.delivered + batch.records.length, lastSuccessAt: at, attempts: 0 };
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
        lane.webhook = { ...lane.webhook, lastError: error, lastErrorAt: at, attempts: 0 };
        this.#advance(lane, batch.end);
        continue;
      }
      await settle.failed(id, attempts, error, at);
      if (signal.aborted) return;
      lane.attempts = attempts;
      lane.webhook = { ...lane.webhook, lastError: error, lastErrorAt: at, attempts };
      if (attempts === 1) log.warn({ webhook: id, error }, "webhook delivery failing; retrying with back-off");
      const delay = backoffMs(attempts, this.#o.retryBaseMs, this.#o.retryMaxMs);
      lane.nextAttemptAt = at + delay;
      lane.timer = setTimeout(() => {
        lane.timer = null;
        lane.nextAttemptAt = null;
        this.#wake(lane);
      }, delay);
      return;
    }
  }

  /** The store itself failed (locked, disk full): nothing was settled; look again in a while. */
  #storeFailed(lane: Lane, err: unknown) {
    if (this.#storeError(lane.webhook.id, err) || this.#stopped || lane.timer) return;
    lane.timer = setTimeout(() => {
      lane.timer = null;
      this.#wake(lane);
    }, this.#o.retryMaxMs > 5_000 ? 5_000 : this.#o.retryMaxMs);
  }

  /** Logs a store error; true when it means the lease was lost (another instance delivers now). */
  #storeError(id: number, err: unknown): boolean {
    if (hasCode(err, "lease_lost")) {
      this.#keeper?.lost(id);
      return true;
    }
    this.#o.log.error({ webhook: id, err: err instanceof Error ? err.message : String(err) }, "webhook outbox: store error");
    return false;
  }

  #advance(lane: Lane, end: Batch["end"]) {
    lane.head = null;
    lane.attempts = 0;
    lane.webhook = {
      ...lane.webhook,
      attendanceCursor: Math.max(lane.webhook.attendanceCursor, end.attendanceCursor),
      doorCursor: Math.max(lane.webhook.doorCursor, end.doorCursor),
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
    return this.#send(w, JSON.stringify(body), { "x-tm20-event": event, "x-tm20-event-id": id }, this.#stopping.signal);
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
