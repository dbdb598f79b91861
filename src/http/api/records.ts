import { Hono } from "hono";
import { z } from "zod";
import { imageResponse } from "../../lib/image-response.ts";
import { notFound } from "../../lib/app-error.ts";
import { int } from "../../protocol/index.ts";
import type { Store } from "../../store/contract.ts";
import { pageQuery, parseQuery, punchQuery } from "../query.ts";

const photoParams = z.object({ id: int.pipe(z.number().min(1)) });

/** Where a punch's photo is served (read scope); null for a punch without one. */
const photoUrl = (id: number, has: boolean) => (has ? `/api/v1/attendance/${id}/photo` : null);

/** Attendance, door events and quarantine: read-only lists with keyset pagination; punch photos. */
export function recordsApi(store: Store) {
  const app = new Hono();
  app.get("/attendance", async (c) => {
    const page = await store.attendance(parseQuery(punchQuery, c.req.query()));
    const photos = await store.withPhotos(page.items.map((r) => r.id));
    return c.json({ items: page.items.map((r) => ({ ...r, photoUrl: photoUrl(r.id, photos.has(r.id)) })), next: page.next });
  });
  app.get("/attendance/:id/photo", async (c) => {
    const { id } = parseQuery(photoParams, c.req.param());
    const photo = await store.punchPhoto(id);
    if (!photo) throw notFound(`punch ${id} has no photo`);
    return imageResponse(photo.data, `punch-${id}`, c.req.header("if-none-match"));
  });
  app.get("/door-events", async (c) => {
    const { enrollid: _ignored, ...filter } = parseQuery(punchQuery, c.req.query());
    return c.json(await store.doorEvents(filter));
  });
  app.get("/quarantine", async (c) => c.json(await store.quarantined(parseQuery(pageQuery, c.req.query()))));
  app.get("/stats", async (c) => c.json(await store.stats()));
  return app;
}
