import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import {
  type AccessModel,
  type AccessModelInput,
  addDays,
  type CompileResult,
  compileTerminal,
  decide,
  type HeldTables,
  indexModel,
  isoWeekday,
  NOTHING_HELD,
  planTables,
  planTerminal,
  snapshot,
  unitAdmits,
} from "../../src/access/index.ts";
import { validateParams } from "../../src/protocol/index.ts";
import { apply, held, model } from "./fixtures.ts";

const TODAY = "2026-03-10";
const SNS = ["A", "B", "C", "D"]; // D is in no level
const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;

const windowArb = fc.tuple(fc.integer({ min: 0, max: 95 }), fc.integer({ min: 1, max: 40 })).map(([q, len]) => `${hhmm(q * 15)}-${hhmm(Math.min(q * 15 + len * 15, 1439))}`);
const dayArb = fc.array(windowArb, { maxLength: 2 });

/** Small random sites: up to 3 schedules, 3 levels over terminals A–C (B and C also as group 1), 8 people. */
const siteArb = fc
  .record({
    closesOnHolidays: fc.boolean(),
    schedules: fc.array(fc.array(dayArb, { minLength: 7, maxLength: 7 }), { minLength: 1, maxLength: 3 }),
    levels: fc.array(fc.record({ schedule: fc.nat(), terminals: fc.subarray(["A", "B", "C"]), viaGroup: fc.boolean() }), { minLength: 1, maxLength: 3 }),
    people: fc.array(
      fc.record({ levels: fc.array(fc.nat(), { maxLength: 3 }), enabled: fc.boolean(), from: fc.option(fc.integer({ min: -30, max: 300 })), days: fc.nat(400), lockGroup: fc.integer({ min: 0, max: 9 }) }),
      { maxLength: 8 },
    ),
    holidays: fc.array(fc.record({ start: fc.integer({ min: -10, max: 400 }), days: fc.nat(4) }), { maxLength: 4 }),
  })
  .map((r): AccessModelInput => ({
    schedules: r.schedules.map((days, i) => ({ id: i + 1, name: `S${i + 1}`, days: Object.fromEntries(days.map((w, d) => [String(d + 1), w])), holidaysClosed: r.closesOnHolidays })),
    levels: r.levels.map((l, i) => ({ id: i + 1, name: `L${i + 1}`, scheduleId: (l.schedule % r.schedules.length) + 1, terminals: l.terminals, groupIds: l.viaGroup ? [1] : [] })),
    terminalGroups: [{ id: 1, members: ["B", "C"] }],
    people: r.people.map((p, i) => ({
      enrollid: i + 1,
      name: `P${i + 1}`,
      enabled: p.enabled,
      levelIds: [...new Set(p.levels.map((l) => (l % r.levels.length) + 1))],
      validFrom: p.from === null ? null : addDays(TODAY, p.from),
      validTo: p.from === null ? null : addDays(TODAY, p.from + p.days),
      lockGroup: p.lockGroup,
    })),
    holidays: r.holidays.map((h, i) => ({ name: `H${i}`, from: addDays(TODAY, h.start), to: addDays(TODAY, h.start + h.days) })),
  }));

/** A moment in the coming year: what the terminal's holiday table covers. */
const momentArb = fc.tuple(fc.integer({ min: 0, max: 364 }), fc.integer({ min: 0, max: 86_399 })).map(([d, s]) => `${addDays(TODAY, d)} ${hhmm(Math.floor(s / 60))}:${String(s % 60).padStart(2, "0")}`);

/**
 * Moments where rules meet: the first and last minute of every window, on each of the next seven
 * days and on the first day of each holiday (and validity bounds fall on whole days, so random
 * days meet them).
 */
function edges(m: AccessModel): string[] {
  const dates = [...Array.from({ length: 7 }, (_, i) => addDays(TODAY, i)), ...m.holidays.map((h) => h.from).filter((d) => d >= TODAY && d <= addDays(TODAY, 364))];
  return dates.flatMap((date) => {
    const weekday = isoWeekday(date);
    return m.schedules.flatMap((s) => (s.days[weekday - 1] ?? []).flatMap((w) => [`${date} ${hhmm(w.start)}:00`, `${date} ${hhmm(w.end)}:59`, `${date} ${hhmm(w.end + 1 === 1440 ? w.end : w.end + 1)}:00`]));
  });
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let x = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** The same site with every list in another order. */
function reordered(m: AccessModelInput, seed: number): AccessModelInput {
  return {
    schedules: shuffled(m.schedules ?? [], seed).map((s) => ({ ...s, days: Object.fromEntries(Object.entries(s.days).map(([d, w]) => [d, shuffled(w ?? [], seed + 1)])) })),
    levels: shuffled(m.levels ?? [], seed + 2).map((l) => ({ ...l, terminals: shuffled(l.terminals ?? [], seed + 3), groupIds: shuffled(l.groupIds ?? [], seed) })),
    terminalGroups: shuffled(m.terminalGroups ?? [], seed).map((g) => ({ ...g, members: shuffled(g.members, seed + 4) })),
    people: shuffled(m.people ?? [], seed + 5).map((p) => ({ ...p, levelIds: shuffled(p.levelIds ?? [], seed + 6) })),
    holidays: shuffled(m.holidays ?? [], seed + 7),
  };
}

/** Properties run for seconds on this shared machine; bun's default per-test limit is 5 s. */
const SLOW = 60_000;

const compile = (m: AccessModel, sn: string, previous?: HeldTables): CompileResult => compileTerminal(indexModel(m), sn, TODAY, previous);

describe("access properties", () => {
  test("compile is deterministic and ignores the order of every list in the model", () => {
    fc.assert(
      fc.property(siteArb, siteArb, fc.integer(), (input, other, seed) => {
        const m = model(input);
        const r = model(reordered(input, seed));
        for (const sn of SNS) {
          expect(compile(r, sn)).toEqual(compile(m, sn));
          const prev = compile(model(other), sn);
          if (prev.ok) expect(compile(r, sn, held(prev.tables))).toEqual(compile(m, sn, held(prev.tables)));
        }
      }),
      { numRuns: 80 },
    );
  }, SLOW);

  test("the sync's plan: with its first plan still queued a second run sends nothing, and once acknowledged a re-sync sends nothing", () => {
    fc.assert(
      fc.property(siteArb, siteArb, (input, other) => {
        const index = indexModel(model(input));
        for (const sn of SNS) {
          const start = compile(model(other), sn);
          const from = start.ok ? held(start.tables) : NOTHING_HELD;
          const first = planTerminal(index, sn, TODAY, from, []);
          const direct = compileTerminal(index, sn, TODAY, from);
          if (!first.ok) {
            expect(direct).toEqual({ ok: false, errors: first.errors });
            continue;
          }
          const queued = first.commands.map((c) => {
            const valid = validateParams(c.command, c.params);
            if (!valid.ok) throw new Error(valid.error);
            return { command: c.command, params: valid.params };
          });
          expect(planTerminal(index, sn, TODAY, from, queued)).toEqual({ ok: true, commands: [] });
          expect(planTerminal(index, sn, TODAY, apply(from, first.commands), [])).toEqual({ ok: true, commands: [] });
        }
      }),
      { numRuns: 150 },
    );
  }, SLOW);

  test("diff(compile(m), compile(m)) is empty; the plan brings any terminal to the tables, with valid commands", () => {
    fc.assert(
      fc.property(siteArb, siteArb, (input, other) => {
        const m = model(input);
        for (const sn of SNS) {
          const start = compile(model(other), sn);
          const from = start.ok ? held(start.tables) : NOTHING_HELD;
          const wanted = compile(m, sn, from);
          if (!wanted.ok) continue;
          expect(planTables(held(wanted.tables), wanted.tables)).toEqual([]);
          const reached = apply(from, planTables(from, wanted.tables));
          // Locks of people only in `other` stay, closed; everything else is exactly the tables.
          const known: HeldTables = { ...reached, locks: new Map([...reached.locks].filter(([id]) => wanted.tables.locks.has(id))) };
          expect(known).toEqual(held(wanted.tables));
          for (const [id, lock] of reached.locks) if (!wanted.tables.locks.has(id)) expect(lock.weekzone).toBe(1);
          expect(planTables(reached, wanted.tables)).toEqual([]);
        }
      }),
      { numRuns: 150 },
    );
  }, SLOW);

  test("half-way through a sync, a unit admits no one whom neither the old nor the new tables admit", () => {
    fc.assert(
      fc.property(siteArb, siteArb, fc.array(momentArb, { minLength: 1, maxLength: 6 }), (input, other, moments) => {
        const m = model(input);
        for (const sn of ["A", "B"]) {
          const start = compile(model(other), sn);
          if (!start.ok) continue;
          const from = held(start.tables);
          const wanted = compile(m, sn, from);
          if (!wanted.ok) continue;
          const ids = new Set([...from.locks.keys(), ...wanted.tables.locks.keys()]);
          let state = from;
          for (const command of planTables(from, wanted.tables)) {
            state = apply(state, [command]);
            for (const id of ids) {
              for (const at of moments) {
                if (unitAdmits(state, id, at)) expect(unitAdmits(from, id, at) || unitAdmits(wanted.tables, id, at)).toBe(true);
              }
            }
          }
        }
      }),
      { numRuns: 150 },
    );
  }, SLOW);

  test("the live decision agrees with what a unit decides from its compiled tables", () => {
    fc.assert(
      fc.property(siteArb, fc.array(momentArb, { minLength: 1, maxLength: 8 }), (input, moments) => {
        const m = model(input);
        const s = snapshot(m);
        const all = [...moments, ...edges(m)];
        for (const sn of SNS) {
          const r = compile(m, sn);
          if (!r.ok) continue;
          for (const p of m.people) {
            for (const at of all) {
              const live = decide(s, { sn, at, credential: { kind: "enrollid", enrollid: p.enrollid } });
              expect([p.enrollid, sn, at, live.access]).toEqual([p.enrollid, sn, at, unitAdmits(r.tables, p.enrollid, at) ? 1 : 0]);
            }
          }
        }
      }),
      { numRuns: 100 },
    );
  }, SLOW);

  test("the decision never admits a disabled person, nor anyone outside their validity, and a resend gets the same answer", () => {
    fc.assert(
      fc.property(siteArb, momentArb, fc.constantFrom(...SNS), (input, at, sn) => {
        const m = model(input);
        const s = snapshot(m);
        for (const p of m.people) {
          const d = decide(s, { sn, at, credential: { kind: "enrollid", enrollid: p.enrollid } });
          if (!p.enabled) expect(d.reason).toBe("disabled");
          const date = at.slice(0, 10);
          if ((p.validFrom !== null && date < p.validFrom) || (p.validTo !== null && date > p.validTo)) expect(d.access).toBe(0);
          expect(decide(s, { sn, at, credential: { kind: "enrollid", enrollid: p.enrollid } })).toEqual(d);
        }
      }),
      { numRuns: 300 },
    );
  }, SLOW);

  test("no QR text admits unless it is exactly an issued code", () => {
    const m = model({
      schedules: [{ id: 1, name: "Always", days: { "1": ["00:00-23:59"], "2": ["00:00-23:59"], "3": ["00:00-23:59"], "4": ["00:00-23:59"], "5": ["00:00-23:59"], "6": ["00:00-23:59"], "7": ["00:00-23:59"] } }],
      levels: [{ id: 1, name: "All", scheduleId: 1, terminals: ["A"] }],
      people: Array.from({ length: 30 }, (_, i) => ({ enrollid: i + 1, enabled: true, levelIds: [1], qrCode: i === 20 ? "issued-code-for-21-xyz" : null })),
    });
    const s = snapshot(m);
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.integer({ min: 0, max: 100 }).map(String), fc.constantFrom("21", "021", " 21 ", "21.0", "issued-code-for-21-xy", "issued-code-for-21-xyz\\n")), (text) => {
        const d = decide(s, { sn: "A", at: "2026-03-10 12:00:00", credential: { kind: "qr", text } });
        expect(d.access).toBe(text === "issued-code-for-21-xyz" ? 1 : 0);
      }),
      { numRuns: 500 },
    );
  }, SLOW);
});
