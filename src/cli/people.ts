import { readFileSync } from "node:fs";
import { csvEntries } from "../people-import/csv-source.ts";
import { applyImport, type PeopleWriter, planJson } from "../people-import/importer.ts";
import { planImport } from "../people-import/plan.ts";
import { openStore } from "../store/open.ts";
import { parseArgs, UsageError } from "./args.ts";
import { STORE_FIELDS, serveFlagsHelp, storeConfigFromFlags, withServeFlags } from "./store-flags.ts";

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
    const plan = planImport(await store.people.all(), entries, { disableMissing: flags.has("--disable-missing") });
    const view = planJson(plan);
    for (const e of plan.errors) console.log(`line ${e.line}: ${e.message}`);
    const s = view.summary;
    console.log(`${s.creates} to create, ${s.updates} to update, ${s.disables} to disable, ${s.unchanged} unchanged, ${s.errors} bad lines`);
    if (flags.has("--dry-run")) {
      for (const c of view.creates) console.log(`create ${c.enrollid} ${c.external_id} ${c.name}`);
      for (const c of view.updates) console.log(`update ${c.enrollid} ${c.external_id} ${JSON.stringify(c.changes)}`);
      for (const c of view.disables) console.log(`disable ${c.enrollid} ${c.external_id}`);
      return;
    }
    // Saved and audited like an admin's edit; no terminal is reachable from here to push to.
    const writer: PeopleWriter = {
      async save(enrollid, input, actor, kind) {
        const person = await store.people.save(enrollid, input, Date.now());
        await store.audit({ at: Date.now(), actor, action: `people.${kind}`, target: `person:${enrollid}`, details: { name: input.name, admin: input.admin, enabled: input.enabled }, result: "ok" });
        return { person, job: null };
      },
    };
    const outcome = await applyImport(plan, writer, "cli");
    await store.audit({ at: Date.now(), actor: "cli", action: "people.import", target: file, details: s, result: outcome.failed.length === 0 ? "ok" : `failed: ${outcome.failed.length}` });
    for (const f of outcome.failed) console.log(`not saved: ${f.enrollid} ${f.external_id}: ${f.message}`);
    console.log(`Applied ${outcome.applied} changes.`);
    if (plan.errors.length > 0 || outcome.failed.length > 0) process.exitCode = 1;
  } finally {
    await store.close();
  }
}
