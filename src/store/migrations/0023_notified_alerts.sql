-- The alert notifier's memory (alerts/notifier.ts), so that a restart neither tells an alert
-- again nor forgets to tell that it ended: each alert it tracks, as last told (JSON, what a
-- "resolved" message names), since when, and whether it was told. The day of the last daily
-- digest is the settings key `notifications_digest_day`.
CREATE TABLE notified_alerts (
  alert_id TEXT PRIMARY KEY,
  alert TEXT NOT NULL,
  first_seen INTEGER NOT NULL,
  told INTEGER NOT NULL
);
