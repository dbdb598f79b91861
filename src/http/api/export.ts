import { Hono } from "hono";
import type { PgExporter } from "../../export/pg-exporter.ts";

/** GET /api/v1/export/status: where the PostgreSQL export stands (backlog per stream, last error). */
export function exportApi(exporter: PgExporter | null) {
  const app = new Hono();
  app.get("/status", async (c) => c.json(exporter ? await exporter.status() : { enabled: false }));
  return app;
}
