-- Retention deletes punch photos by age; without this index every pass scans the photo table.
CREATE INDEX punch_photos_received_at ON punch_photos (received_at);
--> statement-breakpoint
-- Every stored record updates every attendance index, so each one costs ingest throughput. With
-- sn and time leading the identity index, it also serves "one terminal, by time" and the
-- separate (sn, time) index can go: one index fewer per record.
DROP INDEX attendance_sn_time;
--> statement-breakpoint
DROP INDEX attendance_identity;
--> statement-breakpoint
CREATE UNIQUE INDEX attendance_identity ON attendance (sn, time, enrollid, mode, inout, event);
