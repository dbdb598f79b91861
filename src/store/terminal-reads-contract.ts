/**
 * What the Store's terminal reads take and give: the lists' filter and the alerts' counts (kept
 * apart from contract.ts, which holds the Store itself).
 */
import type { TerminalRow } from "./schema.ts";
import type { TerminalStatus } from "./terminal-status.ts";

export interface TerminalFilter {
  q?: string;
  status?: TerminalStatus;
  sns?: readonly string[];
  cursor?: string;
  limit: number;
}

/** The terminal conditions the alerts name (alerts/derive.ts `terminalConditions` decides the same for one terminal). */
export type TerminalCondition = "pending" | "mismatch" | "offline" | "nearlyFull";

export interface AlertTerminalQuery {
  /** An approved terminal not online and last seen before this instant (epoch ms) is offline. */
  offlineBefore: number;
  /** A terminal store (logs, users, cards, fingerprints, faces) used to this fraction of its size is nearly full. */
  nearlyFull: number;
  /** How many terminals of each condition to read. */
  limit: number;
}

export interface AlertTerminals {
  /** How many terminals are in each condition. */
  counts: Record<TerminalCondition, number>;
  /**
   * The first `limit` terminals of each condition, by when it began (first seen, the mismatch, last
   * seen; nearly full: none) then sn, bytewise; ordered by sn bytewise, each once.
   */
  terminals: TerminalRow[];
}
