/**
 * Composition root of `tm20 serve`: builds the parts, starts them in order, stops them in reverse.
 */
import { readFileSync } from "node:fs";
import { UsageError } from "./cli/args.ts";
import type { Server } from "bun";
import type { Logger } from "pino";
import { ClusterNode } from "./cluster/cluster-node.ts";
import { defaultRedisPrefix } from "./cluster/namespace.ts";
import { describeServeConfig } from "./config/load.ts";
import { listSetting, type ServeConfig } from "./config/schema.ts";
import { EventBus } from "./events/bus.ts";
import { createHttpApp } from "./http/app.ts";
import { RetentionJob } from "./jobs/retention.ts";
import { TimesheetRecompute } from "./jobs/timesheet-recompute.ts";
import type { TimesheetDeps } from "./app/timesheets/deps.ts";
import { withOrigin } from "./http/host-less.ts";
import { parseAllowList } from "./lib/ip-allow-list.ts";
import { BackupDownloads } from "./app/backups.ts";
import { Notifier } from "./alerts/notifier.ts";
import { AlertSource } from "./alerts/source.ts";
import type { TerminalEndpoint } from "./ui/terminal-urls.ts";
import { startIntegrations } from "./integrations.ts";
import { ClockCheck } from "./commands/clock-check.ts";
import { CommandDispatcher } from "./commands/dispatcher.ts";
import { commandHooks } from "./commands/hooks.ts";
import type { PassDeps } from "./app/access-passes.ts";
import { PeopleService } from "./people/service.ts";
import { ServerMetrics } from "./obs/server-metrics.ts";
import { WarnLimiter } from "./obs/warn-limiter.ts";
import { SiteSettings } from "./settings/site-settings.ts";
import { claimDataDir, releaseDataDir, runningServer } from "./store/data-dir-lock.ts";
import { openReadOnlyStore, openStore, storeConfigOf, unwritableStorage } from "./store/open.ts";
import { PgStore } from "./store/pg/pg-store.ts";
import { SqliteStore } from "./store/sqlite/sqlite-store.ts";
import { removeStaleSnapshots, snapshotToTempFile } from "./store/sqlite/snapshot-process.ts";
import { Writer } from "./store/writer.ts";
import type { TerminalConnection } from "./terminals/connection.ts";
import { AccessLive } from "./terminals/access-live.ts";
import { PresenceLive } from "./terminals/presence-live.ts";
import { AccessSync } from "./terminals/access-sync.ts";
import { Gateway } from "./terminals/gateway.ts";
import { NewTerminalRate } from "./terminals/rate-limit.ts";
import { MAX_REQUEST_BODY_BYTES } from "./http/body-limits.ts";
import { throughTrustedProxy } from "./http/forwarded.ts";
import { keepDataDirPrivate } from "./lib/private-files.ts";
import { newSetupCode } from "./auth/setup-code.ts";
import { TerminalRegistry } from "./terminals/registry.ts";
import { createUiApp } from "./ui/app.ts";
import { VERSION } from "./version.ts";

const LAST_SEEN_FLUSH_MS = 30_000;
const CLOCK_CHECK_MS = 24 * 3_600_000;
/** The live decision's safety net for what no change signal reaches it (a store edited by hand). */
const ACCESS_REFRESH_MS = 10 * 60_000;
/** A pass that ended this long ago is left out of the live rules ("Unknown code" instead of "Pass expired"). */
const ENDED_PASSES_KEPT_MS = 7 * 86_400_000;
/** Who is inside is read whole again this often (an entrance or the punch reading changed on another instance). */
const PRESENCE_REFRESH_MS = 5 * 60_000;
/** A pull's credentials arrive one answer at a time: the access rules are re-read this long after the first. */
const PULL_SETTLE_MS = 1_000;
/** How often the access sync looks whether the site's date changed (the holiday table moves daily). */
const ACCESS_DAY_CHECK_MS = 60_000;
/** Pages of one getuserlist/getnewlog/getalllog transfer: 500,000 logs at 50 a page. */
const PAGE_CAP = 10_000;
const CHECKPOINT_MS = 60_000;
const SHUTDOWN_LIMIT_MS = 10_000;
/** The whole shutdown, drain included: past it the process exits anyway (cli/serve.ts). */
export const SHUTDOWN_TIMEOUT_MS = 15_000;
const RETENTION_EVERY_MS = 3_600_000;
const RETENTION_FIRST_AFTER_MS = 5_000;

/** The terminals-only listener (--terminal-port) reads no request body. */
const TERMINAL_PORT_BODY_BYTES = 1024;

/** While read-only (disk full), how often the data directory is tried for writing again. */
const WRITABLE_CHECK_MS = 5_000;

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

/** A single box's store; on a disk that cannot take writes, the same store read-only and why. */
async function openServerStore(config: ServeConfig, log: Logger): Promise<{ store: SqliteStore | PgStore; readOnly: string | null }> {
  const storeConfig = storeConfigOf(config);
  try {
    return { store: await openStore(storeConfig), readOnly: null };
  } catch (err) {
    const reason = storeConfig.kind === "sqlite" ? unwritableStorage(err) : null;
    if (reason === null) throw err;
    log.error({ err, dataDir: config.dataDir }, "store not writable (disk full?): starting read-only; writing resumes by itself when it can");
    return { store: openReadOnlyStore(config.dataDir, reason), readOnly: reason };
  }
}

/** Resolves once the data directory's store opens for writing again (tried every WRITABLE_CHECK_MS). */
function whenWritable(config: ServeConfig, log: Logger): { promise: Promise<void>; cancel(): void } {
  let timer: ReturnType<typeof setInterval> | undefined;
  const promise = new Promise<void>((resolve) => {
    timer = setInterval(() => {
      openStore(storeConfigOf(config)).then(
        async (store) => {
          await store.close();
          if (timer === undefined) return;
          clearInterval(timer);
          timer = undefined;
          log.info({ dataDir: config.dataDir }, "store writable again: restarting read-write");
          resolve();
        },
        (err: unknown) => log.debug({ err }, "store still not writable"),
      );
    }, WRITABLE_CHECK_MS);
  });
  return {
    promise,
    cancel: () => {
      clearInterval(timer);
      timer = undefined;
    },
  };
}

export async function startServer(config: ServeConfig, log: Logger): Promise<RunningServer> {
  const now = Date.now;
  const startedAt = now();
  const { store, readOnly } = await openServerStore(config, log);
  // Single box: the data directory is ours alone, and nothing is connected yet whatever a crash
  // left behind. Cluster: the other instances' terminals are connected; presence reaps a dead one's.
  const sqlite = store instanceof SqliteStore ? store : null;
  if (sqlite) {
    const other = runningServer(config.dataDir);
    if (other !== null) log.warn({ pid: other, dataDir: config.dataDir }, "another server seems to use this data directory");
    try {
      claimDataDir(config.dataDir);
    } catch (err) {
      // Only advisory (it names the running server): a full disk must not keep the server down.
      if (readOnly === null) throw err;
      log.warn({ err }, "pid file not written");
    }
    removeStaleSnapshots(config.dataDir);
    try {
      keepDataDirPrivate(config.dataDir);
    } catch (err) {
      log.warn({ err, dataDir: config.dataDir }, "could not make the data directory private to its owner");
    }
    // Read-only, nothing can register: the restart read-write marks them offline.
    if (readOnly === null) await store.markAllOffline();
  }
  // The write thread opens while the rest starts (writes until then use the store's connection);
  // it is awaited before the first terminal can connect.
  const writeThread = readOnly === null ? sqlite?.startWriteThread().then(() => null, (err: unknown) => err) : undefined;
  const registry = new TerminalRegistry<TerminalConnection>();
  const metrics = new ServerMetrics({
    // Read at scrape time, after everything below exists.
    connections: () => gateway.connections,
    registered: () => registry.size,
    maxConnections: config.maxConnections,
    queueDepth: () => writer.depth,
    queueLimit: config.maxQueuedRecords,
    storeFailing: () => writer.failure !== null,
    version: VERSION,
  });
  const writer = new Writer({
    store,
    log,
    maxQueuedRecords: config.maxQueuedRecords,
    // A commit of 4,000 records takes ~60 ms: the store's own connection (admin, commands) waits at
    // most that for the write lock, well inside its 250 ms busy_timeout.
    maxBatchRecords: 4_000,
    retryDelayMs: 1000,
    commitTimeoutMs: config.commitTimeout * 1000,
    onCommit: (info) => metrics.committed(info),
    onRefused: (reason) => metrics.writeRefused(reason),
  });
  const bus = new EventBus();
  bus.on("records-committed", (e) => {
    if (e.origin === undefined) metrics.recordsCommitted(e);
  });
  // Time zone and approval policy as saved in the admin UI (the flags until then); read per use.
  const settings = await SiteSettings.load(store, { tz: config.tz, approval: config.approval });
  const cluster = config.cluster && store instanceof PgStore
    ? new ClusterNode({ redisUrl: config.redisUrl, redisPrefix: config.redisPrefix || defaultRedisPrefix(await store.location()), registry, store, writer, bus, log, now })
    : null;
  const dispatcher = new CommandDispatcher({
    store, writer, bus, get clock() { return settings.clock; }, log, now,
    timeoutMs: config.commandTimeout * 1000, maxAttempts: config.commandAttempts, pageCap: PAGE_CAP, exclusive: sqlite !== null,
    ...(cluster ? { route: cluster } : {}),
  });
  dispatcher.onFinished(async (row) => metrics.commandFinished(row.status));
  const clockCheck = new ClockCheck({
    dispatcher, writer, get clock() { return settings.clock; }, log, now, limitSeconds: config.clockDriftLimit, intervalMs: CLOCK_CHECK_MS,
  });
  // The access rules in memory: server-mode terminals are answered from them (issue 16).
  const accessLive = new AccessLive({ store, log, refreshMs: ACCESS_REFRESH_MS, passesEndingFrom: () => settings.clock.format(now() - ENDED_PASSES_KEPT_MS) });
  /**
   * After a committed change of the rules: the live decision uses them once this resolves, other
   * cluster instances are told, and the terminals' tables are queued (a person's lock before
   * their credentials: a unit admits someone it holds no lock for).
   */
  const accessChanged = async () => {
    await accessLive.changed();
    bus.emit("access-changed", {});
    if (readOnly === null) await accessSync.changed().catch((err: unknown) => log.error({ err }, "access sync failed"));
  };
  bus.on("access-changed", (e) => {
    if (e.origin !== undefined) void accessLive.rebuild();
  });
  const people = new PeopleService({ store, writer, dispatcher, log, now, changed: accessChanged });
  // Who is inside (issue 16): punches at the site entrances, followed in memory.
  const presence = new PresenceLive({ store, bus, log, now, clock: () => settings.clock, refreshMs: PRESENCE_REFRESH_MS });
  const accessSync = new AccessSync({ store, dispatcher, jobs: people.jobs, get clock() { return settings.clock; }, log, now, rules: () => accessLive.current.index, dayCheckMs: ACCESS_DAY_CHECK_MS });
  const access: PassDeps = { store, now, changed: accessChanged, localTime: (ms) => settings.clock.format(ms), misfits: (model) => accessSync.misfits(model), ...(readOnly === null ? { sync: (actor: string) => accessSync.changed(actor) } : {}) };
  // Daily results follow commits and the admin's changes, off the terminal's path; in a cluster one instance follows the commits.
  const recompute = new TimesheetRecompute({ store, get clock() { return settings.clock; }, log, now, ...(cluster ? { holder: cluster.instanceId } : {}) });
  const timesheets: TimesheetDeps = { store, get clock() { return settings.clock; }, recompute, now, accessChanged };
  const commands = commandHooks({ dispatcher, clock: clockCheck, sync: people.sync, ...(readOnly === null ? { access: accessSync, accessChanged } : {}), log });
  // People a pull brings from a terminal join the rules (closed everywhere until given levels),
  // as people saved through the API do: once for a burst of answers, not once per credential.
  let pulled: ReturnType<typeof setTimeout> | undefined;
  dispatcher.onFinished(async (row) => {
    if (row.command !== "getuserinfo" || row.status !== "succeeded" || pulled !== undefined) return;
    pulled = setTimeout(() => {
      pulled = undefined;
      void accessChanged();
    }, PULL_SETTLE_MS);
    pulled.unref?.();
  });
  const messageRate = { perSecond: config.messageRate, burst: Math.max(1, config.messageRate * 2), onRefused: () => metrics.messageRefused("rate") };
  const trustedProxies = config.trustedProxies.trim() === "" ? null : parseAllowList(config.trustedProxies);
  const terminalAddresses = config.terminalAddresses.trim() === "" ? null : parseAllowList(config.terminalAddresses);
  const gateway = new Gateway({
    deps: { writer, store, bus, registry, get clock() { return settings.clock; }, log, get approval() { return settings.approval; }, get keypadEnrolment() { return settings.keypadEnrolment; }, maxPending: config.maxPendingTerminals, access: accessLive, newTerminals: new NewTerminalRate(config.newTerminalsPerMinute), now, commands, warnings: new WarnLimiter(), ...(config.messageRate > 0 ? { messageRate } : {}) },
    log,
    probeAfterMs: config.probeAfter * 1000,
    timeoutMs: config.connectionTimeout * 1000,
    maxConnections: config.maxConnections,
    maxConnectionsPerAddress: config.maxConnectionsPerAddress,
    metrics,
    allowedOrigins: listSetting(config.terminalOrigins),
    terminalAddresses,
    trustedProxies,
  });
  // In a cluster each webhook and HR destination is delivered by the instance holding its lease.
  const integrations = await startIntegrations({
    config, store, bus, log, now, version: VERSION, metrics: metrics.registry, idle: readOnly !== null, clock: () => settings.clock,
    ...(cluster && store instanceof PgStore ? { cluster: { instance: cluster.instanceId, leases: store.webhookLeases, hrLeases: store.hrLeases } } : {}),
  });
  const alerts = new AlertSource({
    store, settings, now, exporter: integrations.exporter,
    storeHealth: () => {
      if (readOnly !== null) return { failingSince: startedAt, error: `opened read-only: ${readOnly}` };
      const failingSince = writer.failingSince;
      return failingSince === null ? null : { failingSince, error: writer.failure ?? "commits fail" };
    },
  });
  // In a cluster one instance sends the alert notifications: the one holding the notifier lease.
  const notifier = new Notifier({
    alerts, store, settings, secrets: integrations.secrets, webhooks: integrations.webhooks, log: log.child({ component: "notifications" }), now,
    ...(cluster && store instanceof PgStore ? { cluster: { lease: store.notifierLease, instance: cluster.instanceId, leaseMs: config.webhookLeaseMs } } : {}),
  });
  const backups = sqlite ? new BackupDownloads({ snapshot: () => snapshotToTempFile(config.dataDir), store, log, now }) : null;
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

  // Before the first terminal can register: commands left "sent" by the last run are settled first.
  // Read-only, none can be sent nor settled: the restart read-write does it.
  if (readOnly === null) {
    await dispatcher.start();
    await people.start();
  }
  clockCheck.start();
  await accessLive.start();
  await presence.start();
  if (readOnly === null) await accessSync.start();
  if (readOnly === null) await recompute.start(config.timesheetUpdates === "on" ? bus : null);
  // Read-only too: a full disk is exactly what someone must hear about (audit entries then fail, logged).
  await notifier.start();
  await cluster?.start();
  const threadFailed = await writeThread;
  if (threadFailed) throw threadFailed;
  const tls = config.tlsCert !== "" ? { cert: readPem(config.tlsCert, "--tls-cert"), key: readPem(config.tlsKey, "--tls-key") } : null;
  const server: Server<unknown> = Bun.serve({
    port: config.port,
    hostname: config.host,
    ...(tls ? { tls } : {}),
    maxRequestBodySize: MAX_REQUEST_BODY_BYTES,
    fetch: (req, srv) => {
      const taken = gateway.upgrade(req, srv as never);
      if (taken === true) return undefined;
      if (taken !== false) return taken;
      const direct = withOrigin(req, srv, srv.url.origin);
      const request = throughTrustedProxy(direct.req, direct.env, trustedProxies);
      return http.fetch(request.req, request.env);
    },
    websocket: gateway.websocket as never,
  });
  // Terminals that cannot do TLS keep plain WebSocket here while the UI and API are HTTPS only:
  // the same gateway (limits, Origin check, connection counts), and nothing else answers.
  const terminalServer = config.terminalPort === "" ? null : Bun.serve({
    port: config.terminalPort,
    hostname: config.host,
    // Nothing but upgrades is served here: no body is ever read.
    maxRequestBodySize: TERMINAL_PORT_BODY_BYTES,
    fetch: (req, srv) => {
      const taken = gateway.upgrade(req, srv as never);
      if (taken === true) return undefined;
      if (taken !== false) return taken;
      return new Response(`This port takes terminal WebSocket connections only; the admin UI and API are on port ${server.port}${tls ? " (https)" : ""}.\n`, {
        status: 426,
        headers: { upgrade: "websocket", connection: "Upgrade" },
      });
    },
    websocket: gateway.websocket as never,
  });
  terminalEndpoint = terminalServer
    ? { port: terminalServer.port ?? Number(config.terminalPort), tls: false, host: config.host }
    : { port: server.port ?? config.port, tls: tls !== null, host: config.host };
  gateway.start();
  metrics.start();
  if (retention) retention.start();

  const flushSeen = () => {
    const entries = registry.takeSeen();
    if (entries.length > 0) writer.submit({ type: "terminals-last-seen", entries }).catch(() => {});
  };
  const seenTimer = setInterval(flushSeen, LAST_SEEN_FLUSH_MS);
  const checkpointTimer = setInterval(() => {
    if (readOnly !== null) return;
    try {
      sqlite?.checkpoint(writer.depth === 0 && gateway.connections === 0 ? "TRUNCATE" : "PASSIVE");
    } catch (err) {
      log.warn({ err }, "WAL checkpoint failed");
    }
  }, CHECKPOINT_MS);

  log.info(
    { port: server.port, ...(terminalServer ? { terminalPort: terminalServer.port } : {}), host: config.host, tls: tls !== null, store: sqlite ? config.dataDir : "postgresql", cluster: cluster?.instanceId, tz: settings.clock.timeZone, durability: config.durability, approval: settings.approval, version: VERSION, ...(readOnly !== null ? { readOnly } : {}) },
    "TM20 Server listening",
  );
  if (setupCode !== null) {
    log.warn({ setupCode }, "no admin account yet: the admin UI's first-run setup asks for this setup code (or create one with tm20 admin create)");
    process.stderr.write(`\nNo admin account yet. First-run setup code for the admin UI: ${setupCode}\n(or create one with: tm20 admin create --username NAME)\n\n`);
  }
  const writable = readOnly !== null ? whenWritable(config, log) : null;

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      log.info("shutting down: no new connections, committing what was received");
      writable?.cancel();
      clearInterval(seenTimer);
      clearInterval(checkpointTimer);
      metrics.stop();
      await notifier.stop();
      ui.stop();
      await integrations.stop();
      if (retention) await retention.stop();
      await recompute.stop();
      void server.stop(false);
      void terminalServer?.stop(false);
      flushSeen();
      const drained = await Promise.race([
        writer.stop().then(() => true),
        Bun.sleep(SHUTDOWN_LIMIT_MS).then(() => false),
      ]);
      if (!drained) log.error("shutdown: the writer did not drain in time; unanswered records will be resent by terminals");
      // Answers to the last commits are written before the sockets close.
      await Bun.sleep(50);
      const held = [...registry.sessions()].flatMap((s) => (s.sn ? [{ sn: s.sn, sessionId: s.sessionId }] : []));
      gateway.stop(1001, "server shutting down");
      try {
        // In a cluster only this instance's own sessions go offline (the store is shared).
        if (sqlite) {
          if (readOnly === null) await store.markAllOffline();
        }
        else await store.write(held.map((h) => ({ type: "terminal-offline" as const, sn: h.sn, at: now(), sessionId: h.sessionId })));
      } catch (err) {
        log.warn({ err }, "could not mark terminals offline");
      }
      clockCheck.stop();
      accessLive.stop();
      presence.stop();
      accessSync.stop();
      clearTimeout(pulled);
      dispatcher.stop();
      await cluster?.stop();
      await store.close();
      if (sqlite) releaseDataDir(config.dataDir);
      void server.stop(true);
      void terminalServer?.stop(true);
      log.info("stopped");
    })();
    return stopping;
  };

  return { port: server.port ?? config.port, ...(terminalServer?.port !== undefined ? { terminalPort: terminalServer.port } : {}), stop, ...(writable ? { writable: writable.promise } : {}) };
}

/** A PEM file for Bun.serve's tls; unreadable or not PEM: a usage error naming the flag. */
function readPem(path: string, flag: string): string {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new UsageError(`${flag}: cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!text.includes("-----BEGIN ")) throw new UsageError(`${flag}: ${path} is not a PEM file`);
  return text;
}
