/** The one reading of a numeric id in a URL path (src/lib/path-id.ts), which the API and the UI share. */
import { describe, expect, test } from "bun:test";
import { AppError } from "../../src/lib/app-error.ts";
import { ID_MAX, parsePathId, pathId } from "../../src/lib/path-id.ts";
import { ENROLLID_MAX } from "../../src/protocol/index.ts";

describe("parsePathId", () => {
  const cases: Array<[string | undefined, number | null]> = [
    ["1", 1],
    ["7", 7],
    ["1000", 1000],
    ["2147483647", 2_147_483_647],
    ["2147483648", 2_147_483_648],
    ["9007199254740991", ID_MAX],
    ["9007199254740992", null],
    ["9007199254740993", null],
    ["12345678901234567", null],
    ["99999999999999999999", null],
    ["0", null],
    ["00", null],
    ["01", null],
    ["-1", null],
    ["+1", null],
    [" 1", null],
    ["1 ", null],
    ["1e3", null],
    ["1.0", null],
    ["1.", null],
    ["0x1", null],
    ["1_000", null],
    ["١", null],
    ["", null],
    ["abc", null],
    [undefined, null],
  ];
  for (const [raw, id] of cases) {
    test(`${JSON.stringify(raw)} → ${id}`, () => {
      expect(parsePathId(raw)).toBe(id);
    });
  }

  test("a smaller max: enroll ids end at 999999999", () => {
    expect(ENROLLID_MAX).toBe(999_999_999);
    expect(parsePathId("999999999", ENROLLID_MAX)).toBe(999_999_999);
    expect(parsePathId("1000000000", ENROLLID_MAX)).toBeNull();
  });
});

describe("pathId", () => {
  test("an id is returned; anything else is a 404 naming what was asked for", () => {
    expect(pathId("42", "job")).toBe(42);
    let thrown: unknown;
    try {
      pathId("1e3", "job");
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(AppError);
    expect([(thrown as AppError).status, (thrown as AppError).code, (thrown as AppError).message]).toEqual([404, "not_found", "no such job"]);
  });
});
