/**
 * People import from HR: one run (plan against the people stored now; unless it is a dry run,
 * apply the plan through the people service and audit it), whatever the entries came from (a
 * CSV upload, an HR system's JSON API, a file at the shell); and the HR sources an admin saves
 * once and runs on demand (their auth header sealed).
 */
import type { SecretBox } from "../auth/secret-box.ts";
import { AppError, notFound } from "../lib/app-error.ts";
import { httpEntries } from "../people-import/http-source.ts";
import { applyImport, type ImportOutcome, type PeopleWriter, planJson } from "../people-import/importer.ts";
import { type ImportEntry, planImport } from "../people-import/plan.ts";
import { runnableSource, type SourceSettings, sourceColumns } from "../people-import/saved-source.ts";
import type { Store } from "../store/contract.ts";
import type { PeopleImportSourceRow } from "../store/schema.ts";
import { type Actor, actorId } from "./actor.ts";
import { audit } from "./audit.ts";

export interface ImportRunDeps {
  store: Pick<Store, "people" | "audit">;
  people: PeopleWriter;
  now: () => number;
}

export interface ImportRunOptions {
  dryRun: boolean;
  disableMissing: boolean;
  /** Terminals that receive the people this import creates. */
  pushTo: readonly string[];
  /** What was imported, for the audit log ("csv", the source's host, "source:3", a file). */
  source: string;
  /** Changes tried so far of all planned (the CLI's progress line). */
  onProgress?: (done: number, total: number) => void;
}

export type PlanView = ReturnType<typeof planJson>;
export type ImportRun = ({ dry_run: true } & PlanView) | ({ dry_run: false } & PlanView & ImportOutcome);

export async function runImport(deps: ImportRunDeps, actor: Actor, entries: readonly ImportEntry[], o: ImportRunOptions): Promise<ImportRun> {
  const plan = planImport(await deps.store.people.all(), entries, { disableMissing: o.disableMissing });
  const view = planJson(plan);
  if (o.dryRun) return { dry_run: true, ...view };
  const outcome = await applyImport(plan, deps.people, actorId(actor), o.pushTo, o.onProgress);
  await audit(deps, actor, "people.import", o.source, view.summary, outcome.failed.length === 0 ? "ok" : `failed: ${outcome.failed.length} changes not saved`);
  return { dry_run: false, ...view, ...outcome };
}

/** One line for the saved source's last run (and the UI's flash). */
export function runSummary(run: ImportRun): string {
  const s = run.summary;
  const head = `${s.creates} created, ${s.updates} updated, ${s.disables} disabled, ${s.unchanged} unchanged, ${s.errors} bad ${s.errors === 1 ? "entry" : "entries"}`;
  return run.dry_run || run.failed.length === 0 ? head : `${head}; ${run.failed.length} not saved`;
}

export interface ImportSourceDeps extends ImportRunDeps {
  store: Store;
  /** Seals the sources' credentials (the data directory's key, loaded on first use). */
  secrets: () => SecretBox;
}

async function knownSource(deps: ImportSourceDeps, id: number): Promise<PeopleImportSourceRow> {
  const row = Number.isInteger(id) && id > 0 ? await deps.store.importSources.get(id) : null;
  if (!row) throw notFound("no such HR source");
  return row;
}

export async function createImportSource(deps: ImportSourceDeps, actor: Actor, settings: SourceSettings): Promise<PeopleImportSourceRow> {
  const row = await deps.store.importSources.create({ authHeader: null, authSealed: null, ...sourceColumns(settings, deps.secrets()) }, deps.now());
  await audit(deps, actor, "import-source.create", String(row.id), { name: row.name });
  return row;
}

/** `settings.auth` undefined keeps the stored header. */
export async function updateImportSource(deps: ImportSourceDeps, actor: Actor, id: number, settings: SourceSettings): Promise<PeopleImportSourceRow> {
  await knownSource(deps, id);
  const row = await deps.store.importSources.update(id, sourceColumns(settings, deps.secrets()), deps.now());
  if (!row) throw notFound("no such HR source");
  const fields = ["name", "url", "mapping", "paging", "disableMissing", ...(settings.auth === undefined ? [] : ["auth"])];
  await audit(deps, actor, "import-source.update", String(id), { fields });
  return row;
}

export async function deleteImportSource(deps: ImportSourceDeps, actor: Actor, id: number): Promise<PeopleImportSourceRow> {
  const row = await knownSource(deps, id);
  if (!(await deps.store.importSources.delete(id))) throw notFound("no such HR source");
  await audit(deps, actor, "import-source.delete", String(id), { name: row.name });
  return row;
}

export type SourceRun = { ok: true; run: ImportRun } | { ok: false; error: string };
export type SourceRead = { ok: true; row: PeopleImportSourceRow; entries: ImportEntry[] } | { ok: false; error: string };

/**
 * Reads a saved source's people. A source that cannot be read is an outcome, not a failure of the
 * request: unless it was a dry run, it is the source's last result and audited.
 */
export async function readImportSource(deps: ImportSourceDeps, actor: Actor, id: number, dryRun: boolean): Promise<SourceRead> {
  const row = await knownSource(deps, id);
  try {
    return { ok: true, row, entries: await httpEntries(runnableSource(row, deps.secrets())) };
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    if (!dryRun) {
      const result = `failed: ${err.message}`.slice(0, 500);
      await deps.store.importSources.recordRun(row.id, result, deps.now());
      await audit(deps, actor, "people.import", `source:${row.id}`, undefined, result);
    }
    return { ok: false, error: err.message };
  }
}

/** Imports what `readImportSource` read; an applied run is the source's last result. */
export async function importFromSource(
  deps: ImportSourceDeps,
  actor: Actor,
  read: { row: PeopleImportSourceRow; entries: readonly ImportEntry[] },
  o: { dryRun: boolean; pushTo: readonly string[]; onProgress?: ImportRunOptions["onProgress"] },
): Promise<ImportRun> {
  const run = await runImport(deps, actor, read.entries, { ...o, disableMissing: read.row.disableMissing, source: `source:${read.row.id}` });
  if (!run.dry_run) await deps.store.importSources.recordRun(read.row.id, runSummary(run), deps.now());
  return run;
}

/** Reads a saved source and runs the import (the API's one call). */
export async function runImportSource(deps: ImportSourceDeps, actor: Actor, id: number, o: { dryRun: boolean; pushTo: readonly string[] }): Promise<SourceRun> {
  const read = await readImportSource(deps, actor, id, o.dryRun);
  return read.ok ? { ok: true, run: await importFromSource(deps, actor, read, o) } : read;
}
