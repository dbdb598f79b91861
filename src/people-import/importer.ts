/**
 * Applies an import plan through the people service (issue 3): each change is saved, audited and
 * carried to the terminals holding the person, exactly as an admin's edit would be. New people
 * are held by no terminal yet; `pushTo` names terminals that should receive them.
 */
import { yieldToLoop } from "../lib/yield-to-loop.ts";
import type { PeopleService } from "../people/service.ts";
import type { ImportPlan, PlannedChange } from "./plan.ts";

/** The people service as the import uses it (the CLI, with no terminals at hand, saves only). */
export type PeopleWriter = Pick<PeopleService, "save"> & Partial<Pick<PeopleService, "push" | "accessChanged">>;

export interface ImportOutcome {
  applied: number;
  /** Jobs that carry the changes to terminals (see /api/v1/jobs/{id}). */
  jobs: number[];
  failed: Array<{ enrollid: number; external_id: string; message: string }>;
}

export async function applyImport(
  plan: ImportPlan,
  people: PeopleWriter,
  actor: string,
  pushTo: readonly string[] = [],
  /** Called after each change is tried (saved or failed): the CLI's progress line. */
  onProgress?: (done: number, total: number) => void,
): Promise<ImportOutcome> {
  const outcome: ImportOutcome = { applied: 0, jobs: [], failed: [] };
  const created: number[] = [];
  const changes: PlannedChange[] = [...plan.creates, ...plan.updates, ...plan.disables];
  for (const change of changes) {
    try {
      // The access rules follow once, below: at 10,000 people a re-read per person is half a second each.
      const { job } = await people.save(change.enrollid, change.input, actor, change.action === "create" ? "create" : "update", { deferAccess: true });
      outcome.applied++;
      if (job) outcome.jobs.push(job.id);
      if (change.action === "create") created.push(change.enrollid);
    } catch (err) {
      outcome.failed.push({ enrollid: change.enrollid, external_id: change.external_id, message: err instanceof Error ? err.message : String(err) });
    }
    onProgress?.(outcome.applied + outcome.failed.length, changes.length);
    // SQLite answers each save at once: without this a 5,000-person import holds the server (terminals' sockets, the UI, its own progress bar) until it ends.
    await yieldToLoop();
  }
  // Before the new people's credentials go out: a unit admits a person it holds no lock for.
  if (outcome.applied > 0) await people.accessChanged?.();
  if (created.length > 0 && pushTo.length > 0 && people.push) {
    const job = await people.push(created, [...pushTo], actor);
    outcome.jobs.push(job.id);
  }
  return outcome;
}

/** The plan as the API and CLI show it (no internal inputs). */
export function planJson(plan: ImportPlan) {
  const view = (c: PlannedChange) => ({ enrollid: c.enrollid, external_id: c.external_id, line: c.line, name: c.input.name, changes: c.changes });
  return {
    summary: { creates: plan.creates.length, updates: plan.updates.length, disables: plan.disables.length, unchanged: plan.unchanged, errors: plan.errors.length },
    creates: plan.creates.map(view),
    updates: plan.updates.map(view),
    disables: plan.disables.map(view),
    errors: plan.errors,
  };
}
