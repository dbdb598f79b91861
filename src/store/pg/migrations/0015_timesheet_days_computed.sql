-- Issue 14: the PostgreSQL export mirrors daily results changed since its last look (by computed_at).
CREATE INDEX ts_days_computed ON ts_days (computed_at, enrollid, date);
