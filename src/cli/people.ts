import { readFileSync } from "node:fs";
import { csvEntries } from "../people-import/csv-source.ts";
import { CLI } from "../app/actor.ts";
import { runImport } from "../app/people-import.ts";
import type { PeopleWriter } from "../people-import/importer.ts";
import { storePerson } from "../people/service.ts";
import { openStore } from "../store/open.ts";
import { parseArgs, UsageError } from "./args.ts";
import { ProgressReporter } from "./progress.ts";
import { STORE_FIELDS, serveFlagsHelp, storeConfigFromFlags, withServeFlags } from "./store-flags.ts";
import { plural } from "../lib/plural.ts";

export const peopleHelp = `tm20 people import FILE [--dry-run] [--disable-missing]   import people from an HR CSV file
  The header names the columns: external_id and name are required; enrollid, enabled, admin,
  valid_from and valid_to are optional (other columns are ignored). People are matched by
  external id; new ones get the given enrollid or the next free one.
  --dry-run           show what would change, change nothing
  --disable-missing   disable people with an external id that the file no longer lists
Bad lines are reported with their line number (exit status 1); the good ones are applied. Terminals receive the
changes at the next push or group resync (the API upload, POST /api/v1/people/import, pushes at once).

${serveFlagsHelp(STORE_FIELDS)}`;

export async function peopleCommand(argv: string[]): Promise<void> {
  const { flags, positionals } = parseArgs(argv, withServeFlags({ values: [], booleans: ["--dry-run", "--disable-missing"] }));
  const [action, file, ...rest] = positionals;
  if (action !== "import") throw new UsageError(`people: unknown action ${JSON.stringify(action ?? "")} (import)`);
  if (!file || rest.length > 0) throw new UsageError("people import: give one CSV file");
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as { code?: string }).code === "ENOENT") throw new UsageError(`${file}: no such file`);
    throw err;
  }
  const entries = csvEntries(text);
  const store = await openStore(storeConfigFromFlags(flags));
  try {
    // Saved and audited like an admin's edit; no terminal is reachable from here to push to.
    const people: PeopleWriter = { save: async (enrollid, input, actor, kind) => ({ person: await storePerson({ store, now: Date.now }, enrollid, input, actor, kind), job: null }) };
    const dryRun = flags.has("--dry-run");
    const progress = new ProgressReporter("rows");
    const run = await runImport({ store, people, now: Date.now }, CLI, entries, {
      dryRun, disableMissing: flags.has("--disable-missing"), pushTo: [], source: file,
      onProgress: (done, total) => progress.update(done, total),
    });
    progress.finish();
    for (const e of run.errors) console.log(`line ${e.line}: ${e.message}`);
    const s = run.summary;
    console.log(`${s.creates} to create, ${s.updates} to update, ${s.disables} to disable, ${s.unchanged} unchanged, ${plural(s.errors, "bad line")}`);
    if (run.dry_run) {
      for (const c of run.creates) console.log(`create ${c.enrollid} ${c.external_id} ${c.name}`);
      for (const c of run.updates) console.log(`update ${c.enrollid} ${c.external_id} ${JSON.stringify(c.changes)}`);
      for (const c of run.disables) console.log(`disable ${c.enrollid} ${c.external_id}`);
      return;
    }
    for (const f of run.failed) console.log(`not saved: ${f.enrollid} ${f.external_id}: ${f.message}`);
    console.log(`Applied ${plural(run.applied, "change")}.`);
    if (run.errors.length > 0 || run.failed.length > 0) process.exitCode = 1;
  } finally {
    await store.close();
  }
}
