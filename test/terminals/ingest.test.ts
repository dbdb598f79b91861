import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { decodeFrame } from "../../src/protocol/codec.ts";
import { sendlogMessage } from "../../src/protocol/messages.ts";
import { normalize } from "../../src/protocol/normalize.ts";
import { SiteClock } from "../../src/protocol/time.ts";
import { splitRecords, type SplitRecords } from "../../src/terminals/ingest.ts";
import { loadCapture, TH900 } from "../helpers/captures.ts";
import { mutatedJson, mutatedText } from "../helpers/mutate.ts";

const clock = new SiteClock("Asia/Tokyo");
const TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

/** As the connection calls it: normalised records, raw ones for quarantine. */
const split = (raw: unknown[]) => splitRecords(normalize(raw) as unknown[], raw, clock, "sendlog");

describe("splitRecords", () => {
  test("a note with fields marks the punch as a scanned code (for the live decision); the note itself is not kept", () => {
    const raw = [
      { enrollid: 99999998, name: "ANDREA", time: "2021-10-13 16:19:20", mode: 18, inout: 0, event: 0, note: { fn: "GIACOBAZZI", gn: "ANDREA", dob: "1970-09-15" } },
      { enrollid: 99999999, name: "", time: "2021-09-02 11:37:03", mode: 8, inout: 0, event: 0, note: {} },
      { enrollid: 99999999, time: "2021-09-02 11:38:03", mode: 18, note: { fn: "x".repeat(300) } },
    ];
    expect(split(raw).punches).toEqual([
      { enrollid: 99999998, time: "2021-10-13 16:19:20", ts: Date.UTC(2021, 9, 13, 7, 19, 20), mode: 18, inout: 0, event: 0, scannedCode: true },
      { enrollid: 99999999, time: "2021-09-02 11:37:03", ts: Date.UTC(2021, 8, 2, 2, 37, 3), mode: 8, inout: 0, event: 0 },
      { enrollid: 99999999, time: "2021-09-02 11:38:03", ts: Date.UTC(2021, 8, 2, 2, 38, 3), mode: 18, inout: 0, event: 0 },
    ]);
  });

  test("good records become punches in the site zone; bad ones are quarantined raw, with index and reason", () => {
    const raw = [
      { enrollid: 7, time: "2026-01-05 08:00:00", mode: 1, inout: 0, event: 0 },
      { enrollid: 7, time: "2026-13-05 08:00:00", mode: 1 },
      { " enrollid ": " 8 ", time: "2026-1-5 8:01:00", mode: "8", inout: 1, temp: "36.5", verifymode: 13, image: "data:image/jpeg;base64,/9j/AA==" },
      { enrollid: 0, time: "2026-01-05 08:02:00", event: 5 },
      "garbage",
      { enrollid: -4, time: "2026-01-05 08:03:00" },
    ];
    expect(split(raw)).toEqual({
      punches: [
        { enrollid: 7, time: "2026-01-05 08:00:00", ts: Date.UTC(2026, 0, 4, 23, 0, 0), mode: 1, inout: 0, event: 0 },
        { enrollid: 8, time: "2026-01-05 08:01:00", ts: Date.UTC(2026, 0, 4, 23, 1, 0), mode: 8, inout: 1, event: 0, verifymode: 13, temp: 36.5, image: "/9j/AA==" },
        { enrollid: 0, time: "2026-01-05 08:02:00", ts: Date.UTC(2026, 0, 4, 23, 2, 0), mode: 0, inout: 0, event: 5 },
      ],
      quarantine: [
        { kind: "sendlog", raw: JSON.stringify(raw[1]), reason: 'record[1] time: not a valid time: "2026-13-05 08:00:00"' },
        { kind: "sendlog", raw: '"garbage"', reason: expect.stringMatching(/^record\[4\] /) },
        { kind: "sendlog", raw: JSON.stringify(raw[5]), reason: "record[5] enrollid: enrollid is negative" },
      ],
    });
  });

  test("an empty image is no photo; the kind is passed through", () => {
    const r = splitRecords([{ enrollid: 1, time: "2026-01-05 08:00:00", image: "" }, {}], [], clock, "getnewlog");
    expect(r.punches[0]).toEqual({ enrollid: 1, time: "2026-01-05 08:00:00", ts: Date.UTC(2026, 0, 4, 23), mode: 0, inout: 0, event: 0 });
    expect(r.quarantine).toEqual([{ kind: "getnewlog", raw: "{}", reason: expect.stringMatching(/^record\[1\] enrollid: /) }]);
  });
});

/** The promise of the splitter: every record lands on one side, nothing throws. */
function accountsForAll(records: unknown[], r: SplitRecords): boolean {
  expect(r.punches.length + r.quarantine.length).toBe(records.length);
  for (const p of r.punches) {
    expect(p.time).toMatch(TIME);
    expect(Number.isSafeInteger(p.ts)).toBe(true);
    expect(Number.isInteger(p.enrollid) && p.enrollid >= 0).toBe(true);
  }
  for (const q of r.quarantine) {
    expect(q.reason).toMatch(/^record\[\d+\] ./);
    expect(() => JSON.parse(q.raw)).not.toThrow();
  }
  return true;
}

const digits = (n: number, pad: boolean) => (pad && n < 10 ? `0${n}` : String(n));
/** Valid records as firmware writes them: single-digit fields, numbers as strings, padded keys. */
const validRecord = fc
  .record({
    enrollid: fc.integer({ min: 0, max: 99_999_999 }),
    year: fc.integer({ min: 2000, max: 2099 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 28 }),
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.integer({ min: 0, max: 59 }),
    second: fc.integer({ min: 0, max: 59 }),
    pad: fc.boolean(),
    mode: fc.integer({ min: 0, max: 20 }),
    inout: fc.integer({ min: 0, max: 7 }),
    event: fc.integer({ min: 0, max: 16 }),
    asStrings: fc.boolean(),
    padKeys: fc.boolean(),
  })
  .map((v) => {
    const time = `${v.year}-${digits(v.month, v.pad)}-${digits(v.day, v.pad)} ${digits(v.hour, v.pad)}:${digits(v.minute, v.pad)}:${digits(v.second, v.pad)}`;
    const n = (x: number) => (v.asStrings ? String(x) : x);
    const key = (k: string) => (v.padKeys ? ` ${k} ` : k);
    return {
      record: { [key("enrollid")]: n(v.enrollid), [key("time")]: time, [key("mode")]: n(v.mode), [key("inout")]: n(v.inout), [key("event")]: n(v.event) },
      expected: {
        enrollid: v.enrollid,
        time: `${v.year}-${digits(v.month, true)}-${digits(v.day, true)} ${digits(v.hour, true)}:${digits(v.minute, true)}:${digits(v.second, true)}`,
        mode: v.mode,
        inout: v.inout,
        event: v.event,
      },
    };
  });

describe("splitRecords properties", () => {
  test("valid records in any firmware spelling all become exact punches", () => {
    fc.assert(
      fc.property(fc.array(validRecord, { maxLength: 20 }), (items) => {
        const r = split(items.map((i) => i.record));
        expect(r.quarantine).toEqual([]);
        expect(r.punches.map(({ ts: _ts, ...p }) => p)).toEqual(items.map((i) => i.expected));
        return accountsForAll(items, r);
      }),
      { numRuns: 500 },
    );
  });

  test("arbitrary JSON records never throw and are all accounted for", () => {
    fc.assert(fc.property(fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 20 }), (records) => accountsForAll(records, split(records))), { numRuns: 1000 });
  });

  test("mixed valid and arbitrary records: the valid ones are never lost", () => {
    const item = fc.oneof(validRecord.map((v) => ({ valid: true, ...v })), fc.jsonValue({ maxDepth: 2 }).map((j) => ({ valid: false, record: j, expected: null })));
    fc.assert(
      fc.property(fc.array(item, { maxLength: 20 }), (items) => {
        const r = split(items.map((i) => i.record));
        const valid = items.filter((i) => i.valid).map((i) => i.expected);
        // Arbitrary values can happen to be valid records too; the valid ones are a subset in order.
        const got = r.punches.map(({ ts: _ts, verifymode: _v, temp: _t, image: _i, ...p }) => JSON.stringify(p));
        let at = 0;
        for (const v of valid) {
          at = got.indexOf(JSON.stringify(v), at);
          expect(at).toBeGreaterThanOrEqual(0);
          at++;
        }
        return accountsForAll(items, r);
      }),
      { numRuns: 500 },
    );
  });

  test("mutated captured sendlog frames: decode, envelope and split never throw", () => {
    const frames = loadCapture(TH900)
      .filter((c) => c.dir === "t2s" && (c.frame.includes('"sendlog"') || c.frame.includes('"getnewlog"')))
      .map((c) => c.frame);
    expect(frames.length).toBe(2);
    const through = (text: string) => {
      const f = decodeFrame(text);
      if (!f.ok) return true;
      const env = sendlogMessage.safeParse({ ...f.body, cmd: "sendlog" });
      if (!env.success) return true;
      const raw = Array.isArray(f.raw.record) ? f.raw.record : [];
      return accountsForAll(env.data.record, splitRecords(env.data.record, raw, clock, "sendlog"));
    };
    for (const frame of frames) {
      fc.assert(fc.property(mutatedJson(frame), through), { numRuns: 500 });
      fc.assert(fc.property(mutatedText(frame), through), { numRuns: 300 });
    }
  });
});
