/**
 * What the terminal lists filter and count by, in one place for both engines and the UI: pending
 * and blocked by approval; an approved terminal online or offline as the store last saw it (in a
 * cluster, the terminals of every instance).
 */
import { type SQL, sql } from "drizzle-orm";
import { bool } from "./sql-values.ts";

/** `contract.ts`'s Approval, spelled here so that the contract can import this file without a cycle. */
type Approval = "approved" | "pending" | "blocked";

export const TERMINAL_STATUSES = ["online", "offline", "pending", "blocked"] as const;
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];

export function terminalStatus(t: { approval: Approval; online: boolean }): TerminalStatus {
  return t.approval === "approved" ? (t.online ? "online" : "offline") : t.approval;
}

/** The condition of one status on the `terminals` table, as both engines read it. */
export function statusWhere(status: TerminalStatus): SQL {
  if (status === "pending" || status === "blocked") return sql`approval = ${status}`;
  return sql`(approval = 'approved' AND online = ${bool(status === "online")})`;
}

/** Counts per status from `GROUP BY approval, online` rows. */
export function statusCounts(rows: ReadonlyArray<{ approval: Approval; online: boolean; n: number }>): Record<TerminalStatus, number> {
  const counts: Record<TerminalStatus, number> = { online: 0, offline: 0, pending: 0, blocked: 0 };
  for (const r of rows) counts[terminalStatus(r)] += Number(r.n);
  return counts;
}
