import { Hono } from "hono";
import { z } from "zod";
import { enrollidsNamed } from "../../app/people.ts";
import { imageResponse } from "../../lib/image-response.ts";
import { notFound } from "../../lib/app-error.ts";
import { pathId } from "../../lib/path-id.ts";
import { DOOR_ALARM_EVENTS } from "../../protocol/index.ts";
import type { Store } from "../../store/contract.ts";
import { pageQuery, parseQuery, punchQuery } from "../query.ts";

/** Door events: `alarms=true` keeps only forced open, tamper and input alarm. */
const alarmsQuery = z.object({ alarms: z.enum(["true", "false"]).optional() });


/** Where a punch's photo is served (read scope); null for a punch without one. */
const photoUrl = (id: number, has: boolean) => (has ? `/api/v1/attendance/${id}/photo` : null);

/** Attendance, door events and quarantine: read-only lists with keyset pagination; punch photos. */
export function recordsApi(store: Store) {
  const app = new Hono();
  app.get("/attendance", async (c) => {
    const { name, ...filter } = parseQuery(punchQuery, c.req.query());
    const page = await store.attendance(name === undefined ? filter : { ...filter, enrollids: await enrollidsNamed(store, name) });
    const photos = await store.withPhotos(page.items.map((r) => r.id));
    return c.json({ items: page.items.map((r) => ({ ...r, photoUrl: photoUrl(r.id, photos.has(r.id)) })), next: page.next });
  });
  app.get("/attendance/:id/photo", async (c) => {
    const id = pathId(c.req.param("id"), "punch");
    const photo = await store.punchPhoto(id);
    if (!photo) throw notFound(`punch ${id} has no photo`);
    return imageResponse(photo.data, `punch-${id}`, c.req.header("if-none-match"));
  });
  app.get("/door-events", async (c) => {
    const { enrollid: _ignored, name: _nobody, ...filter } = parseQuery(punchQuery, c.req.query());
    const alarms = parseQuery(alarmsQuery, c.req.query()).alarms === "true";
    return c.json(await store.doorEvents(alarms ? { ...filter, events: DOOR_ALARM_EVENTS } : filter));
  });
  app.get("/quarantine", async (c) => c.json(await store.quarantined(parseQuery(pageQuery, c.req.query()))));
  app.get("/stats", async (c) => c.json(await store.stats()));
  return app;
}
