import { Hono } from "hono";
import { z } from "zod";
import type { OutboundStore } from "../../store/export-contract.ts";
import type { DeadLetterRow } from "../../store/schema.ts";
import type { WebhookAdmin } from "../../webhooks/admin.ts";
import { createWebhookBody, patchWebhookBody } from "../../webhooks/settings.ts";
import { parseBody } from "../body.ts";
import { notFound } from "../../lib/app-error.ts";
import type { TokenEnv } from "../middleware/bearer-auth.ts";
import { pageQuery, parseQuery } from "../query.ts";

export interface WebhooksDeps {
  store: OutboundStore;
  admin: WebhookAdmin;
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
  if (!id.success) throw notFound("no such webhook");
  return id.data;
}

/** Outgoing webhooks (HR, payroll): destinations, their status and their dead letters. */
export function webhooksApi({ store, admin }: WebhooksDeps) {
  const app = new Hono<TokenEnv>();

  app.get("/", async (c) => c.json({ items: await admin.list() }));

  app.post("/", async (c) => {
    const created = await admin.create(await parseBody(c, createWebhookBody), c.get("actor"));
    return c.json(await admin.view(created), 201);
  });

  app.get("/:id", async (c) => c.json(await admin.view(await admin.known(idOf(c.req.param("id"))))));

  app.patch("/:id", async (c) => {
    const id = idOf(c.req.param("id"));
    await admin.known(id);
    const updated = await admin.update(id, await parseBody(c, patchWebhookBody), c.get("actor"));
    return c.json(await admin.view(updated));
  });

  app.delete("/:id", async (c) => {
    await admin.remove(idOf(c.req.param("id")), c.get("actor"));
    return c.body(null, 204);
  });

  app.get("/:id/dead-letters", async (c) => {
    const id = idOf(c.req.param("id"));
    await admin.known(id);
    const page = await store.webhooks.deadLetters(id, parseQuery(deadLetterQuery, c.req.query()));
    return c.json({ ...page, items: page.items.map(deadLetterJson) });
  });

  app.post("/:id/dead-letters/:letter/retry", async (c) => {
    const outcome = await admin.retry(idOf(c.req.param("id")), idOf(c.req.param("letter")), c.get("actor"));
    return c.json({ ...deadLetterJson(outcome.letter), delivered: outcome.result.ok });
  });

  return app;
}
