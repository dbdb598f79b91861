import { Hono } from "hono";
import { z } from "zod";
import { describeError } from "../../protocol/index.ts";
import type { Approval, Store } from "../../store/contract.ts";
import type { TerminalRow } from "../../store/schema.ts";
import { setTerminalApproval } from "../../terminals/approval.ts";
import type { TerminalRegistry } from "../../terminals/registry.ts";
import { badRequest, notFound } from "../../lib/app-error.ts";

export interface TerminalsDeps {
  store: Store;
  registry: TerminalRegistry;
  now: () => number;
}

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
});

export function terminalsApi({ store, registry, now }: TerminalsDeps) {
  const app = new Hono();

  app.get("/", async (c) => c.json({ items: (await store.listTerminals()).map(terminalJson) }));

  app.get("/:sn", async (c) => {
    const row = await store.getTerminal(c.req.param("sn"));
    if (!row) throw notFound("no terminal with this serial number");
    return c.json(terminalJson(row));
  });

  app.patch("/:sn", async (c) => {
    const body = terminalPatch.safeParse(await c.req.json().catch(() => null));
    if (!body.success) throw badRequest(describeError(body.error));
    const row = await store.updateTerminal(c.req.param("sn"), body.data);
    if (!row) throw notFound("no terminal with this serial number");
    return c.json(terminalJson(row));
  });

  const setApproval = (approval: Approval) =>
    app.post(`/:sn/${approval === "approved" ? "approve" : "block"}`, async (c) => {
      const sn = c.req.param("sn");
      const row = await setTerminalApproval({ store, registry }, sn, approval, now());
      if (!row) throw notFound("no terminal with this serial number");
      return c.json(terminalJson(row));
    });
  setApproval("approved");
  setApproval("blocked");

  return app;
}
