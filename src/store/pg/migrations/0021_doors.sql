-- Issue 16, doors: as SQLite's 0021 (a terminal's newest command of one kind; site entrances).
CREATE INDEX commands_sn_command ON commands (sn, command, id);
--> statement-breakpoint
ALTER TABLE terminals ADD COLUMN site_entrance BOOLEAN NOT NULL DEFAULT false;
