/**
 * Delivers every destination's outbox: one batch in flight per destination, the next only after
 * the previous one was accepted (or given up on as a dead letter), so order holds per
 * destination. A failed batch is retried as the same batch (same records, same batch id) after
 * an exponential back-off with jitter. Cursors move only after a settled outcome is committed, so
 * a crash re-sends at most the batch in flight: at-least-once.
 */
import type { Logger } from "pino";
import type { SecretBox } from "../auth/secret-box.ts";
import { backoffMs } from "../lib/backoff.ts";
import type { OutboundStore } from "../store/export-contract.ts";
import type { DeadLetterRow } from "../store/schema.ts";
import { type DeliveryResult, deliver } from "./delivery.ts";
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
  abort: AbortController;
}

const short = (text: string) => (text.length > 500 ? `${text.slice(0, 500)}…` : text);

export class WebhookDispatcher {
  #o: Required<Omit<DispatcherOptions, "store" | "secrets" | "log" | "version">> & DispatcherOptions;
  #lanes = new Map<number, Lane>();
  #poll: ReturnType<typeof setInterval> | null = null;
  #stopped = false;

  constructor(options: DispatcherOptions) {
    this.#o = { now: Date.now, pollMs: 2_000, retryBaseMs: 1_000, retryMaxMs: 300_000, ...options };
  }

  async start() {
    for (const row of await this.#o.store.webhooks.list()) this.#install(parseWebhook(row));
    this.#poll = setInterval(() => this.wakeAll(), this.#o.pollMs);
    this.wakeAll();
  }

  async stop() {
    this.#stopped = true;
    if (this.#poll) clearInterval(this.#poll);
    const running: Array<Promise<void>> = [];
    for (const lane of this.#lanes.values()) {
      if (lane.timer) clearTimeout(lane.timer);
      // An aborted batch is simply not settled: it is sent again after the restart.
      lane.abort.abort();
      if (lane.running) running.push(lane.running);
    }
    await Promise.allSettled(running);
  }

  /** Destinations whose head batch has failed at least once and is not delivered yet. */
  get failingCount(): number {
    let n = 0;
    for (const lane of this.#lanes.values()) if (lane.attempts > 0) n++;
    return n;
  }

  /** New records were committed. */
  wakeAll() {
    for (const lane of this.#lanes.values()) this.#wake(lane);
  }

  /** The destination was created, changed or deleted through the API. */
  async reload(id: number) {
    const row = await this.#o.store.webhooks.get(id);
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
    if (!lane) return this.#install(webhook);
    const before = lane.webhook;
    lane.webhook = webhook;
    // A batch formed under other filters or size is not the outbox's head any more.
    const reshaped =
      before.batchSize !== webhook.batchSize ||
      JSON.stringify([before.terminals, before.eventTypes]) !== JSON.stringify([webhook.terminals, webhook.eventTypes]);
    if (reshaped) lane.head = null;
    if (lane.timer && webhook.enabled) {
      // Settings changed (a fixed URL or token, say): try now rather than at the end of the back-off.
      clearTimeout(lane.timer);
      lane.timer = null;
      lane.nextAttemptAt = null;
    }
    this.#wake(lane);
  }

  async state(webhook: Webhook): Promise<WebhookState> {
    const lane = this.#lanes.get(webhook.id);
    return {
      backlog: await backlogOf(this.#o.store.exports, webhook),
      dead_letters: await this.#o.store.webhooks.deadLetterCount(webhook.id),
      next_attempt_at: lane?.nextAttemptAt ?? null,
      in_flight: lane?.running !== null && lane?.running !== undefined,
    };
  }

  /** Sends a dead letter once more, now; it stays dead (one more attempt counted) if that fails. */
  async retryDeadLetter(letter: DeadLetterRow): Promise<{ letter: DeadLetterRow; result: DeliveryResult }> {
    const row = await this.#o.store.webhooks.get(letter.webhookId);
    if (!row) throw new Error("the webhook of this dead letter is gone");
    const webhook = parseWebhook(row);
    const records = JSON.parse(letter.records) as WebhookRecord[];
    const result = await this.#post(webhook, letter.batchId, records, letter.attempts + 1);
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
    if (this.#stopped || !lane.webhook.enabled || lane.timer) return;
    if (lane.running) {
      lane.again = true;
      return;
    }
    lane.running = this.#run(lane)
      .catch((err: unknown) => this.#storeFailed(lane, err))
      .finally(() => {
        lane.running = null;
        if (lane.again) {
          lane.again = false;
          this.#wake(lane);
        }
      });
  }

  async #run(lane: Lane) {
    const { store, log } = this.#o;
    while (!this.#stopped && lane.webhook.enabled && this.#lanes.get(lane.webhook.id) === lane) {
      const w = lane.webhook;
      if (!lane.head) {
        const { batch, skipTo } = await nextBatch(store.exports, w);
        if (skipTo) {
          await store.webhooks.delivered(w.id, skipTo, 0, this.#o.now());
          this.#advance(lane, skipTo);
        }
        if (!batch) return;
        lane.head = { batch, batchId: batchIdOf(w.id, batch.records) };
      }
      const { batch, batchId } = lane.head;
      const result = await this.#post(w, batchId, batch.records, lane.attempts + 1);
      if (this.#stopped || lane.abort.signal.aborted) return;
      const at = this.#o.now();
      if (result.ok) {
        await store.webhooks.delivered(w.id, batch.end, batch.records.length, at);
        lane.webhook = { ...lane.webhook, delivered: lane.webhook.delivered + batch.records.length, lastSuccessAt: at, attempts: 0 };
        this.#advance(lane, batch.end);
        continue;
      }
      lane.attempts++;
      const error = short(result.error);
      if (!result.retryable || (w.maxAttempts !== null && lane.attempts >= w.maxAttempts)) {
        const letter = await store.webhooks.deadLetter(w.id, {
          batchId, records: JSON.stringify(batch.records), recordCount: batch.records.length, attempts: lane.attempts, error, at, ...batch.end,
        });
        log.warn({ webhook: w.id, deadLetter: letter.id, records: batch.records.length, error }, "webhook batch given up: kept as a dead letter");
        lane.webhook = { ...lane.webhook, lastError: error, lastErrorAt: at, attempts: 0 };
        this.#advance(lane, batch.end);
        continue;
      }
      await store.webhooks.failed(w.id, lane.attempts, error, at);
      lane.webhook = { ...lane.webhook, lastError: error, lastErrorAt: at, attempts: lane.attempts };
      if (lane.attempts === 1) log.warn({ webhook: w.id, error }, "webhook delivery failing; retrying with back-off");
      const delay = backoffMs(lane.attempts, this.#o.retryBaseMs, this.#o.retryMaxMs);
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
    this.#o.log.error({ webhook: lane.webhook.id, err: err instanceof Error ? err.message : String(err) }, "webhook outbox: store error");
    if (this.#stopped || lane.timer) return;
    lane.timer = setTimeout(() => {
      lane.timer = null;
      this.#wake(lane);
    }, this.#o.retryMaxMs > 5_000 ? 5_000 : this.#o.retryMaxMs);
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

  #post(w: Webhook, batchId: string, records: WebhookRecord[], attempt: number): Promise<DeliveryResult> {
    const body: WebhookBody = { batch_id: batchId, webhook: { id: w.id, name: w.name }, records };
    const text = JSON.stringify(body);
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "user-agent": `tm20-server/${this.#o.version}`,
      "x-tm20-batch-id": batchId,
      "x-tm20-attempt": String(attempt),
    };
    try {
      if (w.authHeader && w.authSealed) headers[w.authHeader.toLowerCase()] = this.#o.secrets.open(w.authSealed);
      if (w.hmacSealed) headers["x-tm20-signature"] = signatureOf(this.#o.secrets.open(w.hmacSealed), text);
    } catch (err) {
      return Promise.resolve({ ok: false, retryable: true, error: err instanceof Error ? err.message : String(err) });
    }
    const lane = this.#lanes.get(w.id);
    return deliver({ url: w.url, headers, body: text, timeoutMs: w.timeoutMs, ...(lane ? { signal: lane.abort.signal } : {}) });
  }
}
