import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { formatWallClock, isValidTimeZone, parseDate, parseTerminalTime, SiteClock, systemTimeZone } from "../../src/protocol/time.ts";

describe("parseTerminalTime", () => {
  test("normalises to zero-padded YYYY-MM-DD HH:MM:SS", () => {
    const cases: Array<[string, string]> = [
      ["2026-01-05 08:03:09", "2026-01-05 08:03:09"],
      ["2026-1-5 8:3:9", "2026-01-05 08:03:09"],
      ["2024-1-15 10:30:00", "2024-01-15 10:30:00"],
      ["  2026-12-31   23:59:59 ", "2026-12-31 23:59:59"],
      ["2026-01-05T08:03:09", "2026-01-05 08:03:09"],
      ["2026-01-05 08:03", "2026-01-05 08:03:00"],
      ["2024-02-29 00:00:00", "2024-02-29 00:00:00"],
      ["2000-02-29 12:00:00", "2000-02-29 12:00:00"],
      ["2026-06-30 0:0:0", "2026-06-30 00:00:00"],
    ];
    for (const [input, expected] of cases) expect(parseTerminalTime(input)).toBe(expected);
  });

  test("the normalised form (checked without a regex) is read as its unpadded, spaced variant is", () => {
    // Field values around every boundary: 0, too big, month lengths, leap years, years below 100.
    const field = (max: number) => fc.integer({ min: 0, max });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9999 }), field(13), field(32), field(24), field(60), field(60), (year, month, day, hour, minute, second) => {
        const yyyy = String(year).padStart(4, "0");
        const padded = `${yyyy}-${formatWallClock({ year, month, day, hour, minute, second }).split("-").slice(1).join("-")}`;
        const loose = `  ${yyyy}-${month}-${day}   ${hour}:${minute}:${second} `;
        expect(parseTerminalTime(padded)).toBe(parseTerminalTime(loose));
      }),
      { numRuns: 20_000 },
    );
    expect(parseTerminalTime("2024-02-29 23:59:59")).toBe("2024-02-29 23:59:59");
    expect(parseTerminalTime("2100-02-29 00:00:00")).toBeNull();
    expect(parseTerminalTime("0000-02-29 00:00:00")).toBe(parseTerminalTime("0-2-29 0:0:0"));
    expect(parseTerminalTime("2026-01-05 08:0a:00")).toBeNull();
  });

  test("rejects times that do not exist or are not times", () => {
    for (const input of [
      "2026-13-05 08:00:00",
      "2026-00-05 08:00:00",
      "2026-01-00 08:00:00",
      "2026-01-32 08:00:00",
      "2026-02-29 08:00:00",
      "1900-02-29 08:00:00",
      "2026-04-31 08:00:00",
      "2026-01-05 24:00:00",
      "2026-01-05 23:60:00",
      "2026-01-05 23:59:60",
      "2026-01-05",
      "26-01-05 08:00:00",
      "2026/01/05 08:00:00",
      "2026-01-05 08:00:00Z",
      "2026-01-05 08:00:00.123",
      "2026-001-05 08:00:00",
      "",
      "   ",
      "yesterday",
    ]) {
      expect(parseTerminalTime(input)).toBeNull();
    }
  });
});

describe("parseDate", () => {
  test("accepts single-digit months and days (getalllog's \"2018-11-1\")", () => {
    expect(parseDate("2018-11-1")).toBe("2018-11-01");
    expect(parseDate(" 2026-1-5 ")).toBe("2026-01-05");
    expect(parseDate("2024-02-29")).toBe("2024-02-29");
  });

  test("rejects invalid dates and times", () => {
    for (const input of ["2026-02-29", "2026-13-01", "2026-01-00", "2026-01-05 08:00:00", "20260105", ""]) expect(parseDate(input)).toBeNull();
  });
});

test("formatWallClock pads every field", () => {
  expect(formatWallClock({ year: 2026, month: 1, day: 2, hour: 3, minute: 4, second: 5 })).toBe("2026-01-02 03:04:05");
});

test("isValidTimeZone and systemTimeZone", () => {
  expect(isValidTimeZone("Europe/Berlin")).toBe(true);
  expect(isValidTimeZone("UTC")).toBe(true);
  expect(isValidTimeZone("Mars/Olympus_Mons")).toBe(false);
  expect(isValidTimeZone("")).toBe(false);
  expect(isValidTimeZone(systemTimeZone())).toBe(true);
});

describe("SiteClock", () => {
  const utc = (y: number, mo: number, d: number, h: number, mi = 0, s = 0) => Date.UTC(y, mo - 1, d, h, mi, s);

  test("format gives site-local wall clock (cloudtime)", () => {
    expect(new SiteClock("UTC").format(utc(2026, 1, 5, 8, 3, 9))).toBe("2026-01-05 08:03:09");
    expect(new SiteClock("Asia/Tokyo").format(utc(2026, 12, 31, 15, 0, 0))).toBe("2027-01-01 00:00:00");
    expect(new SiteClock("America/St_Johns").format(utc(2026, 1, 5, 12, 0, 0))).toBe("2026-01-05 08:30:00");
    // Milliseconds are dropped, not rounded.
    expect(new SiteClock("UTC").format(utc(2026, 1, 5, 8, 3, 9) + 999)).toBe("2026-01-05 08:03:09");
  });

  test("Europe/Berlin, spring forward: format across the skipped hour", () => {
    const c = new SiteClock("Europe/Berlin");
    expect(c.format(utc(2026, 3, 29, 0, 59, 59))).toBe("2026-03-29 01:59:59");
    expect(c.format(utc(2026, 3, 29, 1, 0, 0))).toBe("2026-03-29 03:00:00");
  });

  test("Europe/Berlin, fall back: the repeated hour formats twice", () => {
    const c = new SiteClock("Europe/Berlin");
    expect(c.format(utc(2026, 10, 25, 0, 30))).toBe("2026-10-25 02:30:00");
    expect(c.format(utc(2026, 10, 25, 1, 30))).toBe("2026-10-25 02:30:00");
    expect(c.format(utc(2026, 10, 25, 2, 0))).toBe("2026-10-25 03:00:00");
  });

  test("toUtc in Europe/Berlin: both offsets, both transitions", () => {
    const cases: Array<[string, number]> = [
      ["2026-01-15 12:00:00", utc(2026, 1, 15, 11)],
      ["2026-07-15 12:00:00", utc(2026, 7, 15, 10)],
      // Spring forward: the last second before, the first after.
      ["2026-03-29 01:59:59", utc(2026, 3, 29, 0, 59, 59)],
      ["2026-03-29 03:00:00", utc(2026, 3, 29, 1, 0, 0)],
      // 02:30 does not exist that night: read with the winter offset, it is 03:30 summer time.
      ["2026-03-29 02:30:00", utc(2026, 3, 29, 1, 30)],
      // Fall back: 02:30 happens twice; the earlier instant (summer time) is taken.
      ["2026-10-25 02:30:00", utc(2026, 10, 25, 0, 30)],
      ["2026-10-25 01:59:59", utc(2026, 10, 24, 23, 59, 59)],
      ["2026-10-25 03:00:00", utc(2026, 10, 25, 2, 0)],
    ];
    for (const [local, expected] of cases) {
      // A fresh clock per case: the per-hour offset cache must not decide the answer.
      expect(new SiteClock("Europe/Berlin").toUtc(local)).toBe(expected);
    }
  });

  test("toUtc in America/New_York (west of UTC): same rules", () => {
    const ny = () => new SiteClock("America/New_York");
    expect(ny().toUtc("2026-11-01 01:30:00")).toBe(utc(2026, 11, 1, 5, 30));
    expect(ny().toUtc("2026-11-01 00:59:59")).toBe(utc(2026, 11, 1, 4, 59, 59));
    expect(ny().toUtc("2026-11-01 02:00:00")).toBe(utc(2026, 11, 1, 7, 0));
    expect(ny().toUtc("2026-03-08 02:30:00")).toBe(utc(2026, 3, 8, 7, 30));
    expect(ny().toUtc("2026-03-08 03:00:00")).toBe(utc(2026, 3, 8, 7, 0));
  });

  test("cached offsets give the same answers as a fresh clock, for every hour of a DST year", () => {
    const cached = new SiteClock("Europe/Berlin");
    for (let ms = utc(2026, 1, 1, 0); ms < utc(2027, 1, 1, 0); ms += 3600_000 + 7 * 60_000) {
      const local = cached.format(ms);
      expect(cached.toUtc(local)).toBe(new SiteClock("Europe/Berlin").toUtc(local));
    }
  });

  test("format and toUtc round-trip outside the repeated hour", () => {
    const c = new SiteClock("Australia/Sydney");
    for (let ms = utc(2026, 1, 1, 0, 17, 3); ms < utc(2027, 1, 1, 0); ms += 5 * 3600_000 + 13_000) {
      const local = c.format(ms);
      const back = c.toUtc(local);
      // Sydney falls back one hour in April: a repeated local time maps to the earlier instant.
      expect(back === ms || back === ms - 3600_000).toBe(true);
      expect(c.format(back)).toBe(local);
    }
  });
});
