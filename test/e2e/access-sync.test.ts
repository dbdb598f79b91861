/**
 * Kept on every terminal (issue 16), on the real binary with simulated units: the access sync
 * sends each terminal only what its tables lack, nothing to a terminal already in step, catches
 * up a terminal that was offline when it registers, and refuses a change that cannot fit a
 * terminal with the rule and the terminal named. Then, with the server stopped, a unit's door
 * decides alone from what it was sent.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SimDevice } from "../../src/simulator/device.ts";
import type { SimulatedTerminal } from "../../src/simulator/terminal.ts";
import { startTm20, type Tm20Process } from "../helpers/server.ts";
import { registered, startSim, until } from "../helpers/sim.ts";

type Json = Record<string, unknown>;
const WEEKDAYS = (windows: string[]) => ({ "1": windows, "2": windows, "3": windows, "4": windows, "5": windows });
const ALWAYS = { starttime: "2000-01-01 00:00:00", endtime: "2099-12-31 23:59:59", group: 0 };
const CLOSED_DAY = ["00:00~00:00", "00:00~00:00", "00:00~00:00", "00:00~00:00", "00:00~00:00"];
const section = (s: string) => ({ section: s });

let srv: Tm20Process;
beforeAll(async () => {
  srv = await startTm20({ args: ["--tz", "UTC", "--approval", "open"] });
});
afterAll(async () => {
  await srv.stop();
});

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const res = await srv.api(path, { method, ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }) });
  return { status: res.status, json: (await res.json()) as Json };
}

const person = (enrollid: number, name: string) =>
  call("POST", "/api/v1/people", { enrollid, name, admin: 0, enabled: true, validFrom: null, validTo: null, externalId: null });

/** Every command queued for the terminal has been answered. */
async function settled(sn: string) {
  await until(`${sn}'s commands answered`, async () => {
    const { json } = await call("GET", `/api/v1/terminals/${sn}/commands?limit=500`);
    const items = json.items as Array<{ status: string }>;
    return items.length > 0 && items.every((c) => c.status === "succeeded");
  });
}

/** The access frames a unit received, without `sn`, in order. */
function accessFrames(device: SimDevice): Json[] {
  return device.received.filter((m) => ["setdevlock", "setholiday", "setuserlock"].includes(String(m.cmd))).map(({ sn: _sn, ...m }) => m);
}

describe("the access sync (real binary, simulated units)", () => {
  const door1 = new SimDevice();
  const door2 = new SimDevice();
  let t1: SimulatedTerminal;
  let t2: SimulatedTerminal | null = null;
  let office = 0;
  let staff = 0;

  beforeAll(async () => {
    for (const d of [door1, door2]) {
      d.users.set(7, { name: "Ann", admin: 0, enabled: true, credentials: new Map([[10, "1234"]]) });
      d.users.set(8, { name: "Bob", admin: 0, enabled: true, credentials: new Map([[10, "5678"]]) });
    }
    t1 = startSim(srv.ws(), "DOOR1", { device: door1 });
    await registered(t1);
    // DOOR2 registers once, so it is a known terminal, then goes offline.
    const first = startSim(srv.ws(), "DOOR2", { device: new SimDevice() });
    await registered(first);
    first.stop();
    await until("DOOR2 offline", async () => (await call("GET", "/api/v1/terminals/DOOR2")).json.online === false);
  });
  afterAll(() => {
    t1.stop();
    t2?.stop();
  });

  test("a level, then a person's level: each change sends what differs, in an order that never opens more than either state", async () => {
    expect((await person(7, "Ann")).status).toBe(201);
    expect((await person(8, "Bob")).status).toBe(201);
    const s = await call("POST", "/api/v1/access/schedules", { name: "Office", days: WEEKDAYS(["08:00-18:00"]) });
    office = Number(s.json.id);
    // Nothing names a terminal yet: no terminal is managed, nothing is sent.
    expect((await call("POST", "/api/v1/access/sync")).json).toEqual({ queued: 0, refused: [] });
    const l = await call("POST", "/api/v1/access/levels", { name: "Staff", scheduleId: office, terminals: ["DOOR1", "DOOR2"] });
    expect(l.status).toBe(201);
    staff = Number(l.json.id);
    expect((await call("PUT", "/api/v1/people/7/access", { levelIds: [staff] })).status).toBe(200);
    await settled("DOOR1");

    const closedWeek = { week: Array.from({ length: 7 }, () => ({ day: 1 })) };
    const unused = { week: Array.from({ length: 7 }, () => ({ day: 0 })) };
    const officeWeek = { week: [2, 2, 2, 2, 2, 1, 1].map((day) => ({ day })) };
    const emptyZones = Array.from({ length: 7 }, () => ({ day: CLOSED_DAY.map(section) }));
    expect(accessFrames(door1)).toEqual([
      // The level: DOOR1 is managed from now on; no one has a level, everyone is on zone 1 (closed).
      { cmd: "setholiday", holidays: [] },
      { cmd: "setdevlock", dayzone: [{ day: CLOSED_DAY.map(section) }, ...emptyZones], weekzone: [closedWeek, unused, unused, unused, unused, unused, unused, unused] },
      { cmd: "setuserlock", count: 2, record: [{ enrollid: 7, weekzone: 1, ...ALWAYS }, { enrollid: 8, weekzone: 1, ...ALWAYS }] },
      // Ann's level: the office zone first, then her lock onto it.
      {
        cmd: "setdevlock",
        dayzone: [{ day: CLOSED_DAY.map(section) }, { day: ["08:00~18:00", ...CLOSED_DAY.slice(1)].map(section) }, ...emptyZones.slice(1)],
        weekzone: [closedWeek, officeWeek, unused, unused, unused, unused, unused, unused],
      },
      { cmd: "setuserlock", count: 1, record: [{ enrollid: 7, weekzone: 2, ...ALWAYS }] },
    ]);
    expect(door1.verify(7, "2026-03-10 09:00:00")).toBe(true);
    expect(door1.verify(8, "2026-03-10 09:00:00")).toBe(false);
  });

  test("minimum: a schedule's new hours are one setdevlock (day zones only); a person given the level is one setuserlock", async () => {
    const before = door1.received.length;
    expect((await call("PATCH", `/api/v1/access/schedules/${office}`, { days: WEEKDAYS(["07:00-18:00"]) })).status).toBe(200);
    expect((await call("PUT", "/api/v1/people/8/access", { levelIds: [staff] })).status).toBe(200);
    await settled("DOOR1");
    const sent = door1.received.slice(before).map(({ sn: _sn, ...m }) => m);
    const emptyZones = Array.from({ length: 6 }, () => ({ day: CLOSED_DAY.map(section) }));
    expect(sent).toEqual([
      { cmd: "setdevlock", dayzone: [{ day: CLOSED_DAY.map(section) }, { day: ["07:00~18:00", ...CLOSED_DAY.slice(1)].map(section) }, ...emptyZones] },
      { cmd: "setuserlock", count: 1, record: [{ enrollid: 8, weekzone: 2, ...ALWAYS }] },
    ]);
    expect(door1.verify(8, "2026-03-10 07:30:00")).toBe(true);
  });

  test("a re-sync of terminals in step sends nothing, and neither does a unit's reconnect", async () => {
    const before = door1.received.length;
    expect((await call("POST", "/api/v1/access/sync")).json).toEqual({ queued: 0, refused: [] });
    t1.stop();
    t1 = startSim(srv.ws(), "DOOR1", { device: door1 });
    await registered(t1);
    // The reg's sync is queued behind this one: once this answers, that one has run.
    expect((await call("POST", "/api/v1/access/sync")).json).toEqual({ queued: 0, refused: [] });
    expect(door1.received.length).toBe(before);
  });

  test("a terminal that was offline through every change is brought up to date when it registers", async () => {
    expect(door2.received).toEqual([]);
    t2 = startSim(srv.ws(), "DOOR2", { device: door2 });
    await registered(t2);
    await settled("DOOR2");
    const frames = accessFrames(door2);
    expect(frames.map((f) => f.cmd)).toEqual(["setholiday", "setdevlock", "setuserlock"]);
    expect(frames[2]).toEqual({ cmd: "setuserlock", count: 2, record: [{ enrollid: 7, weekzone: 2, ...ALWAYS }, { enrollid: 8, weekzone: 2, ...ALWAYS }] });
    expect(door2.verify(7, "2026-03-10 20:00:00")).toBe(false);
    expect(door2.verify(7, "2026-03-10 09:00:00")).toBe(true);
  });

  test("more than 30 holidays from time and attendance: the terminals are sent nothing and an alert names the rule; one fewer and they are in step again", async () => {
    expect((await call("PATCH", `/api/v1/access/schedules/${office}`, { holidaysClosed: true })).status).toBe(200);
    await settled("DOOR1");
    await settled("DOOR2");
    // 31 single days in the coming year (the server's own date: the table is today's next 365 days).
    const day = (i: number) => new Date(Date.now() + (10 + 2 * i) * 86_400_000).toISOString().slice(0, 10);
    const ids: number[] = [];
    for (let i = 0; i < 31; i++) {
      const h = await call("POST", "/api/v1/holidays", { date: day(i), name: `Closed ${i}` });
      expect(h.status).toBe(201);
      ids.push(Number(h.json.id));
    }
    const alerts = await until("the access alert", async () => {
      const items = (await call("GET", "/api/v1/alerts")).json.items as Array<{ id: string; message: string }>;
      const mine = items.filter((a) => a.id.startsWith("access_not_fit:"));
      return mine.length === 2 ? mine : undefined;
    });
    expect(alerts.map((a) => [a.id, a.message.split(". ")[0]])).toEqual([
      ["access_not_fit:terminal:DOOR1", "terminal DOOR1: the coming year has 31 holiday ranges (a range that spans New Year counts twice); a terminal holds 30"],
      ["access_not_fit:terminal:DOOR2", "terminal DOOR2: the coming year has 31 holiday ranges (a range that spans New Year counts twice); a terminal holds 30"],
    ]);
    const synced = (await call("POST", "/api/v1/access/sync")).json;
    expect([synced.queued, (synced.refused as Array<{ sn: string; rule: string }>).map((r) => [r.sn, r.rule])]).toEqual([0, [["DOOR1", "holidays"], ["DOOR2", "holidays"]]]);
    // The table of 30 went out before the 31st: the doors hold that one.
    await settled("DOOR1");
    const held = door1.received.filter((m) => m.cmd === "setholiday").at(-1) as { holidays: unknown[] };
    expect(held.holidays.length).toBe(30);

    expect((await call("DELETE", `/api/v1/holidays/${ids[30]}`)).status).toBe(200);
    await until("the access alert cleared", async () => {
      const items = (await call("GET", "/api/v1/alerts")).json.items as Array<{ id: string }>;
      return !items.some((a) => a.id.startsWith("access_not_fit:"));
    });
    expect((await call("POST", "/api/v1/access/sync")).json).toEqual({ queued: 0, refused: [] });
    // Back to schedules that ignore holidays, for what follows: the table empties.
    expect((await call("PATCH", `/api/v1/access/schedules/${office}`, { holidaysClosed: false })).status).toBe(200);
    await settled("DOOR1");
    expect(door1.received.filter((m) => m.cmd === "setholiday").at(-1)).toMatchObject({ holidays: [] });
  });

  test("more weekly schedules than a terminal's 8 week zones: refused with the rule and the terminal named, nothing sent", async () => {
    // Seven people on seven different schedules at DOOR1 alone (the same hours, each on another
    // weekday: two day zones are enough): with the office, eight weekly schedules.
    const levels: number[] = [];
    for (let i = 1; i <= 7; i++) {
      const s = await call("POST", "/api/v1/access/schedules", { name: `Shift ${i}`, days: { [String(i)]: ["08:00-18:00"] } });
      const l = await call("POST", "/api/v1/access/levels", { name: `Shift ${i}`, scheduleId: s.json.id, terminals: ["DOOR1"] });
      levels.push(Number(l.json.id));
      expect((await person(100 + i, `Shift worker ${i}`)).status).toBe(201);
    }
    for (let i = 1; i <= 6; i++) expect((await call("PUT", `/api/v1/people/${100 + i}/access`, { levelIds: [levels[i - 1]] })).status).toBe(200);
    await settled("DOOR1");
    const before = door1.received.length;
    const refused = await call("PUT", "/api/v1/people/107/access", { levelIds: [levels[6]] });
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({
      code: "does_not_fit",
      message: `terminal DOOR1: needs 8 different weekly schedules; it holds 7 besides "closed" (week zone 1)`,
    });
    expect((await call("GET", "/api/v1/people/107/access")).json.levelIds).toEqual([]);
    expect((await call("POST", "/api/v1/access/sync")).json).toEqual({ queued: 0, refused: [] });
    expect(door1.received.length).toBe(before);
  });
  test("what a unit refused is not taken as held: the next sync sends it again; a lock deleted by hand goes back at once", async () => {
    const refusing = new SimDevice();
    const t3 = startSim(srv.ws(), "DOOR3", { device: refusing, commandMode: "refuse" });
    try {
      await registered(t3);
      expect((await call("PATCH", `/api/v1/access/levels/${staff}`, { terminals: ["DOOR1", "DOOR2", "DOOR3"] })).status).toBe(200);
      await until("DOOR3's commands refused", async () => {
        const items = (await call("GET", "/api/v1/terminals/DOOR3/commands?limit=100")).json.items as Array<{ status: string }>;
        return items.length > 0 && items.every((c) => c.status === "failed");
      });
      const first = refusing.received.map((m) => m.cmd);
      expect(first).toEqual(["setholiday", "setdevlock", "setuserlock"]);
      expect((await call("POST", "/api/v1/access/sync")).json).toEqual({ queued: first.length, refused: [] });
    } finally {
      t3.stop();
    }
    const before = door1.received.length;
    const deleted = await call("POST", "/api/v1/terminals/DOOR1/commands", { command: "deleteuserlock", params: { enrollid: 7 } });
    expect(deleted.status).toBe(201);
    // The lock goes back once the deletion's answer is stored: between the two nothing is open.
    await until("enrollid 7's lock sent back", () => door1.received.slice(before).some((m) => m.cmd === "setuserlock"));
    await settled("DOOR1");
    expect(door1.received.slice(before).map(({ sn: _sn, ...m }) => m)).toEqual([
      { cmd: "deleteuserlock", enrollid: 7 },
      { cmd: "setuserlock", count: 1, record: [{ enrollid: 7, weekzone: 2, ...ALWAYS }] },
    ]);
  });
  test("someone new enrolled at a unit's keypad gets a closed lock on every door (a unit admits a person it holds no lock for)", async () => {
    const before = [door1.received.length, door2.received.length];
    expect(await t1.enroll(50, "Walk-in", 10, "4321")).toBe(true);
    await until("the walk-in's lock on both doors", () =>
      [door1, door2].every((d) => d.received.some((m) => m.cmd === "setuserlock" && (m.record as Array<{ enrollid: number }>)[0]?.enrollid === 50)),
    );
    await settled("DOOR1");
    await settled("DOOR2");
    const closed = { cmd: "setuserlock", count: 1, record: [{ enrollid: 50, weekzone: 1, ...ALWAYS }] };
    expect(door1.received.slice(before[0]).map(({ sn: _sn, ...m }) => m)).toEqual([closed]);
    expect(door2.received.slice(before[1]).map(({ sn: _sn, ...m }) => m)).toEqual([closed]);
    expect(door1.verify(50, "2026-03-10 09:00:00")).toBe(false);
  });
  test("an import's people get their locks in one sync for the whole batch, not one per person", async () => {
    const before = [door1.received.length, door2.received.length];
    const csv = ["Employee ID;Full Name;Enrollid", "E-61;Ida;61", "E-62;Joe;62", "E-63;Kim;63"].join("\n");
    const res = await srv.api("/api/v1/people/import", { method: "POST", headers: { "content-type": "text/csv" }, body: csv });
    expect(res.status).toBe(200);
    await until("the imported people's locks on both doors", () =>
      [door1, door2].every((d) => d.received.some((m) => m.cmd === "setuserlock" && (m.record as Array<{ enrollid: number }>).some((r) => r.enrollid === 63))),
    );
    await settled("DOOR1");
    await settled("DOOR2");
    const closed = { cmd: "setuserlock", count: 3, record: [61, 62, 63].map((enrollid) => ({ enrollid, weekzone: 1, ...ALWAYS })) };
    expect(door1.received.slice(before[0]).map(({ sn: _sn, ...m }) => m)).toEqual([closed]);
    expect(door2.received.slice(before[1]).map(({ sn: _sn, ...m }) => m)).toEqual([closed]);
  });
});
