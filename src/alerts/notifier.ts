/**
 * Alerts reach people who are not looking: every couple of seconds the notifier reads the site's
 * alerts (the same snapshot as the dashboard and the API), lets `NotificationPlan` decide what is
 * due after the quiet period, and sends one message for all of it (a digest) by e-mail and as an
 * `alert` event to the webhook destinations subscribed to it; at the daily digest time, one
 * message listing every current alert. Sending, auditing and retrying a message is notify-send.ts.
 *
 * What was told is saved in the store after each look that sent something (the plan's alerts and
 * the day of the last digest), so a restart carries on: an alert still going is not told again,
 * one that ended while the server was down is told resolved once the quiet period has passed after
 * the start, and the digest is not sent twice a day. Saved after sending: a crash between the two
 * tells those alerts once more (at least once). Retries waiting are not saved.
 *
 * In a cluster one instance notifies: the holder of the notifier lease (kept by LeaseKeeper like a
 * webhook destination's); it reads the settings and the saved state from the store when it takes
 * the lease, and its saves are fenced, so one that lost the lease cannot overwrite its successor's.
 */
import { z } from "zod";
import { hasCode } from "../lib/app-error.ts";
import { type AdminStore, NOTIFIER_LEASE_ID, type NotifiedAlert, type NotifierLeaseStore } from "../store/admin-contract.ts";
import { LeaseKeeper } from "../webhooks/leases.ts";
import { ALERT_KINDS, type AlertKind } from "./model.ts";
import { NotificationPlan, type SavedAlert } from "./notify-plan.ts";
import { NotificationSender, type SenderOptions } from "./notify-send.ts";
import { loadNotificationSettings, NOTIFICATION_DEFAULTS, type NotificationSettings } from "./notify-settings.ts";
import type { AlertSource } from "./source.ts";

const TICK_MS = 2000;
/** The daily digest is sent within this long after its time (a server started later skips the day). */
const DIGEST_WINDOW_MS = 15 * 60_000;

export interface NotifierOptions extends Omit<SenderOptions, "notifications"> {
  alerts: AlertSource;
  /** Cluster mode: only the holder of this lease notifies. */
  cluster?: { lease: NotifierLeaseStore; instance: string; leaseMs: number };
}

/** A saved alert as read back from the store (written by an older version, or by hand: checked). */
const savedAlert = z.object({
  id: z.string(),
  kind: z.enum(ALERT_KINDS),
  level: z.enum(["warn", "error"]),
  subject: z.string(),
  since: z.number(),
  title: z.string(),
  message: z.string(),
  href: z.string(),
  count: z.number(),
});

const savedKey = (a: SavedAlert) => `${a.firstSeen}:${a.told}`;

export class Notifier {
  #o: NotifierOptions;
  #settings: NotificationSettings = NOTIFICATION_DEFAULTS;
  #plan = new NotificationPlan();
  #sender: NotificationSender;
  #timer: ReturnType<typeof setInterval> | undefined;
  #running: Promise<void> | null = null;
  #digestDay: string | null = null;
  #stopped = false;
  /** The plan and the digest day were read from the store (since this instance took the lease). */
  #loaded = false;
  /** What the store holds, as `savedKey` per alert id (what a save need not write again). */
  #saved = new Map<string, string>();
  #savedDay: string | null = null;
  #save: Pick<AdminStore, "saveNotificationState">;
  #keeper: LeaseKeeper | null = null;

  constructor(options: NotifierOptions) {
    this.#o = options;
    this.#sender = new NotificationSender({ ...options, notifications: () => this.#settings });
    const cluster = options.cluster;
    this.#save = cluster ? cluster.lease.fenced(cluster.instance) : options.store.admin;
    if (cluster) {
      this.#keeper = new LeaseKeeper({
        store: cluster.lease,
        what: "alert notifier",
        holder: cluster.instance,
        ttlMs: cluster.leaseMs,
        log: options.log,
        // Another instance may have told alerts meanwhile: read what it saved before the next look.
        onGained: () => this.#forget(),
        onLost: () => this.#forget(),
      });
    }
  }

  async start() {
    this.#settings = await loadNotificationSettings(this.#o.store);
    await this.#keeper?.start();
    this.#timer = setInterval(() => void this.tick(), TICK_MS);
  }

  async stop() {
    this.#stopped = true;
    this.#sender.stop();
    clearInterval(this.#timer);
    await this.#running;
    await this.#keeper?.stop();
  }

  /** Whether this instance notifies (always, but in a cluster). */
  get sending(): boolean {
    return this.#keeper === null || this.#keeper.holds(NOTIFIER_LEASE_ID);
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
    if (!this.sending) return;
    // Changed on another instance of a cluster, or saved by the use case here: the store has it.
    this.#settings = await loadNotificationSettings(this.#o.store);
    const s = this.#settings;
    if (!this.#loaded) await this.#load();
    if (!s.email.enabled && !s.webhook.enabled) {
      // Nobody to tell: nothing is tracked, so enabling a channel starts every quiet period afresh.
      this.#plan = new NotificationPlan();
      this.#sender.forgetRetries();
      await this.#persist();
      return;
    }
    const { alerts } = await this.#o.alerts.current();
    const now = this.#o.now();
    const kinds = new Set<AlertKind>(s.kinds);
    const step = this.#plan.step(alerts, now, { quietMs: s.quietSeconds * 1000, kinds, notifyResolved: s.notifyResolved });
    if (step.raised.length > 0 || step.resolved.length > 0) await this.#sender.send(step, now);
    if (this.#digestDue(now)) await this.#sender.send({ raised: [], resolved: [], digest: alerts.filter((a) => kinds.has(a.kind)) }, now);
    await this.#persist();
    await this.#sender.retryDue(now);
  }

  /** What the store remembers: what was told (by this instance before a restart, or by another one). */
  async #load() {
    const state = await this.#o.store.admin.notificationState();
    const saved: SavedAlert[] = [];
    for (const row of state.alerts) {
      let alert: unknown;
      try {
        alert = JSON.parse(row.alert);
      } catch {
        alert = null;
      }
      const parsed = savedAlert.safeParse(alert);
      // One that no longer reads is dropped (removed at the next save): told afresh if it still goes.
      if (parsed.success && parsed.data.id === row.alertId) saved.push({ alert: parsed.data, firstSeen: row.firstSeen, told: row.told });
    }
    this.#plan = new NotificationPlan(saved, this.#o.now());
    this.#saved = new Map(state.alerts.map((r) => [r.alertId, "unreadable"]));
    for (const a of saved) this.#saved.set(a.alert.id, savedKey(a));
    this.#digestDay = state.digestDay;
    this.#savedDay = state.digestDay;
    this.#sender.forgetRetries();
    this.#loaded = true;
  }

  /** The plan's changes since the last save (new, told, gone alerts; the digest day), in one write. */
  async #persist() {
    const plan = this.#plan.saved();
    const put: NotifiedAlert[] = [];
    const keys = new Map<string, string>();
    for (const a of plan) {
      const key = savedKey(a);
      keys.set(a.alert.id, key);
      if (this.#saved.get(a.alert.id) !== key) put.push({ alertId: a.alert.id, alert: JSON.stringify(a.alert), firstSeen: a.firstSeen, told: a.told });
    }
    const remove = [...this.#saved.keys()].filter((id) => !keys.has(id));
    const day = this.#digestDay !== this.#savedDay && this.#digestDay !== null ? this.#digestDay : undefined;
    if (put.length === 0 && remove.length === 0 && day === undefined) return;
    try {
      await this.#save.saveNotificationState({ put, remove, ...(day !== undefined ? { digestDay: day } : {}) }, this.#o.now());
    } catch (err) {
      if (hasCode(err, "lease_lost")) {
        this.#keeper?.lost(NOTIFIER_LEASE_ID);
        return;
      }
      throw err;
    }
    this.#saved = keys;
    this.#savedDay = this.#digestDay;
  }

  /** Another instance notifies now, or may have meanwhile: what this one knew is stale. */
  #forget() {
    this.#loaded = false;
    this.#plan = new NotificationPlan();
    this.#sender.forgetRetries();
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
}
