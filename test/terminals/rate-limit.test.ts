import { describe, expect, test } from "bun:test";
import { NewTerminalRate, TokenBucket } from "../../src/terminals/rate-limit.ts";

describe("TokenBucket", () => {
  test("has() looks without taking; take() takes; tokens come back at the rate", () => {
    const b = new TokenBucket({ perSecond: 1, burst: 2 }, 0);
    expect([b.has(0), b.take(0), b.has(0), b.take(0), b.has(0), b.take(0)]).toEqual([true, true, true, true, false, false]);
    expect([b.has(999), b.has(1000), b.take(1000), b.take(1000)]).toEqual([false, true, true, false]);
  });

  test("a rate of 0 never limits", () => {
    const b = new TokenBucket({ perSecond: 0, burst: 0 }, 0);
    expect(Array.from({ length: 5 }, () => b.take(0))).toEqual([true, true, true, true, true]);
  });
});

describe("NewTerminalRate", () => {
  test("per address: a burst of perMinute, then one every 60/perMinute s; other addresses unaffected", () => {
    const r = new NewTerminalRate(2);
    expect(r.admits("a", 0)).toBe(true);
    r.charge("a", 0);
    expect(r.admits("a", 0)).toBe(true);
    r.charge("a", 0);
    expect([r.admits("a", 0), r.admits("a", 29_999), r.admits("b", 0)]).toEqual([false, false, true]);
    expect(r.admits("a", 30_001)).toBe(true);
  });
});
