import { describe, expect, test } from "bun:test";
import { compileTerminal, indexModel, NOTHING_HELD, parseAccessModel, planTables } from "../../src/access/index.ts";
import { commandFrame, validateParams } from "../../src/protocol/index.ts";
import { SimDevice } from "../../src/simulator/device.ts";

/** Sends the compiled tables to a simulated unit as the server's frames, through the queue's validation. */
function push(device: SimDevice, input: unknown, sn = "DOOR1") {
  const parsed = parseAccessModel(input);
  if (!parsed.ok) throw new Error(parsed.error);
  const compiled = compileTerminal(indexModel(parsed.model), sn, "2026-03-10");
  if (!compiled.ok) throw new Error(compiled.errors[0]?.message);
  for (const planned of planTables(NOTHING_HELD, compiled.tables)) {
    const valid = validateParams(planned.command, planned.params);
    if (!valid.ok) throw new Error(valid.error);
    const answer = device.handle(commandFrame(planned.command, valid.params, { sn, cloudtime: "2026-03-10 08:00:00", firstPage: true }));
    expect(answer).toEqual({ reply: { ret: planned.command, result: true } });
  }
}

const office = {
  schedules: [{ id: 1, name: "Office", days: { "1": ["08:00-18:00"], "2": ["08:00-18:00"], "3": ["08:00-18:00"], "4": ["08:00-18:00"], "5": ["08:00-18:00"] }, holidaysClosed: true }],
  levels: [{ id: 1, name: "Staff", scheduleId: 1, terminals: ["DOOR1"] }],
  people: [
    { enrollid: 7, name: "Ann", enabled: true, levelIds: [1], validTo: "2026-06-30" },
    { enrollid: 8, name: "Bob", enabled: true, levelIds: [] },
  ],
  holidays: [{ name: "Spring", from: "2026-04-06", to: "2026-04-06" }],
};

function enrolled(...ids: number[]) {
  const device = new SimDevice();
  for (const id of ids) device.users.set(id, { name: `P${id}`, admin: 0, enabled: true, credentials: new Map([[10, "1234"]]) });
  return device;
}

describe("a simulated unit decides at its door from the tables it was sent (no server involved)", () => {
  test("08:00-18:00 on weekdays: refused at 20:00, admitted at 09:00", () => {
    const device = enrolled(7, 8);
    expect(device.verify(7, "2026-03-10 20:00:00")).toBe(true); // before any lock: units ship unconfigured
    push(device, office);
    expect(device.verify(7, "2026-03-10 20:00:00")).toBe(false);
    expect(device.verify(7, "2026-03-10 09:00:00")).toBe(true);
    expect(device.verify(7, "2026-03-10 18:00:59")).toBe(true);
    expect(device.verify(7, "2026-03-10 07:59:59")).toBe(false);
  });

  test("weekends, holidays, validity, no level, disabled on the unit", () => {
    const device = enrolled(7, 8);
    push(device, office);
    expect(device.verify(7, "2026-03-14 09:00:00")).toBe(false); // Saturday
    expect(device.verify(7, "2026-04-06 09:00:00")).toBe(false); // Spring holiday, a Monday
    expect(device.verify(7, "2026-04-07 09:00:00")).toBe(true);
    expect(device.verify(7, "2026-07-01 09:00:00")).toBe(false); // after validTo
    expect(device.verify(8, "2026-03-10 09:00:00")).toBe(false); // no level for this door
    expect(device.handle({ cmd: "enableuser", enrollid: 7, enflag: 0 })).toEqual({ reply: { ret: "enableuser", result: true } });
    expect(device.verify(7, "2026-03-10 09:00:00")).toBe(false);
    expect(device.verify(99, "2026-03-10 09:00:00")).toBe(false); // not enrolled here
  });

  test("it answers getuserlock and getdevlock with what it holds", () => {
    const device = enrolled(7);
    push(device, office);
    expect(device.handle({ cmd: "getuserlock", enrollid: 7 })).toEqual({
      reply: { ret: "getuserlock", result: true, count: 1, record: [{ enrollid: 7, weekzone: 2, group: 0, starttime: "2000-01-01 00:00:00", endtime: "2026-06-30 23:59:59" }] },
    });
    const devlock = device.handle({ cmd: "getdevlock" });
    expect("reply" in devlock && (devlock.reply?.weekzone as unknown[]).length).toBe(8);
    expect(device.handle({ cmd: "cleanuserlock" })).toEqual({ reply: { ret: "cleanuserlock", result: true } });
    expect(device.handle({ cmd: "getuserlock", enrollid: 7 })).toEqual({ reply: { ret: "getuserlock", result: false, reason: 1 } });
  });

  test("a setuserlock with a bad record is refused whole", () => {
    const device = enrolled(7);
    expect(device.handle({ cmd: "setuserlock", count: 2, record: [{ enrollid: 7, weekzone: 1, group: 0, starttime: "2026-01-01 00:00:00", endtime: "2099-12-31 23:59:59" }, { enrollid: 8, weekzone: 1 }] })).toEqual({
      reply: { ret: "setuserlock", result: false, reason: 1 },
    });
    expect(device.handle({ cmd: "getuserlock", enrollid: 7 })).toEqual({ reply: { ret: "getuserlock", result: false, reason: 1 } });
  });
});
