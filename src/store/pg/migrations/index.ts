/**
 * PostgreSQL's own migrations, embedded as text like SQLite's (../../migrations/index.ts) and
 * split by the same `statementsOf`. A change both engines make has the same name in both (SQLite's,
 * which every single box has recorded); one only PostgreSQL makes has a number SQLite does not use
 * (0016, 0017), and SQLite's own 0003 and 0004 have none here (this 0001_init already creates
 * 0003_admin_ui's tables; 0017_attendance_indexes is 0004_ops's index change). Append new files here
 * in order, never edit an applied one.
 */
import type { Migration } from "../../migrations/index.ts";
import init from "./0001_init.sql" with { type: "text" };
import commandsPeople from "./0002_commands_people.sql" with { type: "text" };
import exportTables from "./0005_export.sql" with { type: "text" };
import importSources from "./0006_import_sources.sql" with { type: "text" };
import auditTarget from "./0007_audit_target.sql" with { type: "text" };
import tokenScope from "./0008_token_scope.sql" with { type: "text" };
import quarantineBounds from "./0009_quarantine_bounds.sql" with { type: "text" };
import timesheets from "./0010_timesheets.sql" with { type: "text" };
import urgentCommands from "./0011_urgent_commands.sql" with { type: "text" };
import terminalIdentity from "./0012_terminal_identity.sql" with { type: "text" };
import heldChanges from "./0013_held_changes.sql" with { type: "text" };
import hrDestinations from "./0014_hr_destinations.sql" with { type: "text" };
import timesheetDaysComputed from "./0015_timesheet_days_computed.sql" with { type: "text" };
import webhookLeases from "./0016_webhook_leases.sql" with { type: "text" };
import attendanceIndexes from "./0017_attendance_indexes.sql" with { type: "text" };
import access from "./0019_access.sql" with { type: "text" };
import accessPasses from "./0020_access_passes.sql" with { type: "text" };
import doors from "./0021_doors.sql" with { type: "text" };
import timesheetFollow from "./0022_timesheet_follow.sql" with { type: "text" };
import notifiedAlerts from "./0023_notified_alerts.sql" with { type: "text" };
import accessHeld from "./0024_access_held.sql" with { type: "text" };
import timesheetDaysRemoved from "./0025_timesheet_days_removed.sql" with { type: "text" };
import nameRefusals from "./0026_name_refusals.sql" with { type: "text" };

export interface PgMigration extends Migration {
  /**
   * The name it was recorded under before issue 13 matched the engines' names: migratePg renames
   * such a row, and does not apply the migration again.
   */
  formerly?: string;
}

export const pgMigrations: PgMigration[] = [
  { name: "0001_init", sql: init },
  { name: "0002_commands_people", sql: commandsPeople },
  { name: "0005_export", sql: exportTables, formerly: "0003_export_webhooks" },
  { name: "0006_import_sources", sql: importSources, formerly: "0004_import_sources" },
  { name: "0007_audit_target", sql: auditTarget, formerly: "0005_audit_target" },
  { name: "0008_token_scope", sql: tokenScope },
  { name: "0009_quarantine_bounds", sql: quarantineBounds },
  { name: "0010_timesheets", sql: timesheets },
  { name: "0011_urgent_commands", sql: urgentCommands },
  { name: "0012_terminal_identity", sql: terminalIdentity },
  { name: "0013_held_changes", sql: heldChanges },
  { name: "0014_hr_destinations", sql: hrDestinations },
  { name: "0015_timesheet_days_computed", sql: timesheetDaysComputed },
  { name: "0016_webhook_leases", sql: webhookLeases, formerly: "0006_webhook_leases" },
  { name: "0017_attendance_indexes", sql: attendanceIndexes, formerly: "0007_attendance_indexes" },
  { name: "0019_access", sql: access },
  { name: "0020_access_passes", sql: accessPasses },
  { name: "0021_doors", sql: doors },
  { name: "0022_timesheet_follow", sql: timesheetFollow },
  { name: "0023_notified_alerts", sql: notifiedAlerts },
  { name: "0024_access_held", sql: accessHeld },
  { name: "0025_timesheet_days_removed", sql: timesheetDaysRemoved },
  { name: "0026_name_refusals", sql: nameRefusals },
];
