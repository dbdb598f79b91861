/** What terminals send: punches (with their photos), door events, and frames the server could not take. */
import { integer, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const attendance = sqliteTable("attendance", {
  id: integer("id").primaryKey(),
  sn: text("sn").notNull(),
  enrollid: integer("enrollid").notNull(),
  time: text("time").notNull(),
  ts: integer("ts").notNull(),
  mode: integer("mode").notNull(),
  inout: integer("inout").notNull(),
  event: integer("event").notNull(),
  verifymode: integer("verifymode"),
  temp: real("temp"),
  receivedAt: integer("received_at").notNull(),
  /** Issue 16: why the server refused this punch at the door (a `decide` reason); null when it was not refused. */
  refused: text("refused"),
});

export const punchPhotos = sqliteTable("punch_photos", {
  attendanceId: integer("attendance_id").primaryKey(),
  data: text("data").notNull(),
  receivedAt: integer("received_at").notNull(),
});

export const doorEvents = sqliteTable("door_events", {
  id: integer("id").primaryKey(),
  sn: text("sn").notNull(),
  time: text("time").notNull(),
  ts: integer("ts").notNull(),
  mode: integer("mode").notNull(),
  inout: integer("inout").notNull(),
  event: integer("event").notNull(),
  receivedAt: integer("received_at").notNull(),
});

export const quarantine = sqliteTable("quarantine", {
  id: integer("id").primaryKey(),
  sn: text("sn"),
  kind: text("kind").notNull(),
  raw: text("raw").notNull(),
  reason: text("reason").notNull(),
  receivedAt: integer("received_at").notNull(),
  /** The raw frame's size in bytes when it was cut to the bound (store/quarantine-bounds.ts); null: kept whole. */
  originalBytes: integer("original_bytes"),
});

export type AttendanceRow = typeof attendance.$inferSelect;
export type DoorEventRow = typeof doorEvents.$inferSelect;
export type QuarantineRow = typeof quarantine.$inferSelect;
