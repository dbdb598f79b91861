import { Hono } from "hono";
import { z } from "zod";
import type { SecretBox } from "../../auth/secret-box.ts";
import type { OutboundStore } from "../../store/export-contract.ts";
import type { DeadLetterRow } from "../../store/schema.ts";
import type { BatchEnd } from "../../store/webhook-contract.ts";
import type { WebhookDispatcher } from "../../webhooks/dispatcher.ts";
import { createWebhookBody, parseWebhook, patchWebhookBody, sealedSettings, type Webhook, webhookJson } from "../../webhooks/settings.ts";
import { parseBody } from "../body.ts";
import { ApiError } from "../errors.ts";
import { type TokenEnv, tokenActor } from "../middleware/bearer-auth.ts";
import { pageQuery, parseQuery } from "../query.ts";

export interface WebhooksDeps {
  store: OutboundStore;
  dispatcher: WebhookDispatcher;
  secrets: SecretBox;
  now: () => number;
}

function deadLetterJson(l: DeadLetterRow) {
  return {
    id: l.id,
    webhook_id: l.webhookId,
    batch_id: l.batchId,
    status: l.status,
    attempts: l.attempts,
    last_error: l.lastError,
    record_count: l.recordCount,
    records: JSON.parse(l.records) as unknown,
    created_at: l.createdAt,
    updated_at: l.updatedAt,
  };
}

const idParam = z.coerce.number().int().positive();
const deadLetterQuery = pageQuery.extend({ status: z.enum(["dead", "delivered"]).optional() });

function idOf(raw: string): number {
  const id = idParam.safeParse(raw);
  if (!id.success) throw new ApiError(404, "not_found", "no such webhook");
  return id.data;
}

/** Outgoing webhooks (HR, payroll): destinations, their status and their dead letters. */
export function webhooksApi({ store, dispatcher, secrets, now }: WebhooksDeps) {
  const app = new Hono<TokenEnv>();

  const load = async (id: number): Promise<Webhook> => {
    const row = await store.webhooks.get(id);
    if (!row) throw new ApiError(404, "not_found", "no such webhook");
    return parseWebhook(row);
  };
  const view = async (w: Webhook) => webhookJson(w, await dispatcher.state(w));

  app.get("/", async (c) => {
    const items = [];
    for (const row of await store.webhooks.list()) items.push(await view(parseWebhook(row)));
    return c.json({ items });
  });

  app.post("/", async (c) => {
    const { start, ...body } = await parseBody(c, createWebhookBody);
    const settings = sealedSettings(body, secrets);
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
      ...settings,
      attendanceCursor: fromNow ? await store.exports.lastId("attendance") : 0,
      doorCursor: fromNow ? await store.exports.lastId("door_events") : 0,
      at: now(),
    });
    await store.audit({ at: now(), actor: tokenActor(c), action: "webhook.create", target: String(row.id), details: { name: row.name, start }, result: "ok" });
    await dispatcher.reload(row.id);
    return c.json(await view(parseWebhook(row)), 201);
  });

  app.get("/:id", async (c) => c.json(await view(await load(idOf(c.req.param("id"))))));

  app.patch("/:id", async (c) => {
    const id = idOf(c.req.param("id"));
    const before = await load(id);
    const body = await parseBody(c, patchWebhookBody);
    const changes: Parameters<typeof store.webhooks.update>[1] = sealedSettings(body, secrets);
    // A stream newly subscribed starts at its present end, not where the destination was created.
    const added = (changes.eventTypes ?? []).filter((t) => !before.eventTypes.includes(t));
    const starts: Partial<BatchEnd> = {};
    if (added.includes("attendance")) starts.attendanceCursor = await store.exports.lastId("attendance");
    if (added.includes("door_event")) starts.doorCursor = await store.exports.lastId("door_events");
    const row = await store.webhooks.update(id, { ...changes, ...starts }, now());
    if (!row) throw new ApiError(404, "not_found", "no such webhook");
    await store.audit({ at: now(), actor: tokenActor(c), action: "webhook.update", target: String(id), details: { fields: Object.keys(body) }, result: "ok" });
    await dispatcher.reload(id);
    return c.json(await view(parseWebhook(row)));
  });

  app.delete("/:id", async (c) => {
    const id = idOf(c.req.param("id"));
    if (!(await store.webhooks.delete(id))) throw new ApiError(404, "not_found", "no such webhook");
    await store.audit({ at: now(), actor: tokenActor(c), action: "webhook.delete", target: String(id), result: "ok" });
    await dispatcher.reload(id);
    return c.body(null, 204);
  });

  app.get("/:id/dead-letters", async (c) => {
    const id = idOf(c.req.param("id"));
    await load(id);
    const page = await store.webhooks.deadLetters(id, parseQuery(deadLetterQuery, c.req.query()));
    return c.json({ ...page, items: page.items.map(deadLetterJson) });
  });

  app.post("/:id/dead-letters/:letter/retry", async (c) => {
    const id = idOf(c.req.param("id"));
    const letter = await store.webhooks.getDeadLetter(id, idOf(c.req.param("letter")));
    if (!letter) throw new ApiError(404, "not_found", "no such dead letter");
    if (letter.status === "delivered") throw new ApiError(409, "conflict", "this dead letter was delivered already");
    const { letter: settled, result } = await dispatcher.retryDeadLetter(letter);
    await store.audit({
      at: now(), actor: tokenActor(c), action: "webhook.dead-letter.retry", target: `${id}/${letter.id}`,
      result: result.ok ? "ok" : `failed: ${result.error}`,
    });
    return c.json({ ...deadLetterJson(settled), delivered: result.ok });
  });

  return app;
}
