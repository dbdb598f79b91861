-- HR delivery destinations (issue 19): ERPNext, Odoo… Each has an outbox cursor over attendance
-- row ids, counts of what the remote skipped (JSON object reason → count) and per-record dead letters.
CREATE TABLE hr_destinations (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  url TEXT NOT NULL,
  settings TEXT NOT NULL,
  credentials_sealed TEXT,
  employee_id_from TEXT NOT NULL CHECK (employee_id_from IN ('external_id', 'enrollid')),
  terminals TEXT,
  enabled INTEGER NOT NULL,
  batch_size INTEGER NOT NULL,
  timeout_ms INTEGER NOT NULL,
  max_attempts INTEGER NOT NULL,
  cursor INTEGER NOT NULL,
  delivered INTEGER NOT NULL DEFAULT 0,
  skipped TEXT NOT NULL DEFAULT '{}',
  last_skip TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_success_at INTEGER,
  last_error TEXT,
  last_error_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
--> statement-breakpoint
CREATE TABLE hr_dead_letters (
  id INTEGER PRIMARY KEY,
  destination_id INTEGER NOT NULL,
  record_id INTEGER NOT NULL,
  record TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  last_error TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('dead', 'delivered')),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
--> statement-breakpoint
CREATE INDEX hr_dead_letters_destination ON hr_dead_letters (destination_id, id);
