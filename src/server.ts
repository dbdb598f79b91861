/**
 * Composition root of `tm20 serve`: builds the parts, starts them in order, stops them in reverse
 * (boot/shutdown.ts).
 */
import type { Logger } from "pino";
import { BackupDownloads } from "./app/backups.ts";
import type { TimesheetDeps } from "./app/timesheets/deps.ts";
import { newSetupCode } from "./auth/setup-code.ts";
import { listen } from "./boot/listen.ts";
import { startOutbound } from "./boot/outbound.ts";
import { shutDown } from "./boot/shutdown.ts";
import { claimSingleBox, createWriting, openServerStore, startHousekeeping, whenWritable } from "./boot/store.ts";
import { createTerminalSide } from "./boot/terminals.ts";
import { ClusterNode } from "./cluster/cluster-node.ts";
import { defaultRedisPrefix } from "./cluster/namespace.ts";
import { describeServeConfig } from "./config/load.ts";
import { listSetting, type ServeConfig } from "./config/schema.ts";
import { createHttpApp } from "./http/app.ts";
import { RetentionJob } from "./jobs/retention.ts";
import { TimesheetRecompute } from "./jobs/timesheet-recompute.ts";
import { parseAllowList } from "./lib/ip-allow-list.ts";
import { SiteSettings } from "./settings/site-settings.ts";
import { PgStore } from "./store/pg/pg-store.ts";
import { snapshotToTempFile } from "./store/sqlite/snapshot-process.ts";
import { SqliteStore } from "./store/sqlite/sqlite-store.ts";
import type { TerminalConnection } from "./terminals/connection.ts";
import { TerminalRegistry } from "./terminals/registry.ts";
import { createUiApp } from "./ui/app.ts";
import type { TerminalEndpoint } from "./ui/terminal-urls.ts";
import { VERSION } from "./version.ts";

/** The whole shutdown, drain included: past it the process exits anyway (cli/serve.ts). */
export const SHUTDOWN_TIMEOUT_MS = 15_000;
const RETENTION_EVERY_MS = 3_600_000;
const RETENTION_FIRST_AFTER_MS = 5_000;

export interface RunningServer {
  port: number;
  /** The terminals-only listener's port (--terminal-port), when there is one. */
  terminalPort?: number;
  stop(): Promise<void>;
  /**
   * Started read-only because the disk could not take writes: resolves once it can. The caller
   * (cli/serve.ts) then stops this server and starts a normal one on the same port.
   */
  writable?: Promise<void>;
}

export async function startServer(config: ServeConfig, log: Logger): Promise<RunningServer> {
  const now = Date.now;
  const startedAt = now();
  const { store, readOnly } = await openServerStore(config, log);
  const sqlite = store instanceof SqliteStore ? store : null;
  if (sqlite) await claimSingleBox(sqlite, config, readOnly, log);
  // The write thread opens while the rest starts (writes until then use the store's connection);
  // it is awaited before the first terminal can connect.
  const writeThread = readOnly === null ? sqlite?.startWriteThread().then(() => null, (err: unknown) => err) : undefined;
  const registry = new TerminalRegistry<TerminalConnection>();
  const { metrics, writer, bus } = createWriting({ config, store, log, registry, connections: () => terminals.gateway.connections });
  // Time zone and approval policy as saved in the admin UI (the flags until then); read per use.
  const settings = await SiteSettings.load(store, { tz: config.tz, approval: config.approval });
  const cluster = config.cluster && store instanceof PgStore
    ? new ClusterNode({ redisUrl: config.redisUrl, redisPrefix: config.redisPrefix || defaultRedisPrefix(await store.location()), registry, store, writer, bus, log, now })
    : null;
  const terminals = createTerminalSide({ config, store, readOnly, writer, bus, registry, settings, cluster, metrics, log, now });
  const { dispatcher, people, presence, access, gateway } = terminals;
  // Daily results follow commits and the admin's changes, off the terminal's path; in a cluster one instance follows the commits.
  const recompute = new TimesheetRecompute({ store, get clock() { return settings.clock; }, log, now, ...(cluster ? { holder: cluster.instanceId } : {}) });
  const timesheets: TimesheetDeps = { store, get clock() { return settings.clock; }, recompute, now, accessChanged: terminals.accessChanged };
  const { integrations, alerts, notifier } = await startOutbound({ config, store, readOnly, writer, bus, settings, cluster, metrics, log, now, startedAt });
  const backups = sqlite ? new BackupDownloads({ snapshot: (onProgress) => snapshotToTempFile(config.dataDir, onProgress), store, log, now }) : null;
  const setupCode = (await store.admin.hasUsers()) ? null : newSetupCode();
  // Known once the ports are bound (a --port 0 takes any free one): the Terminals page's first-run hint.
  let terminalEndpoint: TerminalEndpoint | null = null;
  const ui = createUiApp({
    setupCode,
    terminalEndpoint: () => terminalEndpoint,
    store, alerts, notifier, writer, registry, bus, settings, dispatcher, people, timesheets, access, presence, log, now, version: VERSION, integrations, ...(backups ? { backups } : {}),
    secrets: () => integrations.secrets,
    config: describeServeConfig(config),
  });
  const http = createHttpApp({
    store, alerts, notifier, settings, writer, registry, log, now, version: VERSION, ui, dispatcher, people, timesheets, access, presence,
    metrics: { render: () => metrics.render(), allow: parseAllowList(config.metricsAllow) },
    loopLag: () => metrics.loopLag.summary(),
    ...(readOnly !== null ? { readOnly } : {}),
    ...(backups ? { backups } : {}),
    ...(cluster ? { cluster } : {}),
    integrations,
    clock: () => settings.clock,
    allowedHosts: listSetting(config.allowedHosts),
  });
  const retention = sqlite && readOnly === null && new RetentionJob({
    store: sqlite, get clock() { return settings.clock; }, log, now,
    photoDays: config.photoRetentionDays,
    quarantineDays: config.quarantineRetentionDays,
    attendanceDays: config.attendanceRetentionDays,
    delivered: () => integrations.delivered(),
    everyMs: RETENTION_EVERY_MS,
    firstAfterMs: RETENTION_FIRST_AFTER_MS,
    onPruned: (table, rows) => metrics.pruned(table, rows),
  });

  // Before the first terminal can register.
  await terminals.start();
  if (readOnly === null) await recompute.start(config.timesheetUpdates === "on" ? bus : null);
  // Read-only too: a full disk is exactly what someone must hear about (audit entries then fail, logged).
  await notifier.start();
  await cluster?.start();
  const threadFailed = await writeThread;
  if (threadFailed) throw threadFailed;
  const { server, terminalServer, tls, ...bound } = listen(config, gateway, http, terminals.trustedProxies);
  terminalEndpoint = bound.terminalEndpoint;
  gateway.start();
  metrics.start();
  if (retention) retention.start();
  const housekeeping = startHousekeeping({ registry, writer, sqlite, readOnly, connections: () => gateway.connections, log });

  log.info(
    { port: server.port, ...(terminalServer ? { terminalPort: terminalServer.port } : {}), host: config.host, tls, store: sqlite ? config.dataDir : "postgresql", cluster: cluster?.instanceId, tz: settings.clock.timeZone, durability: config.durability, approval: settings.approval, version: VERSION, ...(readOnly !== null ? { readOnly } : {}) },
    "TM20 Server listening",
  );
  if (setupCode !== null) {
    log.warn({ setupCode }, "no admin account yet: the admin UI's first-run setup asks for this setup code (or create one with tm20 admin create)");
    process.stderr.write(`\nNo admin account yet. First-run setup code for the admin UI: ${setupCode}\n(or create one with: tm20 admin create --username NAME)\n\n`);
  }
  const writable = readOnly !== null ? whenWritable(config, log) : null;

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= shutDown({
      dataDir: config.dataDir, store, sqlite, readOnly, writable, housekeeping, metrics, notifier, ui, integrations, retention, recompute,
      server, terminalServer, writer, registry, terminals, cluster, log, now,
    });
    return stopping;
  };

  return { port: server.port ?? config.port, ...(terminalServer?.port !== undefined ? { terminalPort: terminalServer.port } : {}), stop, ...(writable ? { writable: writable.promise } : {}) };
}
