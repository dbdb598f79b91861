/** The dashboard: rendered complete on the server, then kept live by the live-dashboard island. */
import { Hono } from "hono";
import { DashboardView } from "../../../web/components/dashboard-view.tsx";
import type { DashboardProps } from "../../../web/components/live-types.ts";
import type { UiDeps, UiEnv } from "../env.ts";
import { page } from "../layout.tsx";
import type { LiveStatusSource } from "../live/live-status.ts";

const FEED_ROWS = 20;

export function dashboardPage(deps: UiDeps, source: LiveStatusSource) {
  const app = new Hono<UiEnv>();
  app.get("/", async (c) => {
    const [status, latest] = await Promise.all([source.status(), deps.store.admin.latestAttendance(FEED_ROWS)]);
    const props: DashboardProps = { status, feed: await source.feedRows(latest) };
    return page(
      c,
      deps.settings.siteName,
      { title: "Dashboard", active: "dashboard" },
      <div data-island="live-dashboard" data-props={JSON.stringify(props)}>
        <DashboardView status={props.status} feed={props.feed} live="connecting" />
      </div>,
    );
  });
  return app;
}
