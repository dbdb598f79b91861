import { Hono } from "hono";
import { type NotificationDeps, notificationSettings, sendTestEmail, updateNotificationSettings } from "../../app/notifications.ts";
import { notificationInput } from "../../alerts/notify-settings.ts";
import { parseBody } from "../body.ts";
import type { TokenEnv } from "../middleware/bearer-auth.ts";

/**
 * /api/v1/notifications (admin scope): who hears about alerts. GET the settings (the SMTP password
 * only as `passwordSet`), PUT them whole, POST /test-email to try the SMTP settings now.
 */
export function notificationsApi(deps: NotificationDeps) {
  const app = new Hono<TokenEnv>();
  app.get("/", (c) => c.json(notificationSettings(deps)));
  app.put("/", async (c) => c.json(await updateNotificationSettings(deps, c.get("actor"), await parseBody(c, notificationInput))));
  app.post("/test-email", async (c) => c.json({ sent: true, ...(await sendTestEmail(deps, c.get("actor"))) }));
  return app;
}
