/** `tm20 timesheets rebuild`: recomputes everyone's daily results over a range from the raw punches. */
import { CLI } from "../app/actor.ts";
import { rebuildTimesheets } from "../app/timesheets/rebuild.ts";
import { fieldValue } from "../config/load.ts";
import { defaultTimeZone } from "../config/schema.ts";
import { TimesheetRecompute } from "../jobs/timesheet-recompute.ts";
import { createLogger } from "../obs/logger.ts";
import { SiteSettings } from "../settings/site-settings.ts";
import { openStore } from "../store/open.ts";
import { parseArgs, UsageError } from "./args.ts";
import { STORE_FIELDS, serveFlagsHelp, storeConfigFromFlags, withServeFlags } from "./store-flags.ts";
import { plural } from "../lib/plural.ts";

export const timesheetsHelp = `tm20 timesheets rebuild --from DATE --to DATE   recompute every person's daily results over the dates (YYYY-MM-DD, both included)

Results are derived from the raw punches, corrections, leave and the rules: a rebuild replaces
them (the server keeps them current by itself; rebuild after restoring a backup or to be sure).
Days after today are not computed. Safe while the server runs. The time zone is the site's
(as saved in the admin UI, else --tz).

${serveFlagsHelp([...STORE_FIELDS, "tz"])}`;

export async function timesheetsCommand(argv: string[]): Promise<void> {
  const { flags, positionals } = parseArgs(argv, withServeFlags({ values: ["--from", "--to"] }));
  const [action, extra] = positionals;
  if (action !== "rebuild") throw new UsageError(`timesheets: unknown action ${JSON.stringify(action ?? "")} (rebuild)`);
  if (extra !== undefined) throw new UsageError(`timesheets: unexpected ${JSON.stringify(extra)}`);
  const from = flags.get("--from");
  const to = flags.get("--to");
  if (from === undefined || to === undefined) throw new UsageError("timesheets rebuild: give --from DATE and --to DATE (YYYY-MM-DD)");
  const store = await openStore(storeConfigFromFlags(flags));
  try {
    const settings = await SiteSettings.load(store, { tz: defaultTimeZone(fieldValue("tz", flags, process.env)), approval: "open" });
    const log = createLogger(process.env.TM20_LOG_LEVEL ?? "warn", "stderr");
    const recompute = new TimesheetRecompute({ store, clock: settings.clock, log, now: Date.now, debounceMs: 0 });
    const started = performance.now();
    const run = await rebuildTimesheets({ store, clock: settings.clock, recompute, now: Date.now }, CLI, { from, to });
    const stored = await run.done;
    await recompute.stop();
    console.log(`Rebuilt ${plural(stored, "daily result")} from ${run.from} to ${run.to} in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
  } finally {
    await store.close();
  }
}
