/**
 * Time and attendance end to end (issue 14), on the real binary: departments, a shift and a
 * schedule made through the API; a hand-driven terminal sends punches with chosen times and the
 * daily results follow (recomputed after the commit, off the terminal's path); a correction
 * changes a day; logs three days old, fetched from a simulated terminal by `getalllog`, update
 * their day within a bounded wait; the XLSX summary is parsed and its totals checked. Minutes are
 * worked by hand in the comments. Dates are relative to today (results are kept for past days).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import ExcelJS from "exceljs";
import { SimDevice } from "../../src/simulator/device.ts";
import { startTm20, type Tm20Process } from "../helpers/server.ts";
import { startSim, until } from "../helpers/sim.ts";
import { connectTerminal } from "../helpers/terminal.ts";

type Json = Record<string, unknown>;
let srv: Tm20Process;

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const res = await srv.api(`/api/v1${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }) });
  return { status: res.status, json: (await res.json()) as Json };
}

/**
 * "Today" read once: the dates below must agree with each other even when the run crosses
 * midnight (the server's own today moving on leaves these past days past).
 */
const TODAY = Date.now();

/** Site-local (UTC here) date `n` days from today. */
function dayFromToday(n: number): string {
  return new Date(TODAY + n * 86_400_000).toISOString().slice(0, 10);
}

const D = dayFromToday(-7);
const D1 = dayFromToday(-6);
const LATE = dayFromToday(-3);

type Day = { date: string; status: string; firstIn: string | null; lastOut: string | null; workedMinutes: number; lateMinutes: number; overtimeMinutes: number; manual: boolean };
const fields = (d: Json): Day => ({
  date: d.date as string, status: d.status as string, firstIn: d.firstIn as string | null, lastOut: d.lastOut as string | null,
  workedMinutes: d.workedMinutes as number, lateMinutes: d.lateMinutes as number, overtimeMinutes: d.overtimeMinutes as number, manual: d.manual as boolean,
});

/** Polls the day until it equals `expected` (results are recomputed after the commit); returns how long it took. */
async function dayBecomes(date: string, expected: Day, timeoutMs = 5000): Promise<number> {
  const started = Date.now();
  let last: Day | undefined;
  try {
    await until(`${date}'s result`, async () => {
      const { json } = await call("GET", `/timesheets/days?from=${date}&to=${date}&enrollid=7`);
      const [item] = json.items as Json[];
      last = item ? fields(item) : undefined;
      return JSON.stringify(last) === JSON.stringify(expected);
    }, timeoutMs);
  } catch {
    expect(last).toEqual(expected);
  }
  return Date.now() - started;
}

beforeAll(async () => {
  srv = await startTm20({ args: ["--tz", "UTC"] });
});
afterAll(async () => {
  await srv.stop();
});

describe("timesheets end to end", () => {
  test("API setup, punches from a terminal, a correction, a late getalllog upload, the XLSX totals", async () => {
    expect(await call("POST", "/departments", { name: "Office" })).toEqual({ status: 201, json: { id: 1, name: "Office" } });
    expect((await call("POST", "/people", { enrollid: 7, name: "Ann" })).status).toBe(201);
    const moved = await call("PATCH", "/people/7", { departmentId: 1, departmentFrom: dayFromToday(-30) });
    expect(moved).toMatchObject({ status: 200, json: { person: { enrollid: 7, departmentId: 1 }, job: null } });
    expect(await call("POST", "/shifts", { name: "Day", start: "09:00", end: "17:00", breakMinutes: 30, lateGraceMinutes: 5, overtimeAfterMinutes: 480 })).toMatchObject({ status: 201, json: { id: 1 } });
    expect(await call("POST", "/schedules", { shiftId: 1, departmentId: 1, weekdays: [1, 2, 3, 4, 5, 6, 7], from: dayFromToday(-30) })).toMatchObject({ status: 201, json: { id: 1 } });

    // Punches with chosen times: D 09:10–17:30, D+1 only 09:00 (the out is missing).
    const t = await connectTerminal(srv.ws());
    await t.register("TS1");
    const record = [`${D} 09:10:00`, `${D} 17:30:00`, `${D1} 09:00:00`].map((time) => ({ enrollid: 7, time, mode: 1, inout: 0, event: 0 }));
    t.send({ cmd: "sendlog", sn: "TS1", count: record.length, logindex: 1, record });
    expect(await t.next((m) => m.ret === "sendlog")).toMatchObject({ result: true, count: 3, logindex: 1 });
    // 09:10–17:30 = 500 − 30 = 470; late 10 (beyond the grace of 5, from 09:00).
    await dayBecomes(D, { date: D, status: "late", firstIn: `${D} 09:10:00`, lastOut: `${D} 17:30:00`, workedMinutes: 470, lateMinutes: 10, overtimeMinutes: 0, manual: false });
    await dayBecomes(D1, { date: D1, status: "missing_punch", firstIn: `${D1} 09:00:00`, lastOut: null, workedMinutes: 0, lateMinutes: 0, overtimeMinutes: 0, manual: false });

    // The missing out added by the admin: 09:00–17:00 = 480 − 30 = 450, manual.
    const added = await call("POST", "/corrections", { enrollid: 7, time: `${D1} 17:00:00`, inout: 1, reason: "forgot to punch out" });
    expect(added).toMatchObject({ status: 201, json: { kind: "add", manual: true, by: "token:test" } });
    await dayBecomes(D1, { date: D1, status: "present", firstIn: `${D1} 09:00:00`, lastOut: `${D1} 17:00:00`, workedMinutes: 450, lateMinutes: 0, overtimeMinutes: 0, manual: true });

    // Three days ago the person worked 08:58–17:20 on a terminal that only hands its logs over when asked (getalllog).
    const device = new SimDevice();
    device.addLogs([`${LATE} 08:58:00`, `${LATE} 17:20:00`].map((time) => ({ enrollid: 7, time, mode: 1, inout: 0, event: 0 })));
    const sim = startSim(srv.ws(), "TS2", { device });
    try {
      await until("TS2 online", async () => ((await call("GET", "/terminals/TS2")).json.online === true ? true : undefined), 15_000);
      // Before the upload the day is an absence.
      await dayBecomes(LATE, { date: LATE, status: "absent", firstIn: null, lastOut: null, workedMinutes: 0, lateMinutes: 0, overtimeMinutes: 0, manual: false });
      const fetched = await call("POST", "/terminals/TS2/fetch-logs", { from: LATE, to: LATE });
      expect(fetched.status).toBe(202);
      await until("the fetch job", async () => ((await call("GET", `/jobs/${String(fetched.json.id)}`)).json.status === "succeeded" ? true : undefined), 15_000);
      // 09:00 (work counts from the start) to 17:20 = 500 − 30 = 470; no overtime beyond 480. Visible within 2 s of the job's end.
      const tookMs = await dayBecomes(LATE, { date: LATE, status: "present", firstIn: `${LATE} 08:58:00`, lastOut: `${LATE} 17:20:00`, workedMinutes: 470, lateMinutes: 0, overtimeMinutes: 0, manual: false }, 2000);
      expect(tookMs).toBeLessThan(2000);
    } finally {
      sim.stop();
    }

    // Paging: the five days from D to LATE, two a page, in date order.
    const dates: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { json: Json } = await call("GET", `/timesheets/days?from=${D}&to=${LATE}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      dates.push(...(page.json.items as Json[]).map((d) => d.date as string));
      cursor = page.json.next as string | null;
    } while (cursor !== null);
    expect(dates).toEqual([D, D1, dayFromToday(-5), dayFromToday(-4), LATE]);

    // The XLSX summary: typed cells, and totals that add up (470 + 450 + 470 = 1390 worked; 2 absences).
    const res = await srv.api(`/api/v1/timesheets/summary?from=${D}&to=${LATE}&format=xlsx`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(await res.arrayBuffer());
    const summary = book.getWorksheet("Summary");
    const daysSheet = book.getWorksheet("Days");
    if (!summary || !daysSheet) throw new Error("the workbook lacks its sheets");
    const headers = (summary.getRow(1).values as unknown[]).slice(1);
    const col = (name: string) => headers.indexOf(name) + 1;
    const person = summary.getRow(2);
    expect([person.getCell(col("Enroll ID")).value, person.getCell(col("Name")).value, person.getCell(col("Department")).value]).toEqual([7, "Ann", "Office"]);
    const figures = (row: ExcelJS.Row) =>
      ["Days", "Days worked", "Worked minutes", "Worked hours", "Late count", "Late minutes", "Absences", "Manual days"].map((h) => row.getCell(col(h)).value);
    expect(figures(person)).toEqual([5, 3, 1390, 23.17, 1, 10, 2, 1]);
    const total = summary.getRow(3);
    expect(total.getCell(1).value).toBe("Total");
    expect(figures(total)).toEqual([5, 3, 1390, 23.17, 1, 10, 2, 1]);
    expect(summary.rowCount).toBe(3);
    // Days: one row a day, the date a real date, minutes numbers, the corrected day marked manual.
    expect(daysSheet.rowCount).toBe(6);
    const dayHeaders = (daysSheet.getRow(1).values as unknown[]).slice(1);
    const dcol = (name: string) => dayHeaders.indexOf(name) + 1;
    const second = daysSheet.getRow(3);
    expect(second.getCell(dcol("Date")).value).toEqual(new Date(`${D1}T00:00:00Z`));
    expect(second.getCell(dcol("Last out")).value).toEqual(new Date(`${D1}T17:00:00Z`));
    expect([second.getCell(dcol("Worked minutes")).value, second.getCell(dcol("Manual")).value, second.getCell(dcol("Status")).value]).toEqual([450, true, "present"]);

    // The same summary as CSV.
    const csv = await (await srv.api(`/api/v1/timesheets/summary?from=${D}&to=${LATE}&format=csv`)).text();
    const [head, row] = csv.replace("\uFEFF", "").trim().split("\r\n");
    expect(head?.split(",").slice(0, 7)).toEqual(["Enroll ID", "Name", "Department", "Days", "Days worked", "Worked minutes", "Worked hours"]);
    expect(row?.split(",").slice(0, 7)).toEqual(["7", "Ann", "Office", "5", "3", "1390", "23.17"]);

    // The daily detail as CSV: one row a day in date order, the corrected day marked manual.
    const daysCsv = await srv.api(`/api/v1/timesheets/days?from=${D}&to=${LATE}&enrollid=7&format=csv`);
    expect(daysCsv.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    const [dayHead = [], ...dayRows] = (await daysCsv.text()).replace("\uFEFF", "").trim().split("\r\n").map((r) => r.split(","));
    const pickDay = (r: string[]) => ["Date", "Enroll ID", "Name", "Department", "Shift", "Status", "Status label", "First in", "Last out", "Worked minutes", "Late minutes", "Manual"].map((h) => r[dayHead.indexOf(h)]);
    expect(dayRows.map(pickDay)).toEqual([
      [D, "7", "Ann", "Office", "Day", "late", "Late", `${D} 09:10:00`, `${D} 17:30:00`, "470", "10", "no"],
      [D1, "7", "Ann", "Office", "Day", "present", "Present", `${D1} 09:00:00`, `${D1} 17:00:00`, "450", "0", "yes"],
      [dayFromToday(-5), "7", "Ann", "Office", "Day", "absent", "Absent", "", "", "0", "0", "no"],
      [dayFromToday(-4), "7", "Ann", "Office", "Day", "absent", "Absent", "", "", "0", "0", "no"],
      [LATE, "7", "Ann", "Office", "Day", "present", "Present", `${LATE} 08:58:00`, `${LATE} 17:20:00`, "470", "0", "no"],
    ]);
    t.close();
  }, 60_000);
});
