/**
 * Gathers the state `model.ts` derives the alerts from: terminals, clock measurements, webhook
 * destinations and their outboxes, the PostgreSQL export, recent door events, the quarantine, the
 * held changes from terminals and the store's own health. One snapshot is shared for a couple of seconds by every reader (the
 * dashboard's browsers, the API, the notifier), so many readers cost the store what one does.
 */
import type { PgExporter } from "../export/pg-exporter.ts";
import { DOOR_ALARM_EVENTS } from "../protocol/index.ts";
import type { SiteSettings } from "../settings/site-settings.ts";
import type { OutboundStore } from "../store/export-contract.ts";
import { backlogOf } from "../webhooks/outbox.ts";
import { parseWebhook } from "../webhooks/settings.ts";
import { deriveAlerts } from "./derive.ts";
import { type Alert, type AlertState, DOOR_ALARM_WINDOW_MS, DOOR_STATE_WINDOW_MS, NEARLY_FULL, REFUSED_WINDOW_MS, SUMMARY_AFTER, SUMMARY_NAMES } from "./model.ts";

const CACHE_MS = 2000;
/** Bounds on the door events read per snapshot (newest first). */
const DOOR_ALARMS_READ = 500;
const DOOR_STATES_READ = 2000;
/** Refused punches read per snapshot (newest first): enough to see every terminal above the rate in a burst. */
const REFUSED_READ = 2000;

export interface AlertSourceOptions {
  store: OutboundStore;
  settings: SiteSettings;
  now: () => number;
  /** The store's write health: the writer's failure episode, or why the store was opened read-only. */
  storeHealth: () => { failingSince: number; error: string } | null;
  exporter: PgExporter | null;
}

export interface AlertSnapshot {
  at: number;
  alerts: Alert[];
}

export class AlertSource {
  #o: AlertSourceOptions;
  #cached: { at: number; snapshot: Promise<AlertSnapshot> } | null = null;

  constructor(options: AlertSourceOptions) {
    this.#o = options;
  }

  /** The current alerts (at most a couple of seconds old). */
  current(): Promise<AlertSnapshot> {
    const now = this.#o.now();
    if (this.#cached && now - this.#cached.at < CACHE_MS) return this.#cached.snapshot;
    const snapshot = this.#state(now).then((state) => ({ at: now, alerts: deriveAlerts(state) }));
    this.#cached = { at: now, snapshot };
    snapshot.catch(() => {
      this.#cached = null;
    });
    return snapshot;
  }

  async #state(now: number): Promise<AlertState> {
    const { store, settings } = this.#o;
    const clock = settings.clock;
    const values = settings.values;
    const limits = { offlineMinutes: values.offlineAlertMinutes, driftSeconds: values.driftAlertSeconds };
    const [inAlert, clocks, webhookRows, doorAlarms, doorStates, refused, quarantinedLastHour, exporter, heldCount, oldestHeld, accessNotFit] = await Promise.all([
      // The terminals in an alert's condition, counted in SQL: a summary names only the first few.
      store.alertTerminals({ offlineBefore: now - limits.offlineMinutes * 60_000, nearlyFull: NEARLY_FULL, limit: Math.max(SUMMARY_NAMES, SUMMARY_AFTER) }),
      store.commands.clocksOff(limits.driftSeconds),
      store.webhooks.list(),
      store.recentDoorEvents(clock.format(now - DOOR_ALARM_WINDOW_MS), DOOR_ALARM_EVENTS, DOOR_ALARMS_READ),
      store.recentDoorEvents(clock.format(now - DOOR_STATE_WINDOW_MS), [0, 1], DOOR_STATES_READ),
      store.attendance({ refused: true, from: clock.format(now - REFUSED_WINDOW_MS), limit: REFUSED_READ }),
      store.admin.quarantinedSince(now - 3_600_000),
      this.#o.exporter?.status() ?? null,
      store.people.countHeldChanges(),
      store.people.heldChanges({ limit: 1 }),
      store.access.syncProblems(),
    ]);
    // The other facts name terminals too (their names, a clock's approval): read by sn in one store read.
    const known = new Set(inAlert.terminals.map((t) => t.sn));
    const named = new Set<string>();
    for (const { sn } of [...clocks, ...doorAlarms, ...doorStates, ...refused.items]) if (!known.has(sn)) named.add(sn);
    const others = (await store.terminalsPage({ sns: [...named], limit: named.size })).items;
    // Bytewise sn order, as the store gives its own: a summary names terminals of equal `since` in it.
    const terminals = [...inAlert.terminals, ...others].sort((a, b) => (a.sn < b.sn ? -1 : a.sn > b.sn ? 1 : 0));
    const webhooks = await Promise.all(
      webhookRows.map(async (row) => {
        const w = parseWebhook(row);
        // Counting the outbox only matters for a failing destination.
        const backlog = w.enabled && w.attempts > 0 ? await backlogOf(store.exports, w) : 0;
        return { id: w.id, name: w.name, enabled: w.enabled, attempts: w.attempts, lastError: w.lastError, lastErrorAt: w.lastErrorAt, lastSuccessAt: w.lastSuccessAt, createdAt: row.createdAt, backlog };
      }),
    );
    const counts = inAlert.counts;
    return {
      now,
      limits,
      terminals,
      terminalCounts: { terminal_pending: counts.pending, hardware_mismatch: counts.mismatch, terminal_offline: counts.offline, storage_nearly_full: counts.nearlyFull },
      clocks,
      webhooks,
      exporter: exporter && {
        failingSince: exporter.failing_since,
        lastError: exporter.last_error,
        backlog: Object.values(exporter.streams).reduce((n, s) => n + s.backlog, 0),
      },
      doorAlarms,
      doorStates,
      refusedPunches: refused.items.map((p) => ({ sn: p.sn, ts: p.ts })),
      quarantinedLastHour,
      heldChanges: { count: heldCount, oldestAt: oldestHeld.items[0]?.at ?? null },
      accessNotFit,
      store: this.#o.storeHealth(),
    };
  }
}
