-- Issue 16: access control. Schedules and levels keep their rules as JSON (checked by
-- access/model.ts when written and read); who holds which level, people's issued QR codes,
-- each terminal's access mode, and why the server refused a punch (null: not refused).
CREATE TABLE access_schedules (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  body TEXT NOT NULL
);
--> statement-breakpoint
CREATE TABLE access_levels (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  schedule_id INTEGER NOT NULL,
  body TEXT NOT NULL
);
--> statement-breakpoint
CREATE INDEX access_levels_schedule ON access_levels (schedule_id);
--> statement-breakpoint
CREATE TABLE access_person_levels (
  enrollid INTEGER NOT NULL,
  level_id INTEGER NOT NULL,
  PRIMARY KEY (enrollid, level_id)
);
--> statement-breakpoint
CREATE INDEX access_person_levels_level ON access_person_levels (level_id);
--> statement-breakpoint
CREATE TABLE access_qr_codes (
  enrollid INTEGER PRIMARY KEY NOT NULL,
  code TEXT NOT NULL UNIQUE
);
--> statement-breakpoint
ALTER TABLE terminals ADD COLUMN access_mode TEXT NOT NULL DEFAULT 'terminal';
--> statement-breakpoint
ALTER TABLE attendance ADD COLUMN refused TEXT;
