/**
 * The outbound side of `tm20 serve`: the PostgreSQL export, webhook and HR destinations
 * (integrations), the alerts drawn from them and the store, and the notifier that sends them.
 */
import type { Logger } from "pino";
import { Notifier } from "../alerts/notifier.ts";
import { AlertSource } from "../alerts/source.ts";
import type { ClusterNode } from "../cluster/cluster-node.ts";
import type { ServeConfig } from "../config/schema.ts";
import type { EventBus } from "../events/bus.ts";
import { type Integrations, startIntegrations } from "../integrations.ts";
import type { ServerMetrics } from "../obs/server-metrics.ts";
import type { SiteSettings } from "../settings/site-settings.ts";
import { PgStore } from "../store/pg/pg-store.ts";
import type { SqliteStore } from "../store/sqlite/sqlite-store.ts";
import type { Writer } from "../store/writer.ts";
import { VERSION } from "../version.ts";

export interface OutboundOptions {
  config: ServeConfig;
  store: SqliteStore | PgStore;
  readOnly: string | null;
  writer: Writer;
  bus: EventBus;
  settings: SiteSettings;
  cluster: ClusterNode | null;
  metrics: ServerMetrics;
  log: Logger;
  now: () => number;
  /** When the server started: a store opened read-only has been failing since then. */
  startedAt: number;
}

export async function startOutbound(o: OutboundOptions): Promise<{ integrations: Integrations; alerts: AlertSource; notifier: Notifier }> {
  const { config, store, readOnly, writer, bus, settings, cluster, log, now } = o;
  // In a cluster each webhook and HR destination is delivered by the instance holding its lease.
  const integrations = await startIntegrations({
    config, store, bus, log, now, version: VERSION, metrics: o.metrics.registry, idle: readOnly !== null, clock: () => settings.clock,
    ...(cluster && store instanceof PgStore ? { cluster: { instance: cluster.instanceId, leases: store.webhookLeases, hrLeases: store.hrLeases } } : {}),
  });
  const alerts = new AlertSource({
    store, settings, now, exporter: integrations.exporter,
    storeHealth: () => {
      if (readOnly !== null) return { failingSince: o.startedAt, error: `opened read-only: ${readOnly}` };
      const failingSince = writer.failingSince;
      return failingSince === null ? null : { failingSince, error: writer.failure ?? "commits fail" };
    },
  });
  // In a cluster one instance sends the alert notifications: the one holding the notifier lease.
  const notifier = new Notifier({
    alerts, store, settings, secrets: integrations.secrets, webhooks: integrations.webhooks, log: log.child({ component: "notifications" }), now,
    ...(cluster && store instanceof PgStore ? { cluster: { lease: store.notifierLease, instance: cluster.instanceId, leaseMs: config.webhookLeaseMs } } : {}),
  });
  return { integrations, alerts, notifier };
}
