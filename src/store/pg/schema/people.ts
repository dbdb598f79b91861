/** People, credentials, held changes, import sources (SQLite: ../../schema/people.ts). */
import { bigint, boolean, integer, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { HELD_VIA } from "../../schema/people.ts";
import { id, ms } from "./columns.ts";

export const people = pgTable("people", {
  enrollid: bigint("enrollid", { mode: "number" }).primaryKey(),
  name: text("name").notNull(),
  admin: integer("admin").notNull(),
  enabled: boolean("enabled").notNull(),
  validFrom: text("valid_from"),
  validTo: text("valid_to"),
  externalId: text("external_id"),
  createdAt: ms("created_at").notNull(),
  updatedAt: ms("updated_at").notNull(),
});

export const credentials = pgTable(
  "credentials",
  {
    enrollid: bigint("enrollid", { mode: "number" }).notNull(),
    backupnum: integer("backupnum").notNull(),
    data: text("data").notNull(),
    sourceSn: text("source_sn"),
    updatedAt: ms("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.enrollid, t.backupnum] })],
);

export const heldChanges = pgTable("held_changes", {
  id: id("id").primaryKey(),
  at: ms("at").notNull(),
  sn: text("sn").notNull(),
  remoteAddr: text("remote_addr"),
  via: text("via", { enum: HELD_VIA }).notNull(),
  enrollid: bigint("enrollid", { mode: "number" }).notNull(),
  name: text("name"),
  admin: integer("admin").notNull(),
  backupnum: integer("backupnum").notNull(),
  data: text("data").notNull(),
  reasons: text("reasons").notNull(),
  previousName: text("previous_name"),
  previousAdmin: integer("previous_admin"),
});

export const peopleImportSources = pgTable("people_import_sources", {
  id: id("id").primaryKey(),
  name: text("name").notNull(),
  url: text("url").notNull(),
  authHeader: text("auth_header"),
  authSealed: text("auth_sealed"),
  mapping: text("mapping").notNull(),
  paging: text("paging").notNull(),
  disableMissing: boolean("disable_missing").notNull(),
  lastRunAt: ms("last_run_at"),
  lastResult: text("last_result"),
  createdAt: ms("created_at").notNull(),
  updatedAt: ms("updated_at").notNull(),
});
