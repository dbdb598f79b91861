/** GET /api/v1/backup: a consistent snapshot of the store, streamed as a download. */
import { Hono } from "hono";
import type { BackupDownloads } from "../backup-download.ts";
import { AppError } from "../../lib/app-error.ts";
import { type TokenEnv, tokenActor } from "../middleware/bearer-auth.ts";

export function backupApi(backups: BackupDownloads) {
  const app = new Hono<TokenEnv>();
  app.get("/", async (c) => {
    const result = await backups.download(tokenActor(c));
    if (result.ok) return result.response;
    if (result.reason === "busy") throw new AppError(409, "busy", "a backup is already being taken; retry when it is done");
    throw new AppError(503, "backup_failed", "the snapshot could not be taken; see the server log");
  });
  return app;
}
