/** Migration 0002: the command engine and people management (SQLite: ../../commands-schema.ts). */
import { bigint, boolean, integer, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { COMMAND_STATUSES, JOB_STATUSES } from "../../commands-schema.ts";
import { id, ms } from "./columns.ts";

export const commands = pgTable("commands", {
  id: id("id").primaryKey(),
  sn: text("sn").notNull(),
  command: text("command").notNull(),
  params: text("params").notNull(),
  status: text("status", { enum: COMMAND_STATUSES }).notNull(),
  attempts: integer("attempts").notNull(),
  maxAttempts: integer("max_attempts").notNull(),
  deadline: ms("deadline"),
  actor: text("actor").notNull(),
  jobId: bigint("job_id", { mode: "number" }),
  answer: text("answer"),
  reason: text("reason"),
  createdAt: ms("created_at").notNull(),
  updatedAt: ms("updated_at").notNull(),
  sentAt: ms("sent_at"),
  finishedAt: ms("finished_at"),
});

export const commandEvents = pgTable("command_events", {
  id: id("id").primaryKey(),
  commandId: bigint("command_id", { mode: "number" }).notNull(),
  at: ms("at").notNull(),
  status: text("status").notNull(),
  detail: text("detail"),
});

export const jobs = pgTable("jobs", {
  id: id("id").primaryKey(),
  kind: text("kind").notNull(),
  target: text("target").notNull(),
  params: text("params").notNull(),
  status: text("status", { enum: JOB_STATUSES }).notNull(),
  actor: text("actor").notNull(),
  detail: text("detail"),
  createdAt: ms("created_at").notNull(),
  updatedAt: ms("updated_at").notNull(),
  finishedAt: ms("finished_at"),
});

export const terminalGroups = pgTable("terminal_groups", {
  id: id("id").primaryKey(),
  name: text("name").notNull(),
  sync: boolean("sync").notNull(),
  createdAt: ms("created_at").notNull(),
  updatedAt: ms("updated_at").notNull(),
});

export const terminalGroupMembers = pgTable(
  "terminal_group_members",
  {
    groupId: bigint("group_id", { mode: "number" }).notNull(),
    sn: text("sn").notNull(),
    addedAt: ms("added_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.sn] })],
);

export const terminalCredentials = pgTable(
  "terminal_credentials",
  {
    sn: text("sn").notNull(),
    enrollid: bigint("enrollid", { mode: "number" }).notNull(),
    backupnum: integer("backupnum").notNull(),
    digest: text("digest").notNull(),
    updatedAt: ms("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.sn, t.enrollid, t.backupnum] })],
);

export const terminalPeople = pgTable(
  "terminal_people",
  {
    sn: text("sn").notNull(),
    enrollid: bigint("enrollid", { mode: "number" }).notNull(),
    enabled: boolean("enabled").notNull(),
    updatedAt: ms("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.sn, t.enrollid] })],
);

export const terminalNameRefusals = pgTable("terminal_name_refusals", {
  sn: text("sn").primaryKey(),
  firmware: text("firmware").notNull(),
  refusedAt: ms("refused_at").notNull(),
});

export const terminalClock = pgTable("terminal_clock", {
  sn: text("sn").primaryKey(),
  driftSeconds: integer("drift_seconds").notNull(),
  checkedAt: ms("checked_at").notNull(),
  correctedAt: ms("corrected_at"),
});
