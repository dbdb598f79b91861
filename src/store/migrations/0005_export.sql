CREATE TABLE export_cursors (
  target TEXT NOT NULL,
  stream TEXT NOT NULL,
  last_id INTEGER NOT NULL,
  exported INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (target, stream)
);
--> statement-breakpoint
CREATE TABLE webhooks (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  url TEXT NOT NULL,
  auth_header TEXT,
  auth_sealed TEXT,
  hmac_sealed TEXT,
  terminals TEXT,
  event_types TEXT NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1,
  batch_size INTEGER NOT NULL,
  timeout_ms INTEGER NOT NULL,
  max_attempts INTEGER,
  attendance_cursor INTEGER NOT NULL,
  door_cursor INTEGER NOT NULL,
  delivered INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_success_at INTEGER,
  last_error TEXT,
  last_error_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
--> statement-breakpoint
CREATE TABLE webhook_dead_letters (
  id INTEGER PRIMARY KEY,
  webhook_id INTEGER NOT NULL,
  batch_id TEXT NOT NULL,
  records TEXT NOT NULL,
  record_count INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  last_error TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('dead', 'delivered')),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
--> statement-breakpoint
CREATE INDEX webhook_dead_letters_webhook ON webhook_dead_letters (webhook_id, id);
--> statement-breakpoint
CREATE TABLE people_import_sources (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  url TEXT NOT NULL,
  auth_header TEXT,
  auth_sealed TEXT,
  mapping TEXT NOT NULL,
  paging TEXT NOT NULL,
  disable_missing INTEGER NOT NULL DEFAULT 0,
  interval_minutes INTEGER,
  last_run_at INTEGER,
  last_result TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
