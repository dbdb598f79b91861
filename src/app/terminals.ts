/** What an admin does to a terminal: approve or block it, name and place it. */
import { notFound } from "../lib/app-error.ts";
import type { Approval, Store, TerminalChanges } from "../store/contract.ts";
import type { TerminalRow } from "../store/schema.ts";
import type { TerminalRegistry } from "../terminals/registry.ts";
import type { Actor } from "./actor.ts";
import { audit } from "./audit.ts";

export interface TerminalDeps {
  store: Store;
  now: () => number;
  /** The live sockets; absent outside the server (the CLI), where a change reaches the terminal at its next `reg`. */
  registry?: TerminalRegistry;
}

export const noSuchTerminal = (sn: string) => notFound(`no terminal ${sn} has connected yet`);

/** The terminal, or a not_found naming it. */
export async function knownTerminal(deps: { store: Pick<Store, "getTerminal"> }, sn: string): Promise<TerminalRow> {
  const row = await deps.store.getTerminal(sn);
  if (!row) throw noSuchTerminal(sn);
  return row;
}

/**
 * Approves or blocks a terminal. Blocking also drops its live socket, so it is refused at its
 * next `reg`; an approved pending terminal is accepted at its next `reg`.
 */
export async function setTerminalApproval(deps: TerminalDeps, actor: Actor, sn: string, approval: Approval): Promise<TerminalRow> {
  const row = await deps.store.setApproval(sn, approval, deps.now());
  const verb = approval === "approved" ? "approve" : "block";
  if (!row) throw notFound(`${verb}: no terminal ${sn} has connected yet`);
  if (approval === "blocked") deps.registry?.get(sn)?.close(4003, "blocked by the administrator");
  await audit(deps, actor, `terminal.${verb}`, sn);
  return row;
}

/** Name, location, nosenduser (the last takes effect at the terminal's next registration). */
export async function editTerminal(deps: TerminalDeps, actor: Actor, sn: string, changes: TerminalChanges): Promise<TerminalRow> {
  const row = await deps.store.updateTerminal(sn, changes);
  if (!row) throw noSuchTerminal(sn);
  await audit(deps, actor, "terminal.update", sn, changes);
  return row;
}
