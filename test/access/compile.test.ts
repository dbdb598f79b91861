import { describe, expect, test } from "bun:test";
import { type AccessModelInput, compileTerminal, holidayTable, indexModel, parseAccessModel } from "../../src/access/index.ts";
import { model, site } from "./fixtures.ts";

const E = "00:00~00:00";
const CLOSED = [E, E, E, E, E];
const UNUSED_WEEK = [0, 0, 0, 0, 0, 0, 0];
const TODAY = "2026-03-10";

function compiled(input: AccessModelInput, sn: string, today = TODAY) {
  const result = compileTerminal(indexModel(model(input)), sn, today);
  if (!result.ok) throw new Error(result.errors.map((e) => e.message).join("; "));
  return result.tables;
}

function refusals(input: AccessModelInput, sn: string) {
  const result = compileTerminal(indexModel(model(input)), sn, TODAY);
  if (result.ok) throw new Error("compiled, but should not fit");
  return result.errors;
}

const always = (h = false) => ({ id: 1, name: "Always", days: { "1": ["00:00-23:59"], "2": ["00:00-23:59"], "3": ["00:00-23:59"], "4": ["00:00-23:59"], "5": ["00:00-23:59"], "6": ["00:00-23:59"], "7": ["00:00-23:59"] }, holidaysClosed: h });

describe("compile: the site onto each terminal, exact tables", () => {
  test("FRONT: office, office + Saturday, cleaners; disabled and level-less people closed; holidays of the coming year", () => {
    expect(compiled(site, "FRONT")).toEqual({
      dayzones: [
        CLOSED,
        ["08:00~18:00", E, E, E, E],
        ["08:00~12:00", E, E, E, E],
        ["06:00~08:00", "18:00~20:00", E, E, E],
        CLOSED, CLOSED, CLOSED, CLOSED,
      ],
      weekzones: [
        [1, 1, 1, 1, 1, 1, 1], // closed
        [2, 2, 2, 2, 2, 1, 1], // Office (Bob, Eve)
        [2, 2, 2, 2, 2, 3, 1], // Office + Saturday mornings (Ann)
        [4, 4, 4, 4, 4, 1, 1], // Cleaners (Cleo)
        UNUSED_WEEK, UNUSED_WEEK, UNUSED_WEEK, UNUSED_WEEK,
      ],
      holidays: [
        { name: "Christmas", startday: "12-24", endday: "12-26", shift: 0, dayzone: 1 },
        { name: "Year end", startday: "12-31", endday: "12-31", shift: 0, dayzone: 1 },
        { name: "New Year", startday: "01-01", endday: "01-01", shift: 0, dayzone: 1 },
        { name: "Year end", startday: "01-01", endday: "01-02", shift: 0, dayzone: 1 },
      ],
      locks: new Map([
        [1, { weekzone: 3, group: 2, starttime: "2000-01-01 00:00:00", endtime: "2099-12-31 23:59:59" }],
        [2, { weekzone: 2, group: 0, starttime: "2000-01-01 00:00:00", endtime: "2099-12-31 23:59:59" }],
        [3, { weekzone: 4, group: 0, starttime: "2000-01-01 00:00:00", endtime: "2099-12-31 23:59:59" }],
        [4, { weekzone: 1, group: 0, starttime: "2000-01-01 00:00:00", endtime: "2099-12-31 23:59:59" }],
        [5, { weekzone: 2, group: 0, starttime: "2026-01-01 00:00:00", endtime: "2026-06-30 23:59:59" }],
        [6, { weekzone: 1, group: 0, starttime: "2000-01-01 00:00:00", endtime: "2099-12-31 23:59:59" }],
      ]),
    });
  });

  test("BACK (through terminal group 100): Saturday mornings and cleaners only", () => {
    const t = compiled(site, "BACK");
    expect(t.dayzones).toEqual([CLOSED, ["08:00~12:00", E, E, E, E], ["06:00~08:00", "18:00~20:00", E, E, E], CLOSED, CLOSED, CLOSED, CLOSED, CLOSED]);
    expect(t.weekzones).toEqual([[1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 2, 1], [3, 3, 3, 3, 3, 1, 1], UNUSED_WEEK, UNUSED_WEEK, UNUSED_WEEK, UNUSED_WEEK, UNUSED_WEEK]);
    expect([...t.locks].map(([id, l]) => [id, l.weekzone])).toEqual([[1, 2], [2, 1], [3, 3], [4, 1], [5, 1], [6, 1]]);
  });

  test("a terminal in no level holds only 'closed', and no holidays (nothing to close)", () => {
    const t = compiled(site, "GARAGE");
    expect(t.dayzones).toEqual(Array.from({ length: 8 }, () => CLOSED));
    expect(t.weekzones).toEqual([[1, 1, 1, 1, 1, 1, 1], ...Array.from({ length: 7 }, () => UNUSED_WEEK)]);
    expect(t.holidays).toEqual([]);
    expect([...t.locks.values()].every((l) => l.weekzone === 1)).toBe(true);
  });

  test("schedules open on holidays: no holiday table", () => {
    expect(compiled({ ...site, schedules: [always(false)], levels: [{ id: 10, name: "All", scheduleId: 1, terminals: ["FRONT"] }], people: [{ enrollid: 1, enabled: true, levelIds: [10] }] }, "FRONT")).toEqual({
      dayzones: [CLOSED, ["00:00~23:59", E, E, E, E], CLOSED, CLOSED, CLOSED, CLOSED, CLOSED, CLOSED],
      weekzones: [[1, 1, 1, 1, 1, 1, 1], [2, 2, 2, 2, 2, 2, 2], UNUSED_WEEK, UNUSED_WEEK, UNUSED_WEEK, UNUSED_WEEK, UNUSED_WEEK, UNUSED_WEEK],
      holidays: [],
      locks: new Map([[1, { weekzone: 2, group: 0, starttime: "2000-01-01 00:00:00", endtime: "2099-12-31 23:59:59" }]]),
    });
  });

  test("two levels at one door: their windows merged into one day zone; people with the same windows share a week zone", () => {
    const t = compiled(
      {
        schedules: [
          { id: 1, name: "Morning", days: { "1": ["08:00-12:00"] } },
          { id: 2, name: "Afternoon", days: { "1": ["12:00-13:00", "14:00-18:00"] } },
          { id: 3, name: "Day", days: { "1": ["08:00-13:00", "14:00-18:00"] } },
        ],
        levels: [
          { id: 1, name: "M", scheduleId: 1, terminals: ["T"] },
          { id: 2, name: "A", scheduleId: 2, terminals: ["T"] },
          { id: 3, name: "D", scheduleId: 3, terminals: ["T"] },
        ],
        people: [
          { enrollid: 7, enabled: true, levelIds: [3] },
          { enrollid: 8, enabled: true, levelIds: [2, 1] },
        ],
      },
      "T",
    );
    expect(t.dayzones.slice(0, 2)).toEqual([CLOSED, ["08:00~13:00", "14:00~18:00", E, E, E]]);
    expect(t.weekzones.slice(0, 3)).toEqual([[1, 1, 1, 1, 1, 1, 1], [2, 1, 1, 1, 1, 1, 1], UNUSED_WEEK]);
    expect(t.locks.get(7)?.weekzone).toBe(2);
    expect(t.locks.get(8)?.weekzone).toBe(2);
  });

  test("holidays: past ones dropped, the window is today + 364 days, New Year split, clipped at both ends", () => {
    const m = model({ holidays: [
      { name: "Long", from: "2026-03-01", to: "2026-03-12" },
      { name: "Far", from: "2027-03-05", to: "2027-03-20" },
      { name: "Beyond", from: "2027-03-10", to: "2027-03-10" },
    ] });
    expect(holidayTable(m, TODAY)).toEqual([
      { name: "Long", startday: "03-10", endday: "03-12", shift: 0, dayzone: 1 },
      { name: "Far", startday: "03-05", endday: "03-09", shift: 0, dayzone: 1 },
    ]);
  });
});

describe("compile: what a terminal cannot hold is refused, naming the rule and the terminal", () => {
  const hourly = (n: number) => ({ id: n, name: `S${n}`, days: { "1": [`${String(n).padStart(2, "0")}:00-${String(n).padStart(2, "0")}:30`] } });
  const oneLevelEach = (n: number) => ({
    schedules: Array.from({ length: n }, (_, i) => hourly(i + 1)),
    levels: Array.from({ length: n }, (_, i) => ({ id: i + 1, name: `L${i + 1}`, scheduleId: i + 1, terminals: ["T1"] })),
    people: Array.from({ length: n }, (_, i) => ({ enrollid: i + 1, enabled: true, levelIds: [i + 1] })),
  });

  test("7 weekly schedules fit; an 8th does not (week zone 1 is 'closed')", () => {
    expect(compiled(oneLevelEach(7), "T1").weekzones[7]).toEqual([8, 1, 1, 1, 1, 1, 1]);
    expect(refusals(oneLevelEach(8), "T1")).toEqual([
      { sn: "T1", rule: "week-zones", message: 'terminal T1: needs 8 different weekly schedules; it holds 7 besides "closed" (week zone 1)' },
      { sn: "T1", rule: "day-zones", message: 'terminal T1: needs 8 different sets of daily windows; it holds 7 besides "closed" (day zone 1)' },
    ]);
  });

  test("more than 7 sets of daily windows in fewer week zones", () => {
    const days = (base: number) => Object.fromEntries([1, 2, 3, 4].map((d) => [String(d), [`${String(base + d).padStart(2, "0")}:00-${String(base + d).padStart(2, "0")}:30`]]));
    const input = {
      schedules: [{ id: 1, name: "A", days: days(0) }, { id: 2, name: "B", days: days(10) }],
      levels: [{ id: 1, name: "A", scheduleId: 1, terminals: ["T1"] }, { id: 2, name: "B", scheduleId: 2, terminals: ["T1"] }],
      people: [{ enrollid: 1, enabled: true, levelIds: [1] }, { enrollid: 2, enabled: true, levelIds: [2] }],
    };
    expect(refusals(input, "T1")).toEqual([
      { sn: "T1", rule: "day-zones", message: 'terminal T1: needs 8 different sets of daily windows; it holds 7 besides "closed" (day zone 1)' },
    ]);
  });

  test("two levels that together open more than 5 windows a day", () => {
    const input = {
      schedules: [
        { id: 1, name: "Odd hours", days: { "3": ["01:00-01:30", "03:00-03:30", "05:00-05:30"] } },
        { id: 2, name: "Even hours", days: { "3": ["02:00-02:30", "04:00-04:30", "06:00-06:30"] } },
      ],
      levels: [{ id: 1, name: "O", scheduleId: 1, terminals: ["T1"] }, { id: 2, name: "E", scheduleId: 2, terminals: ["T1"] }],
      people: [4, 5, 6, 7, 8, 9, 10].map((enrollid) => ({ enrollid, enabled: true, levelIds: [1, 2] })),
    };
    expect(refusals(input, "T1")).toEqual([
      { sn: "T1", rule: "windows-per-day", message: 'terminal T1: "Odd hours" + "Even hours" together open 6 windows on Wednesday (a day zone holds 5), for people 4, 5, 6, 7, 8 and 2 more' },
    ]);
  });

  test("schedules that disagree about holidays on one terminal; fine on separate terminals", () => {
    const input = {
      ...site,
      schedules: [{ ...always(false), name: "Security" }, { id: 2, name: "Office", days: { "1": ["08:00-18:00"] }, holidaysClosed: true }],
      levels: [{ id: 1, name: "Sec", scheduleId: 1, terminals: ["T1"] }, { id: 2, name: "Off", scheduleId: 2, terminals: ["T1", "T2"] }],
      terminalGroups: [],
      people: [{ enrollid: 1, enabled: true, levelIds: [1] }, { enrollid: 2, enabled: true, levelIds: [2] }],
      passes: [],
    };
    expect(refusals(input, "T1")).toEqual([
      { sn: "T1", rule: "holidays-disagree", message: 'terminal T1: its holiday table applies to everyone, but "Office" close on holidays and "Security" do not; make them agree or give them different terminals' },
    ]);
    expect(compiled(input, "T2").holidays.length).toBe(4);
  });

  test("more than 30 holiday ranges in the coming year", () => {
    const holidays = Array.from({ length: 31 }, (_, i) => ({ name: `H${i}`, from: `2026-04-${String(i % 30 + 1).padStart(2, "0")}`, to: `2026-04-${String(i % 30 + 1).padStart(2, "0")}` }));
    expect(refusals({ ...site, holidays }, "FRONT")).toEqual([
      { sn: "FRONT", rule: "holidays", message: "terminal FRONT: the coming year has 31 holiday ranges (a range that spans New Year counts twice); a terminal holds 30" },
    ]);
    expect(compiled({ ...site, holidays: holidays.slice(0, 30) }, "FRONT").holidays.length).toBe(30);
  });
});

describe("the model schema", () => {
  const error = (input: unknown) => {
    const r = parseAccessModel(input);
    return r.ok ? null : r.error;
  };

  test("windows: merged where they overlap, at most 5 a day, start before end, HH:MM", () => {
    const r = parseAccessModel({ schedules: [{ id: 1, name: "S", days: { "1": ["12:00-13:00", "08:00-12:30", "13:01-14:00", "16:00-17:00"] } }] });
    expect(r.ok && r.model.schedules[0]?.days).toEqual([[{ start: 480, end: 840 }, { start: 960, end: 1020 }], [], [], [], [], [], []]);
    expect(error({ schedules: [{ id: 1, name: "S", days: { "2": ["01:00-01:10", "02:00-02:10", "03:00-03:10", "04:00-04:10", "05:00-05:10", "06:00-06:10"] } }] })).toBe("schedules.0.days.2: 6 windows in a day; a terminal holds at most 5");
    expect(error({ schedules: [{ id: 1, name: "S", days: { "1": ["18:00-08:00"] } }] })).toBe('schedules.0.days.1.0: not a window "HH:MM-HH:MM" with start before end: "18:00-08:00"');
    expect(error({ schedules: [{ id: 1, name: "S", days: { "1": ["8:00-18:00"] } }] })).toBe('schedules.0.days.1.0: not a window "HH:MM-HH:MM" with start before end: "8:00-18:00"');
    expect(error({ schedules: [{ id: 1, name: "S", days: { "8": [] } }] })).toBe('schedules.0.days: unknown field "8"');
  });

  test("references resolve, identities are unique, issued codes are long and unique", () => {
    expect(error({ levels: [{ id: 1, name: "L", scheduleId: 9 }] })).toBe("level 1 uses schedule 9, which does not exist");
    expect(error({ people: [{ enrollid: 1, enabled: true, levelIds: [3] }] })).toBe("person 1 has level 3, which does not exist");
    expect(error({ people: [{ enrollid: 1, enabled: true }, { enrollid: 1, enabled: false }] })).toBe("person 1 appears twice");
    expect(error({ people: [{ enrollid: 1, enabled: true, validFrom: "2026-02-01", validTo: "2026-01-01" }] })).toBe("person 1 is valid from 2026-02-01, after 2026-01-01");
    expect(error({ people: [{ enrollid: 21, enabled: true, qrCode: "21" }] })).toBe("people.0.qrCode: an issued code is 16 to 128 printable ASCII characters without spaces");
    expect(error({ people: [{ enrollid: 1, enabled: true, qrCode: "same-code-1234567" }, { enrollid: 2, enabled: true, qrCode: "same-code-1234567" }] })).toBe("an issued QR code is given to two people or passes");
    expect(error({ passes: [{ id: 1, name: "P", code: "pass-code-12345678", validFrom: "2026-01-01 00:00:00", validTo: "2026-01-02 00:00:00" }] })).toBe("pass 1 opens no door: give it levels or terminals");
    expect(error({ holidays: [{ name: "x".repeat(33), from: "2026-01-01", to: "2026-01-01" }] })).toBe("holidays.0.name: use at most 32 characters");
  });
});
