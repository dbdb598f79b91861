/** The pure door rules (issue 16): a door's state on the board, and who is inside, by table and by property. */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { DOOR_HELD_OPEN_MS } from "../../src/alerts/model.ts";
import { doorState } from "../../src/access/door-state.ts";
import { PRESENCE_WINDOW_MS, type PresencePunch, PresenceState } from "../../src/access/presence.ts";
import { DEFAULT_SITE_RULES } from "../../src/timesheets/types.ts";
import { attendanceRecord, doorEventRecord } from "../../src/webhooks/payload.ts";

const NOW = Date.UTC(2026, 2, 2, 9);

describe("doorState", () => {
  test.each([
    [null, "unknown", null],
    [{ event: 0, ts: NOW - 1000 }, "closed", 0],
    [{ event: 1, ts: NOW - 1000 }, "open", 1],
    [{ event: 1, ts: NOW - DOOR_HELD_OPEN_MS }, "held_open", 1],
    // The relay (exit button, software open) closes by itself: never "held open".
    [{ event: 2, ts: NOW - DOOR_HELD_OPEN_MS * 10 }, "open", 2],
    [{ event: 3, ts: NOW - 1000 }, "open", 3],
    [{ event: 4, ts: NOW - 1000 }, "closed", 4],
    [{ event: 5, ts: NOW - 1000 }, "forced_open", 5],
    [{ event: 6, ts: NOW - 1000 }, "tamper", 6],
    [{ event: 7, ts: NOW - 1000 }, "input_alarm", 7],
    [{ event: 8, ts: NOW - 1000 }, "unknown", 8],
  ] as const)("%o → %s", (latest, state, event) => {
    expect(doorState(latest, NOW)).toEqual({ state, event, since: latest ? latest.ts : null });
  });
});

const site = (terminals: Record<string, "entry" | "exit" | "trust" | "pair">) => ({ ...DEFAULT_SITE_RULES, terminals });
const punch = (enrollid: number, ts: number, sn: string, inout = 0, refused: string | null = null, id = ts): PresencePunch => ({ id, sn, enrollid, time: `t${ts}`, ts, inout, refused });

describe("PresenceState", () => {
  test("entry, exit, trust and pair terminals; refused punches, placeholders of nobody enrolled and late older punches ignored", () => {
    const s = new PresenceState();
    const rules = site({ IN: "entry", OUT: "exit", TWO: "trust", PAIR: "pair" });
    for (const p of [
      punch(1, NOW - 50, "IN"), punch(2, NOW - 49, "IN"), punch(2, NOW - 48, "OUT"), punch(3, NOW - 47, "TWO", 1), punch(4, NOW - 46, "TWO", 0),
      punch(5, NOW - 45, "PAIR"), punch(5, NOW - 44, "PAIR"), punch(6, NOW - 43, "PAIR"), punch(7, NOW - 42, "IN", 0, "Outside hours"),
      punch(1, NOW - 41, "IN"), punch(2, NOW - 60, "IN"), punch(99999998, NOW - 40, "IN"), punch(99999999, NOW - 39, "PAIR"),
    ]) s.apply(p, rules);
    expect(s.inside(NOW).map((i) => [i.enrollid, i.since, i.sn])).toEqual([[1, NOW - 50, "IN"], [4, NOW - 46, "TWO"], [6, NOW - 43, "PAIR"]]);
    expect(s.inside(NOW + PRESENCE_WINDOW_MS - 41)).toHaveLength(1);
    s.prune(NOW + PRESENCE_WINDOW_MS);
    expect(s.inside(NOW + PRESENCE_WINDOW_MS)).toEqual([]);
  });

  test("property: at a trust terminal a person is inside exactly when their newest counted punch is an in", () => {
    const arb = fc.array(fc.record({ enrollid: fc.integer({ min: 1, max: 5 }), ts: fc.integer({ min: 0, max: 10_000 }), inout: fc.constantFrom(0, 1), refused: fc.boolean() }), { maxLength: 60 });
    fc.assert(
      fc.property(arb, (raw) => {
        const punches = raw.map((r, id) => punch(r.enrollid, NOW - 20_000 + r.ts, "TWO", r.inout, r.refused ? "No access here" : null, id)).sort((a, b) => a.ts - b.ts || a.id - b.id);
        const s = new PresenceState();
        for (const p of punches) s.apply(p, site({ TWO: "trust" }));
        const expected = new Set<number>();
        for (const id of new Set(punches.map((p) => p.enrollid))) {
          const counted = punches.filter((p) => p.enrollid === id && p.refused === null);
          if (counted[counted.length - 1]?.inout === 0) expected.add(id);
        }
        expect(new Set(s.inside(NOW).map((i) => i.enrollid))).toEqual(expected);
      }),
    );
  });
});

describe("webhook records say what a door event or a refused punch means (issue 16)", () => {
  const base = { id: 7, sn: "GATE", time: "2026-03-02 08:59:00", ts: Date.UTC(2026, 2, 2, 8, 59), mode: 0, inout: 0, receivedAt: Date.UTC(2026, 2, 2, 9) };
  test.each([
    [0, "closed", false],
    [1, "open", false],
    [5, "forced_open", true],
    [6, "tamper", true],
    [7, "input_alarm", true],
    [9, "unknown", false],
  ] as const)("door event %i → %s, alarm %p", (event, door_state, alarm) => {
    expect(doorEventRecord({ ...base, event })).toMatchObject({ type: "door_event", event, door_state, alarm, refused: null });
  });
  test("attendance carries its refusal", () => {
    const row = { ...base, enrollid: 21, event: 0, verifymode: null, temp: null };
    expect(attendanceRecord({ ...row, refused: "Outside hours" })).toMatchObject({ type: "attendance", refused: "Outside hours", door_state: null, alarm: false });
    expect(attendanceRecord({ ...row, refused: null })).toMatchObject({ refused: null });
  });
});
