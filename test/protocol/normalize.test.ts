import { expect, test } from "bun:test";
import fc from "fast-check";
import { MAX_DEPTH, nestsDeeperThan, normalize, TooDeep } from "../../src/protocol/normalize.ts";

test("trims keys and string values at every depth", () => {
  expect(normalize({ " ret ": " getuserinfo ", record: [{ " enrollid ": " 8 ", name: "\tBen\n" }], nested: { " a": { "b ": " c " } } })).toEqual({
    ret: "getuserinfo",
    record: [{ enrollid: "8", name: "Ben" }],
    nested: { a: { b: "c" } },
  });
});

test("leaves numbers, booleans and null alone", () => {
  expect(normalize({ a: 1, b: -2.5, c: true, d: false, e: null, f: [0, null, "x "] })).toEqual({ a: 1, b: -2.5, c: true, d: false, e: null, f: [0, null, "x"] });
  expect(normalize(" top ")).toBe("top");
  expect(normalize(7)).toBe(7);
  expect(normalize(null)).toBeNull();
});

test("does not modify its input", () => {
  const input = { " k ": [" v "] };
  normalize(input);
  expect(input).toEqual({ " k ": [" v "] });
});

test("a padded key that collides with a plain one: the later one wins", () => {
  expect(normalize(JSON.parse('{"cmd":"a"," cmd ":"b"}'))).toEqual({ cmd: "b" });
});

test("what needs no trimming comes back as it is; a changed part is copied, its clean siblings shared", () => {
  const clean = { cmd: "sendlog", record: [{ enrollid: 1, time: "2026-01-05 08:00:00" }] };
  expect(normalize(clean)).toBe(clean);
  const padded = { cmd: "sendlog ", record: clean.record };
  const out = normalize(padded) as typeof clean;
  expect(out).toEqual({ cmd: "sendlog", record: clean.record });
  expect(out.record).toBe(clean.record);
  expect(normalize(JSON.parse('{"__proto__":{"x":1},"a":1}'))).toEqual(JSON.parse(JSON.stringify({ a: 1 })));
});

test("a value nested deeper than MAX_DEPTH throws TooDeep, however deep (no stack overflow)", () => {
  const nest = (depth: number): unknown => {
    let v: unknown = "x ";
    for (let i = 0; i < depth; i++) v = i % 2 === 0 ? { a: v } : [v];
    return v;
  };
  expect(normalize(nest(MAX_DEPTH))).toBeDefined();
  expect(() => normalize(nest(MAX_DEPTH + 1))).toThrow(TooDeep);
  expect(() => normalize(nest(1_000_000))).toThrow(TooDeep);
});

test("property: nestsDeeperThan counts the nesting of any JSON text, brackets and quotes inside strings aside", () => {
  const depthOf = (v: unknown): number =>
    v !== null && typeof v === "object" ? 1 + Math.max(0, ...Object.values(v as Record<string, unknown>).map(depthOf)) : 0;
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 8 }), fc.nat(9), (value, max) => {
      const text = JSON.stringify(value);
      expect(nestsDeeperThan(text, max)).toBe(depthOf(value) > max);
    }),
    { numRuns: 2000 },
  );
  expect(nestsDeeperThan(`{"a":"[[[[\\\\\\"{{{{","b":[]}`, 1)).toBe(true);
  expect(nestsDeeperThan(`{"a":"[[[[\\\\\\"{{{{","b":1}`, 1)).toBe(false);
});
