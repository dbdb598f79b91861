CREATE TABLE terminals (
  sn TEXT PRIMARY KEY NOT NULL,
  name TEXT,
  location TEXT,
  approval TEXT NOT NULL DEFAULT 'approved' CHECK (approval IN ('approved', 'pending', 'blocked')),
  online INTEGER NOT NULL DEFAULT 0,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL,
  remote_addr TEXT,
  cpusn TEXT,
  model TEXT,
  firmware TEXT,
  fpalgo TEXT,
  mac TEXT,
  user_size INTEGER, user_used INTEGER,
  fp_size INTEGER, fp_used INTEGER,
  card_size INTEGER, card_used INTEGER,
  pwd_size INTEGER, pwd_used INTEGER,
  log_size INTEGER, log_used INTEGER, newlog_used INTEGER,
  face_size INTEGER, face_used INTEGER,
  palm_size INTEGER, palm_used INTEGER,
  terminal_time TEXT,
  devinfo TEXT,
  nosenduser INTEGER NOT NULL DEFAULT 0,
  session_id TEXT
);
--> statement-breakpoint
CREATE TABLE attendance (
  id INTEGER PRIMARY KEY,
  sn TEXT NOT NULL,
  enrollid INTEGER NOT NULL,
  time TEXT NOT NULL,
  ts INTEGER NOT NULL,
  mode INTEGER NOT NULL,
  inout INTEGER NOT NULL,
  event INTEGER NOT NULL,
  verifymode INTEGER,
  temp REAL,
  received_at INTEGER NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX attendance_identity ON attendance (sn, enrollid, time, mode, inout, event);
--> statement-breakpoint
CREATE INDEX attendance_time ON attendance (time);
--> statement-breakpoint
CREATE INDEX attendance_enrollid_time ON attendance (enrollid, time);
--> statement-breakpoint
CREATE TABLE punch_photos (
  attendance_id INTEGER PRIMARY KEY NOT NULL,
  data TEXT NOT NULL,
  received_at INTEGER NOT NULL
);
--> statement-breakpoint
CREATE TABLE door_events (
  id INTEGER PRIMARY KEY,
  sn TEXT NOT NULL,
  time TEXT NOT NULL,
  ts INTEGER NOT NULL,
  mode INTEGER NOT NULL,
  inout INTEGER NOT NULL,
  event INTEGER NOT NULL,
  received_at INTEGER NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX door_events_identity ON door_events (sn, time, mode, inout, event);
--> statement-breakpoint
CREATE INDEX door_events_time ON door_events (time);
--> statement-breakpoint
CREATE TABLE quarantine (
  id INTEGER PRIMARY KEY,
  sn TEXT,
  kind TEXT NOT NULL,
  raw TEXT NOT NULL,
  reason TEXT NOT NULL,
  received_at INTEGER NOT NULL
);
--> statement-breakpoint
CREATE INDEX quarantine_received_at ON quarantine (received_at);
--> statement-breakpoint
CREATE TABLE people (
  enrollid INTEGER PRIMARY KEY NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  admin INTEGER NOT NULL DEFAULT 0,
  enabled INTEGER NOT NULL DEFAULT 1,
  valid_from TEXT,
  valid_to TEXT,
  external_id TEXT UNIQUE,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
--> statement-breakpoint
CREATE TABLE credentials (
  enrollid INTEGER NOT NULL,
  backupnum INTEGER NOT NULL,
  data TEXT NOT NULL,
  source_sn TEXT,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (enrollid, backupnum)
);
--> statement-breakpoint
CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at INTEGER
);
--> statement-breakpoint
CREATE INDEX attendance_sn_time ON attendance (sn, time);
--> statement-breakpoint
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT,
  details TEXT,
  result TEXT NOT NULL
);
--> statement-breakpoint
CREATE INDEX audit_log_at ON audit_log (at);
