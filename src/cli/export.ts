import { loadServeConfig } from "../config/load.ts";
import { serveFields } from "../config/schema.ts";
import { PgExporter } from "../export/pg-exporter.ts";
import { PgTargetError, pgTarget } from "../export/pg-target.ts";
import { createLogger } from "../obs/logger.ts";
import { parseDate, parseTerminalTime } from "../protocol/index.ts";
import { openStore } from "../store/open.ts";
import { SqliteStore } from "../store/sqlite/sqlite-store.ts";
import { parseArgs, UsageError } from "./args.ts";
import { storeConfigFromFlags } from "./store-flags.ts";

const { pgUrl, pgSchema, pgTemplates, dataDir, cluster } = serveFields;

export const exportHelp = `tm20 export --pg-url <url> [--since DATE] [flags]   export the store to PostgreSQL once, then exit

  ${`${pgUrl.flag} <url>`.padEnd(28)} target database (env ${pgUrl.env}), postgres://user:password@host:5432/database
  ${`${pgSchema.flag} <name>`.padEnd(28)} schema to create and fill (env ${pgSchema.env}, default ${pgSchema.default})
  ${`${pgTemplates.flag} on|off`.padEnd(28)} export biometric templates too (env ${pgTemplates.env}, default ${pgTemplates.default})
  ${"--since <date>".padEnd(28)} only records from this site-local date or time on (YYYY-MM-DD[ HH:MM:SS]);
  ${"".padEnd(28)} re-sends them and leaves the continuous export's position alone
  ${`${dataDir.flag} <dir>`.padEnd(28)} the data directory (env ${dataDir.env}, default ${dataDir.default})

Without --since it continues where the last export (this command or tm20 serve --pg-url) stopped.
Records already in PostgreSQL are never doubled.`;

export async function exportCommand(argv: string[]): Promise<void> {
  const { flags, positionals } = parseArgs(argv, { values: [pgUrl.flag, pgSchema.flag, pgTemplates.flag, dataDir.flag, "--since"], booleans: [cluster.flag] });
  if (positionals.length > 0) throw new UsageError(`export: unexpected ${JSON.stringify(positionals[0])}`);
  if (storeConfigFromFlags(flags).kind === "pg") {
    throw new UsageError(`export: with ${cluster.flag} the store is PostgreSQL already (${pgUrl.flag}); export copies a single box's SQLite store into PostgreSQL`);
  }
  // The same flags and TM20_* variables as tm20 serve, resolved the same way.
  const config = loadServeConfig(flags, process.env);
  if (config.pgUrl === "") throw new UsageError(`${pgUrl.flag}: where to export (or ${pgUrl.env})`);
  const sinceRaw = flags.get("--since");
  let since: string | undefined;
  if (sinceRaw !== undefined) {
    const day = parseDate(sinceRaw);
    since = day ? `${day} 00:00:00` : (parseTerminalTime(sinceRaw.replace("T", " ")) ?? undefined);
    if (!since) throw new UsageError(`--since: ${JSON.stringify(sinceRaw)} is not YYYY-MM-DD or YYYY-MM-DD HH:MM:SS`);
  }
  let target;
  try {
    target = pgTarget(config.pgUrl, config.pgSchema);
  } catch (err) {
    if (err instanceof PgTargetError) throw new UsageError(`${pgUrl.flag}: ${err.message}`);
    throw err;
  }
  const log = createLogger(process.env.TM20_LOG_LEVEL ?? "warn", "stderr");
  const store = await openStore({ kind: "sqlite", dataDir: config.dataDir });
  if (!(store instanceof SqliteStore)) throw new Error("tm20 export reads a data directory");
  const started = performance.now();
  try {
    const exporter = new PgExporter({ store, target, templates: config.pgTemplates === "on", log });
    const totals = await exporter.exportAll(since === undefined ? {} : { since });
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `Exported to ${target.display} in ${seconds.toFixed(1)} s: ${totals.attendance} attendance rows, ${totals.door_events} door events, ` +
        `${totals.terminals} terminals, ${totals.people} people, ${totals.credentials} templates.`,
    );
  } finally {
    store.close();
  }
}
