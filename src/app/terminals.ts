/** What an admin does to a terminal: approve or block it, name and place it, accept its replaced hardware, ask it again to take name-only users. */
import { AppError, notFound } from "../lib/app-error.ts";
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
  /** After a change of a terminal's access mode: the live decision reads it again (issue 16). */
  accessChanged?: () => Promise<void>;
  /** After a change of a terminal's site-entrance mark: who is inside is read again (issue 16). */
  entrancesChanged?: () => Promise<void>;
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
  if (changes.accessMode !== undefined) await deps.accessChanged?.();
  if (changes.siteEntrance !== undefined) await deps.entrancesChanged?.();
  return row;
}

/**
 * "Replaced hardware": the unit that last registered under this sn with another hardware identity
 * (refused under `approve`, an alert under `open`) becomes the terminal. Its live socket, if any,
 * is closed, so whichever unit comes back is judged against the accepted identity.
 */
export async function acceptReplacedHardware(deps: TerminalDeps, actor: Actor, sn: string): Promise<TerminalRow> {
  const before = await knownTerminal(deps, sn);
  const row = await deps.store.acceptIdentity(sn);
  if (!row) throw new AppError(409, "no_other_hardware", `no other hardware has registered as ${sn}: there is nothing to accept`);
  deps.registry?.get(sn)?.close(4003, "hardware replaced by the administrator");
  await audit(deps, actor, "terminal.replace-hardware", sn, {
    cpusn: row.cpusn, mac: row.mac, address: before.mismatchAddr, previous: { cpusn: before.cpusn, mac: before.mac },
  });
  return row;
}

/**
 * "Ask again": a terminal that refused a push's names (people/holdings.ts) is sent names at the next
 * push, for a unit whose settings changed without a firmware version of its own.
 */
export async function askNamesAgain(deps: TerminalDeps, actor: Actor, sn: string): Promise<TerminalRow> {
  const row = await knownTerminal(deps, sn);
  if (!(await deps.store.people.namesRefused()).includes(sn)) throw new AppError(409, "no_name_refusal", `${sn} has not refused name-only users: there is nothing to ask again`);
  await deps.store.people.forgetNameRefusal(sn);
  await audit(deps, actor, "terminal.names-ask-again", sn);
  return row;
}
