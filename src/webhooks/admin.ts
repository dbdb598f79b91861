/**
 * What an admin does to webhook destinations, whether through the REST API or the admin UI:
 * create, change and delete them (secrets sealed, the dispatcher told, every change audited),
 * and retry a dead letter.
 */
import type { SecretBox } from "../auth/secret-box.ts";
import type { OutboundStore } from "../store/export-contract.ts";
import type { DeadLetterRow } from "../store/schema.ts";
import type { BatchEnd } from "../store/webhook-contract.ts";
import type { DeliveryResult } from "./delivery.ts";
import type { WebhookDispatcher } from "./dispatcher.ts";
import { type CreateWebhookBody, type PatchWebhookBody, parseWebhook, sealedSettings, type Webhook, webhookJson } from "./settings.ts";

export interface WebhookAdminDeps {
  store: OutboundStore;
  dispatcher: WebhookDispatcher;
  secrets: SecretBox;
  now: () => number;
}

export type WebhookView = ReturnType<typeof webhookJson>;

export type RetryOutcome =
  | { kind: "no_such_letter" }
  | { kind: "delivered_already"; letter: DeadLetterRow }
  | { kind: "retried"; letter: DeadLetterRow; result: DeliveryResult };

export class WebhookAdmin {
  #d: WebhookAdminDeps;

  constructor(deps: WebhookAdminDeps) {
    this.#d = deps;
  }

  async get(id: number): Promise<Webhook | null> {
    const row = await this.#d.store.webhooks.get(id);
    return row ? parseWebhook(row) : null;
  }

  /** The destination with its delivery status (backlog, last success, last error…). */
  async view(w: Webhook): Promise<WebhookView> {
    return webhookJson(w, await this.#d.dispatcher.state(w));
  }

  async list(): Promise<WebhookView[]> {
    const items: WebhookView[] = [];
    for (const row of await this.#d.store.webhooks.list()) items.push(await this.view(parseWebhook(row)));
    return items;
  }

  async create(input: CreateWebhookBody, actor: string): Promise<Webhook> {
    const { store, secrets, now, dispatcher } = this.#d;
    const { start, ...body } = input;
    const fromNow = start === "now";
    const row = await store.webhooks.create({
      name: body.name,
      url: body.url,
      authHeader: null,
      authSealed: null,
      hmacSealed: null,
      terminals: null,
      eventTypes: body.event_types,
      enabled: body.enabled,
      batchSize: body.batch_size,
      timeoutMs: body.timeout_ms,
      maxAttempts: body.max_attempts,
      ...sealedSettings(body, secrets),
      attendanceCursor: fromNow ? await store.exports.lastId("attendance") : 0,
      doorCursor: fromNow ? await store.exports.lastId("door_events") : 0,
      at: now(),
    });
    await store.audit({ at: now(), actor, action: "webhook.create", target: String(row.id), details: { name: row.name, start }, result: "ok" });
    await dispatcher.reload(row.id);
    return parseWebhook(row);
  }

  /** Null when there is no such destination. */
  async update(id: number, body: PatchWebhookBody, actor: string): Promise<Webhook | null> {
    const { store, secrets, now, dispatcher } = this.#d;
    const before = await this.get(id);
    if (!before) return null;
    const changes = sealedSettings(body, secrets);
    // A stream newly subscribed starts at its present end, not where the destination was created.
    const added = (changes.eventTypes ?? []).filter((t) => !before.eventTypes.includes(t));
    const starts: Partial<BatchEnd> = {};
    if (added.includes("attendance")) starts.attendanceCursor = await store.exports.lastId("attendance");
    if (added.includes("door_event")) starts.doorCursor = await store.exports.lastId("door_events");
    const row = await store.webhooks.update(id, { ...changes, ...starts }, now());
    if (!row) return null;
    await store.audit({ at: now(), actor, action: "webhook.update", target: String(id), details: { fields: Object.keys(body) }, result: "ok" });
    await dispatcher.reload(id);
    return parseWebhook(row);
  }

  async remove(id: number, actor: string): Promise<boolean> {
    const { store, now, dispatcher } = this.#d;
    if (!(await store.webhooks.delete(id))) return false;
    await store.audit({ at: now(), actor, action: "webhook.delete", target: String(id), result: "ok" });
    await dispatcher.reload(id);
    return true;
  }

  /** Sends a dead letter once more, now (it stays dead, one more attempt counted, if that fails). */
  async retry(webhookId: number, letterId: number, actor: string): Promise<RetryOutcome> {
    const { store, now, dispatcher } = this.#d;
    const letter = await store.webhooks.getDeadLetter(webhookId, letterId);
    if (!letter) return { kind: "no_such_letter" };
    if (letter.status === "delivered") return { kind: "delivered_already", letter };
    const { letter: settled, result } = await dispatcher.retryDeadLetter(letter);
    await store.audit({
      at: now(), actor, action: "webhook.dead-letter.retry", target: `${webhookId}/${letter.id}`,
      result: result.ok ? "ok" : `failed: ${result.error}`,
    });
    return { kind: "retried", letter: settled, result };
  }
}
