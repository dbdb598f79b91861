-- Issue 17: as SQLite's 0026 (a terminal's refusal of name-only users, with the firmware it ran then).
CREATE TABLE terminal_name_refusals (
  sn TEXT PRIMARY KEY NOT NULL,
  firmware TEXT NOT NULL,
  refused_at BIGINT NOT NULL
);
