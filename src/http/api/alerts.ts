import { Hono } from "hono";
import type { Alert } from "../../alerts/model.ts";
import type { AlertSource } from "../../alerts/source.ts";

/** An alert as the API shows it: times in ISO 8601, the UI link as `href`. */
export function alertJson(a: Alert) {
  return { id: a.id, kind: a.kind, level: a.level, subject: a.subject, since: new Date(a.since).toISOString(), title: a.title, message: a.message, href: a.href, count: a.count };
}

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
