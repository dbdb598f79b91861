-- As SQLite's 0013: person changes from terminals held for an admin's approval (issue 15).
CREATE TABLE held_changes (
  id BIGSERIAL PRIMARY KEY,
  at BIGINT NOT NULL,
  sn TEXT NOT NULL,
  remote_addr TEXT,
  via TEXT NOT NULL,
  enrollid BIGINT NOT NULL,
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
