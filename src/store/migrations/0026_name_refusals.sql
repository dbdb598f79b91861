-- Issue 17: a terminal that answered a push's setusername with result:false does not take
-- name-only users; kept with the firmware it ran then, so the refusal outlives a restart and holds
-- on every cluster instance, and stops holding once the terminal registers with other firmware.
-- firmware: the terminal's firmware at the refusal, '' when it reported none.
CREATE TABLE terminal_name_refusals (
  sn TEXT PRIMARY KEY NOT NULL,
  firmware TEXT NOT NULL,
  refused_at INTEGER NOT NULL
);
