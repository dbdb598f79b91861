/**
 * A terminal as the server sees it: registers (again every 20 s while unanswered), uploads its
 * log in batches and resends a batch until it is acknowledged, answers `gettime`, and reconnects
 * after a drop. Installers use it to check a site; the tests and the benchmark drive it.
 */
import { SimDevice } from "./device.ts";
import { regFrame, type SimRecord, simRecords } from "./frames.ts";

export { type SimRecord, simRecord } from "./frames.ts";

export interface SimTerminalOptions {
  url: string;
  sn: string;
  batchSize: number;
  /** Batches per second; 0 sends the next batch as soon as the previous one is acknowledged. */
  rate: number;
  /** Records this terminal will produce; Infinity for "until stopped". */
  records: number;
  /** Wall-clock time of record 0; record k is k seconds later (unique per terminal). */
  startTime: Date;
  regRetryMs: number;
  answerTimeoutMs: number;
  reconnectMs: number;
  onAck?: (sn: string, records: SimRecord[], latencyMs: number) => void;
  /** Its users, logs and clock (a fresh empty one by default). */
  device?: SimDevice;
  /** Answer server commands with `ret` (default) or, like some AiFace firmware, with `cmd`. */
  answerWith?: "ret" | "cmd";
  /** answer (default), silent: never answer a command, refuse: answer every one result:false. */
  commandMode?: "answer" | "silent" | "refuse";
}

export interface SimStats {
  registered: boolean;
  everRegistered: boolean;
  sentRecords: number;
  ackedRecords: number;
  batchesSent: number;
  resends: number;
  failures: number;
  timeouts: number;
  reconnects: number;
  refusals: number;
  latencies: number[];
  commands: number;
  reboots: number;
}

export class SimulatedTerminal {
  /** Batches sent before this `performance.now()` are left out of `stats.latencies` (a run's registration storm). */
  latencyFrom = 0;
  readonly stats: SimStats = {
    registered: false, everRegistered: false, sentRecords: 0, ackedRecords: 0, batchesSent: 0, resends: 0,
    failures: 0, timeouts: 0, reconnects: 0, refusals: 0, latencies: [], commands: 0, reboots: 0,
  };
  readonly device: SimDevice;
  #o: SimTerminalOptions;
  #ws: WebSocket | null = null;
  #next = 0; // index of the first unacknowledged record
  #inflight: { from: number; to: number; sentAt: number; timer: ReturnType<typeof setTimeout> } | null = null;
  #everSent = 0;
  #timers = new Set<ReturnType<typeof setTimeout>>();
  #stopped = false;
  #producing = true;
  #lastBatchAt = 0;
  #enrolments: Array<(ok: boolean) => void> = [];
  /** Real-time uploads waiting for their answer, by logindex (apart from the batches' numbers). */
  #live = new Map<number, (ok: boolean) => void>();
  #liveIndex = 1_000_000;

  constructor(options: SimTerminalOptions) {
    this.#o = options;
    this.device = options.device ?? new SimDevice();
  }

  /**
   * A keypad enrolment: the credential is stored on the terminal and pushed with `senduser`.
   * Resolves with the server's answer (false when not connected).
   */
  enroll(enrollid: number, name: string, backupnum: number, data: string, admin = 0): Promise<boolean> {
    const user = this.device.users.get(enrollid) ?? { name, admin, enabled: true, credentials: new Map<number, string>() };
    user.credentials.set(backupnum, data);
    this.device.users.set(enrollid, user);
    const ws = this.#ws;
    if (!ws || !this.stats.registered) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.#enrolments.push(resolve);
      ws.send(JSON.stringify({ cmd: "senduser", sn: this.#o.sn, enrollid, name, backupnum, admin, record: data }));
    });
  }

  /**
   * Records sent the moment they happen, as a unit does after a punch or a door event (`enrollid`
   * 0), outside the log batches. Resolves with the server's answer (false when not connected).
   */
  sendRealtime(record: SimRecord[]): Promise<boolean> {
    const ws = this.#ws;
    if (!ws || !this.stats.registered) return Promise.resolve(false);
    const logindex = this.#liveIndex++;
    return new Promise((resolve) => {
      this.#live.set(logindex, resolve);
      ws.send(JSON.stringify({ cmd: "sendlog", sn: this.#o.sn, count: record.length, logindex, record }));
    });
  }

  get done(): boolean {
    return this.#next >= this.#o.records || (!this.#producing && this.#inflight === null);
  }

  start() {
    this.#connect();
  }

  /** Stop producing new batches; the batch in flight may still be acknowledged. */
  stopProducing() {
    this.#producing = false;
  }

  stop() {
    this.#stopped = true;
    for (const t of this.#timers) clearTimeout(t);
    if (this.#inflight) clearTimeout(this.#inflight.timer);
    this.#ws?.close();
  }

  #later(ms: number, fn: () => void) {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      fn();
    }, ms);
    this.#timers.add(t);
  }

  #connect() {
    if (this.#stopped) return;
    const ws = new WebSocket(this.#o.url);
    this.#ws = ws;
    ws.onopen = () => this.#register(ws);
    ws.onmessage = (ev) => this.#onMessage(ws, typeof ev.data === "string" ? ev.data : String(ev.data));
    ws.onclose = () => {
      if (this.#ws !== ws) return;
      this.#ws = null;
      this.stats.registered = false;
      if (this.#inflight) {
        clearTimeout(this.#inflight.timer);
        this.#inflight = null;
      }
      if (!this.#stopped) {
        this.stats.reconnects++;
        this.#later(this.#o.reconnectMs * (0.5 + Math.random()), () => this.#connect());
      }
    };
    ws.onerror = () => {
      // onclose follows and reconnects.
    };
  }

  #register(ws: WebSocket) {
    if (this.#ws !== ws || this.stats.registered) return;
    ws.send(JSON.stringify(regFrame(this.#o.sn, this.device, this.#everSent)));
    this.#later(this.#o.regRetryMs, () => this.#register(ws));
  }

  #onMessage(ws: WebSocket, text: string) {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    if (typeof msg.cmd === "string") return this.#onCommand(ws, msg);
    if (msg.ret === "senduser") {
      this.#enrolments.shift()?.(msg.result === true);
      return;
    }
    if (msg.ret === "reg") {
      if (msg.result === true) {
        if (typeof msg.cloudtime === "string") this.device.setTime(msg.cloudtime);
        if (!this.stats.registered) {
          this.stats.registered = true;
          this.stats.everRegistered = true;
          this.#sendBatch(ws);
        }
      } else {
        this.stats.refusals++;
      }
      return;
    }
    if (msg.ret === "sendlog") {
      const live = typeof msg.logindex === "number" ? this.#live.get(msg.logindex) : undefined;
      if (live) {
        this.#live.delete(msg.logindex as number);
        return live(msg.result === true);
      }
      this.#onSendlogAnswer(ws, msg);
    }
  }

  #onCommand(ws: WebSocket, msg: Record<string, unknown>) {
    this.stats.commands++;
    const mode = this.#o.commandMode ?? "answer";
    if (mode === "silent") {
      this.device.received.push(msg);
      return;
    }
    const answer = mode === "refuse" ? (this.device.received.push(msg), { reply: { ret: String(msg.cmd), result: false, reason: 1 } }) : this.device.handle(msg);
    if ("reboot" in answer) {
      // A reboot is not answered: the unit drops the connection and comes back.
      this.stats.reboots++;
      ws.close();
      return;
    }
    if (!answer.reply) return;
    const { ret, ...rest } = answer.reply;
    const frame = this.#o.answerWith === "cmd" ? { cmd: ret, sn: this.#o.sn, ...rest } : { ret, sn: this.#o.sn, ...rest };
    ws.send(JSON.stringify(frame));
  }

  #sendBatch(ws: WebSocket) {
    if (this.#stopped || this.#ws !== ws || !this.stats.registered || this.#inflight) return;
    if (this.#next >= this.#o.records || !this.#producing) return;
    if (this.#o.rate > 0) {
      const period = 1000 / this.#o.rate;
      // Real terminals are not in step: each starts its cycle at a random point of the period, or
      // the terminals registered in one tick would send in bursts for the whole run.
      if (this.#lastBatchAt === 0) this.#lastBatchAt = performance.now() - Math.random() * period;
      const wait = this.#lastBatchAt + period - performance.now();
      if (wait > 0) return this.#later(wait, () => this.#sendBatch(ws));
    }
    const from = this.#next;
    const to = Math.min(from + this.#o.batchSize, this.#o.records);
    this.#transmit(ws, from, to, simRecords(from, to, this.#o.startTime));
  }

  #transmit(ws: WebSocket, from: number, to: number, record: SimRecord[]) {
    if (to <= this.#everSent) this.stats.resends++;
    else {
      this.stats.sentRecords += to - Math.max(from, this.#everSent);
      this.#everSent = to;
    }
    this.stats.batchesSent++;
    this.#lastBatchAt = performance.now();
    const timer = setTimeout(() => {
      if (this.#inflight?.timer !== timer) return;
      this.stats.timeouts++;
      this.#inflight = null;
      this.#transmit(ws, from, to, record); // resend the same batch, as a terminal does
    }, this.#o.answerTimeoutMs);
    this.#inflight = { from, to, sentAt: performance.now(), timer };
    ws.send(JSON.stringify({ cmd: "sendlog", sn: this.#o.sn, count: to - from, logindex: from, record }));
  }

  #onSendlogAnswer(ws: WebSocket, msg: Record<string, unknown>) {
    const inflight = this.#inflight;
    if (!inflight || msg.logindex !== inflight.from || msg.count !== inflight.to - inflight.from) return;
    clearTimeout(inflight.timer);
    this.#inflight = null;
    if (msg.result !== true) {
      this.stats.failures++;
      // The terminal keeps its records and retries shortly.
      this.#later(1000, () => {
        if (this.#ws === ws && this.stats.registered && !this.#inflight && !this.#stopped) {
          this.#transmit(ws, inflight.from, inflight.to, simRecords(inflight.from, inflight.to, this.#o.startTime));
        }
      });
      return;
    }
    const latency = performance.now() - inflight.sentAt;
    if (inflight.sentAt >= this.latencyFrom) this.stats.latencies.push(latency);
    this.stats.ackedRecords += inflight.to - inflight.from;
    this.#next = inflight.to;
    if (this.#o.onAck) {
      this.#o.onAck(this.#o.sn, simRecords(inflight.from, inflight.to, this.#o.startTime), latency);
    }
    this.#sendBatch(ws);
  }
}
