/**
 * Drizzle's view of the tables, one module per aggregate under schema/ (the command engine's in
 * commands-schema.ts). The SQL migrations are the source of truth for the database; these modules
 * must describe the same columns (the store contract test reads and writes every one).
 */
export * from "./schema/admin.ts";
export * from "./schema/attendance.ts";
export * from "./schema/export.ts";
export * from "./schema/hr.ts";
export * from "./schema/people.ts";
export * from "./schema/terminals.ts";
export * from "./schema/timesheets.ts";
export * from "./schema/webhooks.ts";
