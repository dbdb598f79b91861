import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { siteTimeParam } from "../../../src/http/biotime/api.ts";
import { signJwt, verifyJwt } from "../../../src/http/biotime/jwt.ts";
import { listBody, MAX_PAGE_SIZE, pageRequest, pastTheEnd } from "../../../src/http/biotime/pages.ts";

const KEY = Buffer.alloc(32, 7);

describe("JWT (HS256)", () => {
  test("a signed token verifies until exp; another key, another header or a changed payload does not", () => {
    const jwt = signJwt(KEY, { th: "abc", exp: 1000 });
    expect(verifyJwt(KEY, jwt, 999)).toEqual({ ok: true, claims: { th: "abc", exp: 1000 } });
    expect(verifyJwt(KEY, jwt, 1000)).toEqual({ ok: false, reason: "expired" });
    expect(verifyJwt(Buffer.alloc(32, 8), jwt, 0)).toEqual({ ok: false, reason: "invalid" });
    const [h, p, s] = jwt.split(".");
    const none = `${Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url")}.${p}.`;
    expect(verifyJwt(KEY, none, 0).ok).toBe(false);
    const longer = `${h}.${Buffer.from(JSON.stringify({ th: "abc", exp: 99999 })).toString("base64url")}.${s}`;
    expect(verifyJwt(KEY, longer, 0)).toEqual({ ok: false, reason: "invalid" });
  });

  test("any text is refused without throwing", () => {
    fc.assert(fc.property(fc.string(), (text) => verifyJwt(KEY, text, 0).ok === false));
  });
});

describe("pages", () => {
  test.each([
    [{}, { page: 1, size: 10, offset: 0 }],
    [{ page: "3", page_size: "25" }, { page: 3, size: 25, offset: 50 }],
    [{ page_size: "0" }, { page: 1, size: 10, offset: 0 }],
    [{ page_size: "abc" }, { page: 1, size: 10, offset: 0 }],
    [{ page_size: "99999999" }, { page: 1, size: MAX_PAGE_SIZE, offset: 0 }],
    [{ page: "0" }, null],
    [{ page: "-1" }, null],
    [{ page: "last" }, null],
  ] as Array<[Record<string, string>, unknown]>)("%j → %j", (query, expected) => {
    expect(pageRequest(query)).toEqual(expected as never);
  });

  test("next and previous keep the query, drop page for the first page, and are null at the ends", () => {
    const url = "http://box:7788/iclock/api/transactions/?emp_code=7&page=2&page_size=5";
    const p = pageRequest({ page: "2", page_size: "5" });
    if (!p) throw new Error("no page");
    expect(listBody(url, p, 12, [])).toEqual({
      count: 12,
      next: "http://box:7788/iclock/api/transactions/?emp_code=7&page=3&page_size=5",
      previous: "http://box:7788/iclock/api/transactions/?emp_code=7&page_size=5",
      msg: "",
      code: 0,
      data: [],
    });
    expect(listBody(url, p, 10, []).next).toBeNull();
    expect(pastTheEnd(p, 5)).toBe(true);
    expect(pastTheEnd(p, 6)).toBe(false);
    expect(pastTheEnd({ page: 1, size: 10, offset: 0 }, 0)).toBe(false);
  });
});

describe("siteTimeParam", () => {
  test.each([
    ["2026-03-02 08:00:00", "2026-03-02 08:00:00"],
    ["2026-03-02T08:00:00", "2026-03-02 08:00:00"],
    ["2026-03-02 08:00", "2026-03-02 08:00:00"],
    ["2026-03-02", "2026-03-02 00:00:00"],
    ["2026-02-30 08:00:00", null],
    ["2026-03-02 24:00:00", null],
    ["yesterday", null],
    ["2026-03-02 08:00:00'; DROP TABLE attendance", null],
  ])("%s → %s", (text, expected) => {
    expect(siteTimeParam(text)).toBe(expected);
  });
});
