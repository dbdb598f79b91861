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
}

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
  resolve: (result: OpResult) => void;
  reject: (err: Error) => void;
}

const weightOf = (op: WriteOp) =>
  op.type === "punches" ? Math.max(1, op.punches.length + op.quarantine.length) : op.type === "terminals-last-seen" ? op.entries.length : 1;

export class Writer {
  #o: WriterOptions;
  #queue: Job[] = [];
  #queued = 0;
  #scheduled = false;
  #running = false;
  #failingSince: number | null = null;
  #lastError: string | null = null;
  #idle: Array<() => void> = [];
  #stopped = false;

  constructor(options: WriterOptions) {
    this.#o = options;
  }

  /** Queued records (the writer-queue depth metric). */
  get depth(): number {
    return this.#queued;
  }

  /** The queue bound (--max-queued-records). */
  get limit(): number {
    return this.#o.maxQueuedRecords;
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

  submit(op: WriteOp): Promise<OpResult> {
    if (this.#stopped) return Promise.reject(storeError("writer_stopped", "the server is shutting down"));
    const weight = weightOf(op);
    if (this.#queued + weight > this.#o.maxQueuedRecords && this.#queue.length > 0) {
      return Promise.reject(storeError("overloaded", "writer queue is full"));
    }
    return new Promise<OpResult>((resolve, reject) => {
      this.#queue.push({ op, weight, resolve, reject });
      this.#queued += weight;
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
