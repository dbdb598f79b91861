/**
 * Decided live (issue 16), on the real binary: a terminal in server mode gets `access` and
 * `message` from the access rules for each punch's own time, one refusal reason at a time; a
 * refused punch is stored, marked with its reason, and shown so by the API; a resend gets the
 * same answer. QR codes: only a code the server issued opens, in either mode.
 * On main before this, every one of these punches was answered access:1, and "21" opened as person 21.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
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
/** One punch; the answer's access and message (and count/logindex echoed). */
async function punch(t: TestTerminal, sn: string, enrollid: number, time: string) {
  logindex++;
  t.send({ cmd: "sendlog", sn, count: 1, logindex, record: [{ enrollid, time, mode: 1, inout: 0, event: 0 }] });
  const a = await t.next((m) => m.ret === "sendlog" && m.logindex === logindex);
  expect(a.result).toBe(true);
  return { access: a.access, message: a.message };
}

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
    // Ann's level opens FRONT only, within office hours (now, in UTC, decides: either answer names her).
    const front1 = await qr(front, "FRONT", annCode);
    expect(front1).toMatchObject({ ret: "sendqrcode", result: true, enrollid: 21, username: "Ann" });
    expect(await qr(lobby, "LOBBY", annCode)).toEqual({ ret: "sendqrcode", result: true, access: 0, enrollid: 21, username: "Ann", message: "No access here" });
    // Revoked: once the API has answered, the old code opens nothing (a remembered answer included).
    expect((await call("DELETE", "/api/v1/people/21/qr-code")).status).toBe(200);
    expect(await qr(front, "FRONT", annCode)).toEqual(unknown);
  });
});
