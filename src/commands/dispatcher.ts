/**
 * The command engine: a durable queue per terminal (in the store), one command in flight per
 * connected terminal, answers matched by name, time-outs with bounded retries for idempotent
 * commands, deadlines, paging, and the keep-alive probe sharing the same slot. The store is the
 * truth; this class only holds what is in flight on live sockets.
 *
 * The slot's rules (one in flight, answer matching, time-outs, pauses, expiry, retry back-off) are
 * the pure core in slot-core.ts; this class executes its effects: store reads and writes, socket
 * sends, timers.
 *
 * Order: the store's `nextQueued` hands out urgent (door, destructive) commands first. A command
 * that timed out goes back to the queue for its retry, so it never holds the slot while a door
 * command waits; the one in flight is not cut short (one command in flight, PROTOCOL.md §2: an
 * answer that arrives late would otherwise be taken for the next command's), so a door command
 * waits at most one answer time-out. After time-outs in a row the next non-urgent command waits a
 * doubling back-off (1 s, 2 s, … at most 30 s; PROTOCOL.md §4 only forbids sending sooner), which
 * an answer resets; an urgent one never waits.
 */
import type { Logger } from "pino";
import type { EventBus } from "../events/bus.ts";
import { AppError } from "../lib/app-error.ts";
import {
  commandFrame,
  describeReason,
  gettimeCommand,
  IDEMPOTENT_COMMANDS,
  isCommandName,
  PAGED_COMMANDS,
  type SiteClock,
  URGENT_COMMANDS,
  validateParams,
} from "../protocol/index.ts";
import type { CommandChange } from "../store/commands-contract.ts";
import type { CommandRow, CommandStatus } from "../store/commands-schema.ts";
import type { Store } from "../store/contract.ts";
import type { Writer } from "../store/writer.ts";
import { backoffMs } from "../lib/backoff.ts";
import { yieldToLoop } from "../lib/yield-to-loop.ts";
import { type PagingState, pageStep, pagingSummary, startPaging } from "./paging.ts";
import { initialSlot, type SlotConfig, type SlotEffect, type SlotInput, type SlotState, slotStep } from "./slot-core.ts";

/** What the engine needs of a terminal connection. */
export interface CommandChannel {
  readonly sessionId: string;
  /** False when the socket is already closed. */
  deliver(frame: object): boolean;
}

export interface CommandRequest {
  sn: string;
  command: string;
  params: unknown;
  /** UTC ms; undefined takes the command's default, null means none. */
  deadline?: number | null;
  actor: string;
  jobId?: number | null;
}

const invalidCommand = (message: string) => new AppError(400, "invalid_command", message);

/** Cluster mode: which terminals a command cannot reach from this instance now. */
export interface CommandRoute {
  /** Of `sns`, those held by another instance that this one cannot signal (Redis is down). */
  unreachable(sns: string[]): Promise<string[]>;
}

/** A command asked for by someone was refused, not queued: the terminal is out of this instance's reach. */
function routingUnavailable(sns: string[]): AppError {
  return new AppError(
    503,
    "routing_unavailable",
    `terminal ${sns.join(", ")} is connected to another instance and Redis, which carries commands between instances, is unavailable: ` +
      "the command was not queued; retry when Redis is back, or through the instance the terminal is connected to",
  );
}

/** Turns a successful answer into what is stored (and acts on it: credentials, holdings). Throwing fails the command. */
export type AnswerHandler = (command: CommandRow, answer: Record<string, unknown>) => Promise<unknown>;
export type FinishListener = (command: CommandRow) => Promise<void>;

export interface DispatcherOptions {
  store: Store;
  writer: Writer;
  bus: EventBus;
  clock: SiteClock;
  log: Logger;
  now: () => number;
  /** Per-command (and per-page) answer time-out. */
  timeoutMs: number;
  /** Attempts for idempotent commands (urgent ones get one). */
  maxAttempts: number;
  /** Pages of one paged transfer, at most. */
  pageCap: number;
  /**
   * True when this process alone sends commands (single box): at start, whatever the store shows
   * as sent was cut off by the restart. In a cluster only commands sent long ago are settled.
   */
  exclusive: boolean;
  /** Cluster mode: refuses a person's command that could not reach its terminal (absent: single box). */
  route?: CommandRoute;
}

/** Door and destructive commands are never sent after this. */
export const URGENT_DEADLINE_MS = 60_000;
/** Everything else waits this long for an offline terminal. */
export const DEFAULT_DEADLINE_MS = 30 * 24 * 3600_000;
const EXPIRY_SWEEP_MS = 15_000;
const RETRY_STORE_MS = 1000;
/** After a command could not be written to a terminal's socket, its queue waits this long (doubling) at the next registration. */
const SEND_FAILED_BASE_MS = 1000;
const SEND_FAILED_MAX_MS = 60_000;
const OPEN: CommandStatus[] = ["queued", "sent"];

/** Back-off before the next non-urgent command after time-outs in a row: doubling from this, at most the max. */
const RETRY_BACKOFF_BASE_MS = 1000;
const RETRY_BACKOFF_MAX_MS = 30_000;

type Slot = SlotState<CommandRow>;
type Input = SlotInput<CommandRow>;
type Effect = SlotEffect<CommandRow>;

interface Session {
  channel: CommandChannel;
  slot: Slot;
  /** The slot's one answer timer (the core asks for it with `arm`). */
  timer: ReturnType<typeof setTimeout> | undefined;
  /** The paged transfer in flight, page by page. */
  paging: PagingState | null;
}

export class CommandDispatcher {
  #o: DispatcherOptions;
  #sessions = new Map<string, Session>();
  #handlers = new Map<string, AnswerHandler>();
  #listeners: FinishListener[] = [];
  #sweep: ReturnType<typeof setInterval> | undefined;
  /** Terminals whose socket refused a command lately: how often in a row, and until when their queue waits. */
  #sendFailures = new Map<string, { count: number; until: number }>();
  #slotConfig: SlotConfig;

  constructor(options: DispatcherOptions) {
    this.#o = options;
    this.#slotConfig = { timeoutMs: options.timeoutMs, retryBaseMs: RETRY_BACKOFF_BASE_MS, retryMaxMs: RETRY_BACKOFF_MAX_MS };
    // Cluster mode: another instance queued commands for a terminal that may be connected here.
    options.bus.on("commands-queued", (e) => {
      if (e.origin !== undefined) this.#pump(e.sn);
    });
  }

  /** Registers what to do with a successful answer to `command`. */
  handle(command: string, handler: AnswerHandler) {
    this.#handlers.set(command, handler);
  }

  /** Called, in registration order, after every command reaches a final status. */
  onFinished(listener: FinishListener) {
    this.#listeners.push(listener);
  }

  /** Commands that were on the wire when the server stopped: retried or recorded as timed out. */
  async start() {
    await this.#settleStale(this.#o.exclusive);
    this.#sweep = setInterval(() => {
      void this.#expire();
      void this.#settleStale(false);
    }, EXPIRY_SWEEP_MS);
  }

  /**
   * "Sent" commands that nobody here is waiting for: cut off by a restart, or by the death of the
   * cluster instance that sent them (after two time-outs no live sender still waits).
   */
  async #settleStale(all: boolean) {
    const live = new Set<number>();
    for (const s of this.#sessions.values()) if (s.slot.inflight?.kind === "command") live.add(s.slot.inflight.row.id);
    const now = this.#o.now();
    // A paged transfer stays "sent" for all its pages: only an hour's silence makes it stale.
    const staleSince = (row: CommandRow) => now - (PAGED_COMMANDS.has(row.command as never) ? 3_600_000 : 2 * this.#o.timeoutMs);
    let cursor: string | undefined;
    try {
      do {
        const page = await this.#o.store.commands.list({ status: ["sent"], limit: 500, cursor });
        for (const row of page.items) {
          if (live.has(row.id) || (!all && (row.sentAt ?? 0) > staleSince(row))) continue;
          await this.#interrupted(row, all ? "the server restarted before the answer" : "its sender went away before the answer");
        }
        cursor = page.next ?? undefined;
      } while (cursor);
    } catch (err) {
      this.#o.log.warn({ err }, "settling unanswered commands failed");
    }
  }

  stop() {
    if (this.#sweep) clearInterval(this.#sweep);
    for (const s of this.#sessions.values()) clearTimeout(s.timer);
    this.#sessions.clear();
  }

  /**
   * Validates every request, then queues them all (one transaction) and wakes the terminals.
   * A command asked for directly (no job) for a terminal another instance holds, while Redis
   * cannot carry the wake-up, is refused (routing_unavailable) instead of waiting unseen; a
   * job's commands are queued all the same (every instance re-reads its terminals' queues when
   * Redis returns, and the job shows their progress).
   */
  async submit(requests: CommandRequest[]): Promise<CommandRow[]> {
    const now = this.#o.now();
    const rows = requests.map((r) => {
      const valid = validateParams(r.command, r.params);
      if (!valid.ok) throw invalidCommand(valid.error);
      const urgent = URGENT_COMMANDS.has(r.command as never);
      const deadline = r.deadline === undefined ? now + (urgent ? URGENT_DEADLINE_MS : DEFAULT_DEADLINE_MS) : r.deadline;
      if (deadline !== null && deadline <= now) throw invalidCommand("deadline: already passed");
      return {
        sn: r.sn, command: r.command, params: valid.params, deadline, actor: r.actor, jobId: r.jobId ?? null, at: now,
        maxAttempts: IDEMPOTENT_COMMANDS.has(r.command as never) ? this.#o.maxAttempts : 1,
      };
    });
    const direct = [...new Set(rows.filter((r) => r.jobId === null).map((r) => r.sn))];
    if (this.#o.route && direct.length > 0) {
      const unreachable = await this.#o.route.unreachable(direct);
      if (unreachable.length > 0) throw routingUnavailable(unreachable);
    }
    const stored = await this.#o.store.commands.enqueue(rows);
    for (const row of stored) {
      if (row.jobId === null) {
        await this.#o.store.audit({ at: now, actor: row.actor, action: `command.${row.command}`, target: row.sn, details: { id: row.id }, result: "queued" });
      }
    }
    for (const sn of new Set(stored.map((r) => r.sn))) {
      this.#o.bus.emit("commands-queued", { sn });
      this.#pump(sn);
    }
    return stored;
  }

  /** Cancels a queued command; null when it is no longer queued (sent or finished). */
  async cancel(id: number, actor: string): Promise<CommandRow | null> {
    const row = await this.#o.store.commands.transition(id, ["queued"], { status: "cancelled", at: this.#o.now(), detail: `by ${actor}`, reason: `cancelled by ${actor}` });
    if (row) await this.#finished(row);
    return row;
  }

  /** A terminal's registration was accepted (and answered) on this channel: its queue may flow. */
  attached(sn: string, channel: CommandChannel) {
    const old = this.#sessions.get(sn);
    const s: Session = { channel, slot: initialSlot(this.#slotConfig, this.#sendFailures.get(sn)?.until ?? 0), timer: undefined, paging: null };
    this.#sessions.set(sn, s);
    if (old) void this.#drive(sn, old, { kind: "drop", why: "the terminal reconnected before the answer" });
    void this.#drive(sn, s, { kind: "pump" });
  }

  /** The channel closed; only the live one matters. */
  detached(sn: string, channel: CommandChannel) {
    const s = this.#sessions.get(sn);
    if (!s || s.channel !== channel) return;
    this.#sessions.delete(sn);
    void this.#drive(sn, s, { kind: "drop", why: "the connection closed before the answer" });
  }

  /** True when the terminal is connected here (its queue flows now). */
  isOnline(sn: string): boolean {
    return this.#sessions.has(sn);
  }

  onlineTerminals(): string[] {
    return [...this.#sessions.keys()];
  }

  /**
   * Keep-alive probe through the command slot: sent only when the slot is free (a command in
   * flight draws an answer anyway). Returns whether a probe went out.
   */
  probe(sn: string, channel: CommandChannel): boolean {
    const s = this.#sessions.get(sn);
    if (!s || s.channel !== channel) return false;
    const before = s.slot.inflight;
    // Delivering the probe and arming its timer run before this returns (no store step on the way).
    void this.#drive(sn, s, { kind: "probe" });
    return before === null && s.slot.inflight?.kind === "probe";
  }

  /**
   * A frame that may answer what is in flight (`ret`, or `cmd` from firmware that echoes `cmd`).
   * Returns false when it answers nothing of ours.
   */
  answer(sn: string, channel: CommandChannel, name: string, body: Record<string, unknown>, raw: Record<string, unknown>): boolean {
    const s = this.#sessions.get(sn);
    if (!s || s.channel !== channel) return false;
    const effects = this.#step(s, { kind: "answer", name });
    void this.#run(sn, s, effects, { body, raw });
    return effects.some((e) => e.type === "matched");
  }

  #step(s: Session, input: Input): Effect[] {
    const r = slotStep(s.slot, input, this.#o.now());
    s.slot = r.state;
    return r.effects;
  }

  /** Runs an input through the slot core, then its effects; what an effect produced is stepped next, until nothing follows. */
  #drive(sn: string, s: Session, input: Input): Promise<void> {
    return this.#run(sn, s, this.#step(s, input));
  }

  async #run(sn: string, s: Session, effects: Effect[], answer?: { body: Record<string, unknown>; raw: Record<string, unknown> }): Promise<void> {
    let queue = effects;
    while (queue.length > 0) {
      const follow: Input[] = [];
      for (const e of queue) {
        const produced = this.#effect(sn, s, e, answer);
        const next = produced instanceof Promise ? await produced : produced;
        if (next) follow.push(next);
      }
      queue = follow.flatMap((input) => this.#step(s, input));
    }
  }

  #effect(sn: string, s: Session, e: Effect, answer?: { body: Record<string, unknown>; raw: Record<string, unknown> }): Input | undefined | Promise<Input | undefined> {
    const now = this.#o.now();
    switch (e.type) {
      case "fetch":
        return this.#store(sn, async () => {
          if (e.yieldFirst) await yieldToLoop();
          return { kind: "fetched", row: await this.#o.store.commands.nextQueued(sn) };
        });
      case "expire":
        return this.#store(sn, async () => {
          const done = await this.#o.store.commands.transition(e.row.id, ["queued"], { status: "expired", at: now, reason: "deadline passed before it could be sent", detail: "deadline passed" });
          if (done) await this.#finished(done);
          return { kind: "continue" };
        });
      case "send":
        return this.#store(sn, () => this.#send(sn, s, e.row, e.attempt, e.paged));
      case "requeue-undelivered":
        return this.#requeueUndelivered(sn, s, e.row);
      case "sent-unanswered":
        return this.#store(sn, async () => {
          const done = await this.#o.store.commands.transition(e.row.id, ["sent"], { status: "succeeded", at: now, detail: "sent (no answer expected)" });
          if (done) await this.#finished(done);
          return { kind: "continue" };
        });
      case "send-probe":
        return s.channel.deliver(gettimeCommand()) ? { kind: "probe-sent" } : undefined;
      case "arm":
        clearTimeout(s.timer);
        s.timer = setTimeout(() => void this.#drive(sn, s, { kind: "timer" }), Math.max(0, e.at - now));
        return;
      case "disarm":
        clearTimeout(s.timer);
        s.timer = undefined;
        return;
      case "wake":
        setTimeout(() => {
          if (this.#sessions.get(sn) === s) void this.#drive(sn, s, { kind: "pump" });
        }, Math.max(0, e.at - now));
        return;
      case "matched":
        return;
      case "take-answer":
        if (answer) {
          this.#onAnswer(sn, s, e.row, answer.body, answer.raw).catch((err: unknown) => {
            this.#o.log.error({ err, sn, command: e.row.command, id: e.row.id }, "command answer handling failed");
          });
        }
        return;
      case "interrupted":
        return this.#interrupted(e.row, e.why).then(() => undefined);
      case "pump-after":
        return { kind: "pump" };
      case "retry-store":
        setTimeout(() => this.#pump(sn), RETRY_STORE_MS);
        return;
    }
  }

  /** A store step of the queue loop; when the store fails, the loop ends and is tried again later. */
  async #store(sn: string, work: () => Promise<Input>): Promise<Input> {
    try {
      return await work();
    } catch (err) {
      this.#o.log.error({ err, sn }, "command queue unavailable; retrying");
      return { kind: "store-failed" };
    }
  }

  async #onAnswer(sn: string, s: Session, row: CommandRow, body: Record<string, unknown>, raw: Record<string, unknown>) {
    const now = this.#o.now();
    const paging = s.paging;
    if (paging) {
      const step = await pageStep(paging, body, raw, { sn, clock: this.#o.clock, writer: this.#o.writer, bus: this.#o.bus, log: this.#o.log, now, pageCap: this.#o.pageCap });
      if (step.next) {
        if (!this.#holds(s, row) || !s.channel.deliver(this.#frame(row, false))) {
          if (this.#holds(s, row)) this.#step(s, { kind: "drop", why: "the connection closed between pages" });
          return this.#interrupted(row, "the connection closed between pages");
        }
        return this.#run(sn, s, this.#step(s, { kind: "page-sent" }));
      }
      if (step.failed) return this.#finish(sn, s, row, { status: "failed", at: now, reason: step.failed, answer: pagingSummary(paging), detail: step.failed });
      const summary = pagingSummary(paging);
      const handler = this.#handlers.get(row.command);
      try {
        const answer = handler ? await handler(row, summary) : summary;
        return this.#finish(sn, s, row, { status: "succeeded", at: now, answer, detail: paging.stop });
      } catch (err) {
        return this.#finish(sn, s, row, { status: "failed", at: now, reason: `answer not stored: ${message(err)}`, detail: "answer not stored" });
      }
    }
    if (body.result === false) {
      const params = JSON.parse(row.params) as Record<string, unknown>;
      const reason = describeReason(row.command, params.backupnum, body.reason);
      return this.#finish(sn, s, row, { status: "failed", at: now, reason, answer: body, detail: reason });
    }
    const handler = this.#handlers.get(row.command);
    try {
      const answer = handler ? await handler(row, body) : body;
      return this.#finish(sn, s, row, { status: "succeeded", at: now, answer });
    } catch (err) {
      return this.#finish(sn, s, row, { status: "failed", at: now, reason: `answer not stored: ${message(err)}`, detail: "answer not stored" });
    }
  }

  /** Whether `row` is still what this session has in flight. */
  #holds(s: Session, row: CommandRow): boolean {
    const f = s.slot.inflight;
    return !s.slot.over && f?.kind === "command" && f.row.id === row.id;
  }

  async #finish(sn: string, s: Session, row: CommandRow, change: CommandChange) {
    this.#step(s, { kind: "finished", id: row.id });
    const done = await this.#o.store.commands.transition(row.id, ["sent"], change);
    if (done) await this.#finished(done);
    this.#pump(sn);
  }

  async #finished(row: CommandRow) {
    if (row.jobId === null) {
      const result = row.status === "succeeded" ? "ok" : `${row.status}${row.reason ? `: ${row.reason}` : ""}`;
      await this.#o.store
        .audit({ at: this.#o.now(), actor: row.actor, action: `command.${row.command}`, target: row.sn, details: { id: row.id }, result })
        .catch((err: unknown) => this.#o.log.warn({ err, id: row.id }, "audit entry not stored"));
    }
    for (const listener of this.#listeners) {
      try {
        await listener(row);
      } catch (err) {
        this.#o.log.error({ err, id: row.id, command: row.command }, "command follow-up failed");
      }
    }
  }

  #frame(row: CommandRow, firstPage: boolean) {
    const name = row.command;
    if (!isCommandName(name)) throw invalidCommand(`unknown command "${name}"`);
    return commandFrame(name, JSON.parse(row.params) as Record<string, unknown>, {
      sn: row.sn,
      cloudtime: this.#o.clock.format(this.#o.now()),
      firstPage,
    });
  }

  /** What was on the wire got no answer: sent again later if that is safe, else recorded as timed out. */
  async #interrupted(row: CommandRow, why: string) {
    const now = this.#o.now();
    const retry = IDEMPOTENT_COMMANDS.has(row.command as never) && row.attempts < row.maxAttempts && (row.deadline === null || row.deadline > now);
    const change: CommandChange = retry
      ? { status: "queued", at: now, detail: `${why}; will retry` }
      : { status: "timed_out", at: now, reason: why, detail: why };
    try {
      const done = await this.#o.store.commands.transition(row.id, ["sent"], change);
      if (done && !retry) await this.#finished(done);
    } catch (err) {
      this.#o.log.error({ err, id: row.id }, "command state not stored");
    }
  }

  /** Wakes the live session of `sn`, if any, to read its queue. */
  #pump(sn: string) {
    const s = this.#sessions.get(sn);
    if (s) void this.#drive(sn, s, { kind: "pump" });
  }

  /** Marks the command sent and writes it to the socket. */
  async #send(sn: string, s: Session, row: CommandRow, attempts: number, paged: boolean): Promise<Input> {
    const sent = await this.#o.store.commands.transition(row.id, ["queued"], { status: "sent", at: this.#o.now(), attempts, detail: `attempt ${attempts} of ${row.maxAttempts}` });
    if (!sent) return { kind: "sent", row, outcome: "cancelled" };
    if (!s.channel.deliver(this.#frame(sent, true))) return { kind: "sent", row: sent, outcome: "undeliverable" };
    this.#sendFailures.delete(sn);
    this.#o.log.debug({ sn, id: sent.id, command: sent.command, attempt: attempts }, "command sent");
    s.paging = paged ? startPaging(sent.command) : null;
    return { kind: "sent", row: sent, outcome: "delivered" };
  }

  /**
   * The socket is gone though its close has not reached us yet: this session is over. The command
   * waits for the terminal's next registration, and that one waits a back-off first.
   */
  async #requeueUndelivered(sn: string, s: Session, sent: CommandRow): Promise<undefined> {
    const now = this.#o.now();
    if (this.#sessions.get(sn) === s) this.#sessions.delete(sn);
    const count = (this.#sendFailures.get(sn)?.count ?? 0) + 1;
    this.#sendFailures.set(sn, { count, until: now + backoffMs(count, SEND_FAILED_BASE_MS, SEND_FAILED_MAX_MS) });
    try {
      await this.#o.store.commands.transition(sent.id, ["sent"], { status: "queued", at: now, attempts: sent.attempts - 1, detail: "connection closed before sending" });
    } catch (err) {
      this.#o.log.error({ err, id: sent.id }, "command state not stored");
    }
    return undefined;
  }

  async #expire() {
    try {
      for (const row of await this.#o.store.commands.expireDue(this.#o.now())) await this.#finished(row);
    } catch (err) {
      this.#o.log.warn({ err }, "expiring commands failed");
    }
  }

  /** Open commands of a terminal (for plans that must not queue the same thing twice). */
  async open(sn: string): Promise<CommandRow[]> {
    const out: CommandRow[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.#o.store.commands.list({ sn, status: OPEN, limit: 1000, cursor });
      out.push(...page.items);
      cursor = page.next ?? undefined;
    } while (cursor);
    return out;
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
