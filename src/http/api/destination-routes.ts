/**
 * The REST routes every delivery destination has, an outgoing webhook's and an HR destination's
 * alike: list, create, read, change and delete it, page its dead letters and retry one. Each API
 * names its use cases, bodies and JSON; the routes, the id checks and their order are written here.
 */
import { Hono } from "hono";
import { z } from "zod";
import type { Actor } from "../../app/actor.ts";
import { pathId } from "../../lib/path-id.ts";
import type { Page } from "../../store/contract.ts";
import { parseBody } from "../body.ts";
import type { TokenEnv } from "../middleware/bearer-auth.ts";
import { pageQuery, parseQuery } from "../query.ts";

const deadLetterQuery = pageQuery.extend({ status: z.enum(["dead", "delivered"]).optional() });


export interface DestinationDoor<Row, Letter, Create extends z.ZodType, Patch extends z.ZodType> {
  /** What a 404 for an unknown destination calls it. */
  what: string;
  /** What a 404 for an unknown dead letter calls it. */
  letterWhat: string;
  createBody: Create;
  patchBody: Patch;
  list(): Promise<unknown[]>;
  /** The destination, or a 404. */
  known(id: number): Promise<Row>;
  view(row: Row): Promise<object>;
  create(actor: Actor, body: z.infer<Create>): Promise<Row>;
  update(actor: Actor, id: number, body: z.infer<Patch>): Promise<Row>;
  remove(actor: Actor, id: number): Promise<unknown>;
  deadLetters(id: number, filter: z.infer<typeof deadLetterQuery>): Promise<Page<Letter>>;
  letterJson(letter: Letter): object;
  /** The retried letter's JSON with how the retry went. */
  retry(actor: Actor, id: number, letter: number): Promise<object>;
}

export function destinationRoutes<Row, Letter, Create extends z.ZodType, Patch extends z.ZodType>(door: DestinationDoor<Row, Letter, Create, Patch>) {
  const app = new Hono<TokenEnv>();
  const id = (raw: string) => pathId(raw, door.what);

  app.get("/", async (c) => c.json({ items: await door.list() }));

  app.post("/", async (c) => {
    const created = await door.create(c.get("actor"), await parseBody(c, door.createBody));
    return c.json(await door.view(created), 201);
  });

  app.get("/:id", async (c) => c.json(await door.view(await door.known(id(c.req.param("id"))))));

  app.patch("/:id", async (c) => {
    const known = id(c.req.param("id"));
    await door.known(known);
    const updated = await door.update(c.get("actor"), known, await parseBody(c, door.patchBody));
    return c.json(await door.view(updated));
  });

  app.delete("/:id", async (c) => {
    await door.remove(c.get("actor"), id(c.req.param("id")));
    return c.body(null, 204);
  });

  app.get("/:id/dead-letters", async (c) => {
    const known = id(c.req.param("id"));
    await door.known(known);
    const page = await door.deadLetters(known, parseQuery(deadLetterQuery, c.req.query()));
    return c.json({ ...page, items: page.items.map((l) => door.letterJson(l)) });
  });

  app.post("/:id/dead-letters/:letter/retry", async (c) =>
    c.json(await door.retry(c.get("actor"), id(c.req.param("id")), pathId(c.req.param("letter"), door.letterWhat))),
  );

  return app;
}
