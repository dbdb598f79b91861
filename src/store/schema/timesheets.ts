/** Migration 0010: time and attendance (issue 14). `body` is JSON checked by timesheetSchemas. */
import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const tsDepartments = sqliteTable("ts_departments", {
  id: integer("id").primaryKey(),
  name: text("name").notNull(),
});

export const tsMemberships = sqliteTable(
  "ts_memberships",
  {
    enrollid: integer("enrollid").notNull(),
    fromDate: text("from_date").notNull(),
    departmentId: integer("department_id").notNull(),
    toDate: text("to_date"),
  },
  (t) => [primaryKey({ columns: [t.enrollid, t.fromDate] })],
);

export const tsShifts = sqliteTable("ts_shifts", { id: integer("id").primaryKey(), body: text("body").notNull() });
export const tsSchedules = sqliteTable("ts_schedules", { id: integer("id").primaryKey(), body: text("body").notNull() });
export const tsHolidays = sqliteTable("ts_holidays", { id: integer("id").primaryKey(), date: text("date").notNull(), body: text("body").notNull() });
export const tsLeaveTypes = sqliteTable("ts_leave_types", { id: integer("id").primaryKey(), body: text("body").notNull() });
export const tsLeave = sqliteTable("ts_leave", {
  id: integer("id").primaryKey(),
  enrollid: integer("enrollid").notNull(),
  date: text("date").notNull(),
  body: text("body").notNull(),
});
export const tsCorrections = sqliteTable("ts_corrections", {
  id: integer("id").primaryKey(),
  enrollid: integer("enrollid").notNull(),
  at: integer("at").notNull(),
  body: text("body").notNull(),
});
export const tsSite = sqliteTable("ts_site", { id: integer("id").primaryKey(), body: text("body").notNull() });
export const tsTerminalRules = sqliteTable("ts_terminal_rules", { sn: text("sn").primaryKey(), interpretation: text("interpretation").notNull() });
export const tsDays = sqliteTable(
  "ts_days",
  {
    enrollid: integer("enrollid").notNull(),
    date: text("date").notNull(),
    departmentId: integer("department_id"),
    status: text("status").notNull(),
    body: text("body").notNull(),
    computedAt: integer("computed_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.enrollid, t.date] })],
);

// ── Migration 0022: how far the timesheet recompute has followed the punches, and who follows them ──
export const tsFollow = sqliteTable("ts_follow", {
  id: integer("id").primaryKey(),
  mark: integer("mark").notNull(),
  holder: text("holder"),
  expiresAt: integer("expires_at").notNull(),
});

// ── Migration 0025: removed daily results, for the PostgreSQL export's mirror ──
export const tsDaysRemoved = sqliteTable(
  "ts_days_removed",
  { enrollid: integer("enrollid").notNull(), date: text("date").notNull(), removedAt: integer("removed_at").notNull() },
  (t) => [primaryKey({ columns: [t.enrollid, t.date] })],
);
