-- Issue 11: a quarantined raw frame is kept up to a bound; original_bytes is its size when it was cut (NULL: kept whole).
ALTER TABLE quarantine ADD COLUMN original_bytes INTEGER;
--> statement-breakpoint
-- Pruning a terminal's oldest entries beyond its cap walks this index.
CREATE INDEX quarantine_sn ON quarantine (sn, id);
