-- Issue 15: a person change from a terminal that would raise an admin level or replace a
-- credential (or an enrolment the site holds) waits here for an admin instead of being applied.
-- One row per terminal and credential slot: a newer upload from the same terminal replaces it.
-- AUTOINCREMENT: a decided change's id is never given to a newer one, so an approval sent from a
-- stale page cannot land on a change the admin has not seen.
CREATE TABLE held_changes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  sn TEXT NOT NULL,
  remote_addr TEXT,
  via TEXT NOT NULL,
  enrollid INTEGER NOT NULL,
  name TEXT,
  admin INTEGER NOT NULL,
  backupnum INTEGER NOT NULL,
  data TEXT NOT NULL,
  reasons TEXT NOT NULL,
  previous_name TEXT,
  previous_admin INTEGER
);
--> statement-breakpoint
CREATE UNIQUE INDEX held_changes_slot ON held_changes (sn, enrollid, backupnum);
