import { expect, test } from "bun:test";
import { normalize } from "../../src/protocol/normalize.ts";

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
