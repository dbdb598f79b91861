import { Hono } from "hono";
import { z } from "zod";
import { acceptReplacedHardware, askNamesAgain, editTerminal, knownTerminal, setTerminalApproval, type TerminalDeps } from "../../app/terminals.ts";
import type { Approval } from "../../store/contract.ts";
import type { TerminalRow } from "../../store/schema.ts";
import { parseBody } from "../body.ts";
import type { TokenEnv } from "../middleware/bearer-auth.ts";
import { pageQuery, parseQuery } from "../query.ts";

/** The public shape of a terminal: no internal session ids, devinfo as an object. */
export function terminalJson(row: TerminalRow) {
  const { sessionId: _session, devinfo, ...rest } = row;
  return { ...rest, devinfo: devinfo ? (JSON.parse(devinfo) as unknown) : null };
}

/** `nosenduser` takes effect at the terminal's next registration. */
const terminalPatch = z.strictObject({
  name: z.string().trim().max(100).nullable().optional(),
  location: z.string().trim().max(200).nullable().optional(),
  nosenduser: z.boolean().optional(),
  /** "server": the server decides each punch at the door (the unit's own "Server approval" option must be on). */
  accessMode: z.enum(["terminal", "server"]).optional(),
  /** Its in/out punches say who is inside the site (GET /api/v1/presence). */
  siteEntrance: z.boolean().optional(),
});

/** By serial number, keyset-paged; `q` keeps those whose serial number, name or location holds it. */
const listQuery = pageQuery.extend({ q: z.string().trim().max(100).optional() });

export function terminalsApi(deps: TerminalDeps) {
  const app = new Hono<TokenEnv>();

  app.get("/", async (c) => {
    const page = await deps.store.terminalsPage(parseQuery(listQuery, c.req.query()));
    return c.json({ items: page.items.map(terminalJson), next: page.next });
  });

  app.get("/:sn", async (c) => c.json(terminalJson(await knownTerminal(deps, c.req.param("sn")))));

  app.patch("/:sn", async (c) => {
    const body = await parseBody(c, terminalPatch);
    return c.json(terminalJson(await editTerminal(deps, c.get("actor"), c.req.param("sn"), body)));
  });

  const setApproval = (approval: Approval) =>
    app.post(`/:sn/${approval === "approved" ? "approve" : "block"}`, async (c) =>
      c.json(terminalJson(await setTerminalApproval(deps, c.get("actor"), c.req.param("sn"), approval))),
    );
  setApproval("approved");
  setApproval("blocked");

  app.post("/:sn/replaced-hardware", async (c) => c.json(terminalJson(await acceptReplacedHardware(deps, c.get("actor"), c.req.param("sn")))));
  app.post("/:sn/ask-names-again", async (c) => c.json(terminalJson(await askNamesAgain(deps, c.get("actor"), c.req.param("sn")))));

  return app;
}
