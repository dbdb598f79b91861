/**
 * Drizzle's view of the tables of migration 0002 (commands, jobs, groups, what each terminal
 * holds, clock checks). Kept apart from schema.ts so the command engine's tables live together.
 */
import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Door and destructive commands (URGENT_COMMANDS of src/protocol/commands.ts) as the partial index
 * commands_sn_urgent (migration 0011, both engines) spells them: the next queued command of a
 * terminal is the oldest of these before any other. Kept verbatim so the planner uses that index.
 */
export const URGENT_QUEUE_SQL = "command IN ('opendoor', 'cleanlog', 'cleanuser', 'cleanadmin', 'initsys', 'reboot')";

export const COMMAND_STATUSES = ["queued", "sent", "succeeded", "failed", "timed_out", "expired", "cancelled"] as const;
export type CommandStatus = (typeof COMMAND_STATUSES)[number];

export const commands = sqliteTable("commands", {
  id: integer("id").primaryKey(),
  sn: text("sn").notNull(),
  command: text("command").notNull(),
  /** JSON of the validated params. */
  params: text("params").notNull(),
  status: text("status", { enum: COMMAND_STATUSES }).notNull(),
  attempts: integer("attempts").notNull(),
  maxAttempts: integer("max_attempts").notNull(),
  /** UTC ms; never sent after it. Null: no deadline. */
  deadline: integer("deadline"),
  actor: text("actor").notNull(),
  jobId: integer("job_id"),
  /** JSON of the terminal's answer (or a summary of a paged transfer). */
  answer: text("answer"),
  reason: text("reason"),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
  sentAt: integer("sent_at"),
  finishedAt: integer("finished_at"),
});

export const commandEvents = sqliteTable("command_events", {
  id: integer("id").primaryKey(),
  commandId: integer("command_id").notNull(),
  at: integer("at").notNull(),
  status: text("status").notNull(),
  detail: text("detail"),
});

export const JOB_STATUSES = ["running", "succeeded", "failed"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const jobs = sqliteTable("jobs", {
  id: integer("id").primaryKey(),
  kind: text("kind").notNull(),
  target: text("target").notNull(),
  params: text("params").notNull(),
  status: text("status", { enum: JOB_STATUSES }).notNull(),
  actor: text("actor").notNull(),
  /** JSON: the job's own progress notes (stage, stop reasons). */
  detail: text("detail"),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
  finishedAt: integer("finished_at"),
});

export const terminalGroups = sqliteTable("terminal_groups", {
  id: integer("id").primaryKey(),
  name: text("name").notNull(),
  sync: integer("sync", { mode: "boolean" }).notNull(),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

export const terminalGroupMembers = sqliteTable(
  "terminal_group_members",
  {
    groupId: integer("group_id").notNull(),
    sn: text("sn").notNull(),
    addedAt: integer("added_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.sn] })],
);

/** Which credential (and which version of it: `digest`) each terminal holds. */
export const terminalCredentials = sqliteTable(
  "terminal_credentials",
  {
    sn: text("sn").notNull(),
    enrollid: integer("enrollid").notNull(),
    backupnum: integer("backupnum").notNull(),
    digest: text("digest").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.sn, t.enrollid, t.backupnum] })],
);

/** Which people each terminal holds, and whether they are enabled there. */
export const terminalPeople = sqliteTable(
  "terminal_people",
  {
    sn: text("sn").notNull(),
    enrollid: integer("enrollid").notNull(),
    enabled: integer("enabled", { mode: "boolean" }).notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.sn, t.enrollid] })],
);

/** A terminal that refused a push's names (migration 0026), and the firmware it ran then ('' for none reported). */
export const terminalNameRefusals = sqliteTable("terminal_name_refusals", {
  sn: text("sn").primaryKey(),
  firmware: text("firmware").notNull(),
  refusedAt: integer("refused_at").notNull(),
});

export const terminalClock = sqliteTable("terminal_clock", {
  sn: text("sn").primaryKey(),
  /** Terminal clock minus site clock, seconds, as last measured. */
  driftSeconds: integer("drift_seconds").notNull(),
  checkedAt: integer("checked_at").notNull(),
  correctedAt: integer("corrected_at"),
});

export type CommandRow = typeof commands.$inferSelect;
export type CommandEventRow = typeof commandEvents.$inferSelect;
export type JobRow = typeof jobs.$inferSelect;
export type GroupRow = typeof terminalGroups.$inferSelect;
export type TerminalClockRow = typeof terminalClock.$inferSelect;
