/** Punches, their photos, door events, quarantined frames (SQLite: ../../schema/attendance.ts). */
import { bigint, doublePrecision, integer, pgTable, text } from "drizzle-orm/pg-core";
import { id, ms } from "./columns.ts";

export const attendance = pgTable("attendance", {
  id: id("id").primaryKey(),
  sn: text("sn").notNull(),
  enrollid: bigint("enrollid", { mode: "number" }).notNull(),
  time: text("time").notNull(),
  ts: ms("ts").notNull(),
  mode: integer("mode").notNull(),
  inout: integer("inout").notNull(),
  event: integer("event").notNull(),
  verifymode: integer("verifymode"),
  temp: doublePrecision("temp"),
  receivedAt: ms("received_at").notNull(),
  /** Issue 16: why the server refused this punch at the door (a `decide` reason); null when it was not refused. */
  refused: text("refused"),
});

export const punchPhotos = pgTable("punch_photos", {
  attendanceId: bigint("attendance_id", { mode: "number" }).primaryKey(),
  data: text("data").notNull(),
  receivedAt: ms("received_at").notNull(),
});

export const doorEvents = pgTable("door_events", {
  id: id("id").primaryKey(),
  sn: text("sn").notNull(),
  time: text("time").notNull(),
  ts: ms("ts").notNull(),
  mode: integer("mode").notNull(),
  inout: integer("inout").notNull(),
  event: integer("event").notNull(),
  receivedAt: ms("received_at").notNull(),
});

export const quarantine = pgTable("quarantine", {
  id: id("id").primaryKey(),
  sn: text("sn"),
  kind: text("kind").notNull(),
  raw: text("raw").notNull(),
  reason: text("reason").notNull(),
  receivedAt: ms("received_at").notNull(),
  originalBytes: integer("original_bytes"),
});
