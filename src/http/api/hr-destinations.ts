/** HR delivery destinations (ERPNext, Odoo…): settings and status, test connection, dead letters. */
import { Hono } from "hono";
import { z } from "zod";
import {
  createHrDestination,
  deleteHrDestination,
  getHrDestination,
  type HrDestinationDeps,
  listHrDestinations,
  retryHrDeadLetter,
  testHrDestination,
  updateHrDestination,
  viewHrDestination,
} from "../../app/hr-destinations.ts";
import { createHrDestinationBody, patchHrDestinationBody } from "../../connectors/destination.ts";
import { notFound } from "../../lib/app-error.ts";
import type { HrDeadLetterRow } from "../../store/schema.ts";
import { parseBody } from "../body.ts";
import type { TokenEnv } from "../middleware/bearer-auth.ts";
import { pageQuery, parseQuery } from "../query.ts";

export function hrDeadLetterJson(l: HrDeadLetterRow) {
  return {
    id: l.id,
    destinationId: l.destinationId,
    recordId: l.recordId,
    status: l.status,
    attempts: l.attempts,
    /** The HR system's own message (or why it could not be reached). */
    lastError: l.lastError,
    record: JSON.parse(l.record) as unknown,
    createdAt: l.createdAt,
    updatedAt: l.updatedAt,
  };
}

const idParam = z.coerce.number().int().positive();
const deadLetterQuery = pageQuery.extend({ status: z.enum(["dead", "delivered"]).optional() });

function idOf(raw: string, what = "HR destination"): number {
  const id = idParam.safeParse(raw);
  if (!id.success) throw notFound(`no such ${what}`);
  return id.data;
}

export function hrDestinationsApi(deps: HrDestinationDeps) {
  const app = new Hono<TokenEnv>();

  app.get("/", async (c) => c.json({ items: await listHrDestinations(deps) }));

  app.post("/", async (c) => {
    const created = await createHrDestination(deps, c.get("actor"), await parseBody(c, createHrDestinationBody));
    return c.json(await viewHrDestination(deps, created), 201);
  });

  app.get("/:id", async (c) => c.json(await viewHrDestination(deps, await getHrDestination(deps, idOf(c.req.param("id"))))));

  app.patch("/:id", async (c) => {
    const id = idOf(c.req.param("id"));
    await getHrDestination(deps, id);
    const updated = await updateHrDestination(deps, c.get("actor"), id, await parseBody(c, patchHrDestinationBody));
    return c.json(await viewHrDestination(deps, updated));
  });

  app.delete("/:id", async (c) => {
    await deleteHrDestination(deps, c.get("actor"), idOf(c.req.param("id")));
    return c.body(null, 204);
  });

  /** Test connection: 200 either way, `ok` says whether the HR system took the URL and credentials. */
  app.post("/:id/test", async (c) => c.json(await testHrDestination(deps, c.get("actor"), idOf(c.req.param("id")))));

  app.get("/:id/dead-letters", async (c) => {
    const id = idOf(c.req.param("id"));
    await getHrDestination(deps, id);
    const page = await deps.store.hrDestinations.deadLetters(id, parseQuery(deadLetterQuery, c.req.query()));
    return c.json({ ...page, items: page.items.map(hrDeadLetterJson) });
  });

  app.post("/:id/dead-letters/:letter/retry", async (c) => {
    const outcome = await retryHrDeadLetter(deps, c.get("actor"), idOf(c.req.param("id")), idOf(c.req.param("letter"), "dead letter"));
    return c.json({ ...hrDeadLetterJson(outcome.letter), outcome: outcome.outcome });
  });

  return app;
}
