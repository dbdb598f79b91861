/**
 * Commands over the API: queue one for a terminal (online or not), read it with its status
 * history, list a terminal's commands, cancel a queued one, fetch a terminal's missed logs.
 */
import { Hono } from "hono";
import { z } from "zod";
import { cancelCommand, queueCommand } from "../../app/commands.ts";
import { fetchLogs } from "../../app/people.ts";
import { knownTerminal } from "../../app/terminals.ts";
import type { CommandDispatcher } from "../../commands/dispatcher.ts";
import type { PeopleService } from "../../people/service.ts";
import { redactRecord } from "../../people/mask.ts";
import { COMMAND_STATUSES, type CommandEventRow, type CommandRow } from "../../store/commands-schema.ts";
import type { Store } from "../../store/contract.ts";
import { parseBody } from "../body.ts";
import { badRequest, notFound } from "../../lib/app-error.ts";
import { pathId } from "../../lib/path-id.ts";
import type { TokenEnv } from "../middleware/bearer-auth.ts";
import { pageQuery, parseQuery } from "../query.ts";

export interface CommandsApiDeps {
  store: Store;
  dispatcher: CommandDispatcher;
  people: PeopleService;
}

/** A deadline is an ISO 8601 instant with its zone, or UTC milliseconds. */
const deadline = z.union([
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
  z.number().int().positive(),
]);

const newCommand = z.strictObject({
  command: z.string().min(1).max(32),
  params: z.record(z.string(), z.unknown()).default({}),
  deadline: deadline.nullable().optional(),
});

const historyQuery = pageQuery.extend({
  status: z.enum(COMMAND_STATUSES).optional(),
});

const logRange = z.strictObject({ from: z.string().max(10), to: z.string().max(10) }).partial();

/** The public shape of a command: params and answers with credentials masked. */
export function commandJson(row: CommandRow, history?: CommandEventRow[]) {
  const params = JSON.parse(row.params) as Record<string, unknown>;
  const answer = row.answer === null ? null : (JSON.parse(row.answer) as unknown);
  return {
    ...row,
    params: redactRecord(params),
    answer: answer !== null && typeof answer === "object" && !Array.isArray(answer) ? redactRecord(answer as Record<string, unknown>) : answer,
    ...(history ? { history: history.map(({ commandId: _id, ...e }) => e) } : {}),
  };
}

export function commandsApi(deps: CommandsApiDeps) {
  const { store, people } = deps;
  const app = new Hono<TokenEnv>();

  app.post("/terminals/:sn/commands", async (c) => {
    const sn = c.req.param("sn");
    await knownTerminal(deps, sn);
    const body = await parseBody(c, newCommand);
    return c.json(commandJson(await queueCommand(deps, c.get("actor"), sn, body)), 201);
  });

  app.get("/terminals/:sn/commands", async (c) => {
    const q = parseQuery(historyQuery, c.req.query());
    const page = await store.commands.list({ sn: c.req.param("sn"), status: q.status ? [q.status] : undefined, cursor: q.cursor, limit: q.limit });
    return c.json({ items: page.items.map((r) => commandJson(r)), next: page.next });
  });

  app.post("/terminals/:sn/fetch-logs", async (c) => {
    const sn = c.req.param("sn");
    await knownTerminal(deps, sn);
    const body = await parseBody(c, logRange);
    if ((body.from === undefined) !== (body.to === undefined)) throw badRequest("give both from and to, or neither");
    const range = body.from !== undefined && body.to !== undefined ? { from: body.from, to: body.to } : null;
    const job = await fetchLogs(deps, c.get("actor"), sn, range);
    return c.json(await people.jobs.view(job.id), 202);
  });

  app.get("/terminals/:sn/clock", async (c) => {
    const clock = await store.commands.clockOf(c.req.param("sn"));
    if (!clock) throw notFound("this terminal's clock has not been checked");
    return c.json(clock);
  });

  const commandId = (raw: string) => pathId(raw, "command");

  app.get("/commands/:id", async (c) => {
    const id = commandId(c.req.param("id"));
    const row = await store.commands.get(id);
    if (!row) throw notFound("no such command");
    return c.json(commandJson(row, await store.commands.history(id)));
  });

  app.post("/commands/:id/cancel", async (c) => {
    const id = commandId(c.req.param("id"));
    const row = await cancelCommand(deps, c.get("actor"), id);
    return c.json(commandJson(row, await store.commands.history(id)));
  });

  return app;
}
