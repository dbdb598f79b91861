/**
 * The metrics `tm20 serve` exposes on /metrics. Producers get narrow hooks (the gateway counts
 * frames, the writer reports commits, the command engine reports outcomes); gauges that mirror
 * state (connections, queue depth, memory) are read at scrape time.
 */
import type { BusEvents } from "../events/bus.ts";
import type { CommitInfo, RefusalReason } from "../store/writer.ts";
import type { GatewayMetrics } from "../terminals/gateway.ts";
import { LAG_WINDOW_MS, LoopLag } from "./loop-lag.ts";
import { MetricsRegistry } from "./metrics.ts";

export interface MetricSources {
  connections: () => number;
  registered: () => number;
  maxConnections: number;
  queueDepth: () => number;
  queueLimit: number;
  storeFailing: () => boolean;
  version: string;
}

/** Seconds: answer latency is expected in the low milliseconds; alerts sit at 100 and 500 ms. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const COMMIT_SECONDS_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const BATCH_BUCKETS = [1, 5, 10, 50, 100, 500, 1000, 5000, 10_000, 20_000];

export class ServerMetrics implements GatewayMetrics {
  readonly registry = new MetricsRegistry();
  readonly #in;
  readonly #out;
  readonly #latency;
  readonly #refusedConnections;
  readonly #refusedMessages;
  readonly #refusedWrites;
  readonly #committed;
  readonly #duplicates;
  readonly #quarantined;
  readonly #quarantinePruned;
  readonly #batch;
  readonly #commitSeconds;
  readonly #commands;
  readonly #commandsPending;
  readonly #pruned;
  readonly loopLag = new LoopLag();

  constructor(s: MetricSources) {
    const r = this.registry;
    r.gauge("tm20_build_info", "Always 1; the version is a label.", { labelNames: ["version"] }).set(1, { version: s.version });
    r.gauge("tm20_connections_active", "Open terminal WebSocket connections.", { collect: s.connections });
    r.gauge("tm20_terminals_registered", "Terminals with an accepted reg on a live connection.", { collect: s.registered });
    r.gauge("tm20_connections_max", "Configured maximum of terminal connections (--max-connections).", { collect: () => s.maxConnections });
    this.#refusedConnections = r.counter("tm20_connections_refused_total", "Terminal connections refused, by reason.", ["reason"]);
    const messages = r.counter("tm20_messages_total", "Terminal WebSocket frames, by direction.", ["direction"]);
    this.#in = messages.with({ direction: "in" });
    this.#out = messages.with({ direction: "out" });
    this.#refusedMessages = r.counter("tm20_messages_refused_total", "Terminal messages answered result:false because of a limit.", ["reason"]);
    this.#latency = r.histogram("tm20_latency_seconds", "Time from a terminal frame received to its answer sent.", LATENCY_BUCKETS);
    this.#committed = r.counter("tm20_records_committed_total", "Terminal records (attendance and door events) newly stored.");
    this.#duplicates = r.counter("tm20_records_duplicate_total", "Terminal records received again and not stored twice.");
    this.#quarantined = r.counter("tm20_records_quarantined_total", "Terminal records set aside as unreadable.");
    this.#quarantinePruned = r.counter("tm20_quarantine_pruned_total", "Oldest quarantine entries removed to keep each terminal within its cap (1,000 entries).");
    this.#batch = r.histogram("tm20_commit_batch_records", "Records (and other writes) per group commit.", BATCH_BUCKETS);
    this.#commitSeconds = r.histogram("tm20_commit_duration_seconds", "Duration of one group commit, fsync included.", COMMIT_SECONDS_BUCKETS);
    r.gauge("tm20_writer_queue_depth", "Records waiting for the next commit.", { collect: s.queueDepth });
    r.gauge("tm20_writer_queue_limit", "Records that may wait before uploads are refused (--max-queued-records).", { collect: () => s.queueLimit });
    this.#refusedWrites = r.counter("tm20_writer_refused_total", "Writes refused at once by the writer queue bound: queue_full (the whole queue), terminal_share (one terminal's part of it).", ["reason"]);
    r.gauge("tm20_store_failing", "1 while store writes fail (terminals get result:false), else 0.", { collect: () => (s.storeFailing() ? 1 : 0) });
    this.#commands = r.counter("tm20_commands_total", "Server-to-terminal commands finished, by final status.", ["status"]);
    this.#commandsPending = r.gauge("tm20_commands_pending", "Server-to-terminal commands queued or in flight.");
    this.#pruned = r.counter("tm20_retention_pruned_total", "Rows removed by the retention job, by table.", ["table"]);
    r.gauge("tm20_process_resident_memory_bytes", "Resident set size of the server process.", { collect: () => process.memoryUsage.rss() });
    r.gauge("tm20_process_heap_bytes", "JavaScript heap in use.", { collect: () => process.memoryUsage().heapUsed });
    const started = Date.now();
    r.gauge("tm20_process_uptime_seconds", "Seconds since the server started.", { collect: () => (Date.now() - started) / 1000 });
    const lag = () => this.loopLag.summary();
    const window = `${LAG_WINDOW_MS / 1000} s`;
    r.gauge("tm20_event_loop_lag_seconds", "Event-loop delay of the latest sample (every 100 ms).", { collect: () => lag().last });
    r.gauge("tm20_event_loop_lag_p99_seconds", `99th percentile of event-loop delay over the last ${window}.`, { collect: () => lag().p99 });
    r.gauge("tm20_event_loop_lag_max_seconds", `Largest event-loop delay over the last ${window}.`, { collect: () => lag().max });
  }

  start() {
    this.loopLag.start();
  }

  stop() {
    this.loopLag.stop();
  }

  received() {
    this.#in.inc();
  }

  sent() {
    this.#out.inc();
  }

  answered(latencySeconds: number) {
    this.#latency.observe(latencySeconds);
  }

  connectionRefused(reason: string) {
    this.#refusedConnections.inc(1, { reason });
  }

  messageRefused(reason: string) {
    this.#refusedMessages.inc(1, { reason });
  }

  /** The bus's records-committed: terminal records only (the writer also commits registrations and the like). */
  recordsCommitted(e: BusEvents["records-committed"]) {
    this.#committed.inc(e.inserted);
    this.#duplicates.inc(e.duplicates);
    this.#quarantined.inc(e.quarantined);
  }

  /** Writer.onCommit. */
  committed(info: CommitInfo) {
    this.#batch.observe(info.records);
    this.#commitSeconds.observe(info.durationMs / 1000);
    if (info.quarantinePruned > 0) this.#quarantinePruned.inc(info.quarantinePruned);
  }

  /** Writer.onRefused. */
  writeRefused(reason: RefusalReason) {
    this.#refusedWrites.inc(1, { reason });
  }

  /** For the command engine: one call per command reaching a final status (done, failed, expired, …). */
  commandFinished(status: string) {
    this.#commands.inc(1, { status });
  }

  /** For the command engine: commands queued or in flight right now. */
  commandsPending(n: number) {
    this.#commandsPending.set(n);
  }

  pruned(table: string, rows: number) {
    this.#pruned.inc(rows, { table });
  }

  render(): string {
    return this.registry.render();
  }
}
