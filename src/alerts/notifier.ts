/**
 * Alerts reach people who are not looking: every couple of seconds the notifier reads the site's
 * alerts (the same snapshot as the dashboard and the API), lets `NotificationPlan` decide what is
 * due after the quiet period, and sends one message for all of it (a digest) by e-mail and as an
 * `alert` event to the webhook destinations subscribed to it; at the daily digest time, one
 * message listing every current alert. Each message sent or failed is in the audit log (actor
 * `system`); a failed one is tried again later (same message, same id), a few times.
 *
 * What was told lives in memory: after a restart, alerts still going are told again once they have
 * lasted the quiet period. In a cluster every instance notifies (receivers de-duplicate by the
 * alert ids; messages differ in their id).
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { SecretBox } from "../auth/secret-box.ts";
import type { SiteSettings } from "../settings/site-settings.ts";
import type { OutboundStore } from "../store/export-contract.ts";
import type { WebhookDispatcher } from "../webhooks/dispatcher.ts";
import { parseWebhook, type Webhook } from "../webhooks/settings.ts";
import { mailError, sendMail } from "./mail.ts";
import { type Alert, type AlertKind, alertJson } from "./model.ts";
import { composeMessage, type Message, NotificationPlan, type PlanStep } from "./notify-plan.ts";
import { loadNotificationSettings, NOTIFICATION_DEFAULTS, type NotificationSettings } from "./notify-settings.ts";
import type { AlertSource } from "./source.ts";

const TICK_MS = 2000;
/** A failed message is tried again after these delays, then given up (audited each time). */
const RETRY_DELAYS_MS = [10_000, 60_000, 300_000, 1_800_000];
/** Messages waiting for a retry, at most; beyond, the oldest is given up. */
const MAX_RETRIES_WAITING = 100;
/** The daily digest is sent within this long after its time (a server started later skips the day). */
const DIGEST_WINDOW_MS = 15 * 60_000;

export interface NotifierOptions {
  alerts: AlertSource;
  store: OutboundStore;
  settings: SiteSettings;
  secrets: SecretBox;
  webhooks: WebhookDispatcher;
  log: Logger;
  now: () => number;
}

/** One message on one channel, as sent and retried. */
interface Delivery {
  id: string;
  channel: { kind: "email" } | { kind: "webhook"; webhookId: number };
  message: Message;
  step: PlanStep & { digest?: Alert[] };
  attempt: number;
  nextAt: number;
}

export class Notifier {
  #o: NotifierOptions;
  #settings: NotificationSettings = NOTIFICATION_DEFAULTS;
  #plan = new NotificationPlan();
  #retries: Delivery[] = [];
  #timer: ReturnType<typeof setInterval> | undefined;
  #running: Promise<void> | null = null;
  #digestDay: string | null = null;
  #stopped = false;

  constructor(options: NotifierOptions) {
    this.#o = options;
  }

  async start() {
    this.#settings = await loadNotificationSettings(this.#o.store);
    this.#timer = setInterval(() => void this.tick(), TICK_MS);
  }

  async stop() {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#running;
  }

  get settings(): NotificationSettings {
    return this.#settings;
  }

  /** New settings (saved by the use case) apply from the next tick. */
  apply(settings: NotificationSettings) {
    this.#settings = settings;
  }

  /** One look at the alerts; overlapping calls share the one running. */
  tick(): Promise<void> {
    this.#running ??= this.#tick()
      .catch((err: unknown) => this.#o.log.warn({ err: err instanceof Error ? err.message : String(err) }, "alert notifications: could not read the alerts"))
      .finally(() => {
        this.#running = null;
      });
    return this.#running;
  }

  async #tick() {
    const s = this.#settings;
    if (!s.email.enabled && !s.webhook.enabled) {
      // Nobody to tell: nothing is tracked, so enabling a channel starts every quiet period afresh.
      this.#plan = new NotificationPlan();
      this.#retries = [];
      return;
    }
    const { alerts } = await this.#o.alerts.current();
    const now = this.#o.now();
    const kinds = new Set<AlertKind>(s.kinds);
    const step = this.#plan.step(alerts, now, { quietMs: s.quietSeconds * 1000, kinds, notifyResolved: s.notifyResolved });
    if (step.raised.length > 0 || step.resolved.length > 0) await this.#send(step, now);
    if (this.#digestDue(now)) await this.#send({ raised: [], resolved: [], digest: alerts.filter((a) => kinds.has(a.kind)) }, now);
    await this.#retryDue(now);
  }

  #digestDue(now: number): boolean {
    const at = this.#settings.dailyDigestAt;
    if (at === "") return false;
    const local = this.#o.settings.clock.format(now);
    const day = local.slice(0, 10);
    if (this.#digestDay === day) return false;
    const due = this.#o.settings.clock.toUtc(`${day} ${at}:00`);
    if (now < due || now - due > DIGEST_WINDOW_MS) return false;
    this.#digestDay = day;
    return true;
  }

  /** One message for the whole step, on every channel that is on. */
  async #send(step: PlanStep & { digest?: Alert[] }, now: number) {
    const s = this.#settings;
    const message = composeMessage(this.#o.settings.siteName, step, { clock: this.#o.settings.clock, linkBase: s.linkBase });
    const id = `ntf_${randomUUID()}`;
    const deliveries: Delivery[] = [];
    if (s.email.enabled) deliveries.push({ id, channel: { kind: "email" }, message, step, attempt: 0, nextAt: now });
    if (s.webhook.enabled) {
      for (const w of await this.#alertWebhooks()) deliveries.push({ id, channel: { kind: "webhook", webhookId: w.id }, message, step, attempt: 0, nextAt: now });
    }
    await Promise.all(deliveries.map((d) => this.#attempt(d)));
  }

  async #alertWebhooks(): Promise<Webhook[]> {
    const rows = await this.#o.store.webhooks.list();
    return rows.map(parseWebhook).filter((w) => w.enabled && w.eventTypes.includes("alert"));
  }

  async #retryDue(now: number) {
    const due = this.#retries.filter((d) => d.nextAt <= now);
    if (due.length === 0) return;
    this.#retries = this.#retries.filter((d) => d.nextAt > now);
    await Promise.all(due.map((d) => this.#attempt(d)));
  }

  async #attempt(d: Delivery) {
    if (this.#stopped) return;
    d.attempt++;
    const target = d.channel.kind === "email" ? "email" : `webhook:${d.channel.webhookId}`;
    const alertIds = [...d.step.raised, ...d.step.resolved, ...(d.step.digest ?? [])].map((a) => a.id);
    let error: string | null = null;
    try {
      error = await this.#deliver(d);
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    const details = { notification: d.id, subject: d.message.subject, alerts: alertIds, attempt: d.attempt };
    const at = this.#o.now();
    if (error === null) {
      this.#o.log.info({ target, notification: d.id, alerts: alertIds.length, attempt: d.attempt }, "alert notification sent");
      await this.#audit(target, details, "ok", at);
      return;
    }
    const delay = RETRY_DELAYS_MS[d.attempt - 1];
    const final = delay === undefined || this.#stopped;
    this.#o.log.warn({ target, notification: d.id, attempt: d.attempt, error, retry: !final }, "alert notification failed");
    await this.#audit(target, { ...details, error, retry: !final }, `failed: ${error}`, at);
    if (final) return;
    d.nextAt = at + delay;
    this.#retries.push(d);
    if (this.#retries.length > MAX_RETRIES_WAITING) {
      const dropped = this.#retries.shift();
      this.#o.log.warn({ notification: dropped?.id }, "alert notification given up: too many waiting for a retry");
    }
  }

  /** Null when sent, else why not. */
  async #deliver(d: Delivery): Promise<string | null> {
    const s = this.#settings;
    if (d.channel.kind === "email") {
      if (!s.email.enabled) return "e-mail notifications were turned off";
      try {
        await sendMail(s.email, this.#o.secrets, d.message);
        return null;
      } catch (err) {
        return mailError(err);
      }
    }
    const webhookId = d.channel.webhookId;
    const w = (await this.#alertWebhooks()).find((x) => x.id === webhookId);
    if (!w) return "the webhook destination is gone, disabled or no longer subscribed to alerts";
    const body = {
      event: "alert",
      id: d.id,
      site: this.#o.settings.siteName,
      subject: d.message.subject,
      raised: d.step.raised.map(alertJson),
      resolved: d.step.resolved.map(alertJson),
      digest: d.step.digest ? d.step.digest.map(alertJson) : null,
    };
    const result = await this.#o.webhooks.sendEvent(w, "alert", d.id, body);
    return result.ok ? null : result.error;
  }

  #audit(target: string, details: unknown, result: string, at: number): Promise<void> {
    return this.#o.store.audit({ at, actor: "system", action: "notification.send", target, details, result }).catch((err: unknown) => {
      this.#o.log.warn({ err: err instanceof Error ? err.message : String(err), target }, "notification not audited");
    });
  }
}
