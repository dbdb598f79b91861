/**
 * What a destination's answer to a run settles, pure: the prefix of the records up to the first
 * failure (or to where the adapter stopped answering). The cursor moves past that prefix only;
 * the failed record is retried or becomes a dead letter; anything after it is sent again.
 */
import { isPlaceholderEnrollid } from "../protocol/index.ts";
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

/** False for a record of nobody enrolled (a placeholder enrollid, PROTOCOL.md §7.5): no employee's check-in, never sent. */
export const isPersonRecord = (r: HrRecord): boolean => !isPlaceholderEnrollid(r.enrollid);

const NOT_A_PERSON: RecordOutcome = { status: "skipped", reason: "not_a_person", message: "a scan of nobody enrolled, not an employee's check-in" };

/**
 * One outcome per record of a batch from the remote's answers for its people's records alone
 * (`answered[i]` for the i-th record `isPersonRecord` keeps, in order): a placeholder settles as
 * skipped where it stands, so the cursor passes it like any record the remote settled. Ends where
 * the remote's answers end (after a failure, or where it stopped answering), as an adapter's do.
 */
export function withPlaceholders(records: readonly HrRecord[], answered: readonly RecordOutcome[]): RecordOutcome[] {
  const outcomes: RecordOutcome[] = [];
  let next = 0;
  for (const record of records) {
    if (!isPersonRecord(record)) {
      outcomes.push(NOT_A_PERSON);
      continue;
    }
    const outcome = answered[next++];
    if (!outcome) break;
    outcomes.push(outcome);
    if (outcome.status === "failed") break;
  }
  return outcomes;
}
