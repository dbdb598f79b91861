/**
 * What an admin does to webhook destinations, whether through the REST API or the admin UI:
 * create, change and delete them (secrets sealed, the dispatcher told, every change audited),
 * and retry a dead letter.
 */
import type { Actor } from "../app/actor.ts";
import { audit } from "../app/audit.ts";
import type { SecretBox } from "../auth/secret-box.ts";
import { AppError, notFound } from "../lib/app-error.ts";
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

const noSuchWebhook = () => notFound("no such webhook");

export class WebhookAdmin {
  #d: WebhookAdminDeps;

  constructor(deps: WebhookAdminDeps) {
    this.#d = deps;
  }

  async get(id: number): Promise<Webhook | null> {
    const row = await this.#d.store.webhooks.get(id);
    return row ? parseWebhook(row) : null;
  }

  /** The destination, or a not_found. */
  async known(id: number): Promise<Webhook> {
    const w = await this.get(id);
    if (!w) throw noSuchWebhook();
    return w;
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

  async create(input: CreateWebhookBody, actor: Actor): Promise<Webhook> {
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
    await audit(this.#d, actor, "webhook.create", String(row.id), { name: row.name, start });
    await dispatcher.reload(row.id);
    return parseWebhook(row);
  }

  async update(id: number, body: PatchWebhookBody, actor: Actor): Promise<Webhook> {
    const { store, secrets, now, dispatcher } = this.#d;
    const before = await this.known(id);
    const changes = sealedSettings(body, secrets);
    // A stream newly subscribed starts at its present end, not where the destination was created.
    const added = (changes.eventTypes ?? []).filter((t) => !before.eventTypes.includes(t));
    const starts: Partial<BatchEnd> = {};
    if (added.includes("attendance")) starts.attendanceCursor = await store.exports.lastId("attendance");
    if (added.includes("door_event")) starts.doorCursor = await store.exports.lastId("door_events");
    const row = await store.webhooks.update(id, { ...changes, ...starts }, now());
    if (!row) throw noSuchWebhook();
    await audit(this.#d, actor, "webhook.update", String(id), { fields: Object.keys(body) });
    await dispatcher.reload(id);
    return parseWebhook(row);
  }

  /** The destination as it was. */
  async remove(id: number, actor: Actor): Promise<Webhook> {
    const { store, dispatcher } = this.#d;
    const w = await this.known(id);
    if (!(await store.webhooks.delete(id))) throw noSuchWebhook();
    await audit(this.#d, actor, "webhook.delete", String(id));
    await dispatcher.reload(id);
    return w;
  }

  /** Sends a dead letter once more, now (it stays dead, one more attempt counted, if that fails). */
  async retry(webhookId: number, letterId: number, actor: Actor): Promise<{ letter: DeadLetterRow; result: DeliveryResult }> {
    const { store, dispatcher } = this.#d;
    const letter = await store.webhooks.getDeadLetter(webhookId, letterId);
    if (!letter) throw notFound("no such dead letter");
    if (letter.status === "delivered") throw new AppError(409, "conflict", "this dead letter was delivered already");
    const { letter: settled, result } = await dispatcher.retryDeadLetter(letter);
    await audit(this.#d, actor, "webhook.dead-letter.retry", `${webhookId}/${letter.id}`, undefined, result.ok ? "ok" : `failed: ${result.error}`);
    return { letter: settled, result };
  }
}
