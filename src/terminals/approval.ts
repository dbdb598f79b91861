import type { Approval, Store } from "../store/contract.ts";
import type { TerminalRow } from "../store/schema.ts";
import type { TerminalRegistry } from "./registry.ts";

/**
 * Approves or blocks a terminal (API and admin UI alike). Blocking also drops its live socket,
 * so it is refused at its next `reg`; an approved pending terminal is accepted at its next `reg`.
 */
export async function setTerminalApproval(
  deps: { store: Store; registry: TerminalRegistry },
  sn: string,
  approval: Approval,
  at: number,
): Promise<TerminalRow | null> {
  const row = await deps.store.setApproval(sn, approval, at);
  if (row && approval === "blocked") deps.registry.get(sn)?.close(4003, "blocked by the administrator");
  return row;
}
