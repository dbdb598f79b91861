/** Webhooks and their dead letters (SQLite: ../../schema/webhooks.ts), and their leases, PostgreSQL's only. */
import { bigint, boolean, integer, pgTable, text } from "drizzle-orm/pg-core";
import { DEAD_LETTER_STATUSES } from "../../schema/webhooks.ts";
import { id, ms } from "./columns.ts";

/** A destination's delivery state, webhooks' and HR destinations' alike (as ../../schema/webhooks.ts). */
export const deliveryColumns = () => ({
  attempts: integer("attempts").notNull(),
  lastSuccessAt: ms("last_success_at"),
  lastError: text("last_error"),
  lastErrorAt: ms("last_error_at"),
  createdAt: ms("created_at").notNull(),
  updatedAt: ms("updated_at").notNull(),
});

/** A dead letter's state, webhooks' and HR destinations' alike. */
export const letterColumns = () => ({
  attempts: integer("attempts").notNull(),
  lastError: text("last_error").notNull(),
  status: text("status", { enum: DEAD_LETTER_STATUSES }).notNull(),
  createdAt: ms("created_at").notNull(),
  updatedAt: ms("updated_at").notNull(),
});

export const webhooks = pgTable("webhooks", {
  id: id("id").primaryKey(),
  name: text("name").notNull(),
  url: text("url").notNull(),
  authHeader: text("auth_header"),
  authSealed: text("auth_sealed"),
  hmacSealed: text("hmac_sealed"),
  terminals: text("terminals"),
  eventTypes: text("event_types").notNull(),
  enabled: boolean("enabled").notNull(),
  batchSize: integer("batch_size").notNull(),
  timeoutMs: integer("timeout_ms").notNull(),
  maxAttempts: integer("max_attempts"),
  attendanceCursor: bigint("attendance_cursor", { mode: "number" }).notNull(),
  doorCursor: bigint("door_cursor", { mode: "number" }).notNull(),
  delivered: bigint("delivered", { mode: "number" }).notNull(),
  ...deliveryColumns(),
});

export const webhookDeadLetters = pgTable("webhook_dead_letters", {
  id: id("id").primaryKey(),
  webhookId: bigint("webhook_id", { mode: "number" }).notNull(),
  batchId: text("batch_id").notNull(),
  records: text("records").notNull(),
  recordCount: integer("record_count").notNull(),
  ...letterColumns(),
});

// ── Migration 0016: webhook leases (PostgreSQL only: which instance delivers a destination) ──
export const webhookLeases = pgTable("webhook_leases", {
  webhookId: bigint("webhook_id", { mode: "number" }).primaryKey(),
  holder: text("holder").notNull(),
  expiresAt: ms("expires_at").notNull(),
});
