import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import {
  devlockAnswer,
  EMPTY_SECTION,
  holidayAnswer,
  padDayZones,
  padWeekZones,
  parseLenientJson,
  userlockAnswer,
  validateParams,
  weekZoneWire,
} from "../../src/protocol/index.ts";
import { normalize } from "../../src/protocol/normalize.ts";

const closedDay = [EMPTY_SECTION, EMPTY_SECTION, EMPTY_SECTION, EMPTY_SECTION, EMPTY_SECTION];

describe("lenient JSON (getdevlock answers with trailing commas, PROTOCOL.md §7.1)", () => {
  test("trailing commas before ] and } are read as absent", () => {
    const text = '{"ret":"getdevlock","result":true,"opendelay":5,"dayzone":[{"day":[{"section":"07:00~19:00"},{"section":"00:00~00:00"},]},],"weekzone":[{"week":[{"day":1},{"day":1},{"day":1},{"day":1},{"day":1},{"day":0},{"day":0},]},],}';
    expect(parseLenientJson(text)).toEqual({
      ok: true,
      value: {
        ret: "getdevlock", result: true, opendelay: 5,
        dayzone: [{ day: [{ section: "07:00~19:00" }, { section: "00:00~00:00" }] }],
        weekzone: [{ week: [{ day: 1 }, { day: 1 }, { day: 1 }, { day: 1 }, { day: 1 }, { day: 0 }, { day: 0 }] }],
      },
    });
  });

  test("whitespace between the comma and the bracket, commas inside strings, escaped quotes", () => {
    expect(parseLenientJson('{"a":[1,2 ,\n ] ,\t}')).toEqual({ ok: true, value: { a: [1, 2] } });
    expect(parseLenientJson('{"name":"a,]b,}","q":"say \\",]\\" x",}')).toEqual({ ok: true, value: { name: "a,]b,}", q: 'say ",]" x' } });
  });

  test("what is invalid otherwise stays invalid", () => {
    for (const bad of ["{", '{"a":1,,}', "[,]", '{"a":}', "", '{"a":1}x', "{,}"]) {
      expect(parseLenientJson(bad)).toEqual({ ok: false, error: "frame is not JSON" });
    }
  });

  test("property: valid JSON reads as JSON.parse; adding a trailing comma to any array or object changes nothing", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = JSON.stringify(v);
        expect(parseLenientJson(text)).toEqual({ ok: true, value: JSON.parse(text) });
        const withCommas = JSON.stringify(v, null, 1).replace(/([^[{\s])(\n\s*)([\]}])/g, "$1,$2$3");
        const read = parseLenientJson(withCommas);
        expect(read.ok && JSON.stringify(read.value)).toBe(JSON.stringify(JSON.parse(text)));
      }),
      { numRuns: 300 },
    );
  });
});

describe("getdevlock answer", () => {
  test("the §7.1 sample, with trailing commas and string numbers, reads padded to 8 × 5 and 8 × 7, Monday first", () => {
    const text = '{"ret":"getdevlock","result":true,"opendelay":"5","doorsensor":1,"alarmdelay":0,"threat":0,"InputAlarm":0,"antpass":0,"interlock":0,"mutiopen":0,"tryalarm":0,"tamper":0,"wgformat":0,"wgoutput":3,"cardoutput":0,"dayzone":[{"day":[{"section":"07:00~19:00"},{"section":"00:00~00:00"},{"section":"00:00~00:00"},{"section":"00:00~00:00"},{"section":"00:00~00:00"},]},],"weekzone":[{"week":[{"day":1},{"day":1},{"day":1},{"day":1},{"day":1},{"day":0},{"day":12},]},],"lockgroup":[{"group":129},{"group":0},]}';
    const read = parseLenientJson(text);
    if (!read.ok) throw new Error(read.error);
    const answer = devlockAnswer.parse(normalize(read.value));
    expect(answer).toEqual({
      opendelay: 5, doorsensor: 1, alarmdelay: 0, threat: 0, InputAlarm: 0, antpass: 0, interlock: 0, mutiopen: 0,
      tryalarm: 0, tamper: 0, wgformat: 0, wgoutput: 3, cardoutput: 0,
      dayzones: [["07:00~19:00", EMPTY_SECTION, EMPTY_SECTION, EMPTY_SECTION, EMPTY_SECTION], ...Array.from({ length: 7 }, () => closedDay)],
      // Out-of-range zone numbers are kept, so the comparison with what the unit must hold sees them.
      weekzones: [[1, 1, 1, 1, 1, 0, 12], ...Array.from({ length: 7 }, () => [0, 0, 0, 0, 0, 0, 0])],
      lockgroup: [129, 0],
    });
  });

  test("sections the unit never validated are kept as text (a unit echoed 01:00~00:00)", () => {
    const answer = devlockAnswer.parse({ dayzone: [{ day: [{ section: "01:00~00:00" }] }] });
    expect(answer.dayzones?.[0]).toEqual(["01:00~00:00", EMPTY_SECTION, EMPTY_SECTION, EMPTY_SECTION, EMPTY_SECTION]);
  });

  test("a bad scalar is dropped, not fatal; absent tables stay absent", () => {
    expect(devlockAnswer.parse({ opendelay: "x", tamper: 1 })).toEqual({ tamper: 1 });
  });

  test("week zones go to the wire and back unchanged (property)", () => {
    const week = fc.array(fc.integer({ min: 0, max: 8 }), { minLength: 7, maxLength: 7 });
    fc.assert(
      fc.property(fc.array(week, { maxLength: 8 }), (weeks) => {
        expect(devlockAnswer.parse({ weekzone: weekZoneWire(weeks) }).weekzones).toEqual(padWeekZones(weeks));
      }),
    );
  });

  test("padding", () => {
    expect(padDayZones([["08:00~18:00"]])[0]).toEqual(["08:00~18:00", EMPTY_SECTION, EMPTY_SECTION, EMPTY_SECTION, EMPTY_SECTION]);
    expect(padDayZones([]).length).toBe(8);
  });
});

describe("getuserlock answer (§7.2)", () => {
  test("top-level fields (doc) or one record entry; times normalised; numbers as strings", () => {
    const expected = { enrollid: 7, weekzone: 1, group: 0, starttime: "2025-01-01 00:00:00", endtime: "2099-12-31 23:59:00" };
    expect(userlockAnswer.parse({ enrollid: 7, weekzone: "1", group: 0, starttime: "2025-1-1 0:00:00", endtime: "2099-12-31 23:59:00" })).toEqual(expected);
    expect(userlockAnswer.parse({ count: 1, record: [{ enrollid: 7, weekzone: 1, starttime: "2025-01-01 00:00:00", endtime: "2099-12-31 23:59:00" }] })).toEqual(expected);
    expect(userlockAnswer.safeParse({ enrollid: 7, weekzone: 1, starttime: "never", endtime: "2099-12-31 23:59:00" }).success).toBe(false);
  });
});

describe("getholiday answer (§7.3 shape A)", () => {
  test("reads the holidays", () => {
    expect(holidayAnswer.parse({ ret: "getholiday", result: true, holidays: [{ name: "New Year", startday: "01-01", endday: "01-01", shift: "0", dayzone: 1 }] })).toEqual({
      holidays: [{ name: "New Year", startday: "01-01", endday: "01-01", shift: 0, dayzone: 1 }],
    });
    expect(holidayAnswer.parse({ ret: "getholiday", result: true })).toEqual({ holidays: [] });
  });
});

describe("the §7 sample frames as caller params", () => {
  test("§7.1 setdevlock and §7.2 setuserlock", () => {
    const devlock = {
      opendelay: 5, doorsensor: 1,
      dayzone: [{ day: [{ section: "07:00~19:00" }, { section: "00:00~00:00" }, { section: "00:00~00:00" }, { section: "00:00~00:00" }, { section: "00:00~00:00" }] }],
      weekzone: [{ week: [{ day: 1 }, { day: 1 }, { day: 1 }, { day: 1 }, { day: 1 }, { day: 0 }, { day: 0 }] }],
    };
    expect(validateParams("setdevlock", devlock)).toEqual({
      ok: true,
      params: { opendelay: 5, doorsensor: 1, dayzone: [{ day: ["07:00~19:00", EMPTY_SECTION, EMPTY_SECTION, EMPTY_SECTION, EMPTY_SECTION] }], weekzone: [{ week: [1, 1, 1, 1, 1, 0, 0] }] },
    });
    const userlock = { record: [{ enrollid: 7, weekzone: 1, group: 0, starttime: "2025-01-01 00:00:00", endtime: "2099-12-31 23:59:00" }] };
    expect(validateParams("setuserlock", userlock)).toEqual({ ok: true, params: userlock });
  });
});
