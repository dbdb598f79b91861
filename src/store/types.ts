/**
 * Types the store's contracts share: its own module so that `contract.ts` (the whole `Store`) and
 * each aggregate's contract can use them without importing each other.
 */

export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next page, null on the last one. */
  next: string | null;
}

/** What became of a terminal's change: `unchanged` is a resend of what the site has. */
export type TerminalChangeOutcome = "applied" | "unchanged" | "held" | "ignored";
