import { SimDevice, seedPeople } from "./device.ts";
import { type SimRecord, simRecords } from "./frames.ts";
import { SimulatedTerminal } from "./terminal.ts";

export interface SimulationOptions {
  url: string;
  terminals: number;
  batchSize: number;
  rate: number;
  /** Seconds to keep producing; 0 = until every terminal has sent `records`. */
  duration: number;
  /** Records per terminal; Infinity with a duration. */
  records: number;
  prefix: string;
  startTime: Date;
  /** New connections per second while ramping up. */
  connectRate: number;
  /** Seconds to wait for the last answers after producing stops. */
  grace: number;
  regRetryMs?: number;
  answerTimeoutMs?: number;
  reconnectMs?: number;
  onAck?: (sn: string, records: SimRecord[], latencyMs: number) => void;
  /** People (2.5 credentials each on average) in each terminal's user store. */
  users?: number;
  /** Records in each terminal's log store, for getnewlog/getalllog (the first ones are those sendlog uploads). */
  logs?: number;
  answerWith?: "ret" | "cmd";
  commandMode?: "answer" | "silent" | "refuse";
  /** Seconds each terminal's clock is off at start. */
  clockSkewSeconds?: number;
  /** Seconds from the start whose answers are left out of the latency figures (the registration storm). */
  warmup?: number;
}

export interface SimulationSummary {
  terminals: number;
  registered: number;
  sent: number;
  acknowledged: number;
  resends: number;
  failures: number;
  timeouts: number;
  reconnects: number;
  refusals: number;
  seconds: number;
  acknowledged_per_second: number;
  latency_ms: { p50: number; p95: number; p99: number; max: number };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round((sorted[i] ?? 0) * 100) / 100;
}

export function serialOf(prefix: string, i: number): string {
  return `${prefix}${String(i).padStart(6, "0")}`;
}

function simDevice(options: SimulationOptions): SimDevice {
  const device = new SimDevice({ clockSkewSeconds: options.clockSkewSeconds ?? 0 });
  seedPeople(device, options.users ?? 0);
  device.addLogs(simRecords(0, options.logs ?? 0, options.startTime));
  return device;
}

/** Runs the fleet, returning once producing has stopped and answers are in (or the grace ran out). */
export class Simulation {
  readonly terminals: SimulatedTerminal[] = [];
  #o: SimulationOptions;
  #started = 0;

  constructor(options: SimulationOptions) {
    this.#o = options;
    for (let i = 0; i < options.terminals; i++) {
      this.terminals.push(
        new SimulatedTerminal({
          url: options.url,
          sn: serialOf(options.prefix, i),
          batchSize: options.batchSize,
          rate: options.rate,
          records: options.records,
          startTime: options.startTime,
          regRetryMs: options.regRetryMs ?? 20_000,
          answerTimeoutMs: options.answerTimeoutMs ?? 15_000,
          reconnectMs: options.reconnectMs ?? 1000,
          onAck: options.onAck,
          device: simDevice(options),
          ...(options.answerWith ? { answerWith: options.answerWith } : {}),
          ...(options.commandMode ? { commandMode: options.commandMode } : {}),
        }),
      );
    }
  }

  async run(): Promise<SimulationSummary> {
    this.#started = performance.now();
    for (const t of this.terminals) t.latencyFrom = this.#started + (this.#o.warmup ?? 0) * 1000;
    const perTick = Math.max(1, Math.round(this.#o.connectRate / 20));
    for (let i = 0; i < this.terminals.length; i += perTick) {
      for (const t of this.terminals.slice(i, i + perTick)) t.start();
      if (i + perTick < this.terminals.length) await Bun.sleep(50);
    }
    const allDone = () => this.terminals.every((t) => t.done);
    if (this.#o.duration > 0) {
      const end = this.#started + this.#o.duration * 1000;
      // records 0: nothing to upload, the terminals stay for the whole duration and answer commands.
      while (performance.now() < end && (!allDone() || this.#o.records === 0)) await Bun.sleep(50);
      for (const t of this.terminals) t.stopProducing();
    }
    const graceEnd = performance.now() + this.#o.grace * 1000;
    while (!allDone() && (this.#o.duration === 0 || performance.now() < graceEnd)) await Bun.sleep(50);
    return this.summary();
  }

  summary(): SimulationSummary {
    const seconds = (performance.now() - this.#started) / 1000;
    const sum = (f: (t: SimulatedTerminal) => number) => this.terminals.reduce((n, t) => n + f(t), 0);
    const latencies = this.terminals.flatMap((t) => t.stats.latencies).sort((a, b) => a - b);
    const acknowledged = sum((t) => t.stats.ackedRecords);
    return {
      terminals: this.terminals.length,
      registered: sum((t) => (t.stats.registered ? 1 : 0)),
      sent: sum((t) => t.stats.sentRecords),
      acknowledged,
      resends: sum((t) => t.stats.resends),
      failures: sum((t) => t.stats.failures),
      timeouts: sum((t) => t.stats.timeouts),
      reconnects: sum((t) => t.stats.reconnects),
      refusals: sum((t) => t.stats.refusals),
      seconds: Math.round(seconds * 100) / 100,
      acknowledged_per_second: Math.round(acknowledged / Math.max(seconds, 0.001)),
      latency_ms: {
        p50: percentile(latencies, 50),
        p95: percentile(latencies, 95),
        p99: percentile(latencies, 99),
        max: percentile(latencies, 100),
      },
    };
  }

  stop() {
    for (const t of this.terminals) t.stop();
  }
}
