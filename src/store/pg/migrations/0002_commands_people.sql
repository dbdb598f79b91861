CREATE TABLE commands (
  id BIGSERIAL PRIMARY KEY,
  sn TEXT NOT NULL,
  command TEXT NOT NULL,
  params TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'succeeded', 'failed', 'timed_out', 'expired', 'cancelled')),
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  deadline BIGINT,
  actor TEXT NOT NULL,
  job_id BIGINT,
  answer TEXT,
  reason TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  sent_at BIGINT,
  finished_at BIGINT
);
--> statement-breakpoint
CREATE INDEX commands_sn_status ON commands (sn, status, id);
--> statement-breakpoint
CREATE INDEX commands_job_status ON commands (job_id, status);
--> statement-breakpoint
CREATE INDEX commands_status_deadline ON commands (status, deadline);
--> statement-breakpoint
CREATE TABLE command_events (
  id BIGSERIAL PRIMARY KEY,
  command_id BIGINT NOT NULL,
  at BIGINT NOT NULL,
  status TEXT NOT NULL,
  detail TEXT
);
--> statement-breakpoint
CREATE INDEX command_events_command ON command_events (command_id, id);
--> statement-breakpoint
CREATE TABLE jobs (
  id BIGSERIAL PRIMARY KEY,
  kind TEXT NOT NULL,
  target TEXT NOT NULL,
  params TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed')),
  actor TEXT NOT NULL,
  detail TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  finished_at BIGINT
);
--> statement-breakpoint
CREATE INDEX jobs_status ON jobs (status, id);
--> statement-breakpoint
CREATE TABLE terminal_groups (
  id BIGSERIAL PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  sync BOOLEAN NOT NULL DEFAULT false,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
--> statement-breakpoint
CREATE TABLE terminal_group_members (
  group_id BIGINT NOT NULL,
  sn TEXT NOT NULL,
  added_at BIGINT NOT NULL,
  PRIMARY KEY (group_id, sn)
);
--> statement-breakpoint
CREATE INDEX terminal_group_members_sn ON terminal_group_members (sn);
--> statement-breakpoint
CREATE TABLE terminal_credentials (
  sn TEXT NOT NULL,
  enrollid BIGINT NOT NULL,
  backupnum INTEGER NOT NULL,
  digest TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (sn, enrollid, backupnum)
);
--> statement-breakpoint
CREATE INDEX terminal_credentials_enrollid ON terminal_credentials (enrollid);
--> statement-breakpoint
CREATE TABLE terminal_people (
  sn TEXT NOT NULL,
  enrollid BIGINT NOT NULL,
  enabled BOOLEAN NOT NULL DEFAULT true,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (sn, enrollid)
);
--> statement-breakpoint
CREATE INDEX terminal_people_enrollid ON terminal_people (enrollid);
--> statement-breakpoint
CREATE TABLE terminal_clock (
  sn TEXT PRIMARY KEY NOT NULL,
  drift_seconds INTEGER NOT NULL,
  checked_at BIGINT NOT NULL,
  corrected_at BIGINT
);
