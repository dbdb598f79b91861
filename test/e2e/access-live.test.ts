/**
 * Decided live (issue 16), on the real binary: a terminal in server mode gets `access` and
 * `message` from the access rules for each punch's own time, one refusal reason at a time; a
 * refused punch is stored, marked with its reason, and shown so by the API; a resend gets the
 * same answer. QR codes: only a code the server issued opens, in either mode.
 * On main before this, every one of these punches was answered access:1, and "21" opened as person 21.
 *
 * Records of nobody enrolled inside `sendlog` (PROTOCOL.md §7.5): AI03F units write a scanned
 * health pass as a record of placeholder enrollid 99999998 or 99999999 with the pass's decoded
 * fields in `note` (mode 18), and an unrecognised face as 99999999 with an empty `note`. In server
 * mode such a record is refused — never decided as a person, even one enrolled under that number,
 * and a code the server issued opens nothing from a `note` (no source shows one there) — and
 * stored marked; a resend gets the same answer and no second row; in terminal mode it is stored
 * unmarked. An enrolled person's record with a health pass is that person's punch. Before this,
 * 99999998 was decided as the person enrolled under that number (Welcome).
 */
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { connectTerminal, type TestTerminal } from "../helpers/terminal.ts";
import { startTm20, type Tm20Process } from "../helpers/server.ts";

let srv: Tm20Process;
beforeAll(async () => {
  srv = await startTm20({ args: ["--tz", "UTC", "--approval", "open"] });
});
afterAll(async () => {
  await srv.stop();
});

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await srv.api(path, { method, ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const person = (enrollid: number, name: string, extra: object = {}) =>
  call("POST", "/api/v1/people", { enrollid, name, admin: 0, enabled: true, validFrom: null, validTo: null, externalId: null, ...extra });

let logindex = 0;
/** One record; the answer's access and message (and count/logindex echoed). */
async function sendlog(t: TestTerminal, sn: string, record: Record<string, unknown>) {
  logindex++;
  t.send({ cmd: "sendlog", sn, count: 1, logindex, record: [{ mode: 1, inout: 0, event: 0, ...record }] });
  const a = await t.next((m) => m.ret === "sendlog" && m.logindex === logindex);
  expect(a.result).toBe(true);
  return { access: a.access, message: a.message };
}
const punch = (t: TestTerminal, sn: string, enrollid: number, time: string) => sendlog(t, sn, { enrollid, time });

describe("server-mode decisions and QR codes (real binary)", () => {
  let front: TestTerminal;
  let lobby: TestTerminal;
  let annCode = "";

  beforeAll(async () => {
    front = await connectTerminal(srv.ws());
    await front.register("FRONT");
    lobby = await connectTerminal(srv.ws());
    await lobby.register("LOBBY");
    // Office: Mon–Fri 08:00-18:00, closed on holidays; level "Front" opens FRONT on it.
    const office = await call("POST", "/api/v1/access/schedules", { name: "Office", days: { "1": ["08:00-18:00"], "2": ["08:00-18:00"], "3": ["08:00-18:00"], "4": ["08:00-18:00"], "5": ["08:00-18:00"] }, holidaysClosed: true });
    expect(office.status).toBe(201);
    const level = await call("POST", "/api/v1/access/levels", { name: "Front", scheduleId: office.json.id, terminals: ["FRONT"] });
    expect(level.status).toBe(201);
    expect((await person(21, "Ann")).status).toBe(201);
    expect((await person(22, "Bob", { enabled: false })).status).toBe(201);
    expect((await person(23, "Cleo", { validFrom: "2026-01-01", validTo: "2026-06-30" })).status).toBe(201);
    expect((await person(24, "Dan")).status).toBe(201);
    for (const id of [21, 22, 23]) expect((await call("PUT", `/api/v1/people/${id}/access`, { levelIds: [level.json.id] })).status).toBe(200);
    const holiday = await call("POST", "/api/v1/holidays", { date: "2026-12-24", name: "Christmas Eve" });
    expect(holiday.status).toBe(201);
    const issued = await call("POST", "/api/v1/people/21/qr-code");
    expect(issued.status).toBe(201);
    annCode = String(issued.json.code);
    expect((await call("PATCH", "/api/v1/terminals/FRONT", { accessMode: "server" })).json.accessMode).toBe("server");
  });
  afterAll(() => {
    front.close();
    lobby.close();
  });

  test("each refusal reason and a grant, for the record's time; refused punches stored and marked; a resend answered the same", async () => {
    // 2026-12-09 is a Wednesday, 2026-12-24 a Thursday (a holiday), 2026-12-12 a Saturday.
    expect(await punch(front, "FRONT", 21, "2026-12-09 09:00:00")).toEqual({ access: 1, message: "Welcome" });
    expect(await punch(front, "FRONT", 21, "2026-12-09 20:00:00")).toEqual({ access: 0, message: "Outside hours" });
    expect(await punch(front, "FRONT", 21, "2026-12-12 09:00:00")).toEqual({ access: 0, message: "Outside hours" });
    expect(await punch(front, "FRONT", 21, "2026-12-24 09:00:00")).toEqual({ access: 0, message: "Closed: holiday" });
    expect(await punch(front, "FRONT", 22, "2026-12-09 09:00:00")).toEqual({ access: 0, message: "Access disabled" });
    expect(await punch(front, "FRONT", 23, "2026-12-09 09:00:00")).toEqual({ access: 0, message: "Not valid now" });
    expect(await punch(front, "FRONT", 23, "2026-03-11 09:00:00")).toEqual({ access: 1, message: "Welcome" });
    expect(await punch(front, "FRONT", 24, "2026-12-09 09:00:00")).toEqual({ access: 0, message: "No access here" });
    expect(await punch(front, "FRONT", 99, "2026-12-09 09:00:00")).toEqual({ access: 0, message: "Unknown person" });
    // The unit resends the same pass when the answer is late: the same decision.
    expect(await punch(front, "FRONT", 21, "2026-12-09 20:00:00")).toEqual({ access: 0, message: "Outside hours" });
    // LOBBY is in terminal mode: the unit decides; the server answers access:1 as before, no message.
    expect(await punch(lobby, "LOBBY", 99, "2026-12-09 20:00:00")).toEqual({ access: 1, message: undefined });

    const rows = (await call("GET", "/api/v1/attendance?limit=100")).json.items as Array<{ sn: string; enrollid: number; time: string; refused: string | null }>;
    const seen = rows.map((r) => [r.sn, r.enrollid, r.time, r.refused]).sort((a, b) => String(a).localeCompare(String(b)));
    expect(seen).toEqual([
      ["FRONT", 21, "2026-12-09 09:00:00", null],
      ["FRONT", 21, "2026-12-09 20:00:00", "outside_schedule"],
      ["FRONT", 21, "2026-12-12 09:00:00", "outside_schedule"],
      ["FRONT", 21, "2026-12-24 09:00:00", "holiday"],
      ["FRONT", 22, "2026-12-09 09:00:00", "disabled"],
      ["FRONT", 23, "2026-03-11 09:00:00", null],
      ["FRONT", 23, "2026-12-09 09:00:00", "outside_validity"],
      ["FRONT", 24, "2026-12-09 09:00:00", "no_level"],
      ["FRONT", 99, "2026-12-09 09:00:00", "unknown_person"],
      ["LOBBY", 99, "2026-12-09 20:00:00", null],
    ]);
  });

  test("QR codes: an enrollid in any spelling opens nothing, in either mode; the issued code opens by its owner's rules, exactly as issued", async () => {
    const qr = async (t: TestTerminal, sn: string, record: string) => {
      t.send({ cmd: "sendqrcode", sn, record });
      return t.next((m) => m.ret === "sendqrcode" && m !== undefined, 5000).then((m) => {
        t.received.splice(t.received.indexOf(m), 1);
        return m;
      });
    };
    const unknown = { ret: "sendqrcode", result: true, access: 0, enrollid: 0, username: "", message: "Unknown code" };
    for (const [t, sn] of [[front, "FRONT"], [lobby, "LOBBY"]] as const) {
      for (const text of ["21", "021", " 21 ", "21.0", annCode.toLowerCase(), annCode.slice(0, -1), `${annCode}x`]) {
        expect(await qr(t, sn, text)).toEqual(unknown);
      }
    }
    // Ann's level opens FRONT only, within office hours: a scan carries no time, so the server's
    // clock at its arrival decides (UTC here), read before and after the scan. Only a scan that
    // straddles 08:00, 18:01 or midnight may get either answer.
    const before = officeAnswer(Date.now());
    const front1 = await qr(front, "FRONT", annCode);
    const after = officeAnswer(Date.now());
    expect([before, after] as unknown[]).toContainEqual(front1);
    expect(await qr(lobby, "LOBBY", annCode)).toEqual({ ret: "sendqrcode", result: true, access: 0, enrollid: 21, username: "Ann", message: "No access here" });
    // Revoked: once the API has answered, the old code opens nothing (a remembered answer included).
    expect((await call("DELETE", "/api/v1/people/21/qr-code")).status).toBe(200);
    expect(await qr(front, "FRONT", annCode)).toEqual(unknown);
  });
});

/**
 * Ann's QR code's answer at FRONT at UTC instant `ms`: the Office schedule (Mon–Fri 08:00-18:00,
 * both end minutes inclusive, closed on the 2026-12-24 holiday).
 */
function officeAnswer(ms: number) {
  const t = new Date(ms);
  const minute = t.getUTCHours() * 60 + t.getUTCMinutes();
  const holiday = t.toISOString().slice(0, 10) === "2026-12-24";
  const open = !holiday && t.getUTCDay() >= 1 && t.getUTCDay() <= 5 && minute >= 8 * 60 && minute <= 18 * 60;
  const message = open ? "Welcome Ann" : holiday ? "Closed: holiday" : "Outside hours";
  return { ret: "sendqrcode", result: true, access: open ? 1 : 0, enrollid: 21, username: "Ann", message };
}

/** As an AI03F unit sent it (wire CS, 2021; the photo left out). */
const HEALTH_PASS = {
  expiration: 1683849600, issued_at: 1625242315, du: "2021-08-21", co: "IT", ci: "01IT8782B39B0A7348298630FCB3F9D30E1E#8", is: "Ministero della Salute",
  tg: "840539006", df: "2021-03-17", fr: "2021-02-22", fn: "GIACOBAZZI", gn: "ANDREA", dob: "1970-09-15",
};

const inHours = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString().slice(0, 19).replace("T", " ");

describe("records of nobody enrolled inside sendlog (real binary)", () => {
  let gate: TestTerminal;
  let hall: TestTerminal;

  beforeAll(async () => {
    gate = await connectTerminal(srv.ws());
    await gate.register("GATE");
    hall = await connectTerminal(srv.ws());
    await hall.register("HALL");
    const always = await call("POST", "/api/v1/access/schedules", { name: "Always", days: Object.fromEntries([1, 2, 3, 4, 5, 6, 7].map((d) => [String(d), ["00:00-23:59"]])) });
    expect(always.status).toBe(201);
    const level = await call("POST", "/api/v1/access/levels", { name: "Gate", scheduleId: always.json.id, terminals: ["GATE"] });
    expect(level.status).toBe(201);
    expect((await person(25, "Eve")).status).toBe(201);
    // Someone enrolled under 99999998, as a release before the id was reserved could store them
    // (no door creates them now): a placeholder record must still not be decided as them.
    const db = new Database(join(srv.dataDir, "tm20.db"));
    try {
      db.run("PRAGMA busy_timeout = 5000");
      db.query("INSERT INTO people (enrollid, name, created_at, updated_at) VALUES (99999998, 'Enrolled as 99999998', ?, ?)").run(Date.now(), Date.now());
    } finally {
      db.close();
    }
    for (const id of [25, 99999998]) expect((await call("PUT", `/api/v1/people/${id}/access`, { levelIds: [level.json.id] })).status).toBe(200);
    expect((await call("PATCH", "/api/v1/terminals/GATE", { accessMode: "server" })).json.accessMode).toBe("server");
  });
  afterAll(() => {
    gate.close();
    hall.close();
  });

  test("server mode refuses them with the screen's reason, stores them marked, answers a resend the same; terminal mode stores them as sent", async () => {
    const pass = await call("POST", "/api/v1/access/passes", { name: "Vera Visitor", validFrom: inHours(-1), validTo: inHours(1), terminals: ["GATE"], uses: 1 });
    expect(pass.status).toBe(201);
    const unknownCode = { access: 0, message: "Unknown code" };
    const healthPass = { enrollid: 99999998, name: "ANDREA", time: "2026-12-09 09:00:00", mode: 18, note: HEALTH_PASS };
    expect(await sendlog(gate, "GATE", healthPass)).toEqual(unknownCode);
    // The unit resends the same record when the answer is late: the same answer, no second row.
    expect(await sendlog(gate, "GATE", healthPass)).toEqual(unknownCode);
    expect(await sendlog(gate, "GATE", { enrollid: 99999999, name: "", time: "2026-12-09 09:01:00", mode: 8, note: {} })).toEqual({ access: 0, message: "Unknown person" });
    // An issued code in a `note` is not read as one: no source shows a code there. Nothing spent.
    expect(await sendlog(gate, "GATE", { enrollid: 99999998, time: "2026-12-09 09:02:00", mode: 18, note: { code: pass.json.code } })).toEqual(unknownCode);
    expect((await call("GET", `/api/v1/access/passes/${pass.json.id}`)).json.used).toBe(0);
    // Someone the unit knows, showing a health pass: that person's punch, decided by their rules.
    expect(await sendlog(gate, "GATE", { enrollid: 25, name: "SIMONA", time: "2026-12-09 09:03:00", mode: 18, event: 1, temp: 367, note: HEALTH_PASS })).toEqual({ access: 1, message: "Welcome" });
    // A note beyond the bounds is dropped, the record kept (and no code left to read in it).
    const wide = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${i}`, i]));
    expect(await sendlog(gate, "GATE", { enrollid: 99999999, time: "2026-12-09 09:04:00", mode: 18, note: wide })).toEqual({ access: 0, message: "Unknown person" });
    // Terminal mode: the unit decided; stored as sent, answered as every punch there.
    expect(await sendlog(hall, "HALL", { ...healthPass, time: "2026-12-09 09:05:00" })).toEqual({ access: 1, message: undefined });

    const rows = ((await call("GET", "/api/v1/attendance?limit=100")).json.items as Array<{ sn: string; enrollid: number; time: string; mode: number; refused: string | null }>).filter((r) => r.sn === "GATE" || r.sn === "HALL");
    expect(rows.map((r) => [r.sn, r.enrollid, r.time, r.mode, r.refused]).sort((a, b) => String(a[2]).localeCompare(String(b[2])))).toEqual([
      ["GATE", 99999998, "2026-12-09 09:00:00", 18, "unknown_code"],
      ["GATE", 99999999, "2026-12-09 09:01:00", 8, "unknown_person"],
      ["GATE", 99999998, "2026-12-09 09:02:00", 18, "unknown_code"],
      ["GATE", 25, "2026-12-09 09:03:00", 18, null],
      ["GATE", 99999999, "2026-12-09 09:04:00", 18, "unknown_person"],
      ["HALL", 99999998, "2026-12-09 09:05:00", 18, null],
    ]);
  });
});
