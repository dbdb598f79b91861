-- Issue 15: a terminal's hardware identity (cpusn, mac) is remembered; a registration under the
-- same sn with other hardware is kept here (its identity, address and time, the latest one only)
-- until an admin accepts it ("Replaced hardware").
ALTER TABLE terminals ADD COLUMN mismatch_cpusn text;
--> statement-breakpoint
ALTER TABLE terminals ADD COLUMN mismatch_mac text;
--> statement-breakpoint
ALTER TABLE terminals ADD COLUMN mismatch_addr text;
--> statement-breakpoint
ALTER TABLE terminals ADD COLUMN mismatch_at integer;
