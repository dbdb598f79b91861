import { expect, test } from "bun:test";
import fc from "fast-check";
import { Writable } from "node:stream";
import pino from "pino";
import { truncateText } from "../../src/lib/truncate.ts";
import { boundLogFields, MAX_LOG_FIELDS_CHARS, MAX_LOG_VALUE_CHARS } from "../../src/obs/log-bounds.ts";
import { WarnLimiter } from "../../src/obs/warn-limiter.ts";

test("a long value is cut, with the count of what was cut", () => {
  expect(truncateText("x".repeat(MAX_LOG_VALUE_CHARS), MAX_LOG_VALUE_CHARS)).toBe("x".repeat(MAX_LOG_VALUE_CHARS));
  expect(truncateText("y".repeat(1_000_000), MAX_LOG_VALUE_CHARS)).toBe(`${"y".repeat(MAX_LOG_VALUE_CHARS)}…[${1_000_000 - MAX_LOG_VALUE_CHARS} more chars]`);
});

test("fields are bounded at every depth, and fields past the line budget are named instead", () => {
  const out = boundLogFields({ sn: "S".repeat(1_000_000), nested: { list: Array.from({ length: 1000 }, () => "z".repeat(1000)) }, count: 3 });
  expect(String(out.sn).length).toBeLessThan(MAX_LOG_VALUE_CHARS + 40);
  expect(out.count).toBe(3);
  expect(JSON.stringify(out).length).toBeLessThanOrEqual(MAX_LOG_FIELDS_CHARS + 200);
  const err = new Error("kept");
  expect(boundLogFields({ err }).err).toBe(err);
});

test("property: whatever the fields, a bounded line stays within a few KB", () => {
  fc.assert(
    fc.property(fc.dictionary(fc.string({ maxLength: 2000 }), fc.anything({ maxDepth: 6, maxKeys: 50 })), (fields) => {
      expect(JSON.stringify(boundLogFields(fields)).length).toBeLessThanOrEqual(MAX_LOG_FIELDS_CHARS + 2000);
    }),
    { numRuns: 300 },
  );
});

test("pino with the bound formatter writes a 1 MB value as a line of a few hundred bytes", async () => {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
  const log = pino({ formatters: { log: boundLogFields } }, sink);
  log.warn({ sn: "A".repeat(1 << 20), reason: `time: ${"9".repeat(1 << 20)}` }, "invalid reg");
  await Bun.sleep(10);
  expect(lines.length).toBe(1);
  expect(lines[0]?.length).toBeLessThan(1000);
});

test("warn limiter: a few per window, then counted; the count rides on the next one written", () => {
  const w = new WarnLimiter({ perWindow: 3, windowMs: 1000 });
  expect([0, 1, 2, 3, 4].map((i) => w.admit("T1", i))).toEqual([0, 0, 0, null, null]);
  expect(w.admit("T2", 5)).toBe(0);
  expect(w.admit("T1", 1000)).toBe(2);
  expect(w.admit("T1", 1001)).toBe(0);
});

test("property: per key, at most twice perWindow written in any span of windowMs, and every suppressed one counted", () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.constantFrom("a", "b"), fc.nat(50)), { maxLength: 300 }), (steps) => {
      const w = new WarnLimiter({ perWindow: 2, windowMs: 100 });
      let now = 0;
      const written: Record<string, number[]> = { a: [], b: [] };
      let admitted = 0;
      let suppressed = 0;
      for (const [key, dt] of steps) {
        now += dt;
        const r = w.admit(key, now);
        if (r === null) suppressed++;
        else {
          admitted++;
          suppressed -= r;
          written[key]?.push(now);
        }
      }
      // What was suppressed and not yet reported is still pending, never negative.
      expect(suppressed).toBeGreaterThanOrEqual(0);
      expect(admitted).toBeLessThanOrEqual(steps.length);
      for (const times of Object.values(written)) {
        for (let i = 4; i < times.length; i++) expect((times[i] ?? 0) - (times[i - 4] ?? 0)).toBeGreaterThanOrEqual(100);
      }
    }),
  );
});
