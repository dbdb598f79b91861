/**
 * The CSV exports payroll and admins open in Excel, read back over HTTP from the compiled binary
 * with an admin's session: BOM, the delimiter (from the site's time zone until one is saved, the
 * saved setting, `delimiter=`), quoting of names with "ü", commas and quotes, defused formula cells,
 * labels beside raw codes, the site time zone, and people without their PINs or card numbers.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { rmSync } from "node:fs";
import { tm20Binary } from "../helpers/binary.ts";
import { postUiForm, sessionCookie, startTm20, type Tm20Process, tempDir } from "../helpers/server.ts";
import { connectTerminal } from "../helpers/terminal.ts";

setDefaultTimeout(120_000);

const PASSWORD = "exports password";
const dataDir = tempDir();
let srv: Tm20Process;
let cookie = "";

/** A small RFC 4180 reader, independent of the writer under test. */
function parseCsv(text: string, delimiter: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delimiter) row.push(field), (field = "");
    else if (ch === "\r" && text[i + 1] === "\n") {
      row.push(field), rows.push(row), (row = []), (field = ""), i++;
    } else field += ch;
  }
  if (field !== "" || row.length > 0) throw new Error("the file does not end with CRLF");
  return rows;
}

async function download(path: string): Promise<{ status: number; type: string | null; text: string }> {
  const res = await fetch(`${srv.http}${path}`, { headers: { cookie }, redirect: "manual" });
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { status: res.status, type: res.headers.get("content-type"), text: new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes) };
}

/** The file's rows after checking the BOM is its first three bytes. */
async function csvRows(path: string, delimiter: string): Promise<string[][]> {
  const got = await download(path);
  expect(got.status).toBe(200);
  expect(got.type).toBe("text/csv; charset=utf-8");
  expect(got.text.startsWith("\uFEFF")).toBe(true);
  return parseCsv(got.text.slice(1), delimiter);
}

beforeAll(async () => {
  const made = Bun.spawnSync([tm20Binary(), "admin", "create", "--username", "ops", "--data-dir", dataDir], { stdin: Buffer.from(`${PASSWORD}\n`), stdout: "pipe", stderr: "pipe" });
  expect(made.exitCode).toBe(0);
  srv = await startTm20({ dataDir, args: ["--tz", "Europe/Berlin", "--approval", "open"] });
  cookie = await sessionCookie(srv.http, "ops", PASSWORD);

  const person = async (body: object) => expect((await srv.api("/api/v1/people", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) })).status).toBe(201);
  await person({ enrollid: 1, name: "Müller, Jürgen", externalId: "P-0042", credentials: [{ backupnum: 11, data: "87654321" }, { backupnum: 10, data: "4711" }] });
  await person({ enrollid: 2, name: "=1+2", externalId: "@SUM(A1)", validFrom: "2026-01-01", validTo: "2026-12-31" });
  await person({ enrollid: 3, name: 'Ann "Nan" Lee; Jr', enabled: false });

  const t = await connectTerminal(srv.ws());
  expect((await t.register("EXP1")).result).toBe(true);
  t.send({
    cmd: "sendlog", sn: "EXP1", count: 4, logindex: 0,
    record: [
      { enrollid: 1, time: "2026-03-02 08:00:00", mode: 1, inout: 0, event: 0 },
      { enrollid: 2, time: "2026-03-02 08:01:00", mode: 2, inout: 1, event: 2 },
      { enrollid: 0, time: "2026-03-02 08:02:00", mode: 0, inout: 0, event: 5 },
      { enrollid: 0, time: "2026-03-02 08:03:00", mode: 0, inout: 1, event: 1 },
    ],
  });
  expect((await t.next((m) => m.ret === "sendlog")).result).toBe(true);
  t.close();
});

afterAll(async () => {
  await srv?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const ids = (table: string) => (srv.db().query(`SELECT id FROM ${table} ORDER BY time DESC, id DESC`).all() as Array<{ id: number }>).map((r) => String(r.id));

describe("CSV exports", () => {
  const ATTENDANCE_HEADER = ["time", "timeZone", "enrollid", "name", "externalId", "terminalSn", "terminal", "mode", "modeLabel", "inout", "inoutLabel", "event", "eventLabel", "id"];

  test("attendance: BOM, semicolon by default for a site in Berlin, name and payroll number, labels beside codes, formulas defused", async () => {
    const [a2, a1] = ids("attendance");
    const rows = await csvRows("/attendance.csv?from=2026-03-01&to=2026-03-31", ";");
    expect(rows).toEqual([
      ATTENDANCE_HEADER,
      ["2026-03-02 08:01:00", "Europe/Berlin", "2", "'=1+2", "'@SUM(A1)", "EXP1", "EXP1", "2", "Card", "1", "Out", "2", "F2", a2 ?? ""],
      ["2026-03-02 08:00:00", "Europe/Berlin", "1", "Müller, Jürgen", "P-0042", "EXP1", "EXP1", "1", "Fingerprint", "0", "In", "0", "", a1 ?? ""],
    ]);
    expect((await download("/attendance.csv")).text).toContain(";Müller, Jürgen;P-0042;");
  });

  test("attendance with delimiter=comma: the comma in a name is quoted, the layout is the same", async () => {
    const got = await download("/attendance.csv?delimiter=comma");
    expect(got.text.split("\r\n")[0]).toBe(`\uFEFF${ATTENDANCE_HEADER.join(",")}`);
    expect(got.text).toContain(`,"Müller, Jürgen",P-0042,`);
    const rows = parseCsv(got.text.slice(1), ",");
    expect(rows.map((r) => r[3])).toEqual(["name", "'=1+2", "Müller, Jürgen"]);
    expect((await download("/attendance.csv?delimiter=tab")).status).toBe(400);
  });

  test("door events: event labels, alarms flagged, the site time zone named", async () => {
    const [d2, d1] = ids("door_events");
    expect(await csvRows("/door-events.csv", ";")).toEqual([
      ["time", "timeZone", "terminalSn", "terminal", "event", "eventLabel", "alarm", "mode", "inout", "id"],
      ["2026-03-02 08:03:00", "Europe/Berlin", "EXP1", "EXP1", "1", "Door opened", "false", "0", "1", d2 ?? ""],
      ["2026-03-02 08:02:00", "Europe/Berlin", "EXP1", "EXP1", "5", "Forced open", "true", "0", "0", d1 ?? ""],
    ]);
  });

  test("people: validity, enabled and credential kinds, never a PIN or card number", async () => {
    const got = await download("/people.csv");
    expect(got.text).not.toContain("87654321");
    expect(got.text).not.toContain("4711");
    expect(parseCsv(got.text.slice(1), ";")).toEqual([
      ["enrollid", "name", "externalId", "validFrom", "validTo", "enabled", "credentials"],
      ["1", "Müller, Jürgen", "P-0042", "", "", "true", "password; card"],
      ["2", "'=1+2", "'@SUM(A1)", "2026-01-01", "2026-12-31", "true", ""],
      ["3", 'Ann "Nan" Lee; Jr', "", "", "", "false", ""],
    ]);
  });

  test("the site's delimiter setting, once saved, is the default for every export: comma in Berlin", async () => {
    const saved = await postUiForm(srv.http, cookie, "/settings", "/settings/site", { siteName: "Exports", tz: "Europe/Berlin", approval: "open", offlineAlertMinutes: "10", driftAlertSeconds: "60", csvDelimiter: "," });
    expect(saved.status).toBe(303);
    expect(srv.db().query("SELECT value FROM settings WHERE key = 'csv_delimiter'").get()).toEqual({ value: "," });
    const people = await csvRows("/people.csv", ",");
    expect(people[3]).toEqual(["3", 'Ann "Nan" Lee; Jr', "", "", "", "false", ""]);
    expect((await download("/door-events.csv")).text.split("\r\n")[0]).toBe("\uFEFFtime,timeZone,terminalSn,terminal,event,eventLabel,alarm,mode,inout,id");
    expect((await download("/attendance.csv?delimiter=;")).text.split("\r\n")[0]).toBe(`\uFEFF${ATTENDANCE_HEADER.join(";")}`);
  });
});
