/**
 * GET /api/v1/backup: a consistent snapshot of the store, streamed as a download. One at a time:
 * each snapshot is a full copy on the data disk until it has been sent.
 */
import { rmSync } from "node:fs";
import { Hono } from "hono";
import type { Logger } from "pino";
import type { Store } from "../../store/contract.ts";
import { ApiError } from "../errors.ts";
import { type TokenEnv, tokenActor } from "../middleware/bearer-auth.ts";

export interface BackupDeps {
  /** Makes a verified snapshot file; the route deletes it once sent. */
  snapshot: () => Promise<string>;
  store: Store;
  log: Logger;
  now: () => number;
}

export function backupApi(deps: BackupDeps) {
  const app = new Hono<TokenEnv>();
  let busy = false;

  app.get("/", async (c) => {
    if (busy) throw new ApiError(409, "busy", "a backup is already being taken; retry when it is done");
    busy = true;
    let file: string;
    try {
      file = await deps.snapshot();
    } catch (err) {
      busy = false;
      deps.log.error({ err }, "backup download failed");
      await deps.store.audit({ at: deps.now(), actor: tokenActor(c), action: "backup.download", result: "failed: snapshot" }).catch(() => undefined);
      throw new ApiError(503, "backup_failed", "the snapshot could not be taken; see the server log");
    }
    const done = () => {
      if (!busy) return;
      busy = false;
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
    await deps.store.audit({ at: deps.now(), actor: tokenActor(c), action: "backup.download", details: { bytes: size }, result: "ok" }).catch(() => undefined);
    const stamp = new Date(deps.now()).toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-");
    return c.body(body, 200, {
      "content-type": "application/vnd.sqlite3",
      "content-disposition": `attachment; filename="tm20-backup-${stamp}.db"`,
      "cache-control": "no-store",
    });
  });
  return app;
}
