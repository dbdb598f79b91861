import { Hono } from "hono";
import { alertJson } from "../../alerts/derive.ts";
import type { AlertSource } from "../../alerts/source.ts";

/**
 * GET /api/v1/alerts: the site's current alerts, the same list the dashboard shows. Bounded by the
 * model (a kind with many subjects is one summary line), so it is one page.
 */
export function alertsApi(alerts: AlertSource) {
  const app = new Hono();
  app.get("/", async (c) => {
    const current = await alerts.current();
    return c.json({ items: current.alerts.map(alertJson), at: new Date(current.at).toISOString() });
  });
  return app;
}
