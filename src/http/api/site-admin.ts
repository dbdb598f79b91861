/**
 * What the admin UI's Settings and HR sources pages change, over the API: the site settings
 * (`/settings`), the admin UI's users (`/users`) and the saved HR sources of the people import
 * (`/import-sources`). Each calls the same use case as the UI and the CLI, so each is audited alike.
 */
import { Hono } from "hono";
import { z } from "zod";
import { createUser, deleteUser, updateUser, type AdminUserDeps } from "../../app/admin-users.ts";
import { createImportSource, deleteImportSource, type ImportSourceDeps, runImportSource, updateImportSource } from "../../app/people-import.ts";
import { type SettingsDeps, updateSiteSettings } from "../../app/settings.ts";
import { notFound } from "../../lib/app-error.ts";
import { pathId } from "../../lib/path-id.ts";
import { httpSource } from "../../people-import/http-source.ts";
import { parseSavedSource } from "../../people-import/saved-source.ts";
import { serialNumber } from "../../protocol/index.ts";
import { siteSettingsSchema } from "../../settings/site-settings.ts";
import type { AdminUserRow } from "../../store/schema.ts";
import { parseBody } from "../body.ts";
import type { TokenEnv } from "../middleware/bearer-auth.ts";


/** A user as the API shows one: never the password hash. */
const userJson = ({ passwordHash: _hash, ...user }: AdminUserRow) => user;

const newUser = z.strictObject({ username: z.string(), role: z.string(), password: z.string() });
const userChanges = z.strictObject({ role: z.enum(["admin", "viewer"]).optional(), disabled: z.boolean().optional(), password: z.string().optional() });

/** A saved source: the HTTP import's source without its one-off parts; `auth` left out keeps the stored header, null removes it. */
const sourceBody = z.strictObject({
  name: z.string().trim().min(1).max(100),
  url: httpSource.shape.url,
  auth: z.strictObject({ name: z.string().regex(/^[A-Za-z0-9-]{1,100}$/), value: z.string().min(1).max(4000).refine((v) => !/[\r\n]/.test(v)) }).nullable().optional(),
  mapping: z.strictObject({ items: httpSource.shape.items, fields: httpSource.shape.mapping }).default({ items: "", fields: {} }),
  paging: httpSource.shape.paging,
  disableMissing: z.boolean().default(false),
});
/** No body runs it for real, pushing to no terminal. */
const runBody = z.strictObject({ dryRun: z.boolean().default(false), pushTo: z.array(serialNumber).max(10_000).default([]) }).prefault({});

export function siteAdminApi(deps: SettingsDeps & AdminUserDeps & ImportSourceDeps) {
  const app = new Hono<TokenEnv>();

  app.get("/settings", (c) => c.json(deps.settings.values));
  app.patch("/settings", async (c) => {
    await updateSiteSettings(deps, c.get("actor"), await parseBody(c, siteSettingsSchema.partial().strict()));
    return c.json(deps.settings.values);
  });

  app.get("/users", async (c) => c.json({ items: (await deps.store.admin.listUsers()).map(userJson) }));
  app.post("/users", async (c) => c.json(userJson(await createUser(deps, c.get("actor"), await parseBody(c, newUser))), 201));
  app.patch("/users/:id", async (c) => c.json(userJson(await updateUser(deps, c.get("actor"), pathId(c.req.param("id"), "user"), await parseBody(c, userChanges)))));
  app.delete("/users/:id", async (c) => c.json(userJson(await deleteUser(deps, c.get("actor"), pathId(c.req.param("id"), "user")))));

  app.get("/import-sources", async (c) => c.json({ items: (await deps.store.importSources.list()).map(parseSavedSource) }));
  app.get("/import-sources/:id", async (c) => {
    const row = await deps.store.importSources.get(pathId(c.req.param("id"), "HR source"));
    if (!row) throw notFound("no such HR source");
    return c.json(parseSavedSource(row));
  });
  app.post("/import-sources", async (c) => c.json(parseSavedSource(await createImportSource(deps, c.get("actor"), await parseBody(c, sourceBody))), 201));
  app.put("/import-sources/:id", async (c) => c.json(parseSavedSource(await updateImportSource(deps, c.get("actor"), pathId(c.req.param("id"), "HR source"), await parseBody(c, sourceBody)))));
  app.delete("/import-sources/:id", async (c) => c.json(parseSavedSource(await deleteImportSource(deps, c.get("actor"), pathId(c.req.param("id"), "HR source")))));
  /** A source that cannot be read is an outcome (`{ok: false, error}`), as the UI shows it, not a failed request. */
  app.post("/import-sources/:id/run", async (c) => c.json(await runImportSource(deps, c.get("actor"), pathId(c.req.param("id"), "HR source"), await parseBody(c, runBody))));

  return app;
}
