import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { z } from "zod";
import {
  DEVINFO_DROPPED_KEY,
  DEVINFO_EXTRA_BYTES,
  DEVINFO_TEXT_CHARS,
  describeError,
  devinfo,
  int,
  isPlaceholderEnrollid,
  type LogNote,
  logRecord,
  NOTE_FIELDS,
  NOTE_KEY_CHARS,
  NOTE_TEXT_CHARS,
  PLACEHOLDER_ENROLLIDS,
  parseLogRecord,
  plainLogRecord,
  regMessage,
  sendlogMessage,
  sendqrcodeMessage,
  senduserMessage,
  serialNumber,
} from "../../src/protocol/messages.ts";

const errorOf = (schema: z.ZodType, value: unknown) => {
  const r = schema.safeParse(value);
  return r.success ? null : describeError(r.error);
};

describe("int", () => {
  test("accepts integers and integer strings", () => {
    for (const [input, out] of [[0, 0], [-3, -3], ["0", 0], ["42", 42], ["-7", -7], ["123456789012345", 123456789012345]] as const) {
      expect(int.parse(input)).toBe(out);
    }
  });
  test("rejects everything else", () => {
    for (const input of [1.5, "1.5", "", " ", "1e3", "0x10", "abc", "1234567890123456", null, true, [], {}, Number.NaN]) {
      expect(int.safeParse(input).success).toBe(false);
    }
  });
});

describe("serialNumber", () => {
  test("printable ASCII, 1 to 64 characters", () => {
    expect(serialNumber.parse("ZYTI25116685")).toBe("ZYTI25116685");
    expect(serialNumber.parse("x".repeat(64))).toBe("x".repeat(64));
    expect(errorOf(serialNumber, "")).toBe("sn is empty");
    expect(errorOf(serialNumber, "x".repeat(65))).toBe("sn is longer than 64 characters");
    expect(errorOf(serialNumber, "ZY TI")).toBe("sn has characters outside printable ASCII");
    expect(errorOf(serialNumber, "ZYTÍ")).toBe("sn has characters outside printable ASCII");
    expect(errorOf(serialNumber, "ZY\u0000TI")).toBe("sn has characters outside printable ASCII");
    expect(errorOf(serialNumber, "ZY\nTI")).toBe("sn has characters outside printable ASCII");
  });

  test("nothing a URL path would take apart: no . or .., no / \\ % ? #", () => {
    for (const sn of [".", ".."]) expect(errorOf(serialNumber, sn)).toBe("sn may not be . or ..");
    for (const sn of ["a/b", "../x", "..\\x", "%2e%2e", "a?b", "a#b", "/"]) expect(errorOf(serialNumber, sn)).toBe("sn may not contain / \\ % ? or #");
    for (const sn of ["...", ".x", "ZX-0006.8275_00", "a:b", "a@b"]) expect(serialNumber.parse(sn)).toBe(sn);
  });
});

describe("reg", () => {
  test("devinfo: known fields read (numeric strings coerced), unknown kept, bad ones dropped", () => {
    const msg = regMessage.parse({
      cmd: "reg",
      sn: "ZX1",
      cpusn: "C1",
      devinfo: { modelname: "tfs30", usersize: "3000", useduser: 2, fpsize: "lots", firmware: 5, facesize: 100, curip: "10.0.0.9", custom: [1] },
    });
    expect(msg).toEqual({
      cmd: "reg",
      sn: "ZX1",
      cpusn: "C1",
      devinfo: { modelname: "tfs30", usersize: 3000, useduser: 2, fpsize: undefined, firmware: undefined, facesize: 100, curip: "10.0.0.9", custom: [1] },
    });
  });

  test("a devinfo that is not an object is dropped, not fatal; the sn is required", () => {
    expect(regMessage.parse({ cmd: "reg", sn: "ZX1", devinfo: "broken" })).toEqual({ cmd: "reg", sn: "ZX1", devinfo: undefined });
    expect(errorOf(regMessage, { cmd: "reg" })).toMatch(/^sn: /);
    expect(errorOf(regMessage, { cmd: "reg", sn: 12 })).toMatch(/^sn: /);
  });

  test("devinfo alone keeps the whole object", () => {
    const whole = { usedpalm: "4", manufacturer: "x", deep: { a: 1 } };
    expect(devinfo.parse(whole)).toEqual({ usedpalm: 4, manufacturer: "x", deep: { a: 1 } });
  });

  test("devinfo is bounded: texts cut, unknown fields kept up to the budget, the rest dropped and counted", () => {
    const long = "m".repeat(500);
    const cases: Array<[Record<string, unknown>, Record<string, unknown>]> = [
      [{ modelname: long, firmware: "v1" }, { modelname: "m".repeat(DEVINFO_TEXT_CHARS), firmware: "v1" }],
      [{ extra: long }, { extra: "m".repeat(DEVINFO_TEXT_CHARS) }],
      [{ ["k".repeat(DEVINFO_TEXT_CHARS + 1)]: 1, ok: 2 }, { ok: 2, [DEVINFO_DROPPED_KEY]: 1 }],
      [{ nested: { a: long.repeat(2) }, n: true }, { n: true, [DEVINFO_DROPPED_KEY]: 1 }],
      [{ [DEVINFO_DROPPED_KEY]: 99, usedlog: "5" }, { usedlog: 5 }],
    ];
    for (const [input, kept] of cases) expect({ ...devinfo.parse(input) }).toEqual(kept);

    // A 100 kB devinfo: every known field, and unknown ones only within the budget.
    const flood: Record<string, unknown> = { modelname: "tfs30", usersize: 3000 };
    for (let i = 0; i < 1000; i++) flood[`field${i}`] = "x".repeat(100);
    const bounded = devinfo.parse(flood);
    const extra = Object.keys(bounded).filter((k) => k.startsWith("field"));
    expect(bounded.modelname).toBe("tfs30");
    expect(bounded.usersize).toBe(3000);
    expect(extra).toEqual(extra.map((_, i) => `field${i}`));
    expect(JSON.stringify(Object.fromEntries(extra.map((k) => [k, bounded[k]]))).length).toBeLessThanOrEqual(DEVINFO_EXTRA_BYTES);
    expect(bounded[DEVINFO_DROPPED_KEY]).toBe(1000 - extra.length);
    expect(JSON.stringify(bounded).length).toBeLessThan(DEVINFO_EXTRA_BYTES + 200);
  });
});

describe("sendlog", () => {
  test("the envelope: record must be an array; count and logindex kept as sent", () => {
    expect(sendlogMessage.parse({ cmd: "sendlog", sn: "A", count: "2", logindex: null, record: [1, "x"] })).toEqual({
      cmd: "sendlog", sn: "A", count: "2", logindex: null, record: [1, "x"],
    });
    expect(errorOf(sendlogMessage, { cmd: "sendlog", record: {} })).toMatch(/^record: /);
    expect(errorOf(sendlogMessage, { cmd: "sendlog" })).toMatch(/^record: /);
  });

  test("a record: numeric strings coerced, defaults for mode/inout/event, optional fields", () => {
    expect(logRecord.parse({ enrollid: "8", time: "2026-1-5 8:01:00", mode: "8", inout: 1 })).toEqual({
      enrollid: 8, time: "2026-01-05 08:01:00", mode: 8, inout: 1, event: 0,
    });
    expect(logRecord.parse({ enrollid: 1, time: "2026-01-05 08:00:00", temp: "36.6", verifymode: "13", image: "data:image/jpeg;base64,AA", name: "Ben", note: {} })).toEqual({
      enrollid: 1, time: "2026-01-05 08:00:00", mode: 0, inout: 0, event: 0, temp: 36.6, verifymode: 13, image: "data:image/jpeg;base64,AA", name: "Ben", note: {},
    });
  });

  // PROTOCOL.md §7.5, the records as an AI03F unit sent them (wire CS, 2021, image left out).
  const HEALTH_PASS = {
    expiration: 1683849600, issued_at: 1625242315, du: "2021-08-21", co: "IT", ci: "01IT8782B39B0A7348298630FCB3F9D30E1E#8", is: "Ministero della Salute",
    tg: "840539006", df: "2021-03-17", fr: "2021-02-22", fn: "GIACOBAZZI", gn: "ANDREA", dob: "1970-09-15",
  };
  const wide = Object.fromEntries(Array.from({ length: NOTE_FIELDS + 1 }, (_, i) => [`f${i}`, i]));
  const full = Object.fromEntries(Array.from({ length: NOTE_FIELDS }, (_, i) => [`f${i}`, "x".repeat(NOTE_TEXT_CHARS)]));
  const NOTES: Array<[string, unknown, LogNote | undefined]> = [
    ["a health pass's decoded fields (placeholder 99999998)", HEALTH_PASS, HEALTH_PASS],
    ["empty (a face record)", {}, {}],
    ["booleans kept", { valid: true }, { valid: true }],
    ["at the bounds", full, full],
    ["one field too many", wide, undefined],
    ["a text value too long", { fn: "x".repeat(NOTE_TEXT_CHARS + 1) }, undefined],
    ["a field name too long", { ["k".repeat(NOTE_KEY_CHARS + 1)]: 1 }, undefined],
    ["a nested value", { dcc: { fn: "A" } }, undefined],
    ["null inside", { fn: null }, undefined],
    ["a text (no source shows one)", "TM20-ABC", undefined],
    ["an array", [1], undefined],
    ["null", null, undefined],
  ];
  test.each(NOTES)("a record's note: %s", (_, note, kept) => {
    const record = { enrollid: 99999998, name: "ANDREA", time: "2021-10-13 16:19:20", mode: 18, inout: 0, event: 0, note };
    const expected = { enrollid: 99999998, name: "ANDREA", time: "2021-10-13 16:19:20", mode: 18, inout: 0, event: 0, note: kept };
    // The record is kept whatever its note: only the note goes.
    expect(logRecord.parse(record)).toEqual(expected);
    expect(parseLogRecord(record)).toEqual({ success: true, data: expected });
  });

  test("placeholder enrollids: 99999998 and 99999999 only", () => {
    expect(PLACEHOLDER_ENROLLIDS).toEqual([99999998, 99999999]);
    expect([0, 1, 99999997, 99999998, 99999999, 100000000].map(isPlaceholderEnrollid)).toEqual([false, false, false, true, true, false]);
  });

  test("a bad optional field is dropped; a bad identity field is an error naming it", () => {
    expect(logRecord.parse({ enrollid: 1, time: "2026-01-05 08:00:00", temp: "hot", verifymode: "x", image: 5 })).toEqual({
      enrollid: 1, time: "2026-01-05 08:00:00", mode: 0, inout: 0, event: 0, temp: undefined, verifymode: undefined, image: undefined,
    });
    expect(errorOf(logRecord, { enrollid: -1, time: "2026-01-05 08:00:00" })).toBe("enrollid: enrollid is negative");
    expect(errorOf(logRecord, { time: "2026-01-05 08:00:00" })).toMatch(/^enrollid: /);
    expect(errorOf(logRecord, { enrollid: 1, time: "2026-02-30 08:00:00" })).toBe('time: not a valid time: "2026-02-30 08:00:00"');
    expect(errorOf(logRecord, { enrollid: 1, time: 20260105 })).toMatch(/^time: /);
    expect(errorOf(logRecord, { enrollid: 1, time: "2026-01-05 08:00:00", mode: "fp" })).toMatch(/^mode: /);
    expect(errorOf(logRecord, "not a record")).not.toBeNull();
  });

  test("the plain (zod-free) record check never takes what zod refuses, and reads what it takes as zod does", () => {
    const value = fc.oneof(
      fc.integer({ min: -3, max: 600 }),
      fc.constantFrom(0, -0, 1.5, 2 ** 53, -(2 ** 53), Number.NaN, Number.POSITIVE_INFINITY, null, true, "", " 1", "1e3", "-0", "36.6", "-1", "1234567890123456", "x"),
      fc.integer({ min: -5, max: 99 }).map(String),
      fc.constantFrom("2026-01-05 08:00:00", "2026-1-5 8:0:0", "2026-02-29 08:00:00", "2024-02-29 23:59:59", "0999-01-01 00:00:00", "2026-01-05T08:00:00", "2026-01-05 24:00:00"),
      fc.anything(),
    );
    const note = fc.oneof(
      fc.constant({}),
      fc.dictionary(fc.string({ maxLength: NOTE_KEY_CHARS + 2 }), fc.oneof(fc.string({ maxLength: 20 }), fc.double(), fc.boolean(), fc.constant(null), fc.constant("x".repeat(NOTE_TEXT_CHARS + 1))), { maxKeys: NOTE_FIELDS + 2 }),
    );
    const likely = (good: fc.Arbitrary<unknown>) => fc.oneof({ arbitrary: good, weight: 3 }, { arbitrary: value, weight: 1 });
    const record = fc.oneof(
      fc.record(
        { enrollid: likely(fc.nat(600)), time: likely(fc.constant("2026-01-05 08:00:00")), mode: value, inout: value, event: value, temp: value, verifymode: value, image: value, name: value, note: likely(note), extra: value },
        { requiredKeys: [] },
      ),
      fc.anything(),
    );
    const defined = (o: object) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
    let plain = 0;
    fc.assert(
      fc.property(record, (r) => {
        const fast = plainLogRecord(r);
        const zod = logRecord.safeParse(r);
        if (fast === null) return;
        plain++;
        expect(zod.success).toBe(true);
        if (zod.success) expect(defined(fast)).toEqual(defined(zod.data));
      }),
      { numRuns: 20_000 },
    );
    // The property is not vacuous: plenty of records take the plain path.
    expect(plain).toBeGreaterThan(300);
    const typical = { enrollid: 7, time: "2026-01-05 08:00:00", mode: 1, inout: 0, event: 0 };
    expect(plainLogRecord(typical)).toEqual({ ...typical });
    expect(parseLogRecord({ enrollid: -1, time: "2026-01-05 08:00:00" })).toEqual(logRecord.safeParse({ enrollid: -1, time: "2026-01-05 08:00:00" }));
  });
});

describe("senduser", () => {
  const base = { cmd: "senduser" as const, sn: "A", enrollid: 1, name: "Ben", backupnum: 0, admin: 0, record: "c523(200)ff" };
  test("a credential; admin as a string; a numeric record becomes text", () => {
    expect(senduserMessage.parse({ ...base, admin: "2", backupnum: "11", record: 12345678 })).toEqual({ ...base, admin: 2, backupnum: 11, record: "12345678" });
    const { admin: _admin, name: _name, ...minimal } = base;
    expect(senduserMessage.parse(minimal)).toEqual({ ...minimal, admin: 0 });
  });
  test("range checks name the field", () => {
    expect(errorOf(senduserMessage, { ...base, enrollid: 0 })).toBe("enrollid: enrollid must be positive");
    expect(errorOf(senduserMessage, { ...base, backupnum: 100 })).toBe("backupnum: backupnum out of range");
    expect(errorOf(senduserMessage, { ...base, admin: 3 })).toBe("admin: admin must be 0, 1 or 2");
    expect(errorOf(senduserMessage, { ...base, name: "x".repeat(65) })).toMatch(/^name: /);
    expect(errorOf(senduserMessage, { ...base, record: null })).toMatch(/^record: /);
  });
});

test("sendqrcode: the code as text", () => {
  expect(sendqrcodeMessage.parse({ cmd: "sendqrcode", sn: "A", record: 1234 })).toEqual({ cmd: "sendqrcode", sn: "A", record: "1234" });
  expect(errorOf(sendqrcodeMessage, { cmd: "sendqrcode" })).toMatch(/^record: /);
});

test("describeError: the first issue, with its path", () => {
  const r = z.object({ a: z.object({ b: z.number() }) }).safeParse({ a: { b: "x" } });
  expect(r.success).toBe(false);
  if (!r.success) expect(describeError(r.error)).toMatch(/^a\.b: /);
  const top = z.number().safeParse("x");
  // In words, not zod's own ("Invalid input: expected number, received string").
  if (!top.success) expect(describeError(top.error)).toBe("must be a number");
});
