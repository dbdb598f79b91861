/** Migration 0014: HR delivery destinations (SQLite: ../../schema/hr.ts), and their leases, PostgreSQL's only. */
import { bigint, boolean, integer, pgTable, text } from "drizzle-orm/pg-core";
import { EMPLOYEE_ID_FROM } from "../../schema/hr.ts";
import { id, ms } from "./columns.ts";
import { deliveryColumns, letterColumns } from "./webhooks.ts";

export const hrDestinations = pgTable("hr_destinations", {
  id: id("id").primaryKey(),
  name: text("name").notNull(),
  kind: text("kind").notNull(),
  url: text("url").notNull(),
  settings: text("settings").notNull(),
  credentialsSealed: text("credentials_sealed"),
  employeeIdFrom: text("employee_id_from", { enum: EMPLOYEE_ID_FROM }).notNull(),
  terminals: text("terminals"),
  enabled: boolean("enabled").notNull(),
  batchSize: integer("batch_size").notNull(),
  timeoutMs: integer("timeout_ms").notNull(),
  maxAttempts: integer("max_attempts").notNull(),
  cursor: bigint("cursor", { mode: "number" }).notNull(),
  delivered: bigint("delivered", { mode: "number" }).notNull(),
  skipped: text("skipped").notNull(),
  lastSkip: text("last_skip"),
  ...deliveryColumns(),
});

export const hrDeadLetters = pgTable("hr_dead_letters", {
  id: id("id").primaryKey(),
  destinationId: bigint("destination_id", { mode: "number" }).notNull(),
  recordId: bigint("record_id", { mode: "number" }).notNull(),
  record: text("record").notNull(),
  ...letterColumns(),
});

export const hrLeases = pgTable("hr_leases", {
  destinationId: bigint("destination_id", { mode: "number" }).primaryKey(),
  holder: text("holder").notNull(),
  expiresAt: ms("expires_at").notNull(),
});
