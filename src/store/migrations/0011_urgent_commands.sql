-- Issue 17: a door (or other urgent) command goes ahead of everything queued for its terminal. The
-- list must stay exactly URGENT_QUEUE_SQL of src/store/commands-schema.ts (the planner uses this
-- partial index only for that same expression), so finding the next urgent one never walks a
-- long queue of ordinary commands.
CREATE INDEX commands_sn_urgent ON commands (sn, status, id) WHERE command IN ('opendoor', 'cleanlog', 'cleanuser', 'cleanadmin', 'initsys', 'reboot');
