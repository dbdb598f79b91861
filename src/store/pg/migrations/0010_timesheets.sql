-- Issue 14: time and attendance. Settings are JSON checked by timesheetSchemas (src/timesheets/schemas.ts)
-- when written and read; the columns beside them are what queries select on.
CREATE TABLE ts_departments (
  id BIGSERIAL PRIMARY KEY NOT NULL,
  name TEXT NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX ts_departments_name ON ts_departments (lower(name));
--> statement-breakpoint
-- A person's department from a date (to_date inclusive, NULL: open): the history the rules read.
CREATE TABLE ts_memberships (
  enrollid BIGINT NOT NULL,
  from_date TEXT NOT NULL,
  department_id BIGINT NOT NULL,
  to_date TEXT,
  PRIMARY KEY (enrollid, from_date)
);
--> statement-breakpoint
CREATE TABLE ts_shifts (
  id BIGSERIAL PRIMARY KEY NOT NULL,
  body TEXT NOT NULL
);
--> statement-breakpoint
CREATE TABLE ts_schedules (
  id BIGSERIAL PRIMARY KEY NOT NULL,
  body TEXT NOT NULL
);
--> statement-breakpoint
CREATE TABLE ts_holidays (
  id BIGSERIAL PRIMARY KEY NOT NULL,
  date TEXT NOT NULL,
  body TEXT NOT NULL
);
--> statement-breakpoint
CREATE TABLE ts_leave_types (
  id BIGSERIAL PRIMARY KEY NOT NULL,
  body TEXT NOT NULL
);
--> statement-breakpoint
CREATE TABLE ts_leave (
  id BIGSERIAL PRIMARY KEY NOT NULL,
  enrollid BIGINT NOT NULL,
  date TEXT NOT NULL,
  body TEXT NOT NULL
);
--> statement-breakpoint
CREATE INDEX ts_leave_enrollid_date ON ts_leave (enrollid, date);
--> statement-breakpoint
CREATE INDEX ts_leave_date ON ts_leave (date);
--> statement-breakpoint
-- Added punches and excluded punch ids, kept apart from attendance, which they never change.
CREATE TABLE ts_corrections (
  id BIGSERIAL PRIMARY KEY NOT NULL,
  enrollid BIGINT NOT NULL,
  at BIGINT NOT NULL,
  body TEXT NOT NULL
);
--> statement-breakpoint
CREATE INDEX ts_corrections_enrollid ON ts_corrections (enrollid, id);
--> statement-breakpoint
CREATE TABLE ts_site (
  id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
  body TEXT NOT NULL
);
--> statement-breakpoint
CREATE TABLE ts_terminal_rules (
  sn TEXT PRIMARY KEY NOT NULL,
  interpretation TEXT NOT NULL
);
--> statement-breakpoint
-- Derived daily results, replaced whenever their (enrollid, date) is recomputed.
CREATE TABLE ts_days (
  enrollid BIGINT NOT NULL,
  date TEXT NOT NULL,
  department_id BIGINT,
  status TEXT NOT NULL,
  body TEXT NOT NULL,
  computed_at BIGINT NOT NULL,
  PRIMARY KEY (enrollid, date)
);
--> statement-breakpoint
CREATE INDEX ts_days_date ON ts_days (date, enrollid);
--> statement-breakpoint
CREATE INDEX ts_days_department ON ts_days (department_id, date, enrollid);
