import type { Store } from "../store/contract.ts";
import { type Actor, actorId } from "./actor.ts";

export interface AuditDeps {
  store: Pick<Store, "audit">;
  now: () => number;
}

/** One audit entry for a change `actor` made (`details` absent: the entry has none). */
export function audit(deps: AuditDeps, actor: Actor, action: string, target: string | null, details?: unknown, result = "ok"): Promise<void> {
  return deps.store.audit({ at: deps.now(), actor: actorId(actor), action, target, ...(details === undefined ? {} : { details }), result });
}
