/**
 * One import run as the API and the admin UI do it: plan against the people stored now, and
 * unless it is a dry run, apply the plan through the people service and audit it.
 */
import type { Store } from "../store/contract.ts";
import { applyImport, type ImportOutcome, type PeopleWriter, planJson } from "./importer.ts";
import { type ImportEntry, planImport } from "./plan.ts";

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
  actor: string;
  /** What was imported, for the audit log ("csv", the source's host). */
  source: string;
}

export type PlanView = ReturnType<typeof planJson>;
export type ImportRun = ({ dry_run: true } & PlanView) | ({ dry_run: false } & PlanView & ImportOutcome);

export async function runImport(deps: ImportRunDeps, entries: readonly ImportEntry[], o: ImportRunOptions): Promise<ImportRun> {
  const plan = planImport(await deps.store.people.all(), entries, { disableMissing: o.disableMissing });
  const view = planJson(plan);
  if (o.dryRun) return { dry_run: true, ...view };
  const outcome = await applyImport(plan, deps.people, o.actor, o.pushTo);
  await deps.store.audit({
    at: deps.now(), actor: o.actor, action: "people.import", target: o.source, details: view.summary,
    result: outcome.failed.length === 0 ? "ok" : `failed: ${outcome.failed.length} changes not saved`,
  });
  return { dry_run: false, ...view, ...outcome };
}

/** One line for the saved source's last run (and the UI's flash). */
export function runSummary(run: ImportRun): string {
  const s = run.summary;
  const head = `${s.creates} created, ${s.updates} updated, ${s.disables} disabled, ${s.unchanged} unchanged, ${s.errors} bad ${s.errors === 1 ? "entry" : "entries"}`;
  return run.dry_run || run.failed.length === 0 ? head : `${head}; ${run.failed.length} not saved`;
}
