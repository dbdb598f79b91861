/**
 * Who hears about alerts, and when: the notification settings (one zod schema), kept as one JSON
 * value in the store's `settings` table under `notifications`. The SMTP password is sealed with
 * the data directory's key like every other secret we must use later, and never shown back (the
 * view says only whether one is set).
 */
import { z } from "zod";
import type { SecretBox } from "../auth/secret-box.ts";
import type { Store } from "../store/contract.ts";
import { ALERT_KINDS } from "./model.ts";

const SETTINGS_KEY = "notifications";

const hostName = z.string().trim().max(255, "use at most 255 characters");
const address = z.email("not an e-mail address");

/** What an admin sets (the API's body and the settings form, alike). */
export const notificationInput = z
  .object({
    /** The alert kinds that notify; the others show on the dashboard only. */
    kinds: z.array(z.enum(ALERT_KINDS)).max(ALERT_KINDS.length),
    /** An alert notifies only once it has lasted this long, and is "resolved" once gone this long: a flapping one stays quiet. */
    quietSeconds: z.coerce.number().int("a whole number").min(0, "0 or more").max(86_400, "at most 86400 (a day)"),
    /** Also tell when an alert that was notified has ended. */
    notifyResolved: z.boolean(),
    /** Site-local "HH:MM" of a daily message listing every current alert; empty: none. */
    dailyDigestAt: z.union([z.literal(""), z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "a time as HH:MM, e.g. 08:00")]),
    /** The admin UI's address as people reach it (e.g. https://tm20.example.com): links in messages start with it. */
    linkBase: z.union([z.literal(""), z.url("a URL such as https://tm20.example.com").max(300).refine((u) => /^https?:\/\//i.test(u), "an http:// or https:// URL")]),
    email: z.object({
      enabled: z.boolean(),
      host: hostName,
      port: z.coerce.number().int("a whole number").min(1, "a port from 1 to 65535").max(65_535, "a port from 1 to 65535"),
      /** starttls: plain connection upgraded (port 587, required); tls: TLS from the start (465); none: no encryption (a relay on the LAN). */
      security: z.enum(["starttls", "tls", "none"]),
      username: z.string().trim().max(255),
      /** Absent: keep the saved one; empty: none. */
      password: z.string().max(500).optional(),
      from: z.union([z.literal(""), address]),
      to: z.array(address).max(20, "at most 20 recipients"),
    }),
    /** Send an `alert` event to every enabled webhook destination subscribed to it. */
    webhook: z.object({ enabled: z.boolean() }),
  })
  .superRefine((s, ctx) => {
    if (!s.email.enabled) return;
    if (s.email.host === "") ctx.addIssue({ code: "custom", path: ["email", "host"], message: "enter the SMTP server" });
    if (s.email.from === "") ctx.addIssue({ code: "custom", path: ["email", "from"], message: "enter the sender address" });
    if (s.email.to.length === 0) ctx.addIssue({ code: "custom", path: ["email", "to"], message: "enter at least one recipient" });
  });
export type NotificationInput = z.infer<typeof notificationInput>;

/** As stored: the password sealed. */
const storedSchema = z.object({
  kinds: z.array(z.enum(ALERT_KINDS)),
  quietSeconds: z.number().int().min(0),
  notifyResolved: z.boolean(),
  dailyDigestAt: z.string(),
  linkBase: z.string(),
  email: z.object({
    enabled: z.boolean(),
    host: z.string(),
    port: z.number().int(),
    security: z.enum(["starttls", "tls", "none"]),
    username: z.string(),
    passwordSealed: z.string().nullable(),
    from: z.string(),
    to: z.array(z.string()),
  }),
  webhook: z.object({ enabled: z.boolean() }),
});
export type NotificationSettings = z.infer<typeof storedSchema>;

export const NOTIFICATION_DEFAULTS: NotificationSettings = {
  kinds: [...ALERT_KINDS],
  quietSeconds: 300,
  notifyResolved: true,
  dailyDigestAt: "",
  linkBase: "",
  email: { enabled: false, host: "", port: 587, security: "starttls", username: "", passwordSealed: null, from: "", to: [] },
  webhook: { enabled: false },
};

/** What the API and the form show: everything but the password, which is only said to be set. */
export function notificationView(s: NotificationSettings) {
  const { passwordSealed, ...email } = s.email;
  return { ...s, email: { ...email, passwordSet: passwordSealed !== null } };
}
export type NotificationView = ReturnType<typeof notificationView>;

/** The saved settings, or the defaults (also when what is saved no longer reads). */
export async function loadNotificationSettings(store: Store): Promise<NotificationSettings> {
  const raw = (await store.admin.settings())[SETTINGS_KEY];
  if (raw === undefined) return NOTIFICATION_DEFAULTS;
  try {
    const parsed = storedSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : NOTIFICATION_DEFAULTS;
  } catch {
    return NOTIFICATION_DEFAULTS;
  }
}

/** The input applied over what was saved (the password kept when not given), sealed. */
export function settingsFromInput(input: NotificationInput, before: NotificationSettings, box: SecretBox): NotificationSettings {
  const { password, ...email } = input.email;
  const passwordSealed = password === undefined ? before.email.passwordSealed : password === "" ? null : box.seal(password);
  return { ...input, email: { ...email, passwordSealed } };
}

export async function saveNotificationSettings(store: Store, s: NotificationSettings, at: number): Promise<void> {
  await store.admin.putSettings({ [SETTINGS_KEY]: JSON.stringify(s) }, at);
}
