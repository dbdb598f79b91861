/**
 * Timesheets → Rebuild: computes every person's days over a date range again from the raw punches
 * (what `tm20 timesheets rebuild` does); the work runs in the background and results appear as
 * they are stored. The page shows the running or last rebuild of this instance as a live bar (the
 * job island, polling `/timesheets/rebuild/progress.json`); one runs at a time.
 */
import { Hono } from "hono";
import type { JobProgressProps } from "../../../web/components/progress-view.tsx";
import { type RebuildState, RebuildTracker, rebuildTimesheets } from "../../app/timesheets/rebuild.ts";
import { AppError } from "../../lib/app-error.ts";
import { actorOf, formOf, requireAdmin } from "../auth-guard.ts";
import { Field } from "../components.tsx";
import type { UiDeps, UiEnv } from "../env.ts";
import { redirectWith } from "../flash.ts";
import { CsrfField, page } from "../layout.tsx";
import { JobProgress } from "../live-progress.tsx";
import { monthRange, TimesheetTabs } from "../timesheets/area.tsx";
import { FormReader } from "../timesheets/form.ts";
import { plural } from "../../lib/plural.ts";

const PROGRESS_JSON = "/timesheets/rebuild/progress.json";

/** A rebuild as the job island draws it: person-days done of the range's people × days. */
export function rebuildProgressOf(r: RebuildState): JobProgressProps {
  const range = `${r.from} to ${r.to}`;
  const seconds = ((r.ms ?? 0) / 1000).toFixed(1);
  const summary =
    r.status === "running"
      ? `Rebuilding ${range}`
      : r.status === "succeeded"
        ? `Rebuilt ${plural(r.days, "day")} for ${plural(r.people, "person", "people")}, ${range}, in ${seconds} s`
        : `Rebuilding ${range} failed after ${seconds} s: ${r.error ?? "unknown error"}`;
  const badge = r.status === "running" ? { tone: "info" as const, text: "running" } : r.status === "succeeded" ? { tone: "ok" as const, text: "done" } : { tone: "error" as const, text: "failed" };
  const stored = r.status === "succeeded" ? ` · ${r.stored} results stored` : "";
  return { id: r.run, status: r.status, badge, summary, total: r.total, done: r.done, succeeded: r.done, failed: 0, expired: 0, poll: PROGRESS_JSON, detail: `${r.done} of ${r.total} person-days done${stored}` };
}

export function timesheetRebuildPages(deps: UiDeps) {
  const app = new Hono<UiEnv>();
  // This instance's rebuilds: the one that took the request runs it and shows it.
  const tracker = new RebuildTracker();
  app.get(PROGRESS_JSON, (c) => {
    const now = tracker.current();
    return now ? c.json(rebuildProgressOf(now), 200, { "cache-control": "no-store" }) : c.json({ code: "not_found", message: "No rebuild since the server started." }, 404);
  });
  app.get("/timesheets/rebuild", (c) => {
    const last = tracker.current();
    const month = monthRange(deps.settings.clock.format(deps.now()).slice(0, 7));
    const admin = c.get("user").role === "admin";
    return page(
      c,
      deps.settings.siteName,
      { title: "Timesheets", active: "timesheets" },
      <>
        <TimesheetTabs active="rebuild" />
        <p class="subtitle">Results are kept current as punches arrive and as settings change. Rebuild a range after restoring a backup, or to be sure.</p>
        {last ? (
          <section class="panel" aria-label="Last rebuild">
            <JobProgress {...rebuildProgressOf(last)} />
          </section>
        ) : null}
        {admin ? (
          <form method="post" action="/timesheets/rebuild" class="panel ts-form" aria-label="Rebuild">
            <CsrfField token={c.get("session").csrfToken} />
            <div class="ts-grid">
              <Field label="From" name="from" type="date" value={month.from} required />
              <Field label="To (inclusive)" name="to" type="date" value={month.to} required />
            </div>
            <div>
              <button type="submit" class="btn btn-primary">
                Rebuild
              </button>
            </div>
          </form>
        ) : (
          <p class="muted">Only an admin can rebuild.</p>
        )}
      </>,
    );
  });
  app.post("/timesheets/rebuild", requireAdmin(), async (c) => {
    const f = new FormReader(await formOf(c));
    const from = f.date("from", "From", true);
    const to = f.date("to", "To", true);
    if (f.problem || from === undefined || to === undefined) return redirectWith(c, "/timesheets/rebuild", "error", f.problem ?? "From and To: fill them in");
    let run: Awaited<ReturnType<typeof rebuildTimesheets>>;
    try {
      run = await rebuildTimesheets(deps.timesheets, actorOf(c), { from, to }, tracker);
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== "rebuild_running") throw err;
      return redirectWith(c, "/timesheets/rebuild", "error", err.message);
    }
    // Answered now; a failure of the background work is logged, and the next rebuild tries again.
    run.done.catch((err: unknown) => deps.log.error({ err, from, to }, "timesheet rebuild failed"));
    return redirectWith(c, "/timesheets/rebuild", "ok", `Rebuilding ${run.from} to ${run.to}: the bar below follows it.`);
  });
  return app;
}
