/**
 * A webhook destination's settings: the API's request bodies (one zod schema each), the typed
 * view of a stored row, and its public JSON (secrets never leave: only whether they are set).
 */
import { z } from "zod";
import type { SecretBox } from "../auth/secret-box.ts";
import type { WebhookEventType, WebhookSettings } from "../store/webhook-contract.ts";
import type { WebhookRow } from "../store/schema.ts";

/** `alert`: the notifier's alert messages (not part of the record outbox). */
export const EVENT_TYPES = ["attendance", "door_event", "alert"] as const satisfies readonly WebhookEventType[];

export const httpUrl = z
  .string()
  .url()
  .max(2000)
  .refine((u) => /^https?:\/\//i.test(u), "expected an http:// or https:// URL");
const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/, "not a valid HTTP header name");
const headerValue = z.string().min(1).max(4000).refine((v) => !/[\r\n]/.test(v), "must be one line");

const settingsFields = {
  name: z.string().trim().min(1).max(100),
  url: httpUrl,
  /** Any header (e.g. X-Api-Key); its value is sealed at rest and never shown back. */
  auth_header: z.object({ name: headerName, value: headerValue }).nullable(),
  /** Shorthand for auth_header Authorization: Bearer <token>. */
  bearer_token: headerValue.nullable(),
  hmac_secret: z.string().min(16, "use at least 16 characters").max(500).nullable(),
  terminals: z.array(z.string().min(1).max(64)).min(1).max(10_000).nullable(),
  event_types: z.array(z.enum(EVENT_TYPES)).min(1),
  enabled: z.boolean(),
  batch_size: z.number().int().min(1).max(5000),
  timeout_ms: z.number().int().min(100).max(120_000),
  max_attempts: z.number().int().min(1).max(10_000).nullable(),
};

export const createWebhookBody = z
  .object({
    ...settingsFields,
    auth_header: settingsFields.auth_header.optional(),
    bearer_token: settingsFields.bearer_token.optional(),
    hmac_secret: settingsFields.hmac_secret.optional(),
    terminals: settingsFields.terminals.default(null),
    event_types: settingsFields.event_types.default(["attendance"]),
    enabled: settingsFields.enabled.default(true),
    batch_size: settingsFields.batch_size.default(100),
    timeout_ms: settingsFields.timeout_ms.default(10_000),
    max_attempts: settingsFields.max_attempts.default(null),
    /** now: only records committed from now on; beginning: every record in the store. */
    start: z.enum(["now", "beginning"]).default("now"),
  })
  .strict()
  .refine((b) => !(b.auth_header && b.bearer_token), "give auth_header or bearer_token, not both");

export const patchWebhookBody = z
  .object(settingsFields)
  .partial()
  .strict()
  .refine((b) => !(b.auth_header && b.bearer_token), "give auth_header or bearer_token, not both");

export type CreateWebhookBody = z.infer<typeof createWebhookBody>;
export type PatchWebhookBody = z.infer<typeof patchWebhookBody>;

/** The store's columns for the secret-bearing fields of a body (only those present). */
export function sealedSettings(body: PatchWebhookBody, box: SecretBox): Partial<WebhookSettings> {
  const out: Partial<WebhookSettings> = {};
  const { auth_header, bearer_token, hmac_secret, terminals, event_types, batch_size, timeout_ms, max_attempts, ...plain } = body;
  Object.assign(out, plain);
  if (bearer_token !== undefined) {
    out.authHeader = bearer_token === null ? null : "Authorization";
    out.authSealed = bearer_token === null ? null : box.seal(`Bearer ${bearer_token}`);
  }
  if (auth_header !== undefined) {
    out.authHeader = auth_header?.name ?? null;
    out.authSealed = auth_header ? box.seal(auth_header.value) : null;
  }
  if (hmac_secret !== undefined) out.hmacSealed = hmac_secret === null ? null : box.seal(hmac_secret);
  if (terminals !== undefined) out.terminals = terminals === null ? null : [...new Set(terminals)].sort();
  if (event_types !== undefined) out.eventTypes = [...new Set(event_types)];
  if (batch_size !== undefined) out.batchSize = batch_size;
  if (timeout_ms !== undefined) out.timeoutMs = timeout_ms;
  if (max_attempts !== undefined) out.maxAttempts = max_attempts;
  return out;
}

const storedList = z.array(z.string());

/** A stored row with its JSON columns parsed. */
export interface Webhook extends Omit<WebhookRow, "terminals" | "eventTypes"> {
  terminals: string[] | null;
  eventTypes: WebhookEventType[];
}

export function parseWebhook(row: WebhookRow): Webhook {
  return {
    ...row,
    terminals: row.terminals === null ? null : storedList.parse(JSON.parse(row.terminals)),
    eventTypes: z.array(z.enum(EVENT_TYPES)).parse(JSON.parse(row.eventTypes)),
  };
}

/** The URL as shown back: a password inside it is a secret too. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.href;
  } catch {
    return url;
  }
}

export interface WebhookState {
  backlog: number;
  dead_letters: number;
  /** Known to the instance delivering the destination (in a cluster, elsewhere null and false). */
  next_attempt_at: number | null;
  in_flight: boolean;
  /** Cluster: the instance delivering the destination now (null: none has its lease; a single box). */
  instance: string | null;
}

export function webhookJson(w: Webhook, state: WebhookState) {
  return {
    id: w.id,
    name: w.name,
    url: displayUrl(w.url),
    auth_header: w.authHeader ? { name: w.authHeader, value_set: true } : null,
    signed: w.hmacSealed !== null,
    terminals: w.terminals,
    event_types: w.eventTypes,
    enabled: w.enabled,
    batch_size: w.batchSize,
    timeout_ms: w.timeoutMs,
    max_attempts: w.maxAttempts,
    status: {
      backlog: state.backlog,
      delivered: w.delivered,
      dead_letters: state.dead_letters,
      last_success_at: w.lastSuccessAt,
      last_error: w.lastError,
      last_error_at: w.lastErrorAt,
      failed_attempts: w.attempts,
      next_attempt_at: state.next_attempt_at,
      in_flight: state.in_flight,
      instance: state.instance,
    },
    cursors: { attendance: w.attendanceCursor, door_events: w.doorCursor },
    created_at: w.createdAt,
    updated_at: w.updatedAt,
  };
}
