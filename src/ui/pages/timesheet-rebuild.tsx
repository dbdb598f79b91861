/**
 * Timesheets → Rebuild: computes every person's days over a date range again from the raw punches
 * (what `tm20 timesheets rebuild` does); the work runs in the background and results appear as
 * they are stored.
 */
import { Hono } from "hono";
import { rebuildTimesheets } from "../../app/timesheets.ts";
import { actorOf, formOf, requireAdmin } from "../auth-guard.ts";
import { Field } from "../components.tsx";
import type { UiDeps, UiEnv } from "../env.ts";
import { redirectWith } from "../flash.ts";
import { CsrfField, page } from "../layout.tsx";
import { monthRange, TimesheetTabs } from "../timesheets/area.tsx";
import { FormReader } from "../timesheets/form.ts";

export function timesheetRebuildPages(deps: UiDeps) {
  const app = new Hono<UiEnv>();
  app.get("/timesheets/rebuild", (c) => {
    const month = monthRange(deps.settings.clock.format(deps.now()).slice(0, 7));
    const admin = c.get("user").role === "admin";
    return page(
      c,
      deps.settings.siteName,
      { title: "Timesheets", active: "timesheets" },
      <>
        <TimesheetTabs active="rebuild" />
        <p class="subtitle">Results are kept current as punches arrive and as settings change. Rebuild a range after restoring a backup, or to be sure.</p>
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
    const run = await rebuildTimesheets(deps.timesheets, actorOf(c), { from, to });
    // Answered now; a failure of the background work is logged, and the next rebuild tries again.
    run.done.catch((err: unknown) => deps.log.error({ err, from, to }, "timesheet rebuild failed"));
    return redirectWith(c, "/timesheets/rebuild", "ok", `Rebuilding ${run.from} to ${run.to}: results appear as they are computed.`);
  });
  return app;
}
