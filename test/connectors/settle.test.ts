import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { HrRecord, RecordOutcome } from "../../src/connectors/adapter.ts";
import { settledPrefix } from "../../src/connectors/settle.ts";
import { SKIP_REASONS } from "../../src/store/hr-contract.ts";

const record = (id: number): HrRecord => ({ id, employee: `E${id}`, enrollid: id, name: "", sn: "T1", time: `2026-04-01 08:00:${String(id % 60).padStart(2, "0")}`, utc: "", inout: 0, mode: 1 });
const ok: RecordOutcome = { status: "delivered" };
const dup: RecordOutcome = { status: "skipped", reason: "duplicate", message: "already there" };
const down: RecordOutcome = { status: "failed", retryable: true, error: "503" };
const records = [record(11), record(12), record(13)];

describe("settledPrefix", () => {
  test.each([
    ["all delivered", [ok, ok, ok], { cursor: 13, delivered: 3, skipped: {}, lastSkip: null, failed: null }],
    ["a skip counts as settled, with the last one's words", [ok, dup, ok], { cursor: 13, delivered: 2, skipped: { duplicate: 1 }, lastSkip: "E12 at 2026-04-01 08:00:12: already there", failed: null }],
    ["the first failure ends the prefix; what follows is not settled", [ok, down, ok], { cursor: 11, delivered: 1, skipped: {}, lastSkip: null, failed: 12 }],
    ["a failure first: nothing settled", [down, ok, ok], { cursor: 10, delivered: 0, skipped: {}, lastSkip: null, failed: 11 }],
    ["fewer answers than records (aborted): the answered prefix", [ok], { cursor: 11, delivered: 1, skipped: {}, lastSkip: null, failed: null }],
    ["no answer at all", [], { cursor: 10, delivered: 0, skipped: {}, lastSkip: null, failed: null }],
    ["more answers than records: the extra ignored", [ok, ok, ok, down], { cursor: 13, delivered: 3, skipped: {}, lastSkip: null, failed: null }],
  ] satisfies Array<[string, RecordOutcome[], { cursor: number; delivered: number; skipped: object; lastSkip: string | null; failed: number | null }]>)("%s", (_, outcomes, expected) => {
    const s = settledPrefix(records, outcomes, 10);
    expect({ cursor: s.cursor, delivered: s.delivered, skipped: s.skipped, lastSkip: s.lastSkip, failed: s.failure?.record.id ?? null }).toEqual(expected);
  });

  test("property: the cursor stops at the record before the first failure, and every settled record is counted once", () => {
    const outcome = fc.oneof(
      fc.constant<RecordOutcome>(ok),
      fc.constantFrom(...SKIP_REASONS).map((reason): RecordOutcome => ({ status: "skipped", reason, message: "no" })),
      fc.boolean().map((retryable): RecordOutcome => ({ status: "failed", retryable, error: "x".repeat(600) })),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.array(outcome, { maxLength: 20 }), fc.integer({ min: 0, max: 20 }), (from, outcomes, n) => {
        const recs = Array.from({ length: n }, (_, i) => record(from + 1 + i));
        const s = settledPrefix(recs, outcomes, from);
        const answered = Math.min(n, outcomes.length);
        const firstFailure = outcomes.slice(0, answered).findIndex((o) => o.status === "failed");
        const settled = firstFailure === -1 ? answered : firstFailure;
        expect(s.cursor).toBe(from + settled);
        expect(s.delivered + Object.values(s.skipped).reduce((a, b) => a + b, 0)).toBe(settled);
        expect(s.failure?.record.id ?? null).toBe(firstFailure === -1 ? null : from + 1 + firstFailure);
        if (s.failure) expect(s.failure.error.length).toBeLessThanOrEqual(501);
      }),
    );
  });
});
