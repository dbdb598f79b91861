/** Migration 0014: HR delivery destinations (issue 19; store/hr-contract.ts) and the records they dead-lettered. */
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { DEAD_LETTER_STATUSES } from "./webhooks.ts";

/** Which of our person's fields names the employee in the HR system. */
export const EMPLOYEE_ID_FROM = ["external_id", "enrollid"] as const;
export type EmployeeIdFrom = (typeof EMPLOYEE_ID_FROM)[number];

export const hrDestinations = sqliteTable("hr_destinations", {
  id: integer("id").primaryKey(),
  name: text("name").notNull(),
  kind: text("kind").notNull(),
  url: text("url").notNull(),
  /** The kind's own settings (JSON). */
  settings: text("settings").notNull(),
  /** The kind's secrets as sealed JSON. */
  credentialsSealed: text("credentials_sealed"),
  employeeIdFrom: text("employee_id_from", { enum: EMPLOYEE_ID_FROM }).notNull(),
  /** JSON array of serial numbers; null: every terminal. */
  terminals: text("terminals"),
  enabled: integer("enabled", { mode: "boolean" }).notNull(),
  batchSize: integer("batch_size").notNull(),
  timeoutMs: integer("timeout_ms").notNull(),
  maxAttempts: integer("max_attempts").notNull(),
  /** Outbox cursor: the last attendance row id settled. */
  cursor: integer("cursor").notNull(),
  delivered: integer("delivered").notNull(),
  /** JSON object: skip reason → records the remote refused for it. */
  skipped: text("skipped").notNull(),
  lastSkip: text("last_skip"),
  /** Consecutive failed attempts of the record after the cursor. */
  attempts: integer("attempts").notNull(),
  lastSuccessAt: integer("last_success_at"),
  lastError: text("last_error"),
  lastErrorAt: integer("last_error_at"),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});
export type HrDestinationRow = typeof hrDestinations.$inferSelect;

export const hrDeadLetters = sqliteTable("hr_dead_letters", {
  id: integer("id").primaryKey(),
  destinationId: integer("destination_id").notNull(),
  recordId: integer("record_id").notNull(),
  /** The record as the adapter was given it (JSON). */
  record: text("record").notNull(),
  attempts: integer("attempts").notNull(),
  lastError: text("last_error").notNull(),
  status: text("status", { enum: DEAD_LETTER_STATUSES }).notNull(),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});
export type HrDeadLetterRow = typeof hrDeadLetters.$inferSelect;
