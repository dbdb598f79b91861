/**
 * Where a change saved on a person's page lands: back on that page (not on the job carrying it
 * to the terminals), saying how many terminals it goes to, with a link to that job.
 */
import type { Context } from "hono";
import type { JobRow } from "../../store/commands-schema.ts";
import type { UiDeps } from "../env.ts";
import { redirectWith } from "../flash.ts";

/** `said`: what was saved, as a sentence without its full stop ("Saved", "Card set"). */
export async function backToPerson(c: Context, deps: UiDeps, enrollid: number, said: string, job: JobRow | null) {
  const to = `/people/${enrollid}`;
  const view = job ? await deps.people.jobs.view(job.id) : null;
  // A job with no command: the terminals already had what changed (a date they are not sent, say).
  if (!view || view.progress.total === 0) return redirectWith(c, to, "ok", `${said}.`);
  const params = view.params as { terminals?: unknown };
  const n = Array.isArray(params.terminals) ? params.terminals.length : 0;
  return redirectWith(c, to, "ok", `${said}. Sending to ${n} ${n === 1 ? "terminal" : "terminals"} holding this person.`, {
    link: { href: `/jobs/${view.id}`, text: "See the update" },
  });
}
