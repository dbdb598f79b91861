-- HR delivery destinations (issue 19): ERPNext, Odoo… Each has an outbox cursor over attendance
-- row ids, counts of what the remote skipped (JSON object reason → count) and per-record dead
-- letters; in a cluster, the instance that delivers each (as webhook_leases).
CREATE TABLE hr_destinations (
  id BIGSERIAL PRIMARY KEY,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  url TEXT NOT NULL,
  settings TEXT NOT NULL,
  credentials_sealed TEXT,
  employee_id_from TEXT NOT NULL CHECK (employee_id_from IN ('external_id', 'enrollid')),
  terminals TEXT,
  enabled BOOLEAN NOT NULL,
  batch_size INTEGER NOT NULL,
  timeout_ms INTEGER NOT NULL,
  max_attempts INTEGER NOT NULL,
  cursor BIGINT NOT NULL,
  delivered BIGINT NOT NULL DEFAULT 0,
  skipped TEXT NOT NULL DEFAULT '{}',
  last_skip TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_success_at BIGINT,
  last_error TEXT,
  last_error_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
--> statement-breakpoint
CREATE TABLE hr_dead_letters (
  id BIGSERIAL PRIMARY KEY,
  destination_id BIGINT NOT NULL,
  record_id BIGINT NOT NULL,
  record TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  last_error TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('dead', 'delivered')),
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
--> statement-breakpoint
CREATE INDEX hr_dead_letters_destination ON hr_dead_letters (destination_id, id);
--> statement-breakpoint
CREATE TABLE hr_leases (
  destination_id BIGINT PRIMARY KEY,
  holder TEXT NOT NULL,
  expires_at BIGINT NOT NULL
);
