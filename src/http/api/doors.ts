/**
 * Doors over the API (issue 16): the door board (`GET /doors`) and a terminal's door settings
 * (`GET/PUT /terminals/{sn}/door-settings`, `POST …/door-settings/read`) and who is inside
 * (`GET /presence`, from memory: terminals/presence-live.ts).
 */
import { Hono } from "hono";
import { changeDoorSettings, type DoorDeps, doorBoard, doorSettingsInput, doorSettingsOf, readDoorSettings } from "../../app/doors.ts";
import { parseBody } from "../body.ts";
import type { PresenceLive } from "../../terminals/presence-live.ts";
import type { TokenEnv } from "../middleware/bearer-auth.ts";

export function doorsApi(deps: DoorDeps & { presence: PresenceLive }) {
  const app = new Hono<TokenEnv>();

  app.get("/presence", (c) => c.json(deps.presence.view()));

  app.get("/doors", async (c) => c.json(await doorBoard(deps, c.req.query())));

  app.get("/terminals/:sn/door-settings", async (c) => c.json(await doorSettingsOf(deps, c.req.param("sn"))));

  app.put("/terminals/:sn/door-settings", async (c) => {
    const body = await parseBody(c, doorSettingsInput);
    const { setdevlock, getdevlock } = await changeDoorSettings(deps, c.get("actor"), c.req.param("sn"), body);
    return c.json({ commands: [setdevlock.id, getdevlock.id], ...(await doorSettingsOf(deps, c.req.param("sn"))) }, 202);
  });

  app.post("/terminals/:sn/door-settings/read", async (c) => {
    const row = await readDoorSettings(deps, c.get("actor"), c.req.param("sn"));
    return c.json({ commands: [row.id], ...(await doorSettingsOf(deps, c.req.param("sn"))) }, 202);
  });

  return app;
}
