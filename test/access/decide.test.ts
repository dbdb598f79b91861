import { describe, expect, test } from "bun:test";
import { type Decision, decide, type DecisionInput, snapshot } from "../../src/access/index.ts";
import { ANN_QR, model, PASS_QR, site } from "./fixtures.ts";

const s = snapshot(model(site));
// 2026-03-10 is a Tuesday; 2026-03-14 a Saturday; 2026-12-24 a Thursday (Christmas, a holiday).
const person = (enrollid: number, at: string, sn = "FRONT"): Decision => decide(s, { sn, at, credential: { kind: "enrollid", enrollid } });
const qr = (text: string, at: string, sn = "FRONT", passUses?: ReadonlyMap<number, number>): Decision => decide(s, { sn, at, credential: { kind: "qr", text }, passUses });
const outcome = (d: Decision) => [d.access, d.reason, d.message];

describe("live decision: people", () => {
  test("admitted within the schedule, with their name", () => {
    expect(person(2, "2026-03-10 09:00:00")).toEqual({ access: 1, reason: "granted", message: "Welcome", enrollid: 2, name: "Bob", passId: null });
  });

  test("each refusal reason, with its short message", () => {
    expect(person(999, "2026-03-10 09:00:00")).toEqual({ access: 0, reason: "unknown_person", message: "Unknown person", enrollid: 999, name: "", passId: null });
    expect(person(4, "2026-03-10 09:00:00")).toEqual({ access: 0, reason: "disabled", message: "Access disabled", enrollid: 4, name: "Dan", passId: null });
    expect(outcome(person(5, "2026-07-01 09:00:00"))).toEqual([0, "outside_validity", "Not valid now"]);
    expect(outcome(person(5, "2025-12-31 09:00:00"))).toEqual([0, "outside_validity", "Not valid now"]);
    expect(outcome(person(2, "2026-03-10 20:00:00"))).toEqual([0, "outside_schedule", "Outside hours"]);
    expect(outcome(person(2, "2026-03-14 09:00:00"))).toEqual([0, "outside_schedule", "Outside hours"]);
    expect(outcome(person(2, "2026-12-24 09:00:00"))).toEqual([0, "holiday", "Closed: holiday"]);
    expect(outcome(person(2, "2026-03-10 09:00:00", "BACK"))).toEqual([0, "no_level", "No access here"]);
    expect(outcome(person(6, "2026-03-10 09:00:00"))).toEqual([0, "no_level", "No access here"]);
    expect(outcome(person(2, "2026-02-30 09:00:00"))).toEqual([0, "invalid_time", "Clock error"]);
  });

  test("validity dates are whole days; window ends are inside to the minute", () => {
    expect(person(5, "2026-06-30 17:59:59").access).toBe(1);
    expect(person(5, "2026-01-01 08:00:00").access).toBe(1);
    expect(person(2, "2026-03-10 07:59:59").access).toBe(0);
    expect(person(2, "2026-03-10 18:00:59").access).toBe(1);
    expect(person(2, "2026-03-10 18:01:00").access).toBe(0);
  });

  test("several levels at one door: any of their windows; a level through a terminal group", () => {
    expect(person(1, "2026-03-14 10:00:00").access).toBe(1);
    expect(person(1, "2026-03-14 10:00:00", "BACK").access).toBe(1);
    expect(person(1, "2026-03-10 10:00:00", "BACK").reason).toBe("outside_schedule");
    expect(person(3, "2026-03-10 06:30:00", "BACK").access).toBe(1);
    expect(person(3, "2026-03-10 12:00:00", "BACK").reason).toBe("outside_schedule");
  });

  test("a schedule open on holidays admits on a holiday", () => {
    const open = snapshot(model({ ...site, schedules: site.schedules?.map((x) => (x.id === 1 ? { ...x, holidaysClosed: false } : x)) }));
    expect(decide(open, { sn: "FRONT", at: "2026-12-24 09:00:00", credential: { kind: "enrollid", enrollid: 2 } }).access).toBe(1);
    expect(decide(open, { sn: "BACK", at: "2026-12-24 06:30:00", credential: { kind: "enrollid", enrollid: 3 } }).reason).toBe("holiday");
  });

  test("a resend of the same punch gets the same decision", () => {
    const input: DecisionInput = { sn: "FRONT", at: "2026-03-10 17:59:00", credential: { kind: "enrollid", enrollid: 2 } };
    expect(decide(s, input)).toEqual(decide(s, { ...input }));
  });
});

describe("live decision: QR codes are credentials, not enrollids", () => {
  test("a person's issued code admits them as their enrollid would", () => {
    expect(qr(ANN_QR, "2026-03-10 09:00:00")).toEqual({ access: 1, reason: "granted", message: "Welcome", enrollid: 1, name: "Ann", passId: null });
    expect(qr(ANN_QR, "2026-03-10 20:00:00").reason).toBe("outside_schedule");
  });

  test('"21", "021", " 21 ", "21.0" do not open for person 21, nor anything close to an issued code', () => {
    const with21 = snapshot(model({ ...site, people: [...(site.people ?? []), { enrollid: 21, name: "Tw", enabled: true, levelIds: [10], qrCode: "QR-21-abcdefghijklmnop" }] }));
    for (const text of ["21", "021", " 21 ", "21.0", "QR-21-abcdefghijklmno", "QR-21-abcdefghijklmnop ", " QR-21-abcdefghijklmnop", "qr-21-abcdefghijklmnop", "QR-21-ABCDEFGHIJKLMNOP", "", ANN_QR.slice(0, -1)]) {
      expect(decide(with21, { sn: "FRONT", at: "2026-03-10 09:00:00", credential: { kind: "qr", text } })).toEqual({ access: 0, reason: "unknown_code", message: "Unknown code", enrollid: null, name: "", passId: null });
    }
    expect(decide(with21, { sn: "FRONT", at: "2026-03-10 09:00:00", credential: { kind: "qr", text: "QR-21-abcdefghijklmnop" } }).enrollid).toBe(21);
  });
});

describe("live decision: visitor passes", () => {
  test("admitted at its door within its validity, until its uses are spent", () => {
    expect(qr(PASS_QR, "2026-03-10 10:00:00")).toEqual({ access: 1, reason: "granted", message: "Welcome", enrollid: null, name: "Visitor V. Isitor", passId: 1 });
    expect(qr(PASS_QR, "2026-03-10 10:00:00", "FRONT", new Map([[1, 1]]))).toEqual({ access: 0, reason: "pass_used_up", message: "Pass used up", enrollid: null, name: "Visitor V. Isitor", passId: 1 });
    expect(qr(PASS_QR, "2026-03-10 10:00:00", "FRONT", new Map([[2, 5]])).access).toBe(1);
  });

  test("expired, not yet valid, wrong door, revoked", () => {
    expect(outcome(qr(PASS_QR, "2026-03-10 17:00:01"))).toEqual([0, "pass_expired", "Pass expired"]);
    expect(outcome(qr(PASS_QR, "2026-03-10 08:59:59"))).toEqual([0, "outside_validity", "Not valid now"]);
    expect(qr(PASS_QR, "2026-03-10 17:00:00").access).toBe(1);
    expect(outcome(qr(PASS_QR, "2026-03-10 10:00:00", "BACK"))).toEqual([0, "no_level", "No access here"]);
    const revoked = snapshot(model({ ...site, passes: site.passes?.map((p) => ({ ...p, revoked: true })) }));
    expect(outcome(decide(revoked, { sn: "FRONT", at: "2026-03-10 10:00:00", credential: { kind: "qr", text: PASS_QR } }))).toEqual([0, "pass_revoked", "Pass revoked"]);
  });

  test("a pass through levels follows their schedules; N uses; unlimited uses", () => {
    const levels = snapshot(model({ ...site, passes: [{ id: 7, name: "Contractor", code: PASS_QR, validFrom: "2026-01-01 00:00:00", validTo: "2026-12-31 23:59:59", levelIds: [10], uses: 3 }] }));
    const at = (time: string, uses = 0) => decide(levels, { sn: "FRONT", at: time, credential: { kind: "qr", text: PASS_QR }, passUses: new Map([[7, uses]]) });
    expect(at("2026-03-10 09:00:00", 2).access).toBe(1);
    expect(at("2026-03-10 09:00:00", 3).reason).toBe("pass_used_up");
    expect(at("2026-03-10 20:00:00").reason).toBe("outside_schedule");
    expect(at("2026-12-24 09:00:00").reason).toBe("holiday");
    const unlimited = snapshot(model({ ...site, passes: site.passes?.map((p) => ({ ...p, uses: null })) }));
    expect(decide(unlimited, { sn: "FRONT", at: "2026-03-10 10:00:00", credential: { kind: "qr", text: PASS_QR }, passUses: new Map([[1, 1_000]]) }).access).toBe(1);
  });
});
