import { Hono } from "hono";
import type { Store } from "../../store/contract.ts";
import { pageQuery, parseQuery, punchQuery } from "../query.ts";

/** Attendance, door events and quarantine: read-only lists with keyset pagination. */
export function recordsApi(store: Store) {
  const app = new Hono();
  app.get("/attendance", async (c) => c.json(await store.attendance(parseQuery(punchQuery, c.req.query()))));
  app.get("/door-events", async (c) => {
    const { enrollid: _ignored, ...filter } = parseQuery(punchQuery, c.req.query());
    return c.json(await store.doorEvents(filter));
  });
  app.get("/quarantine", async (c) => c.json(await store.quarantined(parseQuery(pageQuery, c.req.query()))));
  app.get("/stats", async (c) => c.json(await store.stats()));
  return app;
}
