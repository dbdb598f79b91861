-- Issue 14: how far the recompute has followed the punches (results are written for every
-- attendance row up to `mark`), so punches committed just before a crash are recomputed at the
-- next start; and which instance follows them (one per cluster, until `expires_at`, ms). The
-- punches stored before this migration are a rebuild's, as before.
CREATE TABLE ts_follow (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  mark INTEGER NOT NULL,
  holder TEXT,
  expires_at INTEGER NOT NULL DEFAULT 0
);
--> statement-breakpoint
INSERT INTO ts_follow (id, mark) SELECT 1, COALESCE(MAX(id), 0) FROM attendance;
