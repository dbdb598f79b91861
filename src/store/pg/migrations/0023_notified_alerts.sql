-- The alert notifier's memory (alerts/notifier.ts), so that a restart neither tells an alert
-- again nor forgets to tell that it ended: each alert it tracks, as last told (JSON, what a
-- "resolved" message names), since when, and whether it was told. The day of the last daily
-- digest is the settings key `notifications_digest_day`.
CREATE TABLE notified_alerts (
  alert_id TEXT PRIMARY KEY,
  alert TEXT NOT NULL,
  first_seen BIGINT NOT NULL,
  told BOOLEAN NOT NULL
);
--> statement-breakpoint
-- Which cluster instance plays a role of which the cluster needs exactly one (the notifier),
-- until when (ms on the database's clock), as webhook_leases for destinations.
CREATE TABLE role_leases (
  role TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  expires_at BIGINT NOT NULL
);
