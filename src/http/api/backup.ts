/** GET /api/v1/backup: a consistent snapshot of the store, streamed as a download. */
import { Hono } from "hono";
import type { BackupDownloads } from "../../app/backups.ts";
import type { TokenEnv } from "../middleware/bearer-auth.ts";

export function backupApi(backups: BackupDownloads) {
  const app = new Hono<TokenEnv>();
  app.get("/", (c) => backups.download(c.get("actor")));
  return app;
}
