/** Migration 0010: time and attendance (issue 14; SQLite: ../../schema/timesheets.ts). `body` is JSON checked by timesheetSchemas. */
import { bigint, integer, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { id, ms } from "./columns.ts";

const enrollid = (name: string) => bigint(name, { mode: "number" });

export const tsDepartments = pgTable("ts_departments", { id: id("id").primaryKey(), name: text("name").notNull() });

export const tsMemberships = pgTable(
  "ts_memberships",
  {
    enrollid: enrollid("enrollid").notNull(),
    fromDate: text("from_date").notNull(),
    departmentId: bigint("department_id", { mode: "number" }).notNull(),
    toDate: text("to_date"),
  },
  (t) => [primaryKey({ columns: [t.enrollid, t.fromDate] })],
);

export const tsShifts = pgTable("ts_shifts", { id: id("id").primaryKey(), body: text("body").notNull() });
export const tsSchedules = pgTable("ts_schedules", { id: id("id").primaryKey(), body: text("body").notNull() });
export const tsHolidays = pgTable("ts_holidays", { id: id("id").primaryKey(), date: text("date").notNull(), body: text("body").notNull() });
export const tsLeaveTypes = pgTable("ts_leave_types", { id: id("id").primaryKey(), body: text("body").notNull() });
export const tsLeave = pgTable("ts_leave", {
  id: id("id").primaryKey(),
  enrollid: enrollid("enrollid").notNull(),
  date: text("date").notNull(),
  body: text("body").notNull(),
});
export const tsCorrections = pgTable("ts_corrections", {
  id: id("id").primaryKey(),
  enrollid: enrollid("enrollid").notNull(),
  at: ms("at").notNull(),
  body: text("body").notNull(),
});
export const tsSite = pgTable("ts_site", { id: integer("id").primaryKey(), body: text("body").notNull() });
export const tsTerminalRules = pgTable("ts_terminal_rules", { sn: text("sn").primaryKey(), interpretation: text("interpretation").notNull() });
export const tsDays = pgTable(
  "ts_days",
  {
    enrollid: enrollid("enrollid").notNull(),
    date: text("date").notNull(),
    departmentId: bigint("department_id", { mode: "number" }),
    status: text("status").notNull(),
    body: text("body").notNull(),
    computedAt: ms("computed_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.enrollid, t.date] })],
);
// ── Migration 0022: how far the timesheet recompute has followed the punches, and who follows them ──
export const tsFollow = pgTable("ts_follow", {
  id: integer("id").primaryKey(),
  mark: bigint("mark", { mode: "number" }).notNull(),
  holder: text("holder"),
  expiresAt: ms("expires_at").notNull(),
});

// ── Migration 0025: removed daily results, for the PostgreSQL export's mirror ──
export const tsDaysRemoved = pgTable(
  "ts_days_removed",
  { enrollid: enrollid("enrollid").notNull(), date: text("date").notNull(), removedAt: ms("removed_at").notNull() },
  (t) => [primaryKey({ columns: [t.enrollid, t.date] })],
);
