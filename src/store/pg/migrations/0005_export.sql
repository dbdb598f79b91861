CREATE TABLE export_cursors (
  target TEXT NOT NULL,
  stream TEXT NOT NULL,
  last_id BIGINT NOT NULL,
  exported BIGINT NOT NULL DEFAULT 0,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (target, stream)
);
--> statement-breakpoint
CREATE TABLE webhooks (
  id BIGSERIAL PRIMARY KEY,
  name TEXT NOT NULL,
  url TEXT NOT NULL,
  auth_header TEXT,
  auth_sealed TEXT,
  hmac_sealed TEXT,
  terminals TEXT,
  event_types TEXT NOT NULL,
  enabled BOOLEAN NOT NULL DEFAULT true,
  batch_size INTEGER NOT NULL,
  timeout_ms INTEGER NOT NULL,
  max_attempts INTEGER,
  attendance_cursor BIGINT NOT NULL,
  door_cursor BIGINT NOT NULL,
  delivered BIGINT NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_success_at BIGINT,
  last_error TEXT,
  last_error_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
--> statement-breakpoint
CREATE TABLE webhook_dead_letters (
  id BIGSERIAL PRIMARY KEY,
  webhook_id BIGINT NOT NULL,
  batch_id TEXT NOT NULL,
  records TEXT NOT NULL,
  record_count INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  last_error TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('dead', 'delivered')),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
--> statement-breakpoint
CREATE INDEX webhook_dead_letters_webhook ON webhook_dead_letters (webhook_id, id);
--> statement-breakpoint
CREATE TABLE people_import_sources (
  id BIGSERIAL PRIMARY KEY,
  name TEXT NOT NULL,
  url TEXT NOT NULL,
  auth_header TEXT,
  auth_sealed TEXT,
  mapping TEXT NOT NULL,
  paging TEXT NOT NULL,
  disable_missing BOOLEAN NOT NULL DEFAULT false,
  interval_minutes INTEGER,
  last_run_at BIGINT,
  last_result TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
