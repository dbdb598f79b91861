/**
 * A large import applied from the admin UI (a CSV file, a saved HR source) runs in the background, so the admin watches a live
 * bar (the job island, polling `/integrations/import/runs/{id}.json`) instead of a page that loads
 * for as long as the import takes; when it ends the page reloads into the same result a small
 * import shows at once. The runs are this instance's, in memory (a restart forgets the page, not
 * the people saved or the audit entry).
 */
import { type Context, Hono } from "hono";
import type { JobProgressProps } from "../../../web/components/progress-view.tsx";
import { type ImportRun, runSummary } from "../../app/people-import.ts";
import type { UiDeps, UiEnv } from "../env.ts";
import { page } from "../layout.tsx";
import { ID_JSON, idOf, JobProgress } from "../live-progress.tsx";
import { ImportResult } from "./import-parts.tsx";
import { plural } from "../../lib/plural.ts";

/** More entries than this and the apply runs in the background with a bar; fewer answer at once. */
export const BACKGROUND_ABOVE = 100;
/** Finished runs kept for their pages (each holds its whole result). */
const KEPT = 5;
const BASE = "/integrations/import/runs";

interface ImportRunState {
  id: number;
  /** What is imported, as the page's title starts ("CSV import", the source's name). */
  title: string;
  /** The page the run was started from. */
  back: { href: string; text: string };
  status: "running" | "succeeded" | "failed";
  done: number;
  total: number;
  run: ImportRun | null;
  error: string | null;
}

/** The background imports of this instance: the running ones and the last few that ended. */
export class ImportRuns {
  #runs = new Map<number, ImportRunState>();
  #next = 0;

  get(id: number): ImportRunState | null {
    const r = this.#runs.get(id);
    return r ? { ...r } : null;
  }

  /** Starts following `work` (given the progress listener); answers the run's id at once. */
  start(what: Pick<ImportRunState, "title" | "back">, work: (onProgress: (done: number, total: number) => void) => Promise<ImportRun>, log: UiDeps["log"]): number {
    const state: ImportRunState = { ...what, id: ++this.#next, status: "running", done: 0, total: 0, run: null, error: null };
    this.#runs.set(state.id, state);
    for (const old of this.#runs.values()) {
      if (this.#runs.size <= KEPT) break;
      if (old.status !== "running") this.#runs.delete(old.id);
    }
    work((done, total) => Object.assign(state, { done, total })).then(
      (run) => Object.assign(state, { status: "succeeded", run }),
      (err: unknown) => {
        log.error({ err }, "people import failed");
        Object.assign(state, { status: "failed", error: err instanceof Error ? err.message : String(err) });
      },
    );
    return state.id;
  }
}

function progressOf(r: ImportRunState): JobProgressProps {
  const poll = `${BASE}/${r.id}.json`;
  const counts = { id: r.id, total: r.total, done: r.done, succeeded: r.done, failed: 0, expired: 0, poll, reloadWhenDone: true };
  const detail = `${r.done} of ${plural(r.total, "change")} saved`;
  if (r.status === "running") return { ...counts, status: "running", badge: { tone: "info", text: "running" }, summary: "Importing people", detail };
  if (r.status === "failed") return { ...counts, status: "failed", badge: { tone: "error", text: "failed" }, summary: `The import failed: ${r.error ?? "unknown error"}`, detail };
  const failed = r.run && !r.run.dry_run ? r.run.failed.length : 0;
  return { ...counts, failed, status: failed === 0 ? "succeeded" : "failed", badge: failed === 0 ? { tone: "ok", text: "done" } : { tone: "warn", text: "done, with failures" }, summary: r.run ? runSummary(r.run) : "", detail };
}

/** The run's page and its poll. */
export function importRunPages(deps: UiDeps, runs: ImportRuns) {
  const app = new Hono<UiEnv>();
  const notFound = (c: Context<UiEnv>) => c.json({ code: "not_found", message: "No such import since the server started." }, 404);

  app.get(`${BASE}/:file${ID_JSON}`, (c) => {
    const r = runs.get(idOf(c.req.param("file")));
    return r ? c.json(progressOf(r), 200, { "cache-control": "no-store" }) : notFound(c);
  });

  app.get(`${BASE}/:id{[1-9][0-9]{0,8}}`, (c) => {
    const r = runs.get(Number(c.req.param("id")));
    if (!r) return c.text("No such import since the server started.", 404);
    return page(
      c,
      deps.settings.siteName,
      { title: `${r.title}: ${r.status === "running" ? "running" : "done"}`, active: "integrations" },
      <>
        <p class="subtitle">
          <a href={r.back.href}>{r.back.text}</a>
        </p>
        <section class="panel" aria-label="Import progress">
          <JobProgress {...progressOf(r)} />
        </section>
        {r.run ? <ImportResult run={r.run} applyForm={null} /> : null}
      </>,
    );
  });

  return app;
}
