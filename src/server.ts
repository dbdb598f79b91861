/**
 * Composition root of `tm20 serve`: builds the parts, starts them in order, stops them in reverse.
 */
import type { Server } from "bun";
import type { Logger } from "pino";
import type { ServeConfig } from "./config/schema.ts";
import { EventBus } from "./events/bus.ts";
import { createHttpApp } from "./http/app.ts";
import { SiteClock } from "./protocol/index.ts";
import { openStore } from "./store/open.ts";
import { Writer } from "./store/writer.ts";
import type { TerminalConnection } from "./terminals/connection.ts";
import { Gateway } from "./terminals/gateway.ts";
import { TerminalRegistry } from "./terminals/registry.ts";
import { VERSION } from "./version.ts";

const LAST_SEEN_FLUSH_MS = 30_000;
const CHECKPOINT_MS = 60_000;
const SHUTDOWN_LIMIT_MS = 10_000;

export interface RunningServer {
  port: number;
  stop(): Promise<void>;
}

export async function startServer(config: ServeConfig, log: Logger): Promise<RunningServer> {
  const now = Date.now;
  const store = openStore(config.dataDir, config.durability);
  await store.markAllOffline();
  const writer = new Writer({
    store,
    log,
    maxQueuedRecords: config.maxQueuedRecords,
    maxBatchRecords: 20_000,
    retryDelayMs: 1000,
  });
  const registry = new TerminalRegistry<TerminalConnection>();
  const bus = new EventBus();
  const clock = new SiteClock(config.tz);
  const gateway = new Gateway({
    deps: { writer, store, bus, registry, clock, log, approval: config.approval, now },
    log,
    probeAfterMs: config.probeAfter * 1000,
    timeoutMs: config.connectionTimeout * 1000,
  });
  const http = createHttpApp({ store, writer, registry, log, now, version: VERSION });

  const server: Server<unknown> = Bun.serve({
    port: config.port,
    hostname: config.host,
    fetch: (req, srv) => (gateway.upgrade(req, srv as never) ? undefined : http.fetch(req)),
    websocket: gateway.websocket as never,
  });
  gateway.start();

  const flushSeen = () => {
    const entries = registry.takeSeen();
    if (entries.length > 0) writer.submit({ type: "terminals-last-seen", entries }).catch(() => {});
  };
  const seenTimer = setInterval(flushSeen, LAST_SEEN_FLUSH_MS);
  const checkpointTimer = setInterval(() => {
    try {
      store.checkpoint(writer.depth === 0 && gateway.connections === 0 ? "TRUNCATE" : "PASSIVE");
    } catch (err) {
      log.warn({ err }, "WAL checkpoint failed");
    }
  }, CHECKPOINT_MS);

  log.info(
    { port: server.port, host: config.host, dataDir: config.dataDir, tz: config.tz, durability: config.durability, approval: config.approval, version: VERSION },
    "TM20 Server listening",
  );

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      log.info("shutting down: no new connections, committing what was received");
      clearInterval(seenTimer);
      clearInterval(checkpointTimer);
      void server.stop(false);
      flushSeen();
      const drained = await Promise.race([
        writer.stop().then(() => true),
        Bun.sleep(SHUTDOWN_LIMIT_MS).then(() => false),
      ]);
      if (!drained) log.error("shutdown: the writer did not drain in time; unanswered records will be resent by terminals");
      // Answers to the last commits are written before the sockets close.
      await Bun.sleep(50);
      gateway.stop(1001, "server shutting down");
      try {
        await store.markAllOffline();
      } catch (err) {
        log.warn({ err }, "could not mark terminals offline");
      }
      store.close();
      void server.stop(true);
      log.info("stopped");
    })();
    return stopping;
  };

  return { port: server.port ?? config.port, stop };
}
