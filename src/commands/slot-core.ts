/**
 * The rules of one terminal's command slot (PROTOCOL.md §2 and §4) as a pure function:
 * `slotStep(state, input, now)` returns the next state and the effects to run, with no I/O and no
 * timer. The dispatcher executes the effects (store reads and writes, socket sends, timers) and
 * feeds what they produced back as inputs.
 *
 * What it decides: one command (or keep-alive probe) in flight per socket; only an answer naming
 * the command in flight completes it, once; an answer's time-out frees the slot and hands the
 * command back for a retry or its end; nothing goes out while the slot is paused after a reboot or a
 * failed send; commands past their deadline expire instead of going out; after time-outs in a row,
 * the next non-urgent command waits a bounded, doubling back-off (urgent ones never wait: the store
 * hands them out first, so a non-urgent row means none is queued).
 */
import { answersCommand, PAGED_COMMANDS, UNANSWERED_COMMANDS, URGENT_COMMANDS } from "../protocol/index.ts";

/** What the slot needs of a queued command. */
export interface SlotRow {
  id: number;
  command: string;
  attempts: number;
  maxAttempts: number;
  deadline: number | null;
}

export interface SlotConfig {
  /** Per-command (and per-page) answer time-out. */
  timeoutMs: number;
  /** Back-off before the next non-urgent command after the first time-out in a row; doubles per time-out, up to `retryMaxMs`. */
  retryBaseMs: number;
  retryMaxMs: number;
}

export type SlotInflight<R extends SlotRow = SlotRow> =
  | { kind: "probe"; dueAt: number }
  | { kind: "command"; row: R; dueAt: number; busy: boolean; paged: boolean };

export interface SlotState<R extends SlotRow = SlotRow> {
  readonly config: SlotConfig;
  inflight: SlotInflight<R> | null;
  /** The executor is reading the queue (between `fetch` and `fetched`). */
  pumping: boolean;
  /** More may have been queued while pumping: read the queue again at the end. */
  again: boolean;
  /** After a reboot, or a failed send at the previous registration, nothing goes out before this. */
  pausedUntil: number;
  /** Time-outs in a row (reset by any answer). */
  timeouts: number;
  /** Non-urgent commands wait until this after a time-out. */
  holdUntil: number;
  /** The socket closed or was replaced: nothing more is sent on it. */
  over: boolean;
}

export type SlotInput<R extends SlotRow = SlotRow> =
  /** Something may be queued: read the queue if the slot is free. */
  | { kind: "pump" }
  /** What the store's `nextQueued` returned (null: nothing queued). */
  | { kind: "fetched"; row: R | null }
  /** Marked sent and written to the socket; "cancelled": it was no longer queued; "undeliverable": the socket is gone. */
  | { kind: "sent"; row: R; outcome: "delivered" | "cancelled" | "undeliverable" }
  /** The row expired or an unanswered command was recorded: go on with the queue. */
  | { kind: "continue" }
  /** Reading the queue failed: the executor retries later. */
  | { kind: "store-failed" }
  /** The keep-alive sweep asks to probe. */
  | { kind: "probe" }
  | { kind: "probe-sent" }
  /** A frame that may answer what is in flight. */
  | { kind: "answer"; name: string }
  /** A paged transfer's next page was asked for. */
  | { kind: "page-sent" }
  /** The answer to command `id` was handled: the slot is free (the executor records it, then pumps). */
  | { kind: "finished"; id: number }
  /** A timer the slot asked for went off. */
  | { kind: "timer" }
  /** The socket closed or a newer one replaced it. */
  | { kind: "drop"; why: string };

export type SlotEffect<R extends SlotRow = SlotRow> =
  | { type: "fetch"; yieldFirst: boolean }
  /** Mark it expired (its deadline passed while queued), then step `continue`. */
  | { type: "expire"; row: R }
  /** Mark it sent (attempt `attempt`) and write it to the socket, then step `sent` with the row as stored. */
  | { type: "send"; row: R; attempt: number; paged: boolean }
  /** A command that gets no answer (reboot) went out: record it as done, then step `continue`. */
  | { type: "sent-unanswered"; row: R }
  /** The socket refused the frame: back to the queue, and this session is over. */
  | { type: "requeue-undelivered"; row: R }
  | { type: "send-probe" }
  /** Step `timer` at `at` (replaces the slot's answer timer). */
  | { type: "arm"; at: number }
  | { type: "disarm" }
  /** Step `pump` at `at`. */
  | { type: "wake"; at: number }
  /** The frame answered what is in flight (the executor tells the socket code so). */
  | { type: "matched" }
  /** The answer to `row` arrived first: handle it, then step `finished` before recording it (or `page-sent` for a next page). */
  | { type: "take-answer"; row: R }
  /** What was on the wire gets no answer now: retried if that is safe, else recorded as timed out. */
  | { type: "interrupted"; row: R; why: string }
  /** Step `pump` once the effects before it are done. */
  | { type: "pump-after" }
  /** Reading the queue failed: step `pump` again after a pause. */
  | { type: "retry-store" };

export interface SlotStep<R extends SlotRow = SlotRow> {
  state: SlotState<R>;
  effects: SlotEffect<R>[];
}

export function initialSlot<R extends SlotRow>(config: SlotConfig, pausedUntil = 0): SlotState<R> {
  return { config, inflight: null, pumping: false, again: false, pausedUntil, timeouts: 0, holdUntil: 0, over: false };
}

/** The doubling back-off after `timeouts` time-outs in a row. */
export function retryHoldMs(config: SlotConfig, timeouts: number): number {
  if (timeouts <= 0) return 0;
  return Math.min(config.retryMaxMs, config.retryBaseMs * 2 ** Math.min(timeouts - 1, 30));
}

export function slotStep<R extends SlotRow>(state: SlotState<R>, input: SlotInput<R>, now: number): SlotStep<R> {
  const s: SlotState<R> = { ...state };
  const fx: SlotEffect<R>[] = [];
  switch (input.kind) {
    case "pump":
      pump(s, fx, now);
      break;
    case "fetched":
      fetched(s, fx, input.row, now);
      break;
    case "sent":
      sent(s, fx, input.row, input.outcome, now);
      break;
    case "continue":
      next(s, fx, now, true);
      break;
    case "store-failed":
      s.pumping = false;
      if (!s.over) fx.push({ type: "retry-store" });
      break;
    case "probe":
      if (!s.over && !s.inflight && !s.pumping) fx.push({ type: "send-probe" });
      break;
    case "probe-sent":
      if (s.over || s.inflight) break;
      s.inflight = { kind: "probe", dueAt: now + s.config.timeoutMs };
      fx.push({ type: "arm", at: s.inflight.dueAt });
      break;
    case "answer":
      answer(s, fx, input.name);
      break;
    case "page-sent":
      if (s.inflight?.kind === "command" && s.inflight.busy) {
        s.inflight = { ...s.inflight, busy: false, dueAt: now + s.config.timeoutMs };
        fx.push({ type: "arm", at: s.inflight.dueAt });
      }
      break;
    case "finished":
      if (s.inflight?.kind === "command" && s.inflight.row.id === input.id) s.inflight = null;
      break;
    case "timer":
      timer(s, fx, now);
      break;
    case "drop": {
      const f = s.inflight;
      s.over = true;
      s.inflight = null;
      if (!f) break;
      fx.push({ type: "disarm" });
      // An answer being stored finishes by itself; anything else never gets its answer now.
      if (f.kind === "command" && !f.busy) fx.push({ type: "interrupted", row: f.row, why: input.why });
      break;
    }
  }
  return { state: s, effects: fx };
}

function pump<R extends SlotRow>(s: SlotState<R>, fx: SlotEffect<R>[], now: number) {
  if (s.over) return;
  if (s.inflight || s.pumping) {
    s.again = true;
    return;
  }
  if (s.pausedUntil > now) return void fx.push({ type: "wake", at: s.pausedUntil });
  s.pumping = true;
  s.again = false;
  fx.push({ type: "fetch", yieldFirst: false });
}

/** The queue loop goes on while the slot is free and not paused; at its end, once more if something was queued meanwhile. */
function next<R extends SlotRow>(s: SlotState<R>, fx: SlotEffect<R>[], now: number, yieldFirst: boolean) {
  if (!s.over && !s.inflight && s.pausedUntil <= now) return void fx.push({ type: "fetch", yieldFirst });
  s.pumping = false;
}

function fetched<R extends SlotRow>(s: SlotState<R>, fx: SlotEffect<R>[], row: R | null, now: number) {
  if (s.over) {
    s.pumping = false;
    return;
  }
  if (!row) {
    if (s.again && !s.inflight && s.pausedUntil <= now) {
      s.again = false;
      return void fx.push({ type: "fetch", yieldFirst: false });
    }
    s.pumping = false;
    return;
  }
  if (row.deadline !== null && row.deadline <= now) return void fx.push({ type: "expire", row });
  if (!URGENT_COMMANDS.has(row.command as never) && s.holdUntil > now) {
    // The store hands out urgent commands first: this row being non-urgent, none waits behind the hold.
    s.pumping = false;
    return void fx.push({ type: "wake", at: s.holdUntil });
  }
  fx.push({ type: "send", row, attempt: row.attempts + 1, paged: PAGED_COMMANDS.has(row.command as never) });
}

function sent<R extends SlotRow>(s: SlotState<R>, fx: SlotEffect<R>[], row: R, outcome: "delivered" | "cancelled" | "undeliverable", now: number) {
  if (outcome === "cancelled") return next(s, fx, now, true);
  if (outcome === "undeliverable") {
    // The socket is gone though its close has not reached us yet: this session is over.
    s.over = true;
    s.pumping = false;
    return void fx.push({ type: "requeue-undelivered", row });
  }
  if (UNANSWERED_COMMANDS.has(row.command as never)) {
    // The unit is going down: nothing more for a while, and if it does not, the queue flows after.
    s.pausedUntil = now + s.config.timeoutMs;
    fx.push({ type: "wake", at: s.pausedUntil }, { type: "sent-unanswered", row });
    return;
  }
  s.inflight = { kind: "command", row, dueAt: now + s.config.timeoutMs, busy: false, paged: PAGED_COMMANDS.has(row.command as never) };
  s.pumping = false;
  fx.push({ type: "arm", at: s.inflight.dueAt });
}

function answer<R extends SlotRow>(s: SlotState<R>, fx: SlotEffect<R>[], name: string) {
  const f = s.inflight;
  if (s.over || !f) return;
  if (f.kind === "probe") {
    if (name !== "gettime") return;
    s.inflight = null;
    fx.push({ type: "matched" }, { type: "disarm" }, { type: "pump-after" });
    return;
  }
  if (!answersCommand(f.row.command, name)) return;
  fx.push({ type: "matched" });
  // A repeated answer while the first is being stored changes nothing.
  if (f.busy) return;
  s.inflight = { ...f, busy: true };
  s.timeouts = 0;
  s.holdUntil = 0;
  fx.push({ type: "disarm" }, { type: "take-answer", row: f.row });
}

function timer<R extends SlotRow>(s: SlotState<R>, fx: SlotEffect<R>[], now: number) {
  const f = s.inflight;
  if (!f || (f.kind === "command" && f.busy)) return;
  if (f.dueAt > now) return void fx.push({ type: "arm", at: f.dueAt });
  s.inflight = null;
  if (f.kind === "probe") return void fx.push({ type: "pump-after" });
  s.timeouts++;
  s.holdUntil = now + retryHoldMs(s.config, s.timeouts);
  fx.push({ type: "interrupted", row: f.row, why: `no answer within ${Math.round(s.config.timeoutMs / 1000)} s` }, { type: "pump-after" });
}
