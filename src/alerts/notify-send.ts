/**
 * Sends a notification's message on every channel that is on (e-mail; an `alert` event to each
 * webhook destination subscribed to it), audits each attempt (actor `system`), and tries a failed
 * one again later with the same message and id, a few times. What is due is the notifier's
 * (notifier.ts); retries waiting are not saved.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import type { SecretBox } from "../auth/secret-box.ts";
import type { SiteSettings } from "../settings/site-settings.ts";
import type { OutboundStore } from "../store/export-contract.ts";
import type { WebhookDispatcher } from "../webhooks/dispatcher.ts";
import { parseWebhook, type Webhook } from "../webhooks/settings.ts";
import { alertJson } from "./derive.ts";
import { mailError, sendMail } from "./mail.ts";
import type { Alert } from "./model.ts";
import { composeMessage, type Message, type PlanStep } from "./notify-plan.ts";
import type { NotificationSettings } from "./notify-settings.ts";

/** A failed message is tried again after these delays, then given up (audited each time). */
const RETRY_DELAYS_MS = [10_000, 60_000, 300_000, 1_800_000];
/** Messages waiting for a retry, at most; beyond, the oldest is given up. */
const MAX_RETRIES_WAITING = 100;

export interface SenderOptions {
  store: OutboundStore;
  settings: SiteSettings;
  secrets: SecretBox;
  webhooks: WebhookDispatcher;
  log: Logger;
  now: () => number;
  /** The notification settings in force (the notifier reloads them). */
  notifications: () => NotificationSettings;
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

export class NotificationSender {
  #o: SenderOptions;
  #retries: Delivery[] = [];
  #stopped = false;

  constructor(options: SenderOptions) {
    this.#o = options;
  }

  /** From now on a failed message is not tried again. */
  stop() {
    this.#stopped = true;
  }

  forgetRetries() {
    this.#retries = [];
  }

  /** One message for the whole step, on every channel that is on. */
  async send(step: PlanStep & { digest?: Alert[] }, now: number) {
    const s = this.#o.notifications();
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

  async retryDue(now: number) {
    if (this.#stopped) return;
    const due = this.#retries.filter((d) => d.nextAt <= now);
    if (due.length === 0) return;
    this.#retries = this.#retries.filter((d) => d.nextAt > now);
    await Promise.all(due.map((d) => this.#attempt(d)));
  }

  /** A first attempt goes ahead while stopping (stop waits for it): the look's save says it was sent. */
  async #attempt(d: Delivery) {
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
    const s = this.#o.notifications();
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
