/**
 * What a destination's answer to a run settles, pure: the prefix of the records up to the first
 * failure (or to where the adapter stopped answering). The cursor moves past that prefix only;
 * the failed record is retried or becomes a dead letter; anything after it is sent again.
 */
import type { SkipReason } from "../store/hr-contract.ts";
import type { HrRecord, RecordOutcome } from "./adapter.ts";

export const short = (text: string) => (text.length > 500 ? `${text.slice(0, 500)}…` : text);

export interface Settled {
  /** The id of the last record settled; `from` when none was. */
  cursor: number;
  delivered: number;
  skipped: Partial<Record<SkipReason, number>>;
  lastSkip: string | null;
  /** The first record that failed, right after the prefix. */
  failure: { record: HrRecord; error: string; retryable: boolean } | null;
}

/** `outcomes[i]` is the remote's answer for `records[i]`; `from` is the cursor before the run. */
export function settledPrefix(records: readonly HrRecord[], outcomes: readonly RecordOutcome[], from: number): Settled {
  const settled: Settled = { cursor: from, delivered: 0, skipped: {}, lastSkip: null, failure: null };
  for (const [i, outcome] of outcomes.entries()) {
    const record = records[i];
    if (!record) break;
    if (outcome.status === "failed") {
      settled.failure = { record, error: short(outcome.error), retryable: outcome.retryable };
      break;
    }
    if (outcome.status === "delivered") settled.delivered++;
    else {
      settled.skipped[outcome.reason] = (settled.skipped[outcome.reason] ?? 0) + 1;
      settled.lastSkip = short(`${record.employee} at ${record.time}: ${outcome.message}`);
    }
    settled.cursor = record.id;
  }
  return settled;
}
