-- Every stored record updates every attendance index, so each one costs ingest throughput (and
-- the records lock is held while they are updated). With sn and time leading the identity index,
-- it also serves "one terminal, by time" and the separate (sn, time) index can go: one index
-- fewer per record, as SQLite's 0004_ops. Rebuilding the index reads the whole table once, at
-- the first start of this version.
DROP INDEX attendance_sn_time;
--> statement-breakpoint
DROP INDEX attendance_identity;
--> statement-breakpoint
CREATE UNIQUE INDEX attendance_identity ON attendance (sn, time, enrollid, mode, inout, event);
