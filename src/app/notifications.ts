/**
 * Alert notifications (issue 17): the settings (which kinds, quiet period, digest, SMTP, webhooks)
 * and the "send a test e-mail" action, for the API and the Settings page alike.
 */
import type { Logger } from "pino";
import type { SecretBox } from "../auth/secret-box.ts";
import { mailError, sendMail } from "../alerts/mail.ts";
import type { Notifier } from "../alerts/notifier.ts";
import {
  type NotificationView,
  notificationInput,
  notificationView,
  saveNotificationSettings,
  settingsFromInput,
} from "../alerts/notify-settings.ts";
import { AppError, badRequest } from "../lib/app-error.ts";
import type { SiteSettings } from "../settings/site-settings.ts";
import type { Store } from "../store/contract.ts";
import type { Actor } from "./actor.ts";
import { audit } from "./audit.ts";
import { validInput } from "./input.ts";

export interface NotificationDeps {
  store: Store;
  notifier: Notifier;
  secrets: () => SecretBox;
  settings: SiteSettings;
  log: Logger;
  now: () => number;
}

export function notificationSettings(deps: Pick<NotificationDeps, "notifier">): NotificationView {
  return notificationView(deps.notifier.settings);
}

/** Saves the settings as a whole (the SMTP password kept when not given); they apply at the next look at the alerts. */
export async function updateNotificationSettings(deps: NotificationDeps, actor: Actor, input: unknown): Promise<NotificationView> {
  const values = validInput(notificationInput, input);
  const before = deps.notifier.settings;
  const next = settingsFromInput(values, before, deps.secrets());
  await saveNotificationSettings(deps.store, next, deps.now());
  deps.notifier.apply(next);
  const { passwordSealed: _before, ...emailBefore } = before.email;
  const { passwordSealed: _after, ...emailAfter } = next.email;
  const changed = [
    ...(["kinds", "quietSeconds", "notifyResolved", "dailyDigestAt", "linkBase", "webhook"] as const).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(next[k])),
    ...(Object.keys(emailAfter) as Array<keyof typeof emailAfter>).filter((k) => JSON.stringify(emailBefore[k]) !== JSON.stringify(emailAfter[k])).map((k) => `email.${k}`),
    ...(values.email.password !== undefined ? ["email.password"] : []),
  ];
  await audit(deps, actor, "notifications.update", "notifications", { changed });
  deps.log.info({ changed }, "notification settings changed");
  return notificationView(next);
}

/** Sends a test message with the saved SMTP settings now (enabled or not), and says what the server answered. */
export async function sendTestEmail(deps: NotificationDeps, actor: Actor): Promise<{ to: string[] }> {
  const email = deps.notifier.settings.email;
  if (email.host === "" || email.from === "" || email.to.length === 0) throw badRequest("save the SMTP server, the sender and at least one recipient first");
  const site = deps.settings.siteName;
  try {
    await sendMail(email, deps.secrets(), {
      subject: `[${site}] Test e-mail`,
      text: `This is a test from TM20 Server (${site}). Alert e-mails will come from here.\n`,
    });
  } catch (err) {
    const why = mailError(err);
    await audit(deps, actor, "notifications.test_email", "email", { to: email.to, host: email.host }, `failed: ${why}`);
    throw new AppError(502, "smtp_failed", `the test e-mail was not sent: ${why}`);
  }
  await audit(deps, actor, "notifications.test_email", "email", { to: email.to, host: email.host });
  return { to: email.to };
}
