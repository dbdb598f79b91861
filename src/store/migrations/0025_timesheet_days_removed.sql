-- Issue 14: a daily result removed (a day no longer due) and when, so the PostgreSQL export removes
-- it from its mirror too; it mirrors the rest by computed_at, which a removed row no longer has.
-- One row per (enrollid, date), the last removal's time: as many as days ever removed, few.
CREATE TABLE ts_days_removed (
  enrollid INTEGER NOT NULL,
  date TEXT NOT NULL,
  removed_at INTEGER NOT NULL,
  PRIMARY KEY (enrollid, date)
);
--> statement-breakpoint
CREATE INDEX ts_days_removed_at ON ts_days_removed (removed_at, enrollid, date);
