import { Hono } from "hono";
import type { PgExporter } from "../../export/pg-exporter.ts";

/** GET /api/v1/export/status: where the PostgreSQL export stands (backlog per stream, last error). */
export function exportApi(exporter: PgExporter | null, cluster: boolean) {
  const app = new Hono();
  const off = cluster ? { enabled: false, reason: "not used in a cluster: PostgreSQL is the store itself" } : { enabled: false };
  app.get("/status", async (c) => c.json(exporter ? await exporter.status() : off));
  return app;
}
