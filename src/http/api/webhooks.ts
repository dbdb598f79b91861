import type { OutboundStore } from "../../store/export-contract.ts";
import type { DeadLetterRow } from "../../store/schema.ts";
import type { WebhookAdmin } from "../../webhooks/admin.ts";
import { createWebhookBody, patchWebhookBody } from "../../webhooks/settings.ts";
import { destinationRoutes } from "./destination-routes.ts";

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

/** Outgoing webhooks (HR, payroll): destinations, their status and their dead letters. */
export function webhooksApi({ store, admin }: WebhooksDeps) {
  return destinationRoutes({
    what: "webhook",
    letterWhat: "webhook",
    createBody: createWebhookBody,
    patchBody: patchWebhookBody,
    list: () => admin.list(),
    known: (id) => admin.known(id),
    view: (w) => admin.view(w),
    create: (actor, body) => admin.create(body, actor),
    update: (actor, id, body) => admin.update(id, body, actor),
    remove: (actor, id) => admin.remove(id, actor),
    deadLetters: (id, filter) => store.webhooks.deadLetters(id, filter),
    letterJson: deadLetterJson,
    retry: async (actor, id, letter) => {
      const outcome = await admin.retry(id, letter, actor);
      return { ...deadLetterJson(outcome.letter), delivered: outcome.result.ok };
    },
  });
}
