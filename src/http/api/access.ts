/** `/api/v1/access/*` and a person's access (issue 16): the use cases of app/access.ts, translated. */
import { Hono } from "hono";
import { qrSvg } from "../../access/qr.ts";
import {
  createLevel, createSchedule, deleteLevel, deleteSchedule, getLevel, getSchedule, issueQrCode, levelInput, levelPatch, personAccess,
  personAccessInput, revokeQrCode, scheduleInput, schedulePatch, setPersonAccess, syncAccess, updateLevel, updateSchedule,
} from "../../app/access.ts";
import { createPass, getPass, listPasses, type PassDeps, passInput, passListQuery, revokePass } from "../../app/access-passes.ts";
import { pathId } from "../../lib/path-id.ts";
import { parseBody } from "../body.ts";
import { parseQuery } from "../query.ts";
import type { TokenEnv } from "../middleware/bearer-auth.ts";
import { ENROLLID_MAX } from "../../protocol/index.ts";

const enrollidParam = (raw: string) => pathId(raw, "person", ENROLLID_MAX);

export function accessApi(deps: PassDeps) {
  const app = new Hono<TokenEnv>();

  app.get("/access/schedules", async (c) => c.json({ items: await deps.store.access.schedules() }));
  app.post("/access/schedules", async (c) => c.json(await createSchedule(deps, c.get("actor"), await parseBody(c, scheduleInput)), 201));
  app.get("/access/schedules/:id", async (c) => c.json(await getSchedule(deps, pathId(c.req.param("id"), "access schedule"))));
  app.patch("/access/schedules/:id", async (c) =>
    c.json(await updateSchedule(deps, c.get("actor"), pathId(c.req.param("id"), "access schedule"), await parseBody(c, schedulePatch))),
  );
  app.delete("/access/schedules/:id", async (c) => {
    await deleteSchedule(deps, c.get("actor"), pathId(c.req.param("id"), "access schedule"));
    return c.json({ deleted: true });
  });

  app.get("/access/levels", async (c) => c.json({ items: await deps.store.access.levels() }));
  app.post("/access/levels", async (c) => c.json(await createLevel(deps, c.get("actor"), await parseBody(c, levelInput)), 201));
  app.get("/access/levels/:id", async (c) => c.json(await getLevel(deps, pathId(c.req.param("id"), "access level"))));
  app.patch("/access/levels/:id", async (c) =>
    c.json(await updateLevel(deps, c.get("actor"), pathId(c.req.param("id"), "access level"), await parseBody(c, levelPatch))),
  );
  app.delete("/access/levels/:id", async (c) => {
    await deleteLevel(deps, c.get("actor"), pathId(c.req.param("id"), "access level"));
    return c.json({ deleted: true });
  });

  app.post("/access/sync", async (c) => c.json(await syncAccess(deps, c.get("actor"))));

  app.get("/people/:enrollid/access", async (c) => c.json(await personAccess(deps, enrollidParam(c.req.param("enrollid")))));
  app.put("/people/:enrollid/access", async (c) =>
    c.json(await setPersonAccess(deps, c.get("actor"), enrollidParam(c.req.param("enrollid")), await parseBody(c, personAccessInput))),
  );
  // The code is shown once, in this answer: print it or send it to the person.
  app.post("/people/:enrollid/qr-code", async (c) => c.json(await issueQrCode(deps, c.get("actor"), enrollidParam(c.req.param("enrollid"))), 201));
  app.delete("/people/:enrollid/qr-code", async (c) => {
    await revokeQrCode(deps, c.get("actor"), enrollidParam(c.req.param("enrollid")));
    return c.json({ deleted: true });
  });

  // Visitor passes. Revoking is a POST (not DELETE): the pass stays, with its uses, for the record.
  app.get("/access/passes", async (c) => c.json(await listPasses(deps, parseQuery(passListQuery, c.req.query()))));
  app.post("/access/passes", async (c) => c.json(await createPass(deps, c.get("actor"), await parseBody(c, passInput)), 201));
  app.get("/access/passes/:id", async (c) => c.json(await getPass(deps, pathId(c.req.param("id"), "pass"))));
  app.get("/access/passes/:id/qr.svg", async (c) => {
    const pass = await getPass(deps, pathId(c.req.param("id"), "pass"));
    c.header("content-type", "image/svg+xml; charset=utf-8");
    // The code opens doors: no shared cache keeps a copy.
    c.header("cache-control", "private, no-store");
    return c.body(qrSvg(pass.code));
  });
  app.post("/access/passes/:id/revoke", async (c) => c.json(await revokePass(deps, c.get("actor"), pathId(c.req.param("id"), "pass"))));

  return app;
}
