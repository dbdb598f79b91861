-- Issue 16, doors: a terminal's newest command of one kind (its last getdevlock answer, a
-- setdevlock still on its way) is read without walking its whole history; a terminal can be a
-- site entrance, whose in/out punches say who is inside (presence, muster list).
CREATE INDEX commands_sn_command ON commands (sn, command, id);
--> statement-breakpoint
ALTER TABLE terminals ADD COLUMN site_entrance INTEGER NOT NULL DEFAULT 0;
