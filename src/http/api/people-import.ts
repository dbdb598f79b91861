/**
 * People import from HR: POST /people/import takes a CSV file as the body (text/csv),
 * POST /people/import/http reads an HR system's JSON API. Both answer with the plan (what
 * changes, and each bad entry with its line); without dry_run the good entries are applied and
 * pushed to terminals through the people service.
 */
import { Hono } from "hono";
import type { Actor } from "../../app/actor.ts";
import { type ImportRunDeps, runImport } from "../../app/people-import.ts";
import { z } from "zod";
import { csvEntries } from "../../people-import/csv-source.ts";
import { httpEntries, httpSource } from "../../people-import/http-source.ts";
import type { ImportEntry } from "../../people-import/plan.ts";
import { serialNumber } from "../../protocol/index.ts";
import { parseBody } from "../body.ts";
import type { TokenEnv } from "../middleware/bearer-auth.ts";
import { parseQuery } from "../query.ts";

const yes = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");
const options = {
  dry_run: yes.default(false),
  disable_missing: yes.default(false),
  /** Terminals (comma-separated) that receive the people this import creates. */
  push_to: z
    .string()
    .max(100_000)
    .transform((s) => s.split(",").map((x) => x.trim()).filter((x) => x !== ""))
    .pipe(z.array(serialNumber))
    .default([]),
};
const csvQuery = z.strictObject(options);
const httpBody = z.strictObject({
  source: httpSource,
  dry_run: z.boolean().default(false),
  disable_missing: z.boolean().default(false),
  push_to: z.array(serialNumber).max(10_000).default([]),
});

export function peopleImportApi(deps: ImportRunDeps) {
  const app = new Hono<TokenEnv>();

  const run = (entries: ImportEntry[], o: { dry_run: boolean; disable_missing: boolean; push_to: string[] }, actor: Actor, source: string) =>
    runImport(deps, actor, entries, { dryRun: o.dry_run, disableMissing: o.disable_missing, pushTo: o.push_to, source });

  app.post("/", async (c) => {
    const o = parseQuery(csvQuery, c.req.query());
    const text = await c.req.text();
    return c.json(await run(csvEntries(text), o, c.get("actor"), "csv"));
  });

  app.post("/http", async (c) => {
    const body = await parseBody(c, httpBody);
    const entries = await httpEntries(body.source);
    return c.json(await run(entries, body, c.get("actor"), new URL(body.source.url).host));
  });

  return app;
}
