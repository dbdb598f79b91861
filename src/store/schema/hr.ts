/** Migration 0014: HR delivery destinations (issue 19; store/hr-contract.ts) and the records they dead-lettered. */
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { deliveryColumns, letterColumns } from "./webhooks.ts";

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
  ...deliveryColumns(),
});
export type HrDestinationRow = typeof hrDestinations.$inferSelect;

export const hrDeadLetters = sqliteTable("hr_dead_letters", {
  id: integer("id").primaryKey(),
  destinationId: integer("destination_id").notNull(),
  recordId: integer("record_id").notNull(),
  /** The record as the adapter was given it (JSON). */
  record: text("record").notNull(),
  ...letterColumns(),
});
export type HrDeadLetterRow = typeof hrDeadLetters.$inferSelect;
