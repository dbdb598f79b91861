import { describe, expect, test } from "bun:test";
import { answersCommand, COMMAND_NAMES, type CommandName, commandFrame, describeReason, IDEMPOTENT_COMMANDS, validateParams } from "../../src/protocol/commands.ts";

const ctx = { sn: "SN1", cloudtime: "2026-03-01 08:00:00", firstPage: true };

/** A valid example of every command of PROTOCOL.md §4, and the frame it becomes. */
const examples: Record<CommandName, [Record<string, unknown>, Record<string, unknown>]> = {
  getuserlist: [{}, { cmd: "getuserlist", sn: "SN1", stn: true }],
  getuserinfo: [{ enrollid: 1, backupnum: 0 }, { cmd: "getuserinfo", sn: "SN1", enrollid: 1, backupnum: 0 }],
  setuserinfo: [
    { enrollid: 1, name: "Ann", backupnum: 10, record: "1234" },
    { cmd: "setuserinfo", sn: "SN1", enrollid: 1, name: "Ann", backupnum: 10, admin: 0, record: "1234" },
  ],
  deleteuser: [{ enrollid: 1, backupnum: 13 }, { cmd: "deleteuser", sn: "SN1", enrollid: 1, backupnum: 13 }],
  getusername: [{ enrollid: 1 }, { cmd: "getusername", sn: "SN1", enrollid: 1 }],
  setusername: [{ record: [{ enrollid: 1, name: "A" }, { enrollid: 2, name: "B" }] }, { cmd: "setusername", sn: "SN1", count: 2, record: [{ enrollid: 1, name: "A" }, { enrollid: 2, name: "B" }] }],
  enableuser: [{ enrollid: 1, enflag: 0 }, { cmd: "enableuser", sn: "SN1", enrollid: 1, enflag: 0 }],
  cleanuser: [{}, { cmd: "cleanuser", sn: "SN1" }],
  cleanadmin: [{}, { cmd: "cleanadmin", sn: "SN1" }],
  cleanlog: [{}, { cmd: "cleanlog", sn: "SN1" }],
  initsys: [{}, { cmd: "initsys", sn: "SN1" }],
  getnewlog: [{}, { cmd: "getnewlog", sn: "SN1", stn: true }],
  getalllog: [{ from: "2018-11-1", to: "2018-12-31" }, { cmd: "getalllog", sn: "SN1", stn: true, from: "2018-11-01", to: "2018-12-31" }],
  settime: [{}, { cmd: "settime", sn: "SN1", cloudtime: "2026-03-01 08:00:00" }],
  gettime: [{}, { cmd: "gettime", sn: "SN1" }],
  getdevinfo: [{}, { cmd: "getdevinfo", sn: "SN1" }],
  setdevinfo: [{ volume: 5, language: 1 }, { cmd: "setdevinfo", sn: "SN1", volume: 5, language: 1 }],
  opendoor: [{ doornum: 2 }, { cmd: "opendoor", sn: "SN1", doornum: 2 }],
  reboot: [{}, { cmd: "reboot", sn: "SN1" }],
  getdevlock: [{}, { cmd: "getdevlock", sn: "SN1" }],
  setdevlock: [
    { opendelay: 5, InputAlarm: 0, mutiopen: 1, antpass: 0, dayzone: [{ day: ["08:00~12:00", "13:00~18:00"] }], weekzone: [{ week: [1, 1, 1, 1, 1, 0, 0] }], lockgroup: [129, 0] },
    {
      cmd: "setdevlock", sn: "SN1", opendelay: 5, InputAlarm: 0, mutiopen: 1, antpass: 0,
      dayzone: [
        { day: [{ section: "08:00~12:00" }, { section: "13:00~18:00" }, { section: "00:00~00:00" }, { section: "00:00~00:00" }, { section: "00:00~00:00" }] },
        ...Array.from({ length: 7 }, () => ({ day: Array.from({ length: 5 }, () => ({ section: "00:00~00:00" })) })),
      ],
      weekzone: [
        { week: [{ day: 1 }, { day: 1 }, { day: 1 }, { day: 1 }, { day: 1 }, { day: 0 }, { day: 0 }] },
        ...Array.from({ length: 7 }, () => ({ week: Array.from({ length: 7 }, () => ({ day: 0 })) })),
      ],
      lockgroup: [{ group: 129 }, { group: 0 }, { group: 0 }, { group: 0 }, { group: 0 }],
    },
  ],
  getuserlock: [{ enrollid: 1 }, { cmd: "getuserlock", sn: "SN1", enrollid: 1 }],
  setuserlock: [
    { record: [{ enrollid: 1, weekzone: 1, group: 1, starttime: "2026-01-01 00:00:00", endtime: "2099-12-31 23:59:59" }] },
    { cmd: "setuserlock", sn: "SN1", count: 1, record: [{ enrollid: 1, weekzone: 1, group: 1, starttime: "2026-01-01 00:00:00", endtime: "2099-12-31 23:59:59" }] },
  ],
  deleteuserlock: [{ enrollid: 1 }, { cmd: "deleteuserlock", sn: "SN1", enrollid: 1 }],
  cleanuserlock: [{}, { cmd: "cleanuserlock", sn: "SN1" }],
  getholiday: [{}, { cmd: "getholiday", sn: "SN1", stn: true }],
  setholiday: [
    { holidays: [{ name: "New Year", startday: "01-01", endday: "01-02", shift: 0, dayzone: 1 }] },
    { cmd: "setholiday", sn: "SN1", holidays: [{ name: "New Year", startday: "01-01", endday: "01-02", shift: 0, dayzone: 1 }] },
  ],
  getquestionnaire: [{}, { cmd: "getquestionnaire", sn: "SN1" }],
  setquestionnaire: [{ title: "Q", items: [], schedules: [] }, { cmd: "setquestionnaire", sn: "SN1", title: "Q", items: [], schedules: [] }],
};

describe("command builders", () => {
  test("every command of PROTOCOL.md §4 has a builder", () => {
    expect(Object.keys(examples).sort()).toEqual([...COMMAND_NAMES].sort());
  });

  for (const name of COMMAND_NAMES) {
    test(`${name}: valid params become the frame`, () => {
      const [params, frame] = examples[name];
      const valid = validateParams(name, params);
      if (!valid.ok) throw new Error(valid.error);
      expect(commandFrame(name, valid.params, ctx)).toEqual(frame);
    });
  }

  test("the next page of a paged command asks with stn:false", () => {
    expect(commandFrame("getnewlog", {}, { ...ctx, firstPage: false })).toEqual({ cmd: "getnewlog", sn: "SN1", stn: false });
  });

  test("refusals name the field: unknown fields, out-of-range values, wrong types, paging fields", () => {
    expect(validateParams("nope", {})).toEqual({ ok: false, error: 'unknown command "nope"' });
    expect(validateParams("opendoor", { doorno: 1, passwd: "0" })).toEqual({ ok: false, error: 'unknown field "doorno", "passwd"' });
    expect(validateParams("getnewlog", { stn: true })).toEqual({ ok: false, error: 'unknown field "stn"' });
    expect(validateParams("opendoor", { doornum: 5 })).toEqual({ ok: false, error: 'doornum: must be at most 4' });
    expect(validateParams("getuserinfo", { enrollid: 0, backupnum: 0 })).toEqual({ ok: false, error: 'enrollid: must be at least 1' });
    expect(validateParams("getuserinfo", { enrollid: 1, backupnum: 15 })).toEqual({ ok: false, error: 'backupnum: backupnum must be 0-9, 10, 11, 20-27, 30-37 or 50' });
    expect(validateParams("setuserinfo", { enrollid: 1, name: "x", backupnum: 0, admin: 3, record: "t" })).toEqual({ ok: false, error: 'admin: must be at most 2' });
    expect(validateParams("setuserinfo", { enrollid: "1", name: "x", backupnum: 0, record: "t" })).toEqual({ ok: false, error: 'enrollid: must be a number' });
    expect(validateParams("getalllog", { from: "2026-03-02", to: "2026-03-01" })).toEqual({ ok: false, error: "from is after to" });
    expect(validateParams("setdevlock", { dayzone: [{ day: ["25:00~26:00"] }] })).toEqual({ ok: false, error: 'dayzone.0.day.0: expected "HH:MM~HH:MM"' });
    expect(validateParams("setdevlock", { weekzone: [{ week: [1, 1, 1, 1, 1, 9, 0] }] })).toEqual({ ok: false, error: "weekzone.0.week.5: must be at most 8" });
    expect(validateParams("setdevlock", { lockgroup: [109] })).toEqual({ ok: false, error: "lockgroup.0: a lock group is 0 or 1 to 4 digits 1-9" });
    expect(validateParams("setdevlock", { lockgroup: [1, 2, 3, 4, 5, 6] })).toEqual({ ok: false, error: "lockgroup: give at most 5" });
    const lock = { enrollid: 1, weekzone: 1, group: 0, starttime: "2026-01-01 00:00:00", endtime: "2099-12-31 23:59:59" };
    expect(validateParams("setuserlock", { record: [{ ...lock, starttime: "2026-02-30 00:00:00" }] })).toEqual({ ok: false, error: 'record.0.starttime: not a valid time: "2026-02-30 00:00:00"' });
    expect(validateParams("setuserlock", { record: [{ ...lock, starttime: "2100-01-01 00:00:00" }] })).toEqual({ ok: false, error: "record.0: starttime is after endtime" });
    expect(validateParams("setuserlock", { record: Array.from({ length: 41 }, (_, i) => ({ ...lock, enrollid: i + 1 })) })).toEqual({ ok: false, error: "record: give at most 40" });
    expect(validateParams("setusername", { record: Array.from({ length: 51 }, (_, i) => ({ enrollid: i + 1, name: "n" })) })).toEqual({ ok: false, error: 'record: give at most 50' });
    expect(validateParams("settime", { cloudtime: "2020-01-01 00:00:00" })).toEqual({ ok: false, error: 'unknown field "cloudtime"' });
  });

  test("setdevlock also takes the wire shapes of §7.1 (Monday first) and reads them into the caller's form", () => {
    const wire = {
      dayzone: [{ day: [{ section: "07:00~19:00" }, { section: "00:00~00:00" }] }],
      weekzone: [{ week: [{ day: 1 }, { day: 1 }, { day: 1 }, { day: 1 }, { day: 1 }, { day: 2 }, { day: 0 }] }],
      lockgroup: [{ group: 12 }],
    };
    expect(validateParams("setdevlock", wire)).toEqual({
      ok: true,
      params: { dayzone: [{ day: ["07:00~19:00", "00:00~00:00"] }], weekzone: [{ week: [1, 1, 1, 1, 1, 2, 0] }], lockgroup: [12] },
    });
  });

  test("a failed getdevlock may come back named setdevlock (V21)", () => {
    expect(answersCommand("getdevlock", "setdevlock")).toBe(true);
    expect(answersCommand("getdevlock", "getdevlock")).toBe(true);
    expect(answersCommand("setdevlock", "getdevlock")).toBe(false);
    expect(answersCommand("getuserlock", "setuserlock")).toBe(false);
  });

  test("door and destructive commands are not retried; the rest are", () => {
    expect(COMMAND_NAMES.filter((n) => !IDEMPOTENT_COMMANDS.has(n)).sort()).toEqual(["cleanadmin", "cleanlog", "cleanuser", "initsys", "opendoor", "reboot"]);
  });

  test("refusal reasons: photo codes translated, others kept as codes", () => {
    expect(describeReason("setuserinfo", 50, 5)).toBe("no face in the photo (reason 5)");
    expect(describeReason("setuserinfo", 50, 12)).toBe("face already enrolled (reason 12)");
    expect(describeReason("setuserinfo", 0, 5)).toBe("refused by the terminal (reason 5)");
    expect(describeReason("opendoor", undefined, 1)).toBe("refused by the terminal (reason 1)");
    expect(describeReason("opendoor", undefined, undefined)).toBe("refused by the terminal");
  });
});
