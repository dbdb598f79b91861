/**
 * Timesheets → Today (/timesheets): everyone's state now, rendered complete on the server and kept
 * current by the live-today island (web/islands/live-today.tsx), which fetches /timesheets/today.json
 * after each burst of punches on the live feed and every minute.
 */
import { Hono } from "hono";
import { type TodayProps, TodayView } from "../../../web/components/today-view.tsx";
import { todayResults } from "../../app/timesheets/today.ts";
import type { UiDeps, UiEnv } from "../env.ts";
import { page } from "../layout.tsx";
import { namesOf, plannedHours, TimesheetTabs } from "../timesheets/area.tsx";

async function todayProps(deps: UiDeps): Promise<TodayProps> {
  const now = deps.now();
  const local = deps.settings.clock.format(now);
  const date = local.slice(0, 10);
  // Results stored within the last minute, the rest computed now (docs/timesheets.md, "Today").
  const days = await todayResults(deps.timesheets);
  const names = await namesOf(deps.store, days.map((d) => d.enrollid));
  return {
    date,
    asOf: local.slice(11, 16),
    rows: days.map((d) => ({
      enrollid: d.enrollid,
      name: names.person(d.enrollid),
      department: names.department(d.departmentId),
      presence: d.inProgress && d.presence !== null ? d.presence : d.status,
      shift: plannedHours(d),
      firstIn: d.firstIn,
      lastOut: d.lastOut,
      lateMinutes: d.lateMinutes,
      workedMinutes: d.workedMinutes,
      manual: d.manual,
    })),
  };
}

/**
 * Every open Today page refetches after each burst of punches: one computation serves them all
 * for a second. The island waits longer than that after a punch (SETTLE_MS), so what it gets was
 * computed after the punch was stored.
 */
const SHARED_MS = 1000;

export function timesheetTodayPages(deps: UiDeps) {
  const app = new Hono<UiEnv>();
  let shared: { at: number; props: Promise<TodayProps> } | null = null;
  const current = (): Promise<TodayProps> => {
    const now = deps.now();
    if (shared && now - shared.at < SHARED_MS) return shared.props;
    const props = todayProps(deps);
    shared = { at: now, props };
    props.catch(() => {
      shared = null;
    });
    return props;
  };
  app.get("/timesheets", async (c) => {
    const props = await current();
    return page(
      c,
      deps.settings.siteName,
      { title: "Timesheets", active: "timesheets" },
      <>
        <TimesheetTabs active="today" />
        <div data-island="live-today" data-props={JSON.stringify(props)}>
          <TodayView {...props} live="connecting" />
        </div>
      </>,
    );
  });
  app.get("/timesheets/today.json", async (c) => c.json(await current(), 200, { "cache-control": "no-store" }));
  return app;
}
