/**
 * One terminal's command slot on one socket: runs inputs through the pure slot core (slot-core.ts)
 * and executes its effects — the store steps of the queue loop, socket sends, the answer timer,
 * answer handling (paged transfers page by page) — feeding what they produced back to the core.
 * The dispatcher owns the sessions and what outlives one (audit, follow-ups, retry decisions).
 */
import type { Logger } from "pino";
import type { EventBus } from "../events/bus.ts";
import { yieldToLoop } from "../lib/yield-to-loop.ts";
import { commandFrame, describeReason, gettimeCommand, isCommandName, type SiteClock } from "../protocol/index.ts";
import type { CommandChange } from "../store/commands-contract.ts";
import type { CommandRow } from "../store/commands-schema.ts";
import type { Store } from "../store/contract.ts";
import type { Writer } from "../store/writer.ts";
import { invalidCommand } from "./requests.ts";
import { type PagingState, pageStep, pagingSummary, startPaging } from "./paging.ts";
import { initialSlot, type SlotConfig, type SlotEffect, type SlotInput, type SlotState, slotStep } from "./slot-core.ts";

/** What the engine needs of a terminal connection. */
export interface CommandChannel {
  readonly sessionId: string;
  /** False when the socket is already closed. */
  deliver(frame: object): boolean;
}

/** Turns a successful answer into what is stored (and acts on it: credentials, holdings). Throwing fails the command. */
export type AnswerHandler = (command: CommandRow, answer: Record<string, unknown>) => Promise<unknown>;

/** The parts a slot works with (the dispatcher's options carry them). */
export interface SlotParts {
  store: Store;
  writer: Writer;
  bus: EventBus;
  clock: SiteClock;
  log: Logger;
  now: () => number;
  /** Pages of one paged transfer, at most. */
  pageCap: number;
}

/** What a slot needs of the dispatcher that owns it. */
export interface SlotHost extends SlotParts {
  handler(command: string): AnswerHandler | undefined;
  /** A command reached a final status: audit and follow-ups. */
  finished(row: CommandRow): Promise<void>;
  /**
   * `row` is about to be answered: it counts as open (`CommandDispatcher.open`) until the returned
   * function is called, once its follow-ups are done.
   */
  answering(row: CommandRow): () => void;
  /** What was on the wire gets no answer: retried or recorded as timed out. */
  interrupted(row: CommandRow, why: string): Promise<void>;
  /** Whether `slot` is still the live one for its terminal. */
  isLive(slot: CommandSlot): boolean;
  /** Wakes the live slot of `sn`, if any. */
  pump(sn: string): void;
  /** A frame reached the socket (true) or the socket refused it, which ends this slot's session (false). */
  delivered(slot: CommandSlot, ok: boolean): void;
}

const RETRY_STORE_MS = 1000;

type Input = SlotInput<CommandRow>;
type Effect = SlotEffect<CommandRow>;
type Answer = { body: Record<string, unknown>; raw: Record<string, unknown> };

export class CommandSlot {
  readonly sn: string;
  readonly channel: CommandChannel;
  #h: SlotHost;
  #slot: SlotState<CommandRow>;
  /** The slot's one answer timer (the core asks for it with `arm`). */
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** The paged transfer in flight, page by page. */
  #paging: PagingState | null = null;

  constructor(host: SlotHost, sn: string, channel: CommandChannel, config: SlotConfig, pausedUntil: number) {
    this.#h = host;
    this.sn = sn;
    this.channel = channel;
    this.#slot = initialSlot(config, pausedUntil);
  }

  /** The id of the command in flight, if any. */
  get inflightId(): number | null {
    const f = this.#slot.inflight;
    return f?.kind === "command" ? f.row.id : null;
  }

  stopTimer() {
    clearTimeout(this.#timer);
  }

  /** Runs an input through the slot core, then its effects; what an effect produced is stepped next, until nothing follows. */
  drive(input: Input): Promise<void> {
    return this.#run(this.#step(input));
  }

  /** Keep-alive probe: true when it went out (delivering it and arming its timer need no store step, so they are done on return). */
  probe(): boolean {
    const before = this.#slot.inflight;
    void this.drive({ kind: "probe" });
    return before === null && this.#slot.inflight?.kind === "probe";
  }

  /** A frame that may answer what is in flight; false when it answers nothing of ours. */
  answer(name: string, body: Record<string, unknown>, raw: Record<string, unknown>): boolean {
    const effects = this.#step({ kind: "answer", name });
    void this.#run(effects, { body, raw });
    return effects.some((e) => e.type === "matched");
  }

  #step(input: Input): Effect[] {
    const r = slotStep(this.#slot, input, this.#h.now());
    this.#slot = r.state;
    return r.effects;
  }

  async #run(effects: Effect[], answer?: Answer): Promise<void> {
    let queue = effects;
    while (queue.length > 0) {
      const follow: Input[] = [];
      for (const e of queue) {
        const produced = this.#effect(e, answer);
        const next = produced instanceof Promise ? await produced : produced;
        if (next) follow.push(next);
      }
      queue = follow.flatMap((input) => this.#step(input));
    }
  }

  #effect(e: Effect, answer?: Answer): Input | undefined | Promise<Input | undefined> {
    const h = this.#h;
    const now = h.now();
    switch (e.type) {
      case "fetch":
        return this.#store(async () => {
          if (e.yieldFirst) await yieldToLoop();
          return { kind: "fetched", row: await h.store.commands.nextQueued(this.sn) };
        });
      case "expire":
        return this.#store(async () => {
          const done = await h.store.commands.transition(e.row.id, ["queued"], { status: "expired", at: now, reason: "deadline passed before it could be sent", detail: "deadline passed" });
          if (done) await h.finished(done);
          return { kind: "continue" };
        });
      case "send":
        return this.#store(() => this.#send(e.row, e.attempt, e.paged));
      case "requeue-undelivered":
        return this.#requeueUndelivered(e.row);
      case "sent-unanswered":
        return this.#store(async () => {
          const done = await h.store.commands.transition(e.row.id, ["sent"], { status: "succeeded", at: now, detail: "sent (no answer expected)" });
          if (done) await h.finished(done);
          return { kind: "continue" };
        });
      case "send-probe":
        return this.channel.deliver(gettimeCommand()) ? { kind: "probe-sent" } : undefined;
      case "arm":
        clearTimeout(this.#timer);
        this.#timer = setTimeout(() => void this.drive({ kind: "timer" }), Math.max(0, e.at - now));
        return;
      case "disarm":
        clearTimeout(this.#timer);
        this.#timer = undefined;
        return;
      case "wake":
        setTimeout(() => {
          if (h.isLive(this)) void this.drive({ kind: "pump" });
        }, Math.max(0, e.at - now));
        return;
      case "matched":
        return;
      case "take-answer":
        if (answer) {
          this.#onAnswer(e.row, answer.body, answer.raw).catch((err: unknown) => {
            h.log.error({ err, sn: this.sn, command: e.row.command, id: e.row.id }, "command answer handling failed");
          });
        }
        return;
      case "interrupted":
        return h.interrupted(e.row, e.why).then(() => undefined);
      case "pump-after":
        return { kind: "pump" };
      case "retry-store":
        setTimeout(() => h.pump(this.sn), RETRY_STORE_MS);
        return;
    }
  }

  /** A store step of the queue loop; when the store fails, the loop ends and is tried again later. */
  async #store(work: () => Promise<Input>): Promise<Input> {
    try {
      return await work();
    } catch (err) {
      this.#h.log.error({ err, sn: this.sn }, "command queue unavailable; retrying");
      return { kind: "store-failed" };
    }
  }

  /** Marks the command sent and writes it to the socket. */
  async #send(row: CommandRow, attempts: number, paged: boolean): Promise<Input> {
    const h = this.#h;
    const sent = await h.store.commands.transition(row.id, ["queued"], { status: "sent", at: h.now(), attempts, detail: `attempt ${attempts} of ${row.maxAttempts}` });
    if (!sent) return { kind: "sent", row, outcome: "cancelled" };
    if (!this.channel.deliver(this.#frame(sent, true))) return { kind: "sent", row: sent, outcome: "undeliverable" };
    h.delivered(this, true);
    h.log.debug({ sn: this.sn, id: sent.id, command: sent.command, attempt: attempts }, "command sent");
    this.#paging = paged ? startPaging(sent.command) : null;
    return { kind: "sent", row: sent, outcome: "delivered" };
  }

  /**
   * The socket is gone though its close has not reached us yet: this session is over. The command
   * waits for the terminal's next registration, and that one waits a back-off first.
   */
  async #requeueUndelivered(sent: CommandRow): Promise<undefined> {
    const h = this.#h;
    h.delivered(this, false);
    try {
      await h.store.commands.transition(sent.id, ["sent"], { status: "queued", at: h.now(), attempts: sent.attempts - 1, detail: "connection closed before sending" });
    } catch (err) {
      h.log.error({ err, id: sent.id }, "command state not stored");
    }
    return undefined;
  }

  #frame(row: CommandRow, firstPage: boolean) {
    const name = row.command;
    if (!isCommandName(name)) throw invalidCommand(`unknown command "${name}"`);
    return commandFrame(name, JSON.parse(row.params) as Record<string, unknown>, { sn: row.sn, cloudtime: this.#h.clock.format(this.#h.now()), firstPage });
  }

  async #onAnswer(row: CommandRow, body: Record<string, unknown>, raw: Record<string, unknown>) {
    const h = this.#h;
    const now = h.now();
    const paging = this.#paging;
    if (paging) {
      const step = await pageStep(paging, body, raw, { sn: this.sn, clock: h.clock, writer: h.writer, bus: h.bus, log: h.log, now, pageCap: h.pageCap });
      if (step.next) {
        if (!this.#holds(row) || !this.channel.deliver(this.#frame(row, false))) {
          if (this.#holds(row)) this.#step({ kind: "drop", why: "the connection closed between pages" });
          return h.interrupted(row, "the connection closed between pages");
        }
        return this.#run(this.#step({ kind: "page-sent" }));
      }
      if (step.failed) return this.#finish(row, { status: "failed", at: now, reason: step.failed, answer: pagingSummary(paging), detail: step.failed });
      return this.#handled(row, pagingSummary(paging), now, paging.stop);
    }
    if (body.result === false) {
      const params = JSON.parse(row.params) as Record<string, unknown>;
      const reason = describeReason(row.command, params.backupnum, body.reason);
      return this.#finish(row, { status: "failed", at: now, reason, answer: body, detail: reason });
    }
    return this.#handled(row, body, now);
  }

  /** A successful answer through the command's handler: what it returns is stored; if it throws, the command failed. */
  async #handled(row: CommandRow, answer: Record<string, unknown>, now: number, detail?: string) {
    const handler = this.#h.handler(row.command);
    try {
      const stored = handler ? await handler(row, answer) : answer;
      return this.#finish(row, { status: "succeeded", at: now, answer: stored, ...(detail !== undefined ? { detail } : {}) });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return this.#finish(row, { status: "failed", at: now, reason: `answer not stored: ${message}`, detail: "answer not stored" });
    }
  }

  /** Whether `row` is still what this session has in flight. */
  #holds(row: CommandRow): boolean {
    const f = this.#slot.inflight;
    return !this.#slot.over && f?.kind === "command" && f.row.id === row.id;
  }

  async #finish(row: CommandRow, change: CommandChange) {
    this.#step({ kind: "finished", id: row.id });
    const answered = this.#h.answering(row);
    try {
      const done = await this.#h.store.commands.transition(row.id, ["sent"], change);
      if (done) await this.#h.finished(done);
    } finally {
      answered();
    }
    this.#h.pump(this.sn);
  }
}
