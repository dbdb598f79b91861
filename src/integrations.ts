/**
 * The parts of `tm20 serve` that send data out: the PostgreSQL exporter (when --pg-url is set),
 * the webhook dispatcher and the HR destinations' (connectors/). Both read committed rows only and are woken by commit events, so
 * whatever happens to them, ingest from terminals is untouched. In a cluster there is no export
 * (--pg-url is the store itself), and each webhook or HR destination is delivered by the one
 * instance holding its lease; commits on the other instances wake it through the cluster relay.
 */
import type { Logger } from "pino";
import { loadSecretBox, type SecretBox } from "./auth/secret-box.ts";
import type { ServeConfig } from "./config/schema.ts";
import type { EventBus } from "./events/bus.ts";
import { PgExporter } from "./export/pg-exporter.ts";
import { pgTarget } from "./export/pg-target.ts";
import { type DeliveredBounds, deliveredBounds } from "./jobs/delivered.ts";
import type { MetricsRegistry } from "./obs/metrics.ts";
import type { OutboundStore } from "./store/export-contract.ts";
import type { HrLeaseStore } from "./store/hr-contract.ts";
import type { WebhookLeaseStore } from "./store/webhook-contract.ts";
import { HrDispatcher } from "./connectors/dispatcher.ts";
import type { SiteClock } from "./protocol/index.ts";
import { WebhookAdmin } from "./webhooks/admin.ts";
import { WebhookDispatcher } from "./webhooks/dispatcher.ts";

export interface IntegrationsOptions {
  config: Pick<ServeConfig, "dataDir" | "pgUrl" | "pgSchema" | "pgTemplates" | "webhookRetryBaseMs" | "webhookRetryMaxMs" | "webhookLeaseMs">;
  store: OutboundStore;
  bus: EventBus;
  log: Logger;
  now: () => number;
  version: string;
  /** The site's clock now (HR systems take site-local times). */
  clock: () => SiteClock;
  metrics?: MetricsRegistry;
  /** Cluster mode: this instance and the store's webhook and HR destination leases. */
  cluster?: { instance: string; leases: WebhookLeaseStore; hrLeases: HrLeaseStore };
  /**
   * The store is read-only (disk full): nothing is sent, since a delivery whose cursor cannot move
   * would be sent again at every poll. The admin can still read the destinations.
   */
  idle?: boolean;
}

export interface Integrations {
  store: OutboundStore;
  exporter: PgExporter | null;
  webhooks: WebhookDispatcher;
  /** Changes to destinations (API and admin UI alike). */
  webhookAdmin: WebhookAdmin;
  /** HR destinations (ERPNext, Odoo…); their use cases are app/hr-destinations.ts. */
  connectors: HrDispatcher;
  secrets: SecretBox;
  /** Cluster mode: the PostgreSQL export does not apply. */
  cluster: boolean;
  /** How far the export and every webhook destination have delivered (retention keeps the rest). */
  delivered(): Promise<DeliveredBounds>;
  stop(): Promise<void>;
}

export async function startIntegrations(o: IntegrationsOptions): Promise<Integrations> {
  const secrets = loadSecretBox(o.config.dataDir);
  const target = !o.cluster && o.config.pgUrl ? pgTarget(o.config.pgUrl, o.config.pgSchema) : null;
  const exporter = target
    ? new PgExporter({
        store: o.store,
        target,
        templates: o.config.pgTemplates === "on",
        log: o.log.child({ component: "pg-export" }),
        now: o.now,
      })
    : null;
  // HR destinations share the webhooks' back-off and lease settings.
  const outbound = { store: o.store, secrets, version: o.version, now: o.now, retryBaseMs: o.config.webhookRetryBaseMs, retryMaxMs: o.config.webhookRetryMaxMs };
  const webhooks = new WebhookDispatcher({
    ...outbound,
    log: o.log.child({ component: "webhooks" }),
    ...(o.cluster ? { cluster: { ...o.cluster, leaseMs: o.config.webhookLeaseMs } } : {}),
  });
  const connectors = new HrDispatcher({
    ...outbound,
    log: o.log.child({ component: "hr-destinations" }),
    clock: o.clock,
    ...(o.cluster ? { cluster: { leases: o.cluster.hrLeases, instance: o.cluster.instance, leaseMs: o.config.webhookLeaseMs } } : {}),
  });
  const unsubscribe = o.bus.on("records-committed", (e) => {
    if (e.inserted === 0) return;
    exporter?.wake();
    webhooks.wakeAll();
    connectors.wakeAll();
  });
  if (o.metrics) {
    const backlog = () => (exporter ? exporter.backlog.attendance + exporter.backlog.door_events : 0);
    o.metrics.gauge("tm20_export_backlog_rows", "Attendance and door-event rows not yet exported to PostgreSQL (as of the exporter's last look).", { collect: backlog });
    o.metrics.gauge("tm20_export_failing", "1 while the PostgreSQL export fails, else 0.", { collect: () => (exporter?.failing ? 1 : 0) });
    o.metrics.gauge("tm20_webhooks_failing", "Webhook destinations whose head batch is failing (in a cluster: of those this instance sends).", { collect: () => webhooks.failingCount });
    o.metrics.gauge("tm20_hr_destinations_failing", "HR destinations whose next record is failing (in a cluster: of those this instance sends).", { collect: () => connectors.failingCount });
  }
  if (!o.idle) {
    exporter?.start();
    await webhooks.start();
    await connectors.start();
  }
  if (exporter) o.log.info({ target: exporter.targetDisplay, templates: o.config.pgTemplates }, "PostgreSQL export enabled");
  return {
    store: o.store,
    exporter,
    webhooks,
    webhookAdmin: new WebhookAdmin({ store: o.store, dispatcher: webhooks, secrets, now: o.now }),
    connectors,
    secrets,
    cluster: o.cluster !== undefined,
    delivered: () => deliveredBounds(o.store, target?.key ?? null),
    async stop() {
      unsubscribe();
      await Promise.all([exporter?.stop(), webhooks.stop(), connectors.stop()]);
    },
  };
}
