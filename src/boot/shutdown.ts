/**
 * The shutdown of `tm20 serve`, in the order that keeps every acknowledged record: nothing new
 * is started, the listeners stop taking connections, the writer drains, the answers reach the
 * terminals, and only then do the sockets close and the store shut.
 */
import type { Logger } from "pino";
import type { Server } from "bun";
import type { Notifier } from "../alerts/notifier.ts";
import type { ClusterNode } from "../cluster/cluster-node.ts";
import type { Integrations } from "../integrations.ts";
import type { RetentionJob } from "../jobs/retention.ts";
import type { TimesheetRecompute } from "../jobs/timesheet-recompute.ts";
import type { ServerMetrics } from "../obs/server-metrics.ts";
import { releaseDataDir } from "../store/data-dir-lock.ts";
import type { PgStore } from "../store/pg/pg-store.ts";
import type { SqliteStore } from "../store/sqlite/sqlite-store.ts";
import type { Writer } from "../store/writer.ts";
import type { TerminalConnection } from "../terminals/connection.ts";
import type { TerminalRegistry } from "../terminals/registry.ts";
import type { TerminalSide } from "./terminals.ts";

/** How long the writer may take to drain before the shutdown goes on without it. */
const SHUTDOWN_LIMIT_MS = 10_000;

export interface RunningParts {
  dataDir: string;
  store: SqliteStore | PgStore;
  sqlite: SqliteStore | null;
  readOnly: string | null;
  writable: { cancel(): void } | null;
  housekeeping: { flushSeen(): void; stop(): void };
  metrics: ServerMetrics;
  notifier: Notifier;
  ui: { stop(): void };
  integrations: Integrations;
  retention: RetentionJob | false | null;
  recompute: TimesheetRecompute;
  server: Server<unknown>;
  terminalServer: Server<unknown> | null;
  writer: Writer;
  registry: TerminalRegistry<TerminalConnection>;
  terminals: TerminalSide;
  cluster: ClusterNode | null;
  log: Logger;
  now: () => number;
}

export async function shutDown(p: RunningParts): Promise<void> {
  const { store, sqlite, readOnly, server, terminalServer, log } = p;
  log.info("shutting down: no new connections, committing what was received");
  p.writable?.cancel();
  p.housekeeping.stop();
  p.metrics.stop();
  await p.notifier.stop();
  p.ui.stop();
  await p.integrations.stop();
  if (p.retention) await p.retention.stop();
  await p.recompute.stop();
  void server.stop(false);
  void terminalServer?.stop(false);
  p.housekeeping.flushSeen();
  const drained = await Promise.race([
    p.writer.stop().then(() => true),
    Bun.sleep(SHUTDOWN_LIMIT_MS).then(() => false),
  ]);
  if (!drained) log.error("shutdown: the writer did not drain in time; unanswered records will be resent by terminals");
  // Answers to the last commits are written before the sockets close.
  await Bun.sleep(50);
  const held = [...p.registry.sessions()].flatMap((s) => (s.sn ? [{ sn: s.sn, sessionId: s.sessionId }] : []));
  p.terminals.gateway.stop(1001, "server shutting down");
  try {
    // In a cluster only this instance's own sessions go offline (the store is shared).
    if (sqlite) {
      if (readOnly === null) await store.markAllOffline();
    }
    else await store.write(held.map((h) => ({ type: "terminal-offline" as const, sn: h.sn, at: p.now(), sessionId: h.sessionId })));
  } catch (err) {
    log.warn({ err }, "could not mark terminals offline");
  }
  p.terminals.stop();
  await p.cluster?.stop();
  await store.close();
  if (sqlite) releaseDataDir(p.dataDir);
  void server.stop(true);
  void terminalServer?.stop(true);
  log.info("stopped");
}
