/**
 * Where a change saved on a person's page lands: back on that page (not on the job carrying it
 * to the terminals), saying how many terminals it goes to, with a link to that job; a deleted
 * person, on the People list the same way.
 */
import type { Context } from "hono";
import type { JobRow } from "../../store/commands-schema.ts";
import type { UiDeps } from "../env.ts";
import { redirectWith } from "../flash.ts";
import { plural } from "../../lib/plural.ts";

/** The job carrying a change to the terminals, and how many it goes to; null when it sends nothing. */
async function carried(deps: UiDeps, job: JobRow | null) {
  const view = job ? await deps.people.jobs.view(job.id) : null;
  // A job with no command: the terminals already had what changed (a date they are not sent, say).
  if (!view || view.progress.total === 0) return null;
  const params = view.params as { terminals?: unknown };
  const n = Array.isArray(params.terminals) ? params.terminals.length : 0;
  return { id: view.id, terminals: plural(n, "terminal") };
}

/** `said`: what was saved, as a sentence without its full stop ("Saved", "Card set"). */
export async function backToPerson(c: Context, deps: UiDeps, enrollid: number, said: string, job: JobRow | null) {
  const to = `/people/${enrollid}`;
  const sent = await carried(deps, job);
  if (!sent) return redirectWith(c, to, "ok", `${said}.`);
  return redirectWith(c, to, "ok", `${said}. Sending to ${sent.terminals} holding this person.`, {
    link: { href: `/jobs/${sent.id}`, text: "See the update" },
  });
}

/** A person deleted lands on the People list (their page is gone), saying who and how many terminals drop them. */
export async function backToPeople(c: Context, deps: UiDeps, person: { enrollid: number; name: string }, job: JobRow | null) {
  const who = person.name ? `${person.name} (enroll id ${person.enrollid})` : `enroll id ${person.enrollid}`;
  const sent = await carried(deps, job);
  if (!sent) return redirectWith(c, "/people", "ok", `Deleted ${who}.`);
  return redirectWith(c, "/people", "ok", `Deleted ${who}. Removing from ${sent.terminals}.`, {
    link: { href: `/jobs/${sent.id}`, text: "See the removal" },
  });
}
