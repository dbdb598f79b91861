import { expect, test } from "bun:test";
import { LoginLimiter } from "../../src/auth/login-limiter.ts";

function limiter(maxPerUser = 5, maxPerAddress = 30) {
  let now = 1_000_000;
  const l = new LoginLimiter({ windowMs: 15 * 60_000, maxPerUser, maxPerAddress, now: () => now });
  return { l, advance: (ms: number) => void (now += ms) };
}

test("attempts in flight count: a burst of 25 gets 5 checked, the rest wait", () => {
  const { l } = limiter();
  const decisions = Array.from({ length: 25 }, () => l.start("ada", "10.0.0.1"));
  expect(decisions.filter((d) => d.ok).length).toBe(5);
  expect(decisions.filter((d) => !d.ok).map((d) => (d.ok ? 0 : d.retryAfterMs))).toEqual(Array(20).fill(1000));
});

test("past the budget, one try at a time after a doubling delay up to a minute, never a 15-minute lock-out", () => {
  const { l, advance } = limiter();
  const fail = () => {
    const d = l.start("ada", "10.0.0.1");
    if (!d.ok) return d.retryAfterMs;
    d.attempt.failed();
    return 0;
  };
  for (let i = 0; i < 5; i++) expect(fail()).toBe(0);
  const waits: number[] = [];
  for (let i = 0; i < 9; i++) {
    const wait = fail();
    waits.push(wait);
    advance(wait);
    expect(fail()).toBe(0);
  }
  expect(waits).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
  // Another name from another address is not slowed by ada's failures.
  expect(l.start("bob", "10.0.0.2").ok).toBe(true);
});

test("a success starts the name's count over; failures leave the window after 15 min", () => {
  const { l, advance } = limiter(2);
  for (let i = 0; i < 2; i++) {
    const d = l.start("ada", "a");
    if (d.ok) d.attempt.failed();
  }
  expect(l.start("ada", "a").ok).toBe(false);
  advance(1000);
  const d = l.start("ada", "a");
  expect(d.ok).toBe(true);
  if (d.ok) d.attempt.succeeded();
  expect(l.start("ada", "b").ok).toBe(true);

  const { l: l2, advance: advance2 } = limiter(1);
  const first = l2.start("x", "a");
  if (first.ok) first.attempt.failed();
  expect(l2.start("x", "a").ok).toBe(false);
  advance2(15 * 60_000);
  expect(l2.start("x", "a").ok).toBe(true);
});

test("an address is slowed across names; a released attempt counts nothing", () => {
  const { l } = limiter(5, 3);
  for (const name of ["a", "b", "c"]) {
    const d = l.start(name, "10.9.9.9");
    if (d.ok) d.attempt.failed();
  }
  expect(l.start("d", "10.9.9.9").ok).toBe(false);
  const other = l.start("d", "10.9.9.8");
  expect(other.ok).toBe(true);
  if (other.ok) {
    other.attempt.release();
    other.attempt.failed();
  }
  const again = Array.from({ length: 3 }, () => l.start("e", "10.9.9.8"));
  expect(again.every((d) => d.ok)).toBe(true);
});
