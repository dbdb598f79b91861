/** Commands an admin sends a terminal: queued (online or not) and cancelled while queued. Audited by the command engine. */
import type { CommandDispatcher } from "../commands/dispatcher.ts";
import { AppError, badRequest, notFound } from "../lib/app-error.ts";
import type { CommandRow } from "../store/commands-schema.ts";
import type { Store } from "../store/contract.ts";
import { type Actor, actorId } from "./actor.ts";
import { knownTerminal } from "./terminals.ts";

export interface CommandDeps {
  store: Store;
  dispatcher: CommandDispatcher;
}

export interface CommandOrder {
  command: string;
  params: unknown;
  /** UTC ms; undefined takes the command's default, null means none. */
  deadline?: number | null;
}

export async function queueCommand(deps: CommandDeps, actor: Actor, sn: string, order: CommandOrder): Promise<CommandRow> {
  await knownTerminal(deps, sn);
  const [row] = await deps.dispatcher.submit([{ sn, ...order, actor: actorId(actor) }]);
  if (!row) throw badRequest("nothing queued");
  return row;
}

export async function cancelCommand(deps: CommandDeps, actor: Actor, id: number): Promise<CommandRow> {
  const row = await deps.dispatcher.cancel(id, actorId(actor));
  if (row) return row;
  const existing = await deps.store.commands.get(id);
  if (!existing) throw notFound("no such command");
  throw new AppError(409, "not_cancellable", `the command is ${existing.status}; only queued commands can be cancelled`);
}
