/**
 * Where the live-progress islands (web/islands/live-progress.tsx) are put on a page and what they
 * read: `<CommandProgress>` follows one command (queued → sent → answered, or failed / timed out),
 * `<JobProgress>` a job's bar; `/commands/{id}.json` and `/jobs/{id}.json` (pages/jobs.tsx) answer their polls. Any
 * page may show them (a terminal's, the door board, a person's, a job's); both render on the
 * server first, so the page reads right before the script runs.
 */
import { Hono } from "hono";
import { type CommandProgressProps, CommandProgressView, type CommandState, type JobProgressProps, JobProgressView } from "../../web/components/progress-view.tsx";
import type { CommandRow } from "../store/commands-schema.ts";
import type { UiDeps, UiEnv } from "./env.ts";

/** `{id}.json`, the id a positive safe integer. */
export const ID_JSON = "{[1-9][0-9]{0,14}\\.json}";
export const idOf = (file: string) => Number(file.slice(0, -".json".length));

export function commandProgressOf(row: Pick<CommandRow, "id" | "status" | "reason" | "attempts">, label: string): CommandProgressProps {
  return { id: row.id, status: row.status as CommandState, reason: row.reason, attempts: row.attempts, label };
}

/** One command's progress, live. */
export function CommandProgress(props: CommandProgressProps) {
  return (
    <span data-island="live-command" data-props={JSON.stringify(props)}>
      <CommandProgressView {...props} />
    </span>
  );
}

/** A job's bar and counts, live. */
export function JobProgress(props: JobProgressProps) {
  return (
    <div data-island="live-job" data-props={JSON.stringify(props)}>
      <JobProgressView {...props} />
    </div>
  );
}

/** The command island's poll (a job's is with the job pages, src/ui/pages/jobs.tsx). */
export function liveProgressRoutes(deps: UiDeps) {
  const app = new Hono<UiEnv>();
  app.get(`/commands/:file${ID_JSON}`, async (c) => {
    const row = await deps.store.commands.get(idOf(c.req.param("file")));
    if (!row) return c.json({ code: "not_found", message: "No such command." }, 404);
    const { label: _label, ...status } = commandProgressOf(row, "");
    return c.json(status, 200, { "cache-control": "no-store" });
  });
  return app;
}
