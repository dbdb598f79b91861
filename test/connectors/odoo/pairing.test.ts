/**
 * The Odoo pairing: table cases for each rule, then properties over random punches, every plan
 * applied to `AttendanceBook` (Odoo's constraints, which throw Odoo's error on a violation).
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import {
  type AttendancePlan,
  fromOdooDatetime,
  type OdooAttendance,
  type PairingPunch,
  type PairingRules,
  planAttendances,
  toOdooDatetime,
} from "../../../src/connectors/odoo/pairing.ts";
import type { Role } from "../../../src/timesheets/index.ts";
import { AttendanceBook } from "../../helpers/fake-odoo.ts";

const RULES: PairingRules = { doubleScanSeconds: 120, maxAttendanceHours: 16 };
const EMPLOYEE = 1;

const utc = (text: string) => {
  const ms = fromOdooDatetime(text.length === 16 ? `${text}:00` : text);
  if (ms === null) throw new Error(`bad time ${text}`);
  return ms;
};

let keys = 0;
const punch = (time: string, role: Role = "any"): PairingPunch => ({ key: ++keys, ts: utc(time), role });

const newBook = () => new AttendanceBook(() => "Marc Demo");

/** The book's attendances as the pairing reads them from Odoo. */
const stateOf = (book: AttendanceBook): OdooAttendance[] =>
  book.list(EMPLOYEE).map((a) => ({ id: a.id, checkIn: utc(a.checkIn), checkOut: a.checkOut === null ? null : utc(a.checkOut) }));

/** Sends a plan's operations to the book in order, as the Odoo client would; `upTo` stops early (a crash). */
function apply(book: AttendanceBook, plan: AttendancePlan, upTo = plan.ops.length): void {
  for (const op of plan.ops.slice(0, upTo)) {
    if (op.op === "create") book.create(EMPLOYEE, toOdooDatetime(op.checkIn), op.checkOut === null ? null : toOdooDatetime(op.checkOut));
    else book.write(op.attendanceId, { checkOut: toOdooDatetime(op.checkOut) });
  }
}

function run(book: AttendanceBook, punches: PairingPunch[], rules = RULES): AttendancePlan {
  const plan = planAttendances(stateOf(book), punches, rules);
  apply(book, plan);
  return plan;
}

const rowsOf = (book: AttendanceBook) => book.list(EMPLOYEE).map((a) => [a.checkIn, a.checkOut]);
const outcomesOf = (plan: AttendancePlan, punches: PairingPunch[]) => punches.map((p) => plan.outcomes.get(p.key));

describe("Odoo datetimes", () => {
  test("naive UTC with whole seconds, both ways", () => {
    expect(toOdooDatetime(Date.UTC(2026, 2, 1, 23, 59, 59, 999))).toBe("2026-03-01 23:59:59");
    expect(fromOdooDatetime("2026-03-01 23:59:59")).toBe(Date.UTC(2026, 2, 1, 23, 59, 59));
    for (const bad of ["2026-02-30 10:00:00", "2026-03-01T10:00:00", "2026-03-01 10:00", "2026-03-01 24:00:00", ""]) expect(fromOdooDatetime(bad)).toBeNull();
  });
});

describe("pairing punches into hr.attendance", () => {
  test("a night shift across midnight is one attendance, untrusted punches in order", () => {
    const book = newBook();
    const ps = [punch("2026-03-02 22:00"), punch("2026-03-03 06:05")];
    const plan = run(book, ps);
    expect(rowsOf(book)).toEqual([["2026-03-02 22:00:00", "2026-03-03 06:05:00"]]);
    expect(outcomesOf(plan, ps)).toEqual(["opened", "closed"]);
    expect(plan.ops).toEqual([{ op: "create", checkIn: utc("2026-03-02 22:00"), checkOut: utc("2026-03-03 06:05") }]);
  });

  test("across midnight over two runs: the open attendance read back from Odoo is closed", () => {
    const book = newBook();
    run(book, [punch("2026-03-02 22:00", "in")]);
    expect(rowsOf(book)).toEqual([["2026-03-02 22:00:00", null]]);
    const plan = run(book, [punch("2026-03-03 06:00", "out")]);
    expect(plan.ops).toEqual([{ op: "close", attendanceId: 1, checkOut: utc("2026-03-03 06:00") }]);
    expect(rowsOf(book)).toEqual([["2026-03-02 22:00:00", "2026-03-03 06:00:00"]]);
  });

  test("a missing check-out (trusted in, then in the next day) is flagged and closed at its own check-in: 0 hours, nothing invented", () => {
    const book = newBook();
    const ps = [punch("2026-03-02 08:00", "in"), punch("2026-03-03 08:00", "in"), punch("2026-03-03 17:00", "out")];
    const plan = run(book, ps);
    expect(rowsOf(book)).toEqual([
      ["2026-03-02 08:00:00", "2026-03-02 08:00:00"],
      ["2026-03-03 08:00:00", "2026-03-03 17:00:00"],
    ]);
    expect(outcomesOf(plan, ps)).toEqual(["opened", "opened", "closed"]);
    expect(plan.missingCheckOut).toEqual([{ attendanceId: null, checkIn: utc("2026-03-02 08:00"), by: ps[1]?.key as number }]);
  });

  test("untrusted punches: past maxAttendanceHours the open attendance is a missing check-out, the punch a new check-in", () => {
    const book = newBook();
    run(book, [punch("2026-03-02 08:00")]);
    const ps = [punch("2026-03-03 08:30"), punch("2026-03-03 17:00")];
    const plan = run(book, ps);
    expect(plan.missingCheckOut).toEqual([{ attendanceId: 1, checkIn: utc("2026-03-02 08:00"), by: ps[0]?.key as number }]);
    expect(rowsOf(book)).toEqual([
      ["2026-03-02 08:00:00", "2026-03-02 08:00:00"],
      ["2026-03-03 08:30:00", "2026-03-03 17:00:00"],
    ]);
  });

  test("a trusted out too long after the check-in: the open one is flagged and the out creates nothing", () => {
    const book = newBook();
    const ps = [punch("2026-03-02 08:00", "in"), punch("2026-03-03 17:00", "out")];
    const plan = run(book, ps);
    expect(outcomesOf(plan, ps)).toEqual(["opened", "missing_check_in"]);
    expect(rowsOf(book)).toEqual([["2026-03-02 08:00:00", "2026-03-02 08:00:00"]]);
    expect(plan.missingCheckOut).toHaveLength(1);
  });

  test("the last check-in of a run stays open (a missing check-out is not closed by time)", () => {
    const book = newBook();
    const plan = run(book, [punch("2026-03-02 08:00"), punch("2026-03-02 12:00"), punch("2026-03-02 13:00")]);
    expect(rowsOf(book)).toEqual([
      ["2026-03-02 08:00:00", "2026-03-02 12:00:00"],
      ["2026-03-02 13:00:00", null],
    ]);
    expect(plan.missingCheckOut).toEqual([]);
  });

  test("an out with nothing open creates nothing", () => {
    const book = newBook();
    const ps = [punch("2026-03-02 17:00", "out"), punch("2026-03-02 18:00", "out")];
    const plan = run(book, ps);
    expect(outcomesOf(plan, ps)).toEqual(["missing_check_in", "missing_check_in"]);
    expect(plan.ops).toEqual([]);
  });

  test("double scans inside the window count once, within a run and against what Odoo holds", () => {
    const book = newBook();
    const first = [punch("2026-03-02 08:00:00"), punch("2026-03-02 08:00:40"), punch("2026-03-02 08:01:59")];
    const plan = run(book, first);
    expect(outcomesOf(plan, first)).toEqual(["opened", "double_scan", "double_scan"]);
    const later = [punch("2026-03-02 08:01:10"), punch("2026-03-02 17:00:00")];
    expect(outcomesOf(run(book, later), later)).toEqual(["double_scan", "closed"]);
    expect(rowsOf(book)).toEqual([["2026-03-02 08:00:00", "2026-03-02 17:00:00"]]);
  });

  test("a re-sent run changes nothing: its punches are present in Odoo", () => {
    const book = newBook();
    const ps = [punch("2026-03-02 22:00"), punch("2026-03-03 06:00"), punch("2026-03-03 22:00")];
    run(book, ps);
    const again = planAttendances(stateOf(book), ps, RULES);
    expect(again.ops).toEqual([]);
    expect(outcomesOf(again, ps)).toEqual(["present", "present", "present"]);
  });

  test("a crash after the first call: the re-sent run does only the rest", () => {
    const book = newBook();
    const ps = [punch("2026-03-02 08:00", "in"), punch("2026-03-03 08:00", "in"), punch("2026-03-03 17:00", "out")];
    apply(book, planAttendances(stateOf(book), ps, RULES), 1);
    const plan = run(book, ps);
    expect(plan.ops).toEqual([{ op: "create", checkIn: utc("2026-03-03 08:00"), checkOut: utc("2026-03-03 17:00") }]);
    expect(rowsOf(book)).toEqual([
      ["2026-03-02 08:00:00", "2026-03-02 08:00:00"],
      ["2026-03-03 08:00:00", "2026-03-03 17:00:00"],
    ]);
  });

  test("punches uploaded late go into the gaps between Odoo's attendances; one inside an attendance is late, not placed", () => {
    const book = newBook();
    run(book, [punch("2026-03-03 08:00"), punch("2026-03-03 17:00"), punch("2026-03-05 08:00"), punch("2026-03-05 17:00"), punch("2026-03-06 08:00")]);
    const ps = [
      punch("2026-03-02 08:00"),
      punch("2026-03-02 17:00"),
      punch("2026-03-02 18:00"),
      punch("2026-03-03 12:00"),
      punch("2026-03-04 09:00"),
      punch("2026-03-04 18:00"),
      punch("2026-03-05 18:00"),
    ];
    const plan = run(book, ps);
    expect(outcomesOf(plan, ps)).toEqual(["opened", "closed", "opened", "late", "opened", "closed", "opened"]);
    expect(plan.missingCheckOut).toEqual([
      { attendanceId: null, checkIn: utc("2026-03-02 18:00"), by: ps[2]?.key as number },
      { attendanceId: null, checkIn: utc("2026-03-05 18:00"), by: ps[6]?.key as number },
    ]);
    expect(rowsOf(book)).toEqual([
      ["2026-03-02 08:00:00", "2026-03-02 17:00:00"],
      ["2026-03-02 18:00:00", "2026-03-02 18:00:00"],
      ["2026-03-03 08:00:00", "2026-03-03 17:00:00"],
      ["2026-03-04 09:00:00", "2026-03-04 18:00:00"],
      ["2026-03-05 08:00:00", "2026-03-05 17:00:00"],
      ["2026-03-05 18:00:00", "2026-03-05 18:00:00"],
      ["2026-03-06 08:00:00", null],
    ]);
  });

  test("an open attendance with a later one after it (entered by hand in Odoo) cannot be closed past it: flagged", () => {
    const book = newBook();
    book.create(EMPLOYEE, "2026-03-02 08:00:00", null);
    book.create(EMPLOYEE, "2026-03-02 09:00:00", "2026-03-02 10:00:00");
    const ps = [punch("2026-03-02 12:00")];
    const plan = run(book, ps);
    expect(plan.missingCheckOut).toEqual([{ attendanceId: 1, checkIn: utc("2026-03-02 08:00"), by: ps[0]?.key as number }]);
    expect(rowsOf(book)).toEqual([
      ["2026-03-02 08:00:00", "2026-03-02 08:00:00"],
      ["2026-03-02 09:00:00", "2026-03-02 10:00:00"],
      ["2026-03-02 12:00:00", null],
    ]);
  });

  test("the book refuses what Odoo refuses, with Odoo's messages", () => {
    const book = newBook();
    book.create(EMPLOYEE, "2026-03-02 08:00:00", null);
    expect(() => book.create(EMPLOYEE, "2026-03-02 09:00:00", null)).toThrow("Cannot create new attendance record for Marc Demo, the employee hasn't checked out since Mar 2, 2026, 8:00:00 AM");
    expect(() => book.write(1, { checkOut: "2026-03-02 07:00:00" })).toThrow('"Check Out" time cannot be earlier than "Check In" time.');
    book.write(1, { checkOut: "2026-03-02 12:00:00" });
    expect(() => book.create(EMPLOYEE, "2026-03-02 11:00:00", "2026-03-02 13:00:00")).toThrow("Cannot create new attendance record for Marc Demo, the employee was already checked in on Mar 2, 2026, 11:00:00 AM");
    expect(() => book.create(EMPLOYEE, "2026-03-02 07:00:00", "2026-03-02 09:00:00")).toThrow("Cannot create new attendance record for Marc Demo, the employee was already checked in on Mar 2, 2026, 8:00:00 AM");
  });
});

describe("pairing properties (random punches, every plan applied under Odoo's constraints)", () => {
  const BASE = utc("2026-03-02 00:00");
  const roles: Role[] = ["in", "out", "any"];
  /** Punches over four days, some bursts a few seconds apart; roles trusted or not. */
  const punchesArb = fc
    .array(fc.record({ at: fc.oneof(fc.integer({ min: 0, max: 4 * 86_400 }), fc.integer({ min: 0, max: 300 })), role: fc.constantFrom(...roles) }), { maxLength: 40 })
    .map((xs) => xs.map((x, i) => ({ key: i + 1, ts: BASE + x.at * 1000, role: x.role })));
  const rulesArb = fc.record({ doubleScanSeconds: fc.constantFrom(0, 60, 120), maxAttendanceHours: fc.constantFrom(12, 16, 24) });

  function invariants(book: AttendanceBook): void {
    const rows = book.list(EMPLOYEE);
    expect(rows.filter((r) => r.checkOut === null).length).toBeLessThanOrEqual(1);
    for (const r of rows) if (r.checkOut !== null) expect(r.checkOut >= r.checkIn).toBe(true);
    const closed = rows.filter((r) => r.checkOut !== null);
    for (let i = 1; i < closed.length; i++) expect((closed[i] as { checkIn: string }).checkIn >= ((closed[i - 1] as { checkOut: string }).checkOut as string)).toBe(true);
  }

  test("Odoo accepts every plan: never two open, never overlapping, never check-out before check-in", () => {
    fc.assert(
      fc.property(punchesArb, punchesArb, rulesArb, (a, b, rules) => {
        const book = newBook();
        run(book, a, rules);
        run(book, b.map((p) => ({ ...p, key: p.key + 1000 })), rules);
        invariants(book);
      }),
      { numRuns: 400 },
    );
  });

  test("every punch gets one outcome; every time written is a punch's, or a flagged check-in closed on itself", () => {
    fc.assert(
      fc.property(punchesArb, rulesArb, (ps, rules) => {
        const plan = planAttendances([], ps, rules);
        expect([...plan.outcomes.keys()].sort((x, y) => x - y)).toEqual(ps.map((p) => p.key));
        const times = new Set(ps.map((p) => p.ts));
        for (const op of plan.ops) {
          if (op.op !== "create") throw new Error("nothing to close in an empty Odoo");
          expect(times.has(op.checkIn)).toBe(true);
          if (op.checkOut !== null) expect(times.has(op.checkOut) || op.checkOut === op.checkIn).toBe(true);
        }
        const opened = [...plan.outcomes.values()].filter((o) => o === "opened").length;
        expect(plan.ops.length).toBe(opened);
        const zeroLength = plan.ops.filter((op) => op.op === "create" && op.checkOut === op.checkIn).length;
        expect(plan.missingCheckOut.length).toBe(zeroLength);
      }),
      { numRuns: 400 },
    );
  });

  test("re-sending after a crash at any call ends where one clean run ends, and a second re-send does nothing", () => {
    fc.assert(
      fc.property(punchesArb, punchesArb, rulesArb, fc.nat(), (before, later, rules, cut) => {
        // Odoo already holds attendances from an earlier run; this run's punches fall before, between and after them.
        const ps = later.map((p) => ({ ...p, key: p.key + 1000 }));
        const clean = newBook();
        run(clean, before, rules);
        run(clean, ps, rules);
        const crashed = newBook();
        run(crashed, before, rules);
        const first = planAttendances(stateOf(crashed), ps, rules);
        const done = first.ops.length === 0 ? 0 : cut % first.ops.length;
        apply(crashed, first, done);
        // What `needs` promises: a punch whose ops are done is in Odoo.
        const second = run(crashed, ps, rules);
        for (const [key, outcome] of first.outcomes) {
          if (outcome !== "opened" && outcome !== "closed") continue;
          const need = first.needs.get(key);
          expect(need).toBeLessThan(first.ops.length);
          expect(second.outcomes.get(key)).toBe((need as number) < done ? "present" : outcome);
        }
        expect(rowsOf(crashed)).toEqual(rowsOf(clean));
        expect(planAttendances(stateOf(crashed), ps, rules).ops).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });

  test("two runs split at a quiet gap end where one run ends", () => {
    fc.assert(
      fc.property(punchesArb, punchesArb, rulesArb, (a, b, rules) => {
        const lastA = Math.max(BASE, ...a.map((p) => p.ts));
        // b starts after a quiet gap longer than the double-scan window.
        const shifted = b.map((p) => ({ ...p, key: p.key + 1000, ts: p.ts + (lastA - BASE) + (rules.doubleScanSeconds + 1) * 1000 }));
        const whole = newBook();
        run(whole, [...a, ...shifted], rules);
        const split = newBook();
        run(split, a, rules);
        run(split, shifted, rules);
        expect(rowsOf(split)).toEqual(rowsOf(whole));
      }),
      { numRuns: 400 },
    );
  });
});
