/** Webhook destinations and the batches they dead-lettered. */
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** A dead letter's state, webhooks' and HR destinations' alike: "delivered" once a retry got it through. */
export const DEAD_LETTER_STATUSES = ["dead", "delivered"] as const;

/** A destination's delivery state, webhooks' and HR destinations' alike (the columns last, as migrations 0005 and 0014 add them). */
export const deliveryColumns = () => ({
  /** Consecutive failed attempts of what heads the outbox (a webhook's batch, an HR destination's record). */
  attempts: integer("attempts").notNull(),
  lastSuccessAt: integer("last_success_at"),
  lastError: text("last_error"),
  lastErrorAt: integer("last_error_at"),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/** A dead letter's state, webhooks' and HR destinations' alike. */
export const letterColumns = () => ({
  attempts: integer("attempts").notNull(),
  lastError: text("last_error").notNull(),
  status: text("status", { enum: DEAD_LETTER_STATUSES }).notNull(),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

export const webhooks = sqliteTable("webhooks", {
  id: integer("id").primaryKey(),
  name: text("name").notNull(),
  url: text("url").notNull(),
  /** The auth header's name; its value is sealed (never shown back). */
  authHeader: text("auth_header"),
  authSealed: text("auth_sealed"),
  hmacSealed: text("hmac_sealed"),
  /** JSON array of serial numbers; null: every terminal. */
  terminals: text("terminals"),
  /** JSON array of "attendance" / "door_event". */
  eventTypes: text("event_types").notNull(),
  enabled: integer("enabled", { mode: "boolean" }).notNull(),
  batchSize: integer("batch_size").notNull(),
  timeoutMs: integer("timeout_ms").notNull(),
  maxAttempts: integer("max_attempts"),
  /** Outbox cursors: the last attendance / door-event row id delivered (or dead-lettered). */
  attendanceCursor: integer("attendance_cursor").notNull(),
  doorCursor: integer("door_cursor").notNull(),
  delivered: integer("delivered").notNull(),
  ...deliveryColumns(),
});
export type WebhookRow = typeof webhooks.$inferSelect;

export const webhookDeadLetters = sqliteTable("webhook_dead_letters", {
  id: integer("id").primaryKey(),
  webhookId: integer("webhook_id").notNull(),
  batchId: text("batch_id").notNull(),
  /** The records exactly as they were sent (JSON array). */
  records: text("records").notNull(),
  recordCount: integer("record_count").notNull(),
  ...letterColumns(),
});
export type DeadLetterRow = typeof webhookDeadLetters.$inferSelect;
