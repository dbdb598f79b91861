-- Issue 16: what each terminal is known to hold of the access tables (the last acknowledged
-- day zones, week zones and holiday table as JSON, NULL when unknown; a lock per person), so the
-- sync sends only what differs; and why its last sync was refused (the model does not fit it).
CREATE TABLE access_held (
  sn TEXT PRIMARY KEY NOT NULL,
  dayzones TEXT,
  weekzones TEXT,
  holidays TEXT,
  problem TEXT,
  problem_since BIGINT
);
--> statement-breakpoint
CREATE TABLE access_held_locks (
  sn TEXT NOT NULL,
  enrollid BIGINT NOT NULL,
  weekzone INTEGER NOT NULL,
  lock_group INTEGER NOT NULL,
  starttime TEXT NOT NULL,
  endtime TEXT NOT NULL,
  PRIMARY KEY (sn, enrollid)
);
