/**
 * Drizzle's view of the PostgreSQL tables, one module per aggregate under schema/, beside its
 * SQLite twin of the same name (../schema/): the same tables and columns, typed so that every row
 * has the very same shape as its SQLite twin (times are bigint ms read as numbers), which is what
 * lets PgStore return the contract's row types unchanged. The row types and the value lists of
 * enum columns are the SQLite modules' alone. The leases are PostgreSQL's only.
 */
export * from "./schema/admin.ts";
export * from "./schema/attendance.ts";
export * from "./schema/commands.ts";
export * from "./schema/export.ts";
export * from "./schema/hr.ts";
export * from "./schema/people.ts";
export * from "./schema/terminals.ts";
export * from "./schema/timesheets.ts";
export * from "./schema/webhooks.ts";
