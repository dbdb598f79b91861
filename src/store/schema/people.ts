/** People, their credentials, changes from terminals held for an admin, and the sources people are imported from. */
import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** The message a held change came in: "senduser" (a keypad) or "getuserinfo" (a pull). */
export const HELD_VIA = ["senduser", "getuserinfo"] as const;

export const people = sqliteTable("people", {
  enrollid: integer("enrollid").primaryKey(),
  name: text("name").notNull(),
  admin: integer("admin").notNull(),
  enabled: integer("enabled", { mode: "boolean" }).notNull(),
  validFrom: text("valid_from"),
  validTo: text("valid_to"),
  externalId: text("external_id"),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});
export type PersonRow = typeof people.$inferSelect;

export const credentials = sqliteTable(
  "credentials",
  {
    enrollid: integer("enrollid").notNull(),
    backupnum: integer("backupnum").notNull(),
    data: text("data").notNull(),
    sourceSn: text("source_sn"),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.enrollid, t.backupnum] })],
);

/** Migration 0013: a person change from a terminal waiting for an admin (people/terminal-change.ts). */
export const heldChanges = sqliteTable("held_changes", {
  id: integer("id").primaryKey(),
  at: integer("at").notNull(),
  sn: text("sn").notNull(),
  remoteAddr: text("remote_addr"),
  via: text("via", { enum: HELD_VIA }).notNull(),
  enrollid: integer("enrollid").notNull(),
  /** Null: the terminal sent no name. */
  name: text("name"),
  admin: integer("admin").notNull(),
  backupnum: integer("backupnum").notNull(),
  data: text("data").notNull(),
  /** JSON array of ChangeReason. */
  reasons: text("reasons").notNull(),
  /** The person as stored when it arrived; null for a person the site did not know. */
  previousName: text("previous_name"),
  previousAdmin: integer("previous_admin"),
});
export type HeldChangeRow = typeof heldChanges.$inferSelect;

export const peopleImportSources = sqliteTable("people_import_sources", {
  id: integer("id").primaryKey(),
  name: text("name").notNull(),
  url: text("url").notNull(),
  authHeader: text("auth_header"),
  authSealed: text("auth_sealed"),
  /** JSON: which source field feeds which person field. */
  mapping: text("mapping").notNull(),
  /** JSON: how to walk the pages. */
  paging: text("paging").notNull(),
  disableMissing: integer("disable_missing", { mode: "boolean" }).notNull(),
  lastRunAt: integer("last_run_at"),
  lastResult: text("last_result"),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});
export type PeopleImportSourceRow = typeof peopleImportSources.$inferSelect;
