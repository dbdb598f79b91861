/**
 * The store side of `tm20 serve`: the store opened (read-only on a disk that cannot take writes),
 * a single box's data directory claimed, the writer with its metrics, and the timers that keep
 * the store tidy while running.
 */
import type { Logger } from "pino";
import type { ServeConfig } from "../config/schema.ts";
import { EventBus } from "../events/bus.ts";
import { keepDataDirPrivate } from "../lib/private-files.ts";
import { ServerMetrics } from "../obs/server-metrics.ts";
import { claimDataDir, runningServer } from "../store/data-dir-lock.ts";
import { openReadOnlyStore, openStore, storeConfigOf, unwritableStorage } from "../store/open.ts";
import type { PgStore } from "../store/pg/pg-store.ts";
import { removeStaleSnapshots } from "../store/sqlite/snapshot-process.ts";
import type { SqliteStore } from "../store/sqlite/sqlite-store.ts";
import { Writer } from "../store/writer.ts";
import type { TerminalConnection } from "../terminals/connection.ts";
import type { TerminalRegistry } from "../terminals/registry.ts";
import { VERSION } from "../version.ts";

const LAST_SEEN_FLUSH_MS = 30_000;
const CHECKPOINT_MS = 60_000;
/** While read-only (disk full), how often the data directory is tried for writing again. */
const WRITABLE_CHECK_MS = 5_000;

/** A single box's store; on a disk that cannot take writes, the same store read-only and why. */
export async function openServerStore(config: ServeConfig, log: Logger): Promise<{ store: SqliteStore | PgStore; readOnly: string | null }> {
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

/**
 * Single box: the data directory is ours alone, and nothing is connected yet whatever a crash
 * left behind. (Cluster: the other instances' terminals are connected; presence reaps a dead one's.)
 */
export async function claimSingleBox(sqlite: SqliteStore, config: ServeConfig, readOnly: string | null, log: Logger): Promise<void> {
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
  if (readOnly === null) await sqlite.markAllOffline();
}

/** Resolves once the data directory's store opens for writing again (tried every WRITABLE_CHECK_MS). */
export function whenWritable(config: ServeConfig, log: Logger): { promise: Promise<void>; cancel(): void } {
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

/** The writer, the metrics that count what it commits and refuses, and the bus its commits are told on. */
export function createWriting(o: {
  config: ServeConfig;
  store: SqliteStore | PgStore;
  log: Logger;
  registry: TerminalRegistry<TerminalConnection>;
  connections: () => number;
}): { metrics: ServerMetrics; writer: Writer; bus: EventBus } {
  const { config, store, log, registry } = o;
  const metrics = new ServerMetrics({
    // Read at scrape time, after everything below exists.
    connections: o.connections,
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
  return { metrics, writer, bus };
}

/** The terminals' last-seen times written every LAST_SEEN_FLUSH_MS, and SQLite's WAL checkpointed. */
export function startHousekeeping(o: {
  registry: TerminalRegistry<TerminalConnection>;
  writer: Writer;
  sqlite: SqliteStore | null;
  readOnly: string | null;
  connections: () => number;
  log: Logger;
}): { flushSeen(): void; stop(): void } {
  const { registry, writer, sqlite, readOnly, log } = o;
  const flushSeen = () => {
    const entries = registry.takeSeen();
    if (entries.length > 0) writer.submit({ type: "terminals-last-seen", entries }).catch(() => {});
  };
  const seenTimer = setInterval(flushSeen, LAST_SEEN_FLUSH_MS);
  const checkpointTimer = setInterval(() => {
    if (readOnly !== null) return;
    try {
      sqlite?.checkpoint(writer.depth === 0 && o.connections() === 0 ? "TRUNCATE" : "PASSIVE");
    } catch (err) {
      log.warn({ err }, "WAL checkpoint failed");
    }
  }, CHECKPOINT_MS);
  return {
    flushSeen,
    stop: () => {
      clearInterval(seenTimer);
      clearInterval(checkpointTimer);
    },
  };
}
