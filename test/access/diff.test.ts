import { describe, expect, test } from "bun:test";
import { type AccessModelInput, compileTerminal, type HeldTables, indexModel, NOTHING_HELD, planTables, type TerminalTables } from "../../src/access/index.ts";
import { apply, held, model, site } from "./fixtures.ts";

const E = "00:00~00:00";
const ALWAYS = { starttime: "2000-01-01 00:00:00", endtime: "2099-12-31 23:59:59" };

function tables(input: AccessModelInput, previous?: HeldTables): TerminalTables {
  const r = compileTerminal(indexModel(model(input)), "FRONT", "2026-03-10", previous);
  if (!r.ok) throw new Error(r.errors[0]?.message);
  return r.tables;
}

describe("diff: the minimum a terminal is sent", () => {
  test("a terminal that holds nothing known: holidays, zones, then every lock", () => {
    const wanted = tables(site);
    const plan = planTables(NOTHING_HELD, wanted);
    expect(plan.map((c) => c.command)).toEqual(["setholiday", "setdevlock", "setuserlock"]);
    expect(plan[0]?.params).toEqual({ holidays: wanted.holidays });
    expect(plan[1]?.params).toEqual({ dayzone: wanted.dayzones.map((day) => ({ day })), weekzone: wanted.weekzones.map((week) => ({ week })) });
    expect(plan[2]?.params).toEqual({
      record: [
        { enrollid: 1, weekzone: 3, group: 2, ...ALWAYS },
        { enrollid: 2, weekzone: 2, group: 0, ...ALWAYS },
        { enrollid: 3, weekzone: 4, group: 0, ...ALWAYS },
        { enrollid: 4, weekzone: 1, group: 0, ...ALWAYS },
        { enrollid: 5, weekzone: 2, group: 0, starttime: "2026-01-01 00:00:00", endtime: "2026-06-30 23:59:59" },
        { enrollid: 6, weekzone: 1, group: 0, ...ALWAYS },
      ],
    });
    expect(apply(NOTHING_HELD, plan)).toEqual(held(wanted));
  });

  test("a re-sync of an unchanged terminal sends nothing", () => {
    const wanted = tables(site);
    expect(planTables(apply(NOTHING_HELD, planTables(NOTHING_HELD, wanted)), wanted)).toEqual([]);
    expect(planTables(held(tables(site)), wanted)).toEqual([]);
  });

  test("a changed window sends only the day zones", () => {
    const before = tables(site);
    const changed = { ...site, schedules: site.schedules?.map((s) => (s.id === 1 ? { ...s, days: { "1": ["07:30-18:00"], "2": ["07:30-18:00"], "3": ["07:30-18:00"], "4": ["07:30-18:00"], "5": ["07:30-18:00"] } } : s)) };
    const after = tables(changed, held(before));
    const plan = planTables(held(before), after);
    expect(plan).toEqual([
      {
        command: "setdevlock",
        params: {
          dayzone: [[E, E, E, E, E], ["07:30~18:00", E, E, E, E], ["08:00~12:00", E, E, E, E], ["06:00~08:00", "18:00~20:00", E, E, E], [E, E, E, E, E], [E, E, E, E, E], [E, E, E, E, E], [E, E, E, E, E]].map((day) => ({ day })),
        },
      },
    ]);
    expect(apply(held(before), plan)).toEqual(held(after));
  });

  test("a person given a level, or with new dates: one setuserlock with just them", () => {
    const before = tables(site);
    const people = (change: (p: NonNullable<AccessModelInput["people"]>[number]) => object) => ({ ...site, people: site.people?.map((p) => ({ ...p, ...change(p) })) });
    expect(planTables(held(before), tables(people((p) => (p.enrollid === 2 ? { levelIds: [10, 11] } : {})), held(before)))).toEqual([
      { command: "setuserlock", params: { record: [{ enrollid: 2, weekzone: 3, group: 0, ...ALWAYS }] } },
    ]);
    expect(planTables(held(before), tables(people((p) => (p.enrollid === 5 ? { validTo: "2026-12-31" } : {})), held(before)))).toEqual([
      { command: "setuserlock", params: { record: [{ enrollid: 5, weekzone: 2, group: 0, starttime: "2026-01-01 00:00:00", endtime: "2026-12-31 23:59:59" }] } },
    ]);
  });

  test("the last person of a week zone disabled: their lock to zone 1 first, then the zone freed; no one else moves", () => {
    const before = tables(site);
    const after = tables({ ...site, people: site.people?.map((p) => (p.enrollid === 1 ? { ...p, enabled: false } : p)) }, held(before));
    expect(after.weekzones.slice(0, 4)).toEqual([[1, 1, 1, 1, 1, 1, 1], [2, 2, 2, 2, 2, 1, 1], [0, 0, 0, 0, 0, 0, 0], [3, 3, 3, 3, 3, 1, 1]]);
    const plan = planTables(held(before), after);
    expect(plan).toEqual([
      { command: "setuserlock", params: { record: [{ enrollid: 1, weekzone: 1, group: 2, ...ALWAYS }] } },
      { command: "setdevlock", params: { dayzone: after.dayzones.map((day) => ({ day })), weekzone: after.weekzones.map((week) => ({ week })) } },
    ]);
    expect(apply(held(before), plan)).toEqual(held(after));
  });

  test("a schedule's windows changed for a week zone shared with others: the zone keeps its number", () => {
    const before = tables(site);
    // Saturday mornings become 09:00-13:00: Ann's zone 3 changes meaning, and she stays on it.
    const after = tables({ ...site, schedules: site.schedules?.map((s) => (s.id === 2 ? { ...s, days: { "6": ["09:00-13:00"] } } : s)) }, held(before));
    expect(after.weekzones.slice(0, 4)).toEqual(before.weekzones.slice(0, 4));
    expect(planTables(held(before), after)).toEqual([{ command: "setdevlock", params: { dayzone: after.dayzones.map((day) => ({ day })) } }]);
  });

  test("a person removed from the site: their lock closed (zone 1), once; never deleted (a unit may admit whoever has no lock)", () => {
    const before = tables(site);
    const after = tables({ ...site, people: site.people?.filter((p) => p.enrollid !== 2) }, held(before));
    const plan = planTables(held(before), after);
    expect(plan).toEqual([{ command: "setuserlock", params: { record: [{ enrollid: 2, weekzone: 1, group: 0, ...ALWAYS }] } }]);
    expect(planTables(apply(held(before), plan), after)).toEqual([]);
  });

  test("holidays: a table that removes one goes after the zones, preceded by the union when it also adds", () => {
    const before = tables(site);
    const spring = { name: "Spring", from: "2026-04-06", to: "2026-04-06" };
    const springEntry = { name: "Spring", startday: "04-06", endday: "04-06", shift: 0, dayzone: 1 };
    // Christmas goes, Spring comes, and office hours shrink in the same change.
    const after = tables({
      ...site,
      schedules: site.schedules?.map((x) => (x.id === 1 ? { ...x, days: { "1": ["09:00-17:00"], "2": ["09:00-17:00"], "3": ["09:00-17:00"], "4": ["09:00-17:00"], "5": ["09:00-17:00"] } } : x)),
      holidays: [...(site.holidays ?? []).filter((h) => h.name !== "Christmas"), spring],
    }, held(before));
    const christmas = before.holidays.filter((h) => h.name === "Christmas");
    expect(planTables(held(before), after)).toEqual([
      { command: "setholiday", params: { holidays: [...after.holidays, ...christmas] } },
      { command: "setdevlock", params: { dayzone: after.dayzones.map((day) => ({ day })) } },
      { command: "setholiday", params: { holidays: after.holidays } },
    ]);
    expect(after.holidays[0]).toEqual(springEntry);
    const none = tables({ ...site, holidays: [] }, held(before));
    expect(planTables(held(before), none)).toEqual([{ command: "setholiday", params: { holidays: [] } }]);
  });

  test("a new holiday: one setholiday, first", () => {
    const before = tables(site);
    const plan = planTables(held(before), tables({ ...site, holidays: [...(site.holidays ?? []), { name: "Spring", from: "2026-04-06", to: "2026-04-06" }] }, held(before)));
    expect(plan).toEqual([{ command: "setholiday", params: { holidays: [{ name: "Spring", startday: "04-06", endday: "04-06", shift: 0, dayzone: 1 }, ...before.holidays] } }]);
  });

  test("a level removed: those who lose the door go to zone 1, the others keep their zones", () => {
    const before = tables(site);
    const after = tables({ ...site, levels: site.levels?.filter((l) => l.id !== 10), people: site.people?.map((p) => ({ ...p, levelIds: (p.levelIds ?? []).filter((l) => l !== 10) })) }, held(before));
    expect(after.weekzones.slice(0, 4)).toEqual([[1, 1, 1, 1, 1, 1, 1], [0, 0, 0, 0, 0, 0, 0], [1, 1, 1, 1, 1, 2, 1], [3, 3, 3, 3, 3, 1, 1]]);
    const plan = planTables(held(before), after);
    expect(plan).toEqual([
      { command: "setuserlock", params: { record: [{ enrollid: 2, weekzone: 1, group: 0, ...ALWAYS }, { enrollid: 5, weekzone: 1, group: 0, starttime: "2026-01-01 00:00:00", endtime: "2026-06-30 23:59:59" }] } },
      { command: "setdevlock", params: { dayzone: after.dayzones.map((day) => ({ day })), weekzone: after.weekzones.map((week) => ({ week })) } },
    ]);
    expect(apply(held(before), plan)).toEqual(held(after));
  });

  test("zones renumbered (tables compiled without the previous ones): people park on the closed zone 1 before setdevlock unless their zone means the same in both tables", () => {
    const before = tables(site);
    // The office level goes: Bob and Eve lose the door; Ann keeps Saturdays (week zone 3 → 2), Cleo moves 4 → 3.
    const after = tables({ ...site, levels: site.levels?.filter((l) => l.id !== 10), people: site.people?.map((p) => ({ ...p, levelIds: (p.levelIds ?? []).filter((l) => l !== 10) })) });
    expect(after.weekzones.slice(0, 3)).toEqual([[1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 2, 1], [3, 3, 3, 3, 3, 1, 1]]);
    const plan = planTables(held(before), after);
    expect(plan).toEqual([
      {
        command: "setuserlock",
        params: {
          record: [
            { enrollid: 1, weekzone: 1, group: 2, ...ALWAYS },
            { enrollid: 2, weekzone: 1, group: 0, ...ALWAYS },
            { enrollid: 3, weekzone: 1, group: 0, ...ALWAYS },
            { enrollid: 5, weekzone: 1, group: 0, starttime: "2026-01-01 00:00:00", endtime: "2026-06-30 23:59:59" },
          ],
        },
      },
      { command: "setdevlock", params: { dayzone: after.dayzones.map((day) => ({ day })), weekzone: after.weekzones.map((week) => ({ week })) } },
      { command: "setuserlock", params: { record: [{ enrollid: 1, weekzone: 2, group: 2, ...ALWAYS }, { enrollid: 3, weekzone: 3, group: 0, ...ALWAYS }] } },
    ]);
    expect(apply(held(before), plan)).toEqual(held(after));
  });

  test("locks go 40 to a frame", () => {
    const many = { ...site, people: Array.from({ length: 95 }, (_, i) => ({ enrollid: i + 1, enabled: true, levelIds: [10] })) };
    const before = tables({ ...many, people: [] });
    const plan = planTables(held(before), tables(many, held(before)));
    expect(plan.map((c) => [c.command, (c.params.record as unknown[] | undefined)?.length])).toEqual([["setholiday", undefined], ["setdevlock", undefined], ["setuserlock", 40], ["setuserlock", 40], ["setuserlock", 15]]);
  });
});

describe("numbering from what a unit answered", () => {
  test("locks read back with week zone 0 or out of range never give a zone its number", () => {
    const wanted = tables(site);
    const odd: HeldTables = { ...NOTHING_HELD, locks: new Map([[2, { weekzone: 0, group: 0, starttime: ALWAYS.starttime, endtime: ALWAYS.endtime }], [3, { weekzone: 12, group: 0, starttime: ALWAYS.starttime, endtime: ALWAYS.endtime }]]) };
    expect(tables(site, odd)).toEqual(wanted);
  });
});
