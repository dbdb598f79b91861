/**
 * Group commit. Every connection hands its writes here; all that arrived since the last commit
 * go to the store in ONE transaction, and each submitter learns its result only after that
 * transaction is durable. One fsync then serves thousands of records from hundreds of terminals.
 */
import type { Logger } from "pino";
import type { OpResult, Store, WriteOp } from "./contract.ts";
import { deadline } from "../lib/deadline.ts";
import { rootMessage, sqliteCode, storeError } from "./errors.ts";

export interface WriterOptions {
  store: Store;
  log: Logger;
  /** Records (or other ops) waiting beyond this are refused at once: the terminal keeps them and retries. */
  maxQueuedRecords: number;
  /** Records per transaction; the rest wait for the next tick. */
  maxBatchRecords: number;
  /** After a failed commit, wait this long before trying again (the queue keeps filling meanwhile). */
  retryDelayMs: number;
  /**
   * A commit that has not settled by then fails its submitters (terminals get result:false and
   * resend; the identity de-duplicates if it did commit after all). A PostgreSQL behind a network
   * that drops packets never answers, and without this its terminals would wait forever.
   */
  commitTimeoutMs: number;
  onCommit?: (info: CommitInfo) => void;
  /** An op refused at once: the whole queue is full, or its terminal holds its share of it. */
  onRefused?: (reason: RefusalReason) => void;
}

export type RefusalReason = "queue_full" | "terminal_share";

/**
 * The part of the queue one terminal's uploads may hold. A terminal that follows the protocol has
 * one upload in flight (it waits for the answer), so only one that sends without waiting gets
 * here; the rest of the queue stays for the others, and one terminal cannot fill it.
 */
export const TERMINAL_SHARE = 0.05;

export interface CommitInfo {
  ops: number;
  records: number;
  inserted: number;
  duplicates: number;
  quarantined: number;
  /** Old quarantine entries removed to keep terminals within their cap. */
  quarantinePruned: number;
  durationMs: number;
}

interface Job {
  op: WriteOp;
  weight: number;
  /** The terminal whose share it counts against (its uploads only). */
  sharer: string | null;
  resolve: (result: OpResult) => void;
  reject: (err: Error) => void;
}

const weightOf = (op: WriteOp) =>
  op.type === "punches" ? Math.max(1, op.punches.length + op.quarantine.length) : op.type === "terminals-last-seen" ? op.entries.length : 1;

export class Writer {
  #o: WriterOptions;
  #queue: Job[] = [];
  #queued = 0;
  /** Queued weight per terminal (uploads only); a terminal with nothing queued has no entry. */
  #queuedBy = new Map<string, number>();
  #share: number;
  #scheduled = false;
  #running = false;
  #failingSince: number | null = null;
  #lastError: string | null = null;
  #idle: Array<() => void> = [];
  #stopped = false;

  constructor(options: WriterOptions) {
    this.#o = options;
    this.#share = Math.max(1, Math.floor(options.maxQueuedRecords * TERMINAL_SHARE));
  }

  /** Queued records (the writer-queue depth metric). */
  get depth(): number {
    return this.#queued;
  }

  /** The queue bound (--max-queued-records). */
  get limit(): number {
    return this.#o.maxQueuedRecords;
  }

  /** Records one terminal's uploads may hold waiting (its first upload is taken whatever its size). */
  get terminalShare(): number {
    return this.#share;
  }

  /** True once stop() was called: new work is refused. */
  get stopping(): boolean {
    return this.#stopped;
  }

  /** When the current failure episode began (epoch ms); null while commits succeed. */
  get failingSince(): number | null {
    return this.#failingSince;
  }

  /** Null when the last commit succeeded, else the reason it failed. */
  get failure(): string | null {
    return this.#failingSince === null ? null : this.#lastError;
  }

  /**
   * `sharer`: the terminal whose share of the queue this counts against, for what it uploads on its
   * own (`sendlog`, `senduser`), which it resends when refused. Its registrations and the answers to
   * the server's commands (one in flight per terminal) count only toward the whole queue.
   */
  submit(op: WriteOp, sharer: string | null = null): Promise<OpResult> {
    if (this.#stopped) return Promise.reject(storeError("writer_stopped", "the server is shutting down"));
    const weight = weightOf(op);
    if (this.#queued + weight > this.#o.maxQueuedRecords && this.#queue.length > 0) {
      this.#o.onRefused?.("queue_full");
      return Promise.reject(storeError("overloaded", "writer queue is full"));
    }
    const held = sharer === null ? 0 : (this.#queuedBy.get(sharer) ?? 0);
    // With nothing of its own waiting, one upload of any size is taken (as into an empty queue).
    if (held > 0 && held + weight > this.#share) {
      this.#o.onRefused?.("terminal_share");
      return Promise.reject(storeError("terminal_share", `this terminal already has ${held} records waiting (its share is ${this.#share})`));
    }
    return new Promise<OpResult>((resolve, reject) => {
      this.#queue.push({ op, weight, sharer, resolve, reject });
      this.#queued += weight;
      if (sharer !== null) this.#queuedBy.set(sharer, held + weight);
      this.#schedule(0);
    });
  }

  /** Resolves once everything submitted so far has been committed (or failed). */
  drain(): Promise<void> {
    if (this.#queue.length === 0 && !this.#running) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Refuses new work and commits what is queued. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.drain();
  }

  #schedule(delayMs: number) {
    if (this.#scheduled || this.#running) return;
    this.#scheduled = true;
    const run = () => {
      this.#scheduled = false;
      void this.#flush();
    };
    // setImmediate lets every frame already read in this loop turn join the batch.
    if (delayMs > 0) setTimeout(run, delayMs);
    else setImmediate(run);
  }

  async #flush() {
    if (this.#queue.length === 0) return this.#wakeIdle();
    this.#running = true;
    let taken = 0;
    let records = 0;
    while (taken < this.#queue.length && (taken === 0 || records + (this.#queue[taken]?.weight ?? 0) <= this.#o.maxBatchRecords)) {
      records += this.#queue[taken]?.weight ?? 0;
      taken++;
    }
    const jobs = this.#queue.splice(0, taken);
    this.#queued -= records;
    for (const job of jobs) if (job.sharer !== null) this.#release(job.sharer, job.weight);
    const started = performance.now();
    let failed = false;
    try {
      const ms = this.#o.commitTimeoutMs;
      const results = await deadline(this.#o.store.write(jobs.map((j) => j.op)), ms, () => storeError("commit_timeout", `the store did not answer within ${ms / 1000} s`));
      const info: CommitInfo = { ops: jobs.length, records, inserted: 0, duplicates: 0, quarantined: 0, quarantinePruned: 0, durationMs: 0 };
      jobs.forEach((job, i) => {
        const r = results[i] ?? { ok: false, error: storeError("no_result", "store returned no result") };
        if (r.ok) {
          info.inserted += r.inserted;
          info.duplicates += r.duplicates;
          info.quarantined += r.quarantined;
          info.quarantinePruned += r.quarantinePruned ?? 0;
        } else {
          failed = true;
          this.#episode(r.error, job.op.type);
        }
        job.resolve(r);
      });
      info.durationMs = performance.now() - started;
      this.#o.onCommit?.(info);
    } catch (err) {
      failed = true;
      this.#episode(err, "commit");
      const error = err instanceof Error ? err : new Error(String(err));
      for (const job of jobs) job.reject(error);
    }
    if (!failed && this.#failingSince !== null) {
      this.#o.log.warn({ failedForMs: Date.now() - this.#failingSince }, "store writes recovered");
      this.#failingSince = null;
      this.#lastError = null;
    }
    this.#running = false;
    if (this.#queue.length > 0) this.#schedule(failed ? this.#o.retryDelayMs : 0);
    else this.#wakeIdle();
  }

  #release(sharer: string, weight: number) {
    const left = (this.#queuedBy.get(sharer) ?? 0) - weight;
    if (left > 0) this.#queuedBy.set(sharer, left);
    else this.#queuedBy.delete(sharer);
  }

  /** Logs the first failure of an episode only: a full disk must not also fill the log. */
  #episode(err: unknown, what: string) {
    const reason = `${sqliteCode(err) ?? "error"}: ${rootMessage(err)}`;
    if (this.#failingSince === null) {
      this.#failingSince = Date.now();
      this.#o.log.error({ err: reason, op: what }, "store write failed; terminals get result:false until it recovers");
    }
    this.#lastError = reason;
  }

  #wakeIdle() {
    const waiters = this.#idle.splice(0);
    for (const w of waiters) w();
  }
}
