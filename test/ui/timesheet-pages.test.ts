/**
 * The Timesheets area's read-only pages (issue 14), in process: a department works a 09:00–17:00
 * shift with a lunch window, punches are stored (one with a photo), the results are computed by
 * the store's recomputation, and Today, a month, a day, the summary and the print sheets show
 * them with hand-worked minutes.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SiteClock } from "../../src/protocol/time.ts";
import { datesBetween } from "../../src/timesheets/calendar.ts";
import { recomputeDays } from "../../src/timesheets/recompute.ts";
import { buildApp, type InProcessApp } from "../helpers/app.ts";

const clock = new SiteClock("UTC");
/** Wednesday 4 March 2026, 10:00 on the site clock (UTC). */
const NOW = Date.UTC(2026, 2, 4, 10, 0);
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 9, 9, 9]).toString("base64");

let app: InProcessApp;
let photoId = 0;

beforeAll(async () => {
  app = await buildApp(() => NOW);
  const s = app.store;
  const person = { admin: 0, enabled: true, validFrom: null, validTo: null, externalId: null };
  await s.people.save(1, { ...person, name: "Ann Archer" }, NOW);
  await s.people.save(2, { ...person, name: "Bob Baker" }, NOW);
  const packing = await s.timesheets.createDepartment("Packing");
  const day = await s.timesheets.createShift({ kind: "fixed", name: "Day", start: "09:00", end: "17:00", dayStart: "00:00", breaks: [{ start: "12:00", end: "13:00" }], lateGraceMinutes: 5, earlyGraceMinutes: 5 });
  await s.timesheets.createSchedule({ departmentId: packing.id, from: "2026-03-01", pattern: { kind: "weekly", shiftId: day.id, weekdays: [1, 2, 3, 4, 5] } });
  await s.timesheets.setDepartment(1, packing.id, "2026-03-01");
  await s.timesheets.setDepartment(2, packing.id, "2026-03-01");
  const p = (enrollid: number, time: string, image?: string) => ({ enrollid, time, ts: clock.toUtc(time), mode: 8, inout: 0, event: 0, ...(image ? { image } : {}) });
  await s.write([
    {
      type: "punches", sn: "FACE1", at: NOW, quarantine: [],
      punches: [
        p(1, "2026-03-02 08:58:00", JPEG), p(1, "2026-03-02 17:05:00"), // from the start (early arrival not counted) to 17:05, less lunch: 425
        p(1, "2026-03-03 09:20:00"), p(1, "2026-03-03 17:00:00"), // late 20: 09:20–17:00 less lunch = 400
        p(1, "2026-03-04 08:55:00"), // in now
        p(2, "2026-03-02 09:00:00"), p(2, "2026-03-02 17:00:00"), // 420; nothing on the 3rd (absent) nor today (absent by 10:00)
      ],
    },
  ]);
  photoId = (await s.attendanceSlice({ enrollids: [1] }, "time", 0, 1))[0]?.id ?? 0;
  const targets = [1, 2].flatMap((enrollid) => datesBetween("2026-03-01", "2026-03-04").map((date) => ({ enrollid, date })));
  expect(await recomputeDays(s.timesheets, targets, { clock, at: NOW, asOf: NOW })).toBe(8);
});

afterAll(async () => {
  await app.stop();
});

const html = async (path: string) => {
  const res = await app.page(path);
  expect(res.status).toBe(200);
  return res.text();
};
/** The text content of an element found by a regular expression's first group, tags dropped. */
const textOf = (page: string, re: RegExp) => (re.exec(page)?.[1] ?? "").replace(/<[^>]+>/g, "").trim();

describe("Timesheets → Today", () => {
  test("the JSON the live island reads: who is in, who is absent, as of now", async () => {
    const res = await app.page("/timesheets/today.json");
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = (await res.json()) as { date: string; asOf: string; rows: Array<{ enrollid: number; presence: string; firstIn: string | null; department: string | null; shift: string | null }> };
    expect(body.date).toBe("2026-03-04");
    expect(body.asOf).toBe("10:00");
    expect(body.rows.map((r) => [r.enrollid, r.presence, r.firstIn, r.department, r.shift])).toEqual([
      [1, "in", "2026-03-04 08:55:00", "Packing", "09:00–17:00"],
      [2, "absent", null, "Packing", "09:00–17:00"],
    ]);
  });

  test("the page: counts, the absent first, the live island's props, Timesheets in the navigation", async () => {
    const page = await html("/timesheets");
    expect(textOf(page, /data-count="In">([^<]*)</)).toBe("1");
    expect(textOf(page, /data-count="Absent">([^<]*)</)).toBe("1");
    expect(textOf(page, /data-count="Late">([^<]*)</)).toBe("0");
    expect(page.indexOf('data-enrollid="2"')).toBeLessThan(page.indexOf('data-enrollid="1"'));
    expect(page).toContain('data-island="live-today"');
    expect(page).toMatch(/<a href="\/timesheets" class="active" aria-current="page">Timesheets<\/a>/);
  });
});

describe("Timesheets → a person's month and day", () => {
  test("the calendar: each day's status and minutes, the photo beside its punch, the totals", async () => {
    const page = await html("/timesheets/people/1?month=2026-03");
    const cell = (date: string) => new RegExp(`data-date="${date}">([\\s\\S]*?)</td>`).exec(page)?.[1] ?? "";
    expect(cell("2026-03-02")).toContain("Present");
    expect(textOf(cell("2026-03-02"), /data-figure="worked">([^<]*)</)).toBe("7:05");
    expect(cell("2026-03-02")).toContain(`src="/attendance/${photoId}/photo"`);
    expect(cell("2026-03-03")).toContain("Late");
    expect(textOf(cell("2026-03-03"), /data-figure="late">([^<]*)</)).toBe("0:20");
    expect(textOf(cell("2026-03-03"), /data-figure="worked">([^<]*)</)).toBe("6:40");
    expect(cell("2026-03-01")).toContain("Rest day");
    expect(cell("2026-03-05")).not.toContain("No result");
    expect(textOf(page, /data-total="Late">([^<]*)</)).toBe("1 × · 0:20");
    expect(page.match(/data-date="/g)?.length).toBe(31);
  });

  test("a day: the result, its punches with the photo, no corrections yet", async () => {
    const page = await html("/timesheets/people/1/days/2026-03-02");
    expect(page).toContain("Ann Archer · 2026-03-02");
    expect(page.match(/data-punch="/g)?.length).toBe(2);
    expect(page).toContain(`data-photo="/attendance/${photoId}/photo"`);
    expect(page).toContain("None: the day is computed from the stored punches alone.");
    expect(page).toContain("Planned 09:00–17:00, 7:00");
  });
});

describe("Timesheets → Summary and print", () => {
  test("per person over a period: days worked, hours, late, absences", async () => {
    const page = await html("/timesheets/summary?from=2026-03-02&to=2026-03-03");
    const row = (enrollid: number) => new RegExp(`data-enrollid="${enrollid}">([\\s\\S]*?)</tr>`).exec(page)?.[1] ?? "";
    const cells = (r: string) => [...r.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => (m[1] ?? "").replace(/<[^>]+>/g, "").trim());
    expect(cells(row(1))).toEqual(["Ann Archer #1", "Packing", "2", "13:45", "—", "1 × 0:20", "—", "0", "0"]);
    expect(cells(row(2))).toEqual(["Bob Baker #2", "Packing", "1", "7:00", "—", "—", "—", "1", "0"]);
  });

  test("a bad period says which field", async () => {
    const page = await html("/timesheets/summary?from=2026-03-05&to=2026-03-01");
    expect(page).toContain("To: the end is before the start");
  });

  test("the monthly sheets: one per person, without the navigation", async () => {
    const page = await html("/timesheets/print?month=2026-03");
    expect(page.match(/<article class="sheet"/g)?.length).toBe(2);
    expect(page).not.toContain('class="sidebar"');
    expect(page).toContain("data-print");
  });
});
