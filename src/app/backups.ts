/**
 * Backup downloads for the API (GET /api/v1/backup) and the admin UI (Settings → Download
 * backup): a verified snapshot of the store, streamed, then deleted. One at a time across both:
 * each snapshot is a full copy on the data disk until it has been sent. The API answers with the
 * file once it is made; the UI prepares it first (`prepare`, its progress in bytes copied for a
 * live bar) and takes it when ready (`take`); a prepared file nobody takes is deleted after
 * `KEEP_PREPARED_MS`.
 */
import { rmSync } from "node:fs";
import type { Logger } from "pino";
import { AppError } from "../lib/app-error.ts";
import type { Store } from "../store/contract.ts";
import type { Actor } from "./actor.ts";
import { audit } from "./audit.ts";

/** How long a prepared backup waits to be downloaded. */
const KEEP_PREPARED_MS = 10 * 60_000;

/** A backup the UI prepares: copying (bytes of about `total`), ready to take, or failed. */
export interface PreparedBackup {
  id: number;
  status: "running" | "succeeded" | "failed";
  bytes: number;
  total: number;
}

interface Prepared {
  state: PreparedBackup;
  /** Set once the snapshot is made. */
  file: string | null;
  expiry: ReturnType<typeof setTimeout> | null;
}

export interface BackupDownloadDeps {
  /** Makes a verified snapshot file, telling its progress in bytes; it is deleted once sent. */
  snapshot: (onProgress?: (bytes: number, total: number) => void) => Promise<string>;
  store: Pick<Store, "audit">;
  log: Logger;
  now: () => number;
}

export class BackupDownloads {
  #d: BackupDownloadDeps;
  #busy = false;
  #prepared: Prepared | null = null;
  #runs = 0;

  constructor(deps: BackupDownloadDeps) {
    this.#d = deps;
  }

  /** A download response for `actor` (audited): the snapshot taken now, then sent. */
  async download(actor: Actor): Promise<Response> {
    this.#discard();
    this.#claim();
    return this.#send(await this.#snapshot(actor), actor);
  }

  /** Starts a snapshot for the UI and answers at once; `prepared` follows it, `take` sends it. */
  prepare(actor: Actor): PreparedBackup {
    this.#discard();
    this.#claim();
    const state: PreparedBackup = { id: ++this.#runs, status: "running", bytes: 0, total: 0 };
    const prepared: Prepared = { state, file: null, expiry: null };
    this.#prepared = prepared;
    this.#snapshot(actor, (bytes, total) => Object.assign(state, { bytes, total })).then(
      (file) => {
        prepared.file = file;
        const size = Bun.file(file).size;
        Object.assign(state, { status: "succeeded", bytes: size, total: size });
        prepared.expiry = setTimeout(() => this.#discard(), KEEP_PREPARED_MS);
      },
      () => {
        state.status = "failed";
      },
    );
    return { ...state };
  }

  /** The prepared backup `id`, while it is the current one. */
  prepared(id: number): PreparedBackup | null {
    const p = this.#prepared;
    return p && p.state.id === id ? { ...p.state } : null;
  }

  /** The prepared backup `id`, ready, as a download (audited); it is deleted once sent. */
  take(id: number, actor: Actor): Promise<Response> {
    const p = this.#prepared;
    if (!p || p.state.id !== id || p.file === null) throw new AppError(404, "not_found", "this backup is not ready or was already downloaded; take a new one");
    if (p.expiry) clearTimeout(p.expiry);
    this.#prepared = null;
    return this.#send(p.file, actor);
  }

  #claim() {
    if (this.#busy) throw new AppError(409, "busy", "a backup is already being taken; retry when it is done");
    this.#busy = true;
  }

  /** A prepared file nobody took (yet) frees the disk and the slot. */
  #discard() {
    const p = this.#prepared;
    if (!p || p.state.status === "running") return;
    if (p.expiry) clearTimeout(p.expiry);
    this.#prepared = null;
    if (p.file !== null) {
      rmSync(p.file, { force: true });
      this.#busy = false;
    }
  }

  async #snapshot(actor: Actor, onProgress?: (bytes: number, total: number) => void): Promise<string> {
    const d = this.#d;
    try {
      return await d.snapshot(onProgress);
    } catch (err) {
      this.#busy = false;
      d.log.error({ err }, "backup download failed");
      await audit(d, actor, "backup.download", null, undefined, "failed: snapshot").catch(() => undefined);
      throw new AppError(503, "backup_failed", "the snapshot could not be taken; see the server log");
    }
  }

  async #send(file: string, actor: Actor): Promise<Response> {
    const d = this.#d;
    const done = () => {
      if (!this.#busy) return;
      this.#busy = false;
      rmSync(file, { force: true });
    };
    const snapshot = Bun.file(file);
    const size = snapshot.size;
    const reader = snapshot.stream().getReader();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const { done: end, value } = await reader.read();
          if (end) {
            controller.close();
            done();
          } else {
            controller.enqueue(value);
          }
        } catch (err) {
          done();
          controller.error(err);
        }
      },
      cancel() {
        void reader.cancel();
        done();
      },
    });
    await audit(d, actor, "backup.download", null, { bytes: size }).catch(() => undefined);
    const stamp = new Date(d.now()).toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-");
    return new Response(body, {
      status: 200,
      headers: {
        "content-type": "application/vnd.sqlite3",
        "content-length": String(size),
        "content-disposition": `attachment; filename="tm20-backup-${stamp}.db"`,
        "cache-control": "no-store",
      },
    });
  }
}
