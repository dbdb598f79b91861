/**
 * Finding things on the records pages (issue 17), in-process on SQLite: a person by name with
 * accents and case ignored (UI, CSV export and API), the date presets (a table across a DST change
 * and a year boundary, and the links the page shows), door events "alarms only".
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SiteClock } from "../../src/protocol/time.ts";
import { datePresets } from "../../src/ui/date-presets.ts";
import { buildApp, type InProcessApp } from "../helpers/app.ts";
import { punch, punchesOp } from "../store/fixtures.ts";

/** Wednesday 2026-03-04 10:00 UTC (the site is on UTC in buildApp). */
const NOW = Date.UTC(2026, 2, 4, 10, 0, 0);
let app: InProcessApp;

beforeAll(async () => {
  app = await buildApp(() => NOW);
  for (const [enrollid, name] of [[1, "Müller, Jürgen"], [2, "Ann Lee"], [3, "Jorge Gärtner"], [4, "Jurg Ende"]] as const) {
    expect((await app.api("POST", "/people", { enrollid, name })).status).toBe(201);
  }
  await app.store.write([
    punchesOp("SN1", [
      punch(1, "2026-03-02 08:00:00"),
      punch(2, "2026-03-02 08:01:00"),
      punch(3, "2026-03-02 08:02:00"),
      punch(4, "2026-03-02 08:03:00"),
      punch(1, "2026-03-02 17:00:00"),
      ...[0, 1, 5, 2, 6, 7, 3].map((event, i) => punch(0, `2026-03-02 09:0${i}:00`, { event })),
    ]),
  ]);
});

afterAll(async () => {
  await app?.stop();
});

/** The table's rows as their cells' text. */
async function rows(path: string): Promise<string[][]> {
  const res = await app.page(path);
  expect(res.status).toBe(200);
  const html = await res.text();
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? "";
  return [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((r) =>
    [...(r[1] ?? "").matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => (c[1] ?? "").replace(/<[^>]+>/g, "").replace(/\s+/g, " ").trim()),
  );
}

describe("person by name", () => {
  test('"jurgen", "JURGEN" and "Jürgen" find Jürgen\'s two punches and nothing else', async () => {
    for (const q of ["jurgen", "JURGEN", "J%C3%BCrgen", "muller"]) {
      expect((await rows(`/attendance?person=${q}`)).map((r) => [r[0], r[1]])).toEqual([
        ["2026-03-02 17:00:00", "Müller, Jürgen #1"],
        ["2026-03-02 08:00:00", "Müller, Jürgen #1"],
      ]);
    }
  });

  test("digits are an enroll id; a name nobody has finds nothing; the field keeps what was typed", async () => {
    expect((await rows("/attendance?person=4")).map((r) => r[1])).toEqual(["Jurg Ende #4"]);
    expect(await rows("/attendance?person=nobody")).toEqual([]);
    expect((await rows("/attendance?enrollid=2")).map((r) => r[1])).toEqual(["Ann Lee #2"]);
    const html = await (await app.page("/attendance?person=jurgen")).text();
    expect(html).toContain('name="person" maxlength="100" value="jurgen"');
    expect(html).toContain('href="/attendance.csv?person=jurgen"');
  });

  test("the CSV export and the API take the same name", async () => {
    const csv = await (await app.page("/attendance.csv?person=jurgen")).text();
    expect(csv.split("\r\n").filter((l) => l !== "").length).toBe(3);
    expect(csv).toContain("2026-03-02 17:00:00");
    expect(csv).not.toContain("Jurg Ende");
    const res = await app.api("GET", "/attendance?name=jurgen");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { items: Array<{ enrollid: number; time: string }>; next: string | null };
    expect(body.items.map((r) => `${r.enrollid} ${r.time}`)).toEqual(["1 2026-03-02 17:00:00", "1 2026-03-02 08:00:00"]);
    expect(((await (await app.api("GET", "/attendance?name=gartner")).json()) as { items: Array<{ enrollid: number }> }).items.map((r) => r.enrollid)).toEqual([3]);
    expect((await app.api("GET", `/attendance?name=${"x".repeat(101)}`)).status).toBe(400);
  });
});

describe("door events, alarms only", () => {
  test("the page, the CSV export and the API show exactly forced open, tamper and input alarm", async () => {
    expect((await rows("/door-events?alarms=1")).map((r) => [r[0], r[2]])).toEqual([
      ["2026-03-02 09:05:00", "Input alarm"],
      ["2026-03-02 09:04:00", "Tamper"],
      ["2026-03-02 09:02:00", "Forced open"],
    ]);
    expect((await rows("/door-events")).length).toBe(7);
    // No In/out on door events: the firmwares disagree on what a door event's inout says (PROTOCOL.md §7.6).
    expect((await rows("/door-events?inout=1")).length).toBe(7);
    expect(await (await app.page("/door-events")).text()).not.toContain('name="inout"');
    expect(await (await app.page("/attendance")).text()).toContain('<select id="f-inout" name="inout">');
    const html = await (await app.page("/door-events?alarms=1")).text();
    expect(html).toContain('name="alarms" value="1" checked=""');
    const csv = (await (await app.page("/door-events.csv?alarms=1")).text()).split("\r\n").filter((l) => l !== "");
    expect(csv.length).toBe(4);
    const api = (await (await app.api("GET", "/door-events?alarms=true")).json()) as { items: Array<{ event: number }> };
    expect(api.items.map((r) => r.event)).toEqual([7, 6, 5]);
    expect(((await (await app.api("GET", "/door-events")).json()) as { items: unknown[] }).items.length).toBe(7);
    expect((await app.api("GET", "/door-events?alarms=yes")).status).toBe(400);
  });

  test("the CSV export takes exactly the page's filters: in/out, who and refused filter neither", async () => {
    const csvTimes = async (query: string) =>
      (await (await app.page(`/door-events.csv?${query}`)).text()).split("\r\n").slice(1).filter((l) => l !== "").map((l) => l.split(/[,;]/)[0]);
    const pageTimes = async (query: string) => (await rows(`/door-events?${query}`)).map((r) => r[0]);
    const all = ["2026-03-02 09:06:00", "2026-03-02 09:05:00", "2026-03-02 09:04:00", "2026-03-02 09:03:00", "2026-03-02 09:02:00", "2026-03-02 09:01:00", "2026-03-02 09:00:00"];
    for (const query of ["inout=1", "inout=0", "person=1", "enrollid=1", "refused=1"]) {
      expect(await pageTimes(query)).toEqual(all);
      expect(await csvTimes(query)).toEqual(all);
    }
    const alarms = ["2026-03-02 09:05:00", "2026-03-02 09:04:00", "2026-03-02 09:02:00"];
    expect(await csvTimes("alarms=1&inout=1&sn=SN1")).toEqual(alarms);
    expect(await csvTimes("alarms=1&sn=OTHER")).toEqual([]);
    // The page's export link carries only what the page filters by.
    expect(await (await app.page("/door-events?alarms=1&inout=1&person=1")).text()).toContain('href="/door-events.csv?alarms=1"');
  });
});

describe("date presets", () => {
  const ranges = (today: string) => Object.fromEntries(datePresets(today).map((p) => [p.label, `${p.from}..${p.to}`]));

  test.each([
    // A Wednesday in March.
    ["2026-03-04", { Today: "2026-03-04..2026-03-04", Yesterday: "2026-03-03..2026-03-03", "This week": "2026-03-02..2026-03-04", "Last month": "2026-02-01..2026-02-28" }],
    // A Monday: the week is one day.
    ["2026-03-02", { Today: "2026-03-02..2026-03-02", Yesterday: "2026-03-01..2026-03-01", "This week": "2026-03-02..2026-03-02", "Last month": "2026-02-01..2026-02-28" }],
    // Sunday of the spring DST change in Europe (23-hour day).
    ["2026-03-29", { Today: "2026-03-29..2026-03-29", Yesterday: "2026-03-28..2026-03-28", "This week": "2026-03-23..2026-03-29", "Last month": "2026-02-01..2026-02-28" }],
    // The Monday after the autumn change (the week holds the 25-hour day).
    ["2026-10-26", { Today: "2026-10-26..2026-10-26", Yesterday: "2026-10-25..2026-10-25", "This week": "2026-10-26..2026-10-26", "Last month": "2026-09-01..2026-09-30" }],
    // New Year's Day, a Friday: the week and last month are in the old year.
    ["2027-01-01", { Today: "2027-01-01..2027-01-01", Yesterday: "2026-12-31..2026-12-31", "This week": "2026-12-28..2027-01-01", "Last month": "2026-12-01..2026-12-31" }],
    // A leap year's 1 March.
    ["2028-03-01", { Today: "2028-03-01..2028-03-01", Yesterday: "2028-02-29..2028-02-29", "This week": "2028-02-28..2028-03-01", "Last month": "2028-02-01..2028-02-29" }],
  ])("today %s", (today, expected) => {
    expect(ranges(today)).toEqual(expected);
  });

  test.each([
    // 23:30 UTC on 28 March is 00:30 on the 29th in Berlin (before the change at 02:00), 01:30 after it.
    [Date.UTC(2026, 2, 28, 23, 30), "Europe/Berlin", "2026-03-29"],
    [Date.UTC(2026, 2, 29, 22, 30), "Europe/Berlin", "2026-03-30"],
    // 23:30 UTC on 31 December is already 1 January in Berlin, still 31 December in New York.
    [Date.UTC(2026, 11, 31, 23, 30), "Europe/Berlin", "2027-01-01"],
    [Date.UTC(2026, 11, 31, 23, 30), "America/New_York", "2026-12-31"],
  ])("the site clock gives today: %d in %s is %s", (now, tz, today) => {
    expect(datePresets(new SiteClock(tz).format(now).slice(0, 10))[0]?.from).toBe(today);
  });

  test("the pages show them as links that fill from and to and keep the other filters", async () => {
    const html = await (await app.page("/attendance?person=jurgen&from=2026-03-04&to=2026-03-04")).text();
    const links = [...html.matchAll(/<nav class="presets"[\s\S]*?<\/nav>/g)][0]?.[0] ?? "";
    expect([...links.matchAll(/href="([^"]+)"/g)].map((m) => (m[1] ?? "").replaceAll("&amp;", "&"))).toEqual([
      "/attendance?from=2026-03-04&to=2026-03-04&person=jurgen",
      "/attendance?from=2026-03-03&to=2026-03-03&person=jurgen",
      "/attendance?from=2026-03-02&to=2026-03-04&person=jurgen",
      "/attendance?from=2026-02-01&to=2026-02-28&person=jurgen",
    ]);
    expect(links).toContain('aria-current="true">Today</a>');
    expect((await rows("/attendance?person=jurgen&from=2026-03-02&to=2026-03-04")).length).toBe(2);
    expect(await rows("/attendance?person=jurgen&from=2026-03-03&to=2026-03-03")).toEqual([]);
    const door = await (await app.page("/door-events?alarms=1")).text();
    expect(door).toContain('href="/door-events?from=2026-03-04&amp;to=2026-03-04&amp;alarms=1"');
  });
});
