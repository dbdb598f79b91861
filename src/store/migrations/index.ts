/**
 * Migrations are embedded as text so the compiled binary needs nothing on disk. Append new
 * files here in order; an applied migration is never edited, nor renamed (every single box has
 * recorded these names). A change PostgreSQL makes too has the same name in ../pg/migrations/; one
 * only SQLite makes has a number PostgreSQL does not use (0003, 0004), and the reverse.
 */
import init from "./0001_init.sql" with { type: "text" };
import commandsPeople from "./0002_commands_people.sql" with { type: "text" };
import adminUi from "./0003_admin_ui.sql" with { type: "text" };
import ops from "./0004_ops.sql" with { type: "text" };
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
import access from "./0019_access.sql" with { type: "text" };
import accessPasses from "./0020_access_passes.sql" with { type: "text" };
import doors from "./0021_doors.sql" with { type: "text" };
import timesheetFollow from "./0022_timesheet_follow.sql" with { type: "text" };
import notifiedAlerts from "./0023_notified_alerts.sql" with { type: "text" };
import accessHeld from "./0024_access_held.sql" with { type: "text" };
import timesheetDaysRemoved from "./0025_timesheet_days_removed.sql" with { type: "text" };
import nameRefusals from "./0026_name_refusals.sql" with { type: "text" };

export interface Migration {
  name: string;
  sql: string;
}

export const migrations: Migration[] = [
  { name: "0001_init", sql: init },
  { name: "0002_commands_people", sql: commandsPeople },
  { name: "0003_admin_ui", sql: adminUi },
  { name: "0004_ops", sql: ops },
  { name: "0005_export", sql: exportTables },
  { name: "0006_import_sources", sql: importSources },
  { name: "0007_audit_target", sql: auditTarget },
  { name: "0008_token_scope", sql: tokenScope },
  { name: "0009_quarantine_bounds", sql: quarantineBounds },
  { name: "0010_timesheets", sql: timesheets },
  { name: "0011_urgent_commands", sql: urgentCommands },
  { name: "0012_terminal_identity", sql: terminalIdentity },
  { name: "0013_held_changes", sql: heldChanges },
  { name: "0014_hr_destinations", sql: hrDestinations },
  { name: "0015_timesheet_days_computed", sql: timesheetDaysComputed },
  { name: "0019_access", sql: access },
  { name: "0020_access_passes", sql: accessPasses },
  { name: "0021_doors", sql: doors },
  { name: "0022_timesheet_follow", sql: timesheetFollow },
  { name: "0023_notified_alerts", sql: notifiedAlerts },
  { name: "0024_access_held", sql: accessHeld },
  { name: "0025_timesheet_days_removed", sql: timesheetDaysRemoved },
  { name: "0026_name_refusals", sql: nameRefusals },
];

/** Drizzle-kit's separator: statements are run one by one because prepared statements hold one. */
export function statementsOf(migration: Migration): string[] {
  return migration.sql
    .split("--> statement-breakpoint")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
