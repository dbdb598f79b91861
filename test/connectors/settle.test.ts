import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { HrRecord, RecordOutcome } from "../../src/connectors/adapter.ts";
import { settledPrefix, withPlaceholders } from "../../src/connectors/settle.ts";
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

describe("withPlaceholders: a scan of nobody enrolled (99999998/99999999) settles as not_a_person without being sent", () => {
  const nobody = (id: number, enrollid: number): HrRecord => ({ ...record(id), employee: String(enrollid), enrollid });
  const batch = [record(11), nobody(12, 99999998), record(13), nobody(14, 99999999)];
  const skip = { status: "skipped", reason: "not_a_person", message: "a scan of nobody enrolled, not an employee's check-in" };

  test.each([
    ["both people delivered: the trailing placeholder settles too", [ok, ok], [ok, skip, ok, skip], 14],
    ["the second person failed: the prefix ends there", [ok, down], [ok, skip, down], 12],
    ["the first person failed: nothing settled", [down], [down], 10],
    ["the remote stopped answering after the first person", [ok], [ok, skip], 12],
    ["no answer at all", [], [], 10],
  ] satisfies Array<[string, RecordOutcome[], object[], number]>)("%s", (_, answered, outcomes, cursor) => {
    expect(withPlaceholders(batch, answered)).toEqual(outcomes as RecordOutcome[]);
    expect(settledPrefix(batch, withPlaceholders(batch, answered), 10).cursor).toBe(cursor);
  });

  test("a batch of placeholders alone settles whole without an answer", () => {
    const s = settledPrefix([nobody(21, 99999999), nobody(22, 99999998)], withPlaceholders([nobody(21, 99999999), nobody(22, 99999998)], []), 20);
    expect([s.cursor, s.delivered, s.skipped, s.failure]).toEqual([22, 0, { not_a_person: 2 }, null]);
  });

  test("property: without placeholders nothing changes; with them, the people settle as answered and each placeholder up to the cursor counts once", () => {
    const outcome = fc.oneof(
      fc.constant<RecordOutcome>(ok),
      fc.constant<RecordOutcome>(dup),
      fc.boolean().map((retryable): RecordOutcome => ({ status: "failed", retryable, error: "down" })),
    );
    fc.assert(
      fc.property(fc.array(fc.constantFrom(7, 99999998, 99999999), { maxLength: 20 }), fc.array(outcome, { maxLength: 20 }), (enrollids, answered) => {
        const recs = enrollids.map((e, i) => nobody(101 + i, e));
        const people = recs.filter((r) => r.enrollid === 7);
        const all = settledPrefix(recs, withPlaceholders(recs, answered), 100);
        const alone = settledPrefix(people, answered, 100);
        if (people.length === recs.length) expect(all).toEqual(alone);
        expect([all.delivered, all.skipped.duplicate ?? 0, all.failure?.record.id ?? null]).toEqual([alone.delivered, alone.skipped.duplicate ?? 0, alone.failure?.record.id ?? null]);
        expect(all.skipped.not_a_person ?? 0).toBe(recs.filter((r) => r.enrollid !== 7 && r.id <= all.cursor).length);
        // Past every person the remote settled: stopped only by a person it failed or did not answer.
        const stop = all.failure?.record.id ?? people.find((r) => r.id > alone.cursor)?.id ?? Infinity;
        expect(all.cursor).toBe(Math.max(100, ...recs.filter((r) => r.id < stop).map((r) => r.id)));
      }),
    );
  });
});
