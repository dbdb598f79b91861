-- Issue 16: visitor passes. The code is kept as issued (not hashed): the pass page renders its QR
-- code again for printing or e-mailing. `used` is the count the doors consume with one
-- conditional UPDATE; `access_pass_uses` holds each use with the scan's identity (terminal and
-- record), so a unit's resend of the same scan is answered again without a second use.
CREATE TABLE access_passes (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  valid_from TEXT NOT NULL,
  valid_to TEXT NOT NULL,
  level_ids TEXT NOT NULL,
  terminals TEXT NOT NULL,
  uses INTEGER,
  used INTEGER NOT NULL DEFAULT 0,
  revoked_at INTEGER,
  revoked_by TEXT,
  created_at INTEGER NOT NULL,
  created_by TEXT NOT NULL
);
--> statement-breakpoint
CREATE TABLE access_pass_uses (
  id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL,
  pass_id INTEGER NOT NULL,
  sn TEXT NOT NULL,
  scan TEXT NOT NULL,
  used_at INTEGER NOT NULL
);
--> statement-breakpoint
CREATE INDEX access_pass_uses_scan ON access_pass_uses (pass_id, sn, scan, used_at);
