/**
 * The server's group commit on a thread of its own: `write(ops)` hands the ops to a Bun Worker
 * (write-worker.ts) that owns a second write connection on the same WAL file and answers once the
 * commit is durable. Meanwhile the event loop goes on reading frames and answering terminals, and
 * the two use both cores. The other writes (admin, commands, people) stay on the store's own
 * connection; SQLite's write lock orders the two, each side's busy_timeout waiting for the other.
 */
import type { OpResult, WriteOp } from "../contract.ts";
import { storeError } from "../errors.ts";
import type { Durability } from "./pragmas.ts";
import { type FromThread, fromWire, type ToThread } from "./write-thread-messages.ts";

export interface WriteThreadOptions {
  file: string;
  durability: Durability;
  /** How long a commit waits for the store's own connection to release the write lock. */
  busyTimeoutMs: number;
}

interface Pending {
  resolve: (results: OpResult[]) => void;
  reject: (err: Error) => void;
}

/**
 * From source, the worker file next to this one. In the compiled binary it is a second entry point
 * (scripts/build.ts), found under $bunfs at its path below src/, the entry points' common root.
 */
function workerUrl(): string {
  return import.meta.url.startsWith("file:///$bunfs/") ? "/$bunfs/root/store/sqlite/write-worker.ts" : new URL("./write-worker.ts", import.meta.url).href;
}

export class SqliteWriteThread {
  #o: WriteThreadOptions;
  #worker: Promise<Worker> | null = null;
  /** The thread that writes go to, to tell its end from that of one already let go. */
  #live: Worker | null = null;
  #pending = new Map<number, Pending>();
  #nextId = 1;
  #closed = false;
  #onClosed: (() => void) | null = null;

  private constructor(options: WriteThreadOptions) {
    this.#o = options;
  }

  /** Resolves once the thread has opened its connection (rejects when it cannot). */
  static async start(options: WriteThreadOptions): Promise<SqliteWriteThread> {
    const thread = new SqliteWriteThread(options);
    await thread.#current();
    return thread;
  }

  /** One transaction on the thread, as SqliteStore.write; a thread that died is started again. */
  async write(ops: WriteOp[]): Promise<OpResult[]> {
    if (this.#closed) throw storeError("closed", "the store is closed");
    const worker = await this.#current();
    const id = this.#nextId++;
    return new Promise<OpResult[]>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.postMessage({ kind: "write", id, ops } satisfies ToThread);
    });
  }

  /** Closes the thread's connection (what it committed is durable already) and ends it. */
  async close(): Promise<void> {
    this.#closed = true;
    const current = this.#worker;
    this.#worker = null;
    this.#live = null;
    const worker = await current?.catch(() => null);
    if (!worker) return;
    await new Promise<void>((resolve) => {
      this.#onClosed = resolve;
      worker.postMessage({ kind: "close" } satisfies ToThread);
      setTimeout(resolve, 2000);
    });
    worker.terminate();
  }

  #current(): Promise<Worker> {
    this.#worker ??= this.#spawn().catch((err: unknown) => {
      this.#worker = null;
      throw err;
    });
    return this.#worker;
  }

  async #spawn(): Promise<Worker> {
    const worker = new Worker(workerUrl());
    const opened = new Promise<void>((resolve, reject) => {
      worker.onmessage = (event: MessageEvent<FromThread>) => {
        const m = event.data;
        if (m.kind === "ready") resolve();
        else if (m.kind === "open-failed") reject(fromWire(m.error));
        else this.#settle(m);
      };
      worker.onerror = (event: ErrorEvent) => {
        const err = storeError("write_thread_failed", `the write thread failed: ${event.message}`);
        reject(err);
        this.#lost(worker, err);
      };
      // A thread can also end without an error event (terminated, or killed by the runtime).
      worker.addEventListener("close", () => {
        const err = storeError("write_thread_failed", "the write thread ended");
        reject(err);
        this.#lost(worker, err);
      });
    });
    worker.postMessage({ kind: "open", file: this.#o.file, durability: this.#o.durability, busyTimeoutMs: this.#o.busyTimeoutMs } satisfies ToThread);
    this.#live = worker;
    try {
      await opened;
    } catch (err) {
      worker.terminate();
      throw err;
    }
    return worker;
  }

  #settle(m: Exclude<FromThread, { kind: "ready" | "open-failed" }>) {
    if (m.kind === "closed") return this.#onClosed?.();
    const pending = this.#pending.get(m.id);
    if (!pending) return;
    this.#pending.delete(m.id);
    if (m.kind === "failed") return pending.reject(fromWire(m.error));
    pending.resolve(m.results.map((r): OpResult => (r.ok ? r : { ok: false, error: fromWire(r.error) })));
  }

  /** A crashed thread: its transaction rolled back, so every waiting write failed; the next write starts a new thread. */
  #lost(worker: Worker, err: Error) {
    worker.terminate();
    // Reported twice (an error, then the end), or after close(): the thread was already let go.
    if (this.#live !== worker) return;
    this.#live = null;
    this.#worker = null;
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) p.reject(err);
  }
}
