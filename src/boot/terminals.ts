/**
 * The terminal side of `tm20 serve`: the command dispatcher and the clock check, the access rules
 * live in memory and synced to the terminals, who is inside, people, and the gateway the
 * terminals connect to.
 */
import type { Logger } from "pino";
import type { PassDeps } from "../app/access-passes.ts";
import type { ClusterNode } from "../cluster/cluster-node.ts";
import { ClockCheck } from "../commands/clock-check.ts";
import { CommandDispatcher } from "../commands/dispatcher.ts";
import { commandHooks } from "../commands/hooks.ts";
import { listSetting, type ServeConfig } from "../config/schema.ts";
import type { EventBus } from "../events/bus.ts";
import { type AllowList, parseAllowList } from "../lib/ip-allow-list.ts";
import type { ServerMetrics } from "../obs/server-metrics.ts";
import { WarnLimiter } from "../obs/warn-limiter.ts";
import { PeopleService } from "../people/service.ts";
import type { SiteSettings } from "../settings/site-settings.ts";
import type { PgStore } from "../store/pg/pg-store.ts";
import { SqliteStore } from "../store/sqlite/sqlite-store.ts";
import type { Writer } from "../store/writer.ts";
import { AccessLive } from "../terminals/access-live.ts";
import { AccessSync } from "../terminals/access-sync.ts";
import type { TerminalConnection } from "../terminals/connection.ts";
import { Gateway } from "../terminals/gateway.ts";
import { PresenceLive } from "../terminals/presence-live.ts";
import { NewTerminalRate } from "../terminals/rate-limit.ts";
import type { TerminalRegistry } from "../terminals/registry.ts";

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

export interface TerminalSideOptions {
  config: ServeConfig;
  store: SqliteStore | PgStore;
  readOnly: string | null;
  writer: Writer;
  bus: EventBus;
  registry: TerminalRegistry<TerminalConnection>;
  settings: SiteSettings;
  cluster: ClusterNode | null;
  metrics: ServerMetrics;
  log: Logger;
  now: () => number;
}

export interface TerminalSide {
  dispatcher: CommandDispatcher;
  people: PeopleService;
  presence: PresenceLive;
  access: PassDeps;
  gateway: Gateway;
  trustedProxies: AllowList | null;
  /** After a committed change of the access rules (see below). */
  accessChanged: () => Promise<void>;
  /** Started in this order before the first terminal can register. */
  start(): Promise<void>;
  /** Everything but the gateway, stopped once the terminals are gone. */
  stop(): void;
}

export function createTerminalSide(o: TerminalSideOptions): TerminalSide {
  const { config, store, readOnly, writer, bus, registry, settings, cluster, metrics, log, now } = o;
  const dispatcher = new CommandDispatcher({
    store, writer, bus, get clock() { return settings.clock; }, log, now,
    timeoutMs: config.commandTimeout * 1000, maxAttempts: config.commandAttempts, pageCap: PAGE_CAP, exclusive: store instanceof SqliteStore,
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
  return {
    dispatcher, people, presence, access, gateway, trustedProxies, accessChanged,
    start: async () => {
      // Commands left "sent" by the last run are settled first. Read-only, none can be sent nor
      // settled: the restart read-write does it.
      if (readOnly === null) {
        await dispatcher.start();
        await people.start();
      }
      clockCheck.start();
      await accessLive.start();
      await presence.start();
      if (readOnly === null) await accessSync.start();
    },
    stop: () => {
      clockCheck.stop();
      accessLive.stop();
      presence.stop();
      accessSync.stop();
      clearTimeout(pulled);
      dispatcher.stop();
    },
  };
}
