/** The HR destination columns both engines write alike (JSON kept as text). */
import { z } from "zod";
import { type HrDestinationSettings, SKIP_REASONS, type SkipReason } from "./hr-contract.ts";

export const terminalsColumn = (terminals: string[] | null): string | null => (terminals === null ? null : JSON.stringify(terminals));

export function hrColumns(s: Partial<HrDestinationSettings>) {
  const { terminals, ...rest } = s;
  return { ...rest, ...(terminals !== undefined ? { terminals: terminalsColumn(terminals) } : {}) };
}

/** The `skipped` column: reason → count. */
export const skippedCounts = z.partialRecord(z.enum(SKIP_REASONS), z.number().int().nonnegative());

/** The stored counts with `add` added (read and written in one transaction). */
export function addSkips(stored: string, add: Partial<Record<SkipReason, number>>): string {
  const counts = skippedCounts.parse(JSON.parse(stored));
  for (const reason of SKIP_REASONS) {
    const n = add[reason] ?? 0;
    if (n > 0) counts[reason] = (counts[reason] ?? 0) + n;
  }
  return JSON.stringify(counts);
}
