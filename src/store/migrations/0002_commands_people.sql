CREATE TABLE commands (
  id INTEGER PRIMARY KEY,
  sn TEXT NOT NULL,
  command TEXT NOT NULL,
  params TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'succeeded', 'failed', 'timed_out', 'expired', 'cancelled')),
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  deadline INTEGER,
  actor TEXT NOT NULL,
  job_id INTEGER,
  answer TEXT,
  reason TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  sent_at INTEGER,
  finished_at INTEGER
);
--> statement-breakpoint
CREATE INDEX commands_sn_status ON commands (sn, status, id);
--> statement-breakpoint
CREATE INDEX commands_job_status ON commands (job_id, status);
--> statement-breakpoint
CREATE INDEX commands_status_deadline ON commands (status, deadline);
--> statement-breakpoint
CREATE TABLE command_events (
  id INTEGER PRIMARY KEY,
  command_id INTEGER NOT NULL,
  at INTEGER NOT NULL,
  status TEXT NOT NULL,
  detail TEXT
);
--> statement-breakpoint
CREATE INDEX command_events_command ON command_events (command_id, id);
--> statement-breakpoint
CREATE TABLE jobs (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  target TEXT NOT NULL,
  params TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
  actor TEXT NOT NULL,
  detail TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  finished_at INTEGER
);
--> statement-breakpoint
CREATE INDEX jobs_status ON jobs (status, id);
--> statement-breakpoint
CREATE TABLE terminal_groups (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  sync INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
--> statement-breakpoint
CREATE TABLE terminal_group_members (
  group_id INTEGER NOT NULL,
  sn TEXT NOT NULL,
  added_at INTEGER NOT NULL,
  PRIMARY KEY (group_id, sn)
);
--> statement-breakpoint
CREATE INDEX terminal_group_members_sn ON terminal_group_members (sn);
--> statement-breakpoint
CREATE TABLE terminal_credentials (
  sn TEXT NOT NULL,
  enrollid INTEGER NOT NULL,
  backupnum INTEGER NOT NULL,
  digest TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (sn, enrollid, backupnum)
);
--> statement-breakpoint
CREATE INDEX terminal_credentials_enrollid ON terminal_credentials (enrollid);
--> statement-breakpoint
CREATE TABLE terminal_people (
  sn TEXT NOT NULL,
  enrollid INTEGER NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (sn, enrollid)
);
--> statement-breakpoint
CREATE INDEX terminal_people_enrollid ON terminal_people (enrollid);
--> statement-breakpoint
CREATE TABLE terminal_clock (
  sn TEXT PRIMARY KEY NOT NULL,
  drift_seconds INTEGER NOT NULL,
  checked_at INTEGER NOT NULL,
  corrected_at INTEGER
);
