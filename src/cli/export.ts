import { fieldValue } from "../config/load.ts";
import { serveFields } from "../config/schema.ts";
import { PgExporter } from "../export/pg-exporter.ts";
import { pgTarget } from "../export/pg-target.ts";
import { createLogger } from "../obs/logger.ts";
import { parseDate, parseTerminalTime } from "../protocol/index.ts";
import { openStore } from "../store/open.ts";
import { SqliteStore } from "../store/sqlite/sqlite-store.ts";
import { parseArgs, UsageError } from "./args.ts";
import { ProgressReporter } from "./progress.ts";
import { serveFlagsHelp, storeConfigFromFlags, withServeFlags } from "./store-flags.ts";
import { plural } from "../lib/plural.ts";

const { pgUrl, cluster } = serveFields;

export const exportHelp = `tm20 export --pg-url <url> [--since DATE] [flags]   export the store to PostgreSQL once, then exit

  ${"--since <date>".padEnd(30)} only records from this site-local date or time on (YYYY-MM-DD[ HH:MM:SS]);
  ${"".padEnd(30)} re-sends them and leaves the continuous export's position alone

Without --since it continues where the last export (this command or tm20 serve --pg-url) stopped.
Records already in PostgreSQL are never doubled.

${serveFlagsHelp(["pgUrl", "pgSchema", "pgTemplates", "dataDir"])}`;

export async function exportCommand(argv: string[]): Promise<void> {
  const { flags, positionals } = parseArgs(argv, withServeFlags({ values: ["--since"] }));
  if (positionals.length > 0) throw new UsageError(`export: unexpected ${JSON.stringify(positionals[0])}`);
  if (storeConfigFromFlags(flags).kind === "pg") {
    throw new UsageError(`export: with ${cluster.flag} the store is PostgreSQL already (${pgUrl.flag}); export copies a single box's SQLite store into PostgreSQL`);
  }
  const config = {
    pgUrl: fieldValue("pgUrl", flags, process.env),
    pgSchema: fieldValue("pgSchema", flags, process.env),
    templates: fieldValue("pgTemplates", flags, process.env) === "on",
    dataDir: fieldValue("dataDir", flags, process.env),
  };
  if (config.pgUrl === "") throw new UsageError(`${pgUrl.flag}: where to export (or ${pgUrl.env})`);
  const sinceRaw = flags.get("--since");
  let since: string | undefined;
  if (sinceRaw !== undefined) {
    const day = parseDate(sinceRaw);
    since = day ? `${day} 00:00:00` : (parseTerminalTime(sinceRaw.replace("T", " ")) ?? undefined);
    if (!since) throw new UsageError(`--since: ${JSON.stringify(sinceRaw)} is not YYYY-MM-DD or YYYY-MM-DD HH:MM:SS`);
  }
  const target = pgTarget(config.pgUrl, config.pgSchema);
  const log = createLogger(process.env.TM20_LOG_LEVEL ?? "warn", "stderr");
  const store = await openStore({ kind: "sqlite", dataDir: config.dataDir });
  if (!(store instanceof SqliteStore)) throw new Error("tm20 export reads a data directory");
  const started = performance.now();
  try {
    const exporter = new PgExporter({ store, target, templates: config.templates, log });
    const progress = new ProgressReporter("rows");
    let totals;
    try {
      totals = await exporter.exportAll({ since, onProgress: (rows, total) => progress.update(rows, total) });
    } finally {
      progress.finish();
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `Exported to ${target.display} in ${seconds.toFixed(1)} s: ${plural(totals.attendance, "attendance row")}, ${plural(totals.door_events, "door event")}, ` +
        `${plural(totals.terminals, "terminal")}, ${plural(totals.people, "person", "people")}, ${plural(totals.credentials, "template")}, ${plural(totals.departments, "department")}, ${plural(totals.timesheetDays, "daily result")}.`,
    );
  } finally {
    store.close();
  }
}
