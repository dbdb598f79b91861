/**
 * Properties of the timesheet rules over random punches of one person across three days (a DST
 * weekend in spring or autumn), in every department of the fixtures (day, automatic break, night,
 * flexible shifts), both calculation modes and every terminal interpretation.
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { type Correction, type DayResult, type RawPunch, roleOf } from "../../src/timesheets/index.ts";
import { clock, DEPT, days, SITE } from "./fixtures.ts";

const TERMINALS = ["T-PAIR", "T-TRUST", "T-ENTRY", "T-EXIT"];
const STARTS = ["2026-03-28", "2026-10-24", "2026-06-15"];
const pad = (n: number) => String(n).padStart(2, "0");

/** Local time `seconds` after 00:00 of `date` as the terminal writes it (day overflow carried). */
function localAfter(date: string, seconds: number): string {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d) + seconds * 1000);
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())} ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}`;
}

function toPunch(date: string, seconds: number, sn: string, inout: number, id: number): RawPunch {
  const time = localAfter(date, seconds);
  return { id, sn, enrollid: 1, time, ts: clock.toUtc(time), inout };
}

interface World {
  start: string;
  department: number;
  calculation: "first_last" | "paired";
  punches: RawPunch[];
}

const punchSpec = fc.record({ sn: fc.constantFrom(...TERMINALS), inout: fc.constantFrom(0, 1, 0, 1, 5) });

const setting = { start: fc.constantFrom(...STARTS), department: fc.integer({ min: 1, max: 4 }), calculation: fc.constantFrom("first_last" as const, "paired" as const) };

/** Any punches: in half hours across three days, often several in one (double scans, identical instants). */
const anyWorld: fc.Arbitrary<World> = fc
  .record({ ...setting, specs: fc.array(fc.tuple(fc.integer({ min: 0, max: 3 * 48 - 1 }), fc.constantFrom(0, 45, 119, 120, 121, 240), punchSpec), { maxLength: 14 }) })
  .map(({ start, department, calculation, specs }) => ({
    start,
    department,
    calculation,
    punches: specs.map(([slot, s, p], i) => toPunch(start, slot * 1800 + s, p.sn, p.inout, i + 1)),
  }));

/** Punches at least three minutes apart, so each is counted (no double scans among them). */
const spacedWorld: fc.Arbitrary<World> = fc
  .record({ ...setting, slots: fc.uniqueArray(fc.integer({ min: 0, max: (3 * 86_400) / 180 - 1 }), { minLength: 1, maxLength: 12 }), specs: fc.array(fc.tuple(fc.integer({ min: 0, max: 59 }), punchSpec), { minLength: 12, maxLength: 12 }) })
  .map(({ start, department, calculation, slots, specs }) => ({
    start,
    department,
    calculation,
    punches: slots.map((slot, i) => {
      const [sec, p] = specs[i] as (typeof specs)[number];
      return toPunch(start, slot * 180 + sec, p.sn, p.inout, i + 1);
    }),
  }));

function run(w: World, punches = w.punches, corrections: Correction[] = []): DayResult[] {
  const [y, m, d] = w.start.split("-").map(Number) as [number, number, number];
  const last = new Date(Date.UTC(y, m - 1, d + 2)).toISOString().slice(0, 10);
  return days({ memberships: [DEPT(w.department)], punches, corrections, site: { calculation: w.calculation } }, w.start, last);
}

const withoutManual = (rs: DayResult[]) => rs.map(({ manual: _, pairs, ...r }) => ({ ...r, pairs: pairs.map((p) => ({ in: p.in, out: p.out })) }));
const runs = { numRuns: 400 };

describe("timesheet properties", () => {
  test("the result does not depend on the order punches arrive in", () => {
    fc.assert(
      fc.property(anyWorld, fc.infiniteStream(fc.nat()), (w, randoms) => {
        const keyed = w.punches.map((p) => ({ p, k: randoms.next().value as number }));
        const shuffled = keyed.sort((a, b) => a.k - b.k).map((x) => x.p);
        expect(run(w, shuffled)).toEqual(run(w));
        expect(run(w, [...w.punches].reverse())).toEqual(run(w));
      }),
      runs,
    );
  });

  test("repeated scans within the double-scan window of a counted punch change nothing", () => {
    fc.assert(
      fc.property(spacedWorld, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: SITE.doubleScanSeconds - 1 })), { minLength: 1, maxLength: 6 }), (w, dups) => {
        let id = 1000;
        const extra = dups.map(([i, delay]) => {
          const p = w.punches[i % w.punches.length] as RawPunch;
          const time = localAfter(p.time.slice(0, 10), Number(p.time.slice(11, 13)) * 3600 + Number(p.time.slice(14, 16)) * 60 + Number(p.time.slice(17, 19)) + delay);
          return { ...p, id: id++, time, ts: p.ts + delay * 1000 };
        });
        expect(run(w, [...w.punches, ...extra])).toEqual(run(w));
      }),
      runs,
    );
  });

  test("worked minutes are between 0 and the time between the day's first and last punch; overtime within them", () => {
    const minute = (time: string) => Math.floor(clock.toUtc(`${time.slice(0, 16)}:00`) / 60_000);
    fc.assert(
      fc.property(anyWorld, (w) => {
        for (const r of run(w)) {
          expect(r.workedMinutes).toBeGreaterThanOrEqual(0);
          expect(r.overtimeMinutes).toBeGreaterThanOrEqual(0);
          expect(r.overtimeMinutes).toBeLessThanOrEqual(r.workedMinutes);
          expect(r.lateMinutes).toBeGreaterThanOrEqual(0);
          expect(r.earlyLeaveMinutes).toBeGreaterThanOrEqual(0);
          const times = r.pairs.flatMap((p) => [p.in, p.out]).filter((t): t is string => t !== null).map(minute);
          const elapsed = times.length === 0 ? 0 : Math.max(...times) - Math.min(...times);
          expect(r.workedMinutes).toBeLessThanOrEqual(elapsed);
          if (r.status === "absent") expect(r.pairs).toEqual([]);
        }
      }),
      runs,
    );
  });

  test("excluding a punch and adding it back by hand gives the same figures (marked manual)", () => {
    fc.assert(
      fc.property(spacedWorld, fc.nat(), (w, pick) => {
        const p = w.punches[pick % w.punches.length] as RawPunch;
        const role = roleOf(p, SITE);
        const corrections: Correction[] = [
          { kind: "exclude", id: 1, enrollid: 1, punchId: p.id, reason: "wrong key", by: "user:a" },
          { kind: "add", id: 2, enrollid: 1, time: p.time, ...(role === "any" ? {} : { inout: role === "in" ? 0 : 1 }), reason: "re-entered", by: "user:a" },
        ];
        const original = run(w);
        const corrected = run(w, w.punches, corrections);
        expect(withoutManual(corrected)).toEqual(withoutManual(original));
        // The day the punch belongs to, and only it, is flagged manual, by the exclusion alone too.
        const manualDays = corrected.filter((r) => r.manual).map((r) => r.date);
        expect(manualDays.length).toBeLessThanOrEqual(1);
        if (p.time.slice(0, 10) === original[1]?.date) expect(manualDays.length).toBe(1);
        expect(run(w, w.punches, corrections.slice(0, 1)).filter((r) => r.manual).map((r) => r.date)).toEqual(manualDays);
      }),
      runs,
    );
  });

  test("on the DST days, worked time is the real time elapsed between an in and an out", () => {
    // No schedule: rest days from midnight to midnight, every minute worked is counted as it elapsed.
    fc.assert(
      fc.property(fc.constantFrom("2026-03-29", "2026-10-25"), fc.integer({ min: 0, max: 86_399 }), fc.integer({ min: 0, max: 86_399 }), (date, a, b) => {
        // By instant: a time inside the spring gap (02:xx) is read an hour later, as clocks do.
        const [pin, pout] = [toPunch(date, a, "T-PAIR", 0, 1), toPunch(date, b, "T-PAIR", 0, 2)].sort((x, y) => x.ts - y.ts) as [RawPunch, RawPunch];
        const [r] = days({ memberships: [], punches: [pin, pout] }, date);
        const elapsed = Math.floor(pout.ts / 60_000) - Math.floor(pin.ts / 60_000);
        if (pout.ts - pin.ts < SITE.doubleScanSeconds * 1000) expect(r?.workedMinutes).toBe(0);
        else expect([r?.status, r?.workedMinutes, r?.overtimeMinutes]).toEqual(["rest", elapsed, elapsed]);
      }),
      runs,
    );
    // 00:00 to 23:59 is 22 hours 59 minutes in spring, 24 hours 59 minutes in autumn.
    const whole = (date: string) => days({ memberships: [], punches: [toPunch(date, 0, "T-PAIR", 0, 1), toPunch(date, 86_340, "T-PAIR", 0, 2)] }, date)[0]?.workedMinutes;
    expect([whole("2026-03-29"), whole("2026-10-25"), whole("2026-06-15")]).toEqual([1379, 1499, 1439]);
  });

  test("a day's result does not depend on the range it is computed in", () => {
    fc.assert(
      fc.property(anyWorld, (w) => {
        const all = run(w);
        const [y, m, d] = w.start.split("-").map(Number) as [number, number, number];
        all.forEach((r, i) => {
          const date = new Date(Date.UTC(y, m - 1, d + i)).toISOString().slice(0, 10);
          expect(days({ memberships: [DEPT(w.department)], punches: w.punches, site: { calculation: w.calculation } }, date)).toEqual([r]);
        });
      }),
      { numRuns: 200 },
    );
  });
});
