CREATE TABLE terminals (
  sn TEXT PRIMARY KEY NOT NULL,
  name TEXT,
  location TEXT,
  approval TEXT NOT NULL DEFAULT 'approved' CHECK (approval IN ('approved', 'pending', 'blocked')),
  online BOOLEAN NOT NULL DEFAULT false,
  first_seen BIGINT NOT NULL,
  last_seen BIGINT NOT NULL,
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
  nosenduser BOOLEAN NOT NULL DEFAULT false,
  session_id TEXT
);
--> statement-breakpoint
CREATE TABLE attendance (
  id BIGSERIAL PRIMARY KEY,
  sn TEXT NOT NULL,
  enrollid BIGINT NOT NULL,
  time TEXT NOT NULL,
  ts BIGINT NOT NULL,
  mode INTEGER NOT NULL,
  inout INTEGER NOT NULL,
  event INTEGER NOT NULL,
  verifymode INTEGER,
  temp DOUBLE PRECISION,
  received_at BIGINT NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX attendance_identity ON attendance (sn, enrollid, time, mode, inout, event);
--> statement-breakpoint
CREATE INDEX attendance_time ON attendance (time);
--> statement-breakpoint
CREATE INDEX attendance_enrollid_time ON attendance (enrollid, time);
--> statement-breakpoint
CREATE INDEX attendance_sn_time ON attendance (sn, time);
--> statement-breakpoint
CREATE TABLE punch_photos (
  attendance_id BIGINT PRIMARY KEY NOT NULL,
  data TEXT NOT NULL,
  received_at BIGINT NOT NULL
);
--> statement-breakpoint
CREATE TABLE door_events (
  id BIGSERIAL PRIMARY KEY,
  sn TEXT NOT NULL,
  time TEXT NOT NULL,
  ts BIGINT NOT NULL,
  mode INTEGER NOT NULL,
  inout INTEGER NOT NULL,
  event INTEGER NOT NULL,
  received_at BIGINT NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX door_events_identity ON door_events (sn, time, mode, inout, event);
--> statement-breakpoint
CREATE INDEX door_events_time ON door_events (time);
--> statement-breakpoint
CREATE TABLE quarantine (
  id BIGSERIAL PRIMARY KEY,
  sn TEXT,
  kind TEXT NOT NULL,
  raw TEXT NOT NULL,
  reason TEXT NOT NULL,
  received_at BIGINT NOT NULL
);
--> statement-breakpoint
CREATE INDEX quarantine_received_at ON quarantine (received_at);
--> statement-breakpoint
CREATE TABLE people (
  enrollid BIGINT PRIMARY KEY NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  admin INTEGER NOT NULL DEFAULT 0,
  enabled BOOLEAN NOT NULL DEFAULT true,
  valid_from TEXT,
  valid_to TEXT,
  external_id TEXT UNIQUE,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
--> statement-breakpoint
CREATE TABLE credentials (
  enrollid BIGINT NOT NULL,
  backupnum INTEGER NOT NULL,
  data TEXT NOT NULL,
  source_sn TEXT,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (enrollid, backupnum)
);
--> statement-breakpoint
CREATE TABLE api_tokens (
  id BIGSERIAL PRIMARY KEY,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL,
  last_used_at BIGINT,
  revoked_at BIGINT
);
--> statement-breakpoint
CREATE TABLE audit_log (
  id BIGSERIAL PRIMARY KEY,
  at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT,
  details TEXT,
  result TEXT NOT NULL
);
--> statement-breakpoint
CREATE INDEX audit_log_at ON audit_log (at);
--> statement-breakpoint
CREATE INDEX audit_log_action ON audit_log (action, id);
--> statement-breakpoint
CREATE INDEX audit_log_actor ON audit_log (actor, id);
--> statement-breakpoint
CREATE TABLE admin_users (
  id BIGSERIAL PRIMARY KEY,
  username TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),
  disabled BOOLEAN NOT NULL DEFAULT false,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  last_login_at BIGINT
);
--> statement-breakpoint
CREATE UNIQUE INDEX admin_users_username ON admin_users (lower(username));
--> statement-breakpoint
CREATE TABLE admin_sessions (
  token_hash TEXT PRIMARY KEY NOT NULL,
  user_id BIGINT NOT NULL,
  csrf_token TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  remote_addr TEXT
);
--> statement-breakpoint
CREATE INDEX admin_sessions_user ON admin_sessions (user_id);
--> statement-breakpoint
CREATE TABLE settings (
  key TEXT PRIMARY KEY NOT NULL,
  value TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
