/**
 * Small writes asked for in the same turn of the event loop share one transaction on the store's
 * own write connection, each in a savepoint of its own (one that throws is undone alone), and each
 * caller learns its result once that transaction committed: as durable as a transaction of its
 * own. A command's every step (sent, answered) and what a terminal acknowledged holding were a
 * commit each, and with hundreds of terminals those commits (an fsync each, on the event loop's
 * thread) were most of the server's time: 200 doors took the access tables at about 35 commands a
 * second in all (BENCHMARKS.md, command throughput).
 */
interface Pending {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; err: unknown };

export class TickCommit {
  #exec: (statement: string) => void;
  #queue: Pending[] = [];
  #scheduled = false;

  /** `exec` runs a constant statement on the write connection (BEGIN, SAVEPOINT, COMMIT…). */
  constructor(exec: (statement: string) => void) {
    this.#exec = exec;
  }

  /** Runs `work` (synchronous statements on the write connection) in the next shared transaction. */
  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (this.#scheduled) return;
      this.#scheduled = true;
      setImmediate(() => this.#flush());
    });
  }

  #flush() {
    this.#scheduled = false;
    const batch = this.#queue;
    this.#queue = [];
    const outcomes: Outcome[] = [];
    try {
      this.#exec("BEGIN IMMEDIATE");
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    try {
      for (const p of batch) {
        this.#exec("SAVEPOINT tick_commit");
        try {
          const value = p.work();
          this.#exec("RELEASE tick_commit");
          outcomes.push({ ok: true, value });
        } catch (err) {
          this.#exec("ROLLBACK TO tick_commit");
          this.#exec("RELEASE tick_commit");
          outcomes.push({ ok: false, err });
        }
      }
      this.#exec("COMMIT");
    } catch (err) {
      try {
        this.#exec("ROLLBACK");
      } catch {
        // The transaction is gone already (SQLite rolls back on some errors by itself).
      }
      for (const p of batch) p.reject(err);
      return;
    }
    for (const [i, p] of batch.entries()) {
      const o = outcomes[i];
      if (o?.ok) p.resolve(o.value);
      else p.reject(o?.err);
    }
  }
}
