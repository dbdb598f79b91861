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
import { IDEMPOTENT_COMMANDS, PAGED_COMMANDS } from "../protocol/index.ts";
import type { CommandChange } from "../store/commands-contract.ts";
import type { CommandRow, CommandStatus } from "../store/commands-schema.ts";
import { backoffMs } from "../lib/backoff.ts";
import type { SlotConfig } from "./slot-core.ts";
import { type AnswerHandler, type CommandChannel, CommandSlot, type SlotHost, type SlotParts } from "./slot-runner.ts";
import { type CommandRequest, type CommandRoute, queueRows, routingUnavailable } from "./requests.ts";

export type { AnswerHandler, CommandChannel } from "./slot-runner.ts";
export { type CommandRequest, type CommandRoute, DEFAULT_DEADLINE_MS, URGENT_DEADLINE_MS } from "./requests.ts";

export type FinishListener = (command: CommandRow) => Promise<void>;

export interface DispatcherOptions extends SlotParts {
  /** Per-command (and per-page) answer time-out. */
  timeoutMs: number;
  /** Attempts for idempotent commands (urgent ones get one). */
  maxAttempts: number;
  /**
   * True when this process alone sends commands (single box): at start, whatever the store shows
   * as sent was cut off by the restart. In a cluster only commands sent long ago are settled.
   */
  exclusive: boolean;
  /** Cluster mode: refuses a person's command that could not reach its terminal (absent: single box). */
  route?: CommandRoute;
}

const EXPIRY_SWEEP_MS = 15_000;
/** After a command could not be written to a terminal's socket, its queue waits this long (doubling) at the next registration. */
const SEND_FAILED_BASE_MS = 1000;
const SEND_FAILED_MAX_MS = 60_000;
const OPEN: CommandStatus[] = ["queued", "sent"];

/** Back-off before the next non-urgent command after time-outs in a row: doubling from this, at most the max. */
const RETRY_BACKOFF_BASE_MS = 1000;
const RETRY_BACKOFF_MAX_MS = 30_000;

export class CommandDispatcher {
  #o: DispatcherOptions;
  #sessions = new Map<string, CommandSlot>();
  #handlers = new Map<string, AnswerHandler>();
  #listeners: FinishListener[] = [];
  #sweep: ReturnType<typeof setInterval> | undefined;
  /** Terminals whose socket refused a command lately: how often in a row, and until when their queue waits. */
  #sendFailures = new Map<string, { count: number; until: number }>();
  /**
   * Commands being answered, by id: their final status is stored, then what their follow-ups
   * record of it (what a terminal holds, `onFinished`) in a later commit. A plan that read the
   * command as answered and its effect as not yet recorded would queue it again, so until both
   * are stored it still counts as open.
   */
  #answering = new Map<number, CommandRow>();
  #slotConfig: SlotConfig;
  #host: SlotHost;

  constructor(options: DispatcherOptions) {
    this.#o = options;
    this.#slotConfig = { timeoutMs: options.timeoutMs, retryBaseMs: RETRY_BACKOFF_BASE_MS, retryMaxMs: RETRY_BACKOFF_MAX_MS };
    const o = options;
    this.#host = {
      store: o.store, writer: o.writer, bus: o.bus, clock: o.clock, log: o.log, now: o.now, pageCap: o.pageCap,
      handler: (command) => this.#handlers.get(command),
      finished: (row) => this.#finished(row),
      answering: (row) => {
        this.#answering.set(row.id, row);
        return () => this.#answering.delete(row.id);
      },
      interrupted: (row, why) => this.#interrupted(row, why),
      isLive: (slot) => this.#sessions.get(slot.sn) === slot,
      pump: (sn) => this.#pump(sn),
      delivered: (slot, ok) => this.#delivered(slot, ok),
    };
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
    for (const s of this.#sessions.values()) if (s.inflightId !== null) live.add(s.inflightId);
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
    for (const s of this.#sessions.values()) s.stopTimer();
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
    const rows = queueRows(requests, now, this.#o.maxAttempts);
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
    const s = new CommandSlot(this.#host, sn, channel, this.#slotConfig, this.#sendFailures.get(sn)?.until ?? 0);
    this.#sessions.set(sn, s);
    if (old) void old.drive({ kind: "drop", why: "the terminal reconnected before the answer" });
    void s.drive({ kind: "pump" });
  }

  /** The channel closed; only the live one matters. */
  detached(sn: string, channel: CommandChannel) {
    const s = this.#sessions.get(sn);
    if (!s || s.channel !== channel) return;
    this.#sessions.delete(sn);
    void s.drive({ kind: "drop", why: "the connection closed before the answer" });
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
    return s !== undefined && s.channel === channel && s.probe();
  }

  /**
   * A frame that may answer what is in flight (`ret`, or `cmd` from firmware that echoes `cmd`).
   * Returns false when it answers nothing of ours.
   */
  answer(sn: string, channel: CommandChannel, name: string, body: Record<string, unknown>, raw: Record<string, unknown>): boolean {
    const s = this.#sessions.get(sn);
    return s !== undefined && s.channel === channel && s.answer(name, body, raw);
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
    if (s) void s.drive({ kind: "pump" });
  }

  /** A send reached the socket; or the socket refused it, which ends that session, and the terminal's next one waits a doubling back-off. */
  #delivered(slot: CommandSlot, ok: boolean) {
    const sn = slot.sn;
    if (ok) return void this.#sendFailures.delete(sn);
    const count = (this.#sendFailures.get(sn)?.count ?? 0) + 1;
    this.#sendFailures.set(sn, { count, until: this.#o.now() + backoffMs(count, SEND_FAILED_BASE_MS, SEND_FAILED_MAX_MS) });
    const live = this.#sessions.get(sn);
    if (live === slot) this.#sessions.delete(sn);
    // A session that registered while this send was on its way started before this back-off
    // existed: it starts again under it (else each such registration made one more attempt).
    else if (live && live.inflightId === null) this.attached(sn, live.channel);
  }
  async #expire() {
    try {
      for (const row of await this.#o.store.commands.expireDue(this.#o.now())) await this.#finished(row);
    } catch (err) {
      this.#o.log.warn({ err }, "expiring commands failed");
    }
  }

  /**
   * Open commands of a terminal (for plans that must not queue the same thing twice), with those
   * being answered. Those are taken after the store is read: a command answered before that read
   * is still being answered then, or its follow-ups are stored, so a plan that reads what the
   * terminal holds after this sees it one way or the other.
   */
  async open(sn: string): Promise<CommandRow[]> {
    const out: CommandRow[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.#o.store.commands.list({ sn, status: OPEN, limit: 1000, cursor });
      out.push(...page.items);
      cursor = page.next ?? undefined;
    } while (cursor);
    const listed = new Set(out.map((c) => c.id));
    return [...out, ...[...this.#answering.values()].filter((c) => c.sn === sn && !listed.has(c.id))];
  }
}
