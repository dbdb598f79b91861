/**
 * Backup downloads for the API (GET /api/v1/backup) and the admin UI (Settings → Download
 * backup): a verified snapshot of the store, streamed, then deleted. One at a time across both:
 * each snapshot is a full copy on the data disk until it has been sent.
 */
import { rmSync } from "node:fs";
import type { Logger } from "pino";
import { AppError } from "../lib/app-error.ts";
import type { Store } from "../store/contract.ts";
import type { Actor } from "./actor.ts";
import { audit } from "./audit.ts";

export interface BackupDownloadDeps {
  /** Makes a verified snapshot file; it is deleted once sent. */
  snapshot: () => Promise<string>;
  store: Pick<Store, "audit">;
  log: Logger;
  now: () => number;
}

export class BackupDownloads {
  #d: BackupDownloadDeps;
  #busy = false;

  constructor(deps: BackupDownloadDeps) {
    this.#d = deps;
  }

  /** A download response for `actor` (audited). */
  async download(actor: Actor): Promise<Response> {
    const d = this.#d;
    if (this.#busy) throw new AppError(409, "busy", "a backup is already being taken; retry when it is done");
    this.#busy = true;
    let file: string;
    try {
      file = await d.snapshot();
    } catch (err) {
      this.#busy = false;
      d.log.error({ err }, "backup download failed");
      await audit(d, actor, "backup.download", null, undefined, "failed: snapshot").catch(() => undefined);
      throw new AppError(503, "backup_failed", "the snapshot could not be taken; see the server log");
    }
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
