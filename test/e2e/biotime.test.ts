/**
 * The BioTime-compatible read API against the real binary, as the public connectors use it
 * (issue 19): each quirk they depend on is one assertion here. The same suite runs on a single
 * box (SQLite) and on a cluster instance (PostgreSQL + Redis), since the API reads through the
 * Store contract.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { tm20Binary } from "../helpers/binary.ts";
import { pgScratch, type PgScratch } from "../helpers/postgres.ts";
import { startTm20, tempDir, type Tm20Process } from "../helpers/server.ts";
import { connectTerminal } from "../helpers/terminal.ts";

const PASSWORD = "payroll password 1";

// Password hashes, CLI runs and a cluster instance: slow on a loaded machine.
setDefaultTimeout(60_000);

/** Every field BioTime documents for a transaction, in its order. */
export const TRANSACTION_FIELDS = [
  "id", "emp_code", "first_name", "last_name", "department", "position", "punch_time", "punch_state", "punch_state_display",
  "verify_type", "verify_type_display", "work_code", "gps_location", "area_alias", "terminal_sn", "terminal_alias", "temperature", "upload_time",
];

type Row = Record<string, unknown>;
type List = { count: number; next: string | null; previous: string | null; msg: string; code: number; data: Row[] };

for (const engine of ["sqlite", "postgres"] as const) {
  describe(`BioTime API on ${engine}`, () => {
    let srv: Tm20Process;
    let pg: PgScratch | null = null;
    let storeFlags: string[];
    let adminToken: string;
    /** Serial numbers of their own: a cluster's presence keys in Redis are not per schema. */
    const tag = Math.random().toString(36).slice(2, 7).toUpperCase();
    const SN1 = `BT1${tag}`;
    const SN2 = `BT2${tag}`;

    const cli = (args: string[], stdin = "") => {
      const proc = Bun.spawnSync([tm20Binary(), ...args, ...storeFlags], { stdin: Buffer.from(stdin), stdout: "pipe", stderr: "pipe" });
      if (proc.exitCode !== 0) throw new Error(`tm20 ${args.join(" ")}: ${proc.stderr.toString()}`);
      return proc.stdout.toString();
    };
    const admin = (method: string, path: string, body: unknown) =>
      fetch(`${srv.http}/api/v1${path}`, { method, headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" }, body: JSON.stringify(body) });
    const login = (path: string, body: unknown) => fetch(`${srv.http}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const tokenFor = async () => ((await (await login("/api-token-auth/", { username: "hr", password: PASSWORD })).json()) as { token: string }).token;
    const get = async (url: string, token: string, scheme = "Token") => {
      const res = await fetch(url.startsWith("http") ? url : `${srv.http}${url}`, { headers: { authorization: `${scheme} ${token}` } });
      return { status: res.status, body: (await res.json()) as unknown as List & Row };
    };
    /** Every row, following `next` verbatim. */
    const all = async (url: string, token: string) => {
      const rows: Row[] = [];
      let next: string | null = url;
      while (next) {
        const { status, body } = await get(next, token);
        expect(status).toBe(200);
        rows.push(...body.data);
        next = body.next;
      }
      return rows;
    };

    beforeAll(async () => {
      if (engine === "sqlite") {
        const dataDir = tempDir();
        storeFlags = ["--data-dir", dataDir];
        srv = await startTm20({ dataDir, args: ["--tz", "UTC"] });
      } else {
        pg = pgScratch("biotime");
        storeFlags = ["--cluster", "--pg-url", pg.url, "--pg-schema", pg.schema];
        srv = await startTm20({ args: ["--tz", "UTC", ...storeFlags, "--redis-url", "redis://127.0.0.1:6379/9"] });
      }
      cli(["admin", "create", "--username", "hr"], `${PASSWORD}\n`);
      adminToken = cli(["token", "create", "--name", "setup", "--scope", "admin"]).trim().split("\n").pop() ?? "";
      expect((await admin("POST", "/people", { enrollid: 1, name: "Ann Lee", externalId: "EMP-001" })).status).toBe(201);
      expect((await admin("POST", "/people", { enrollid: 2, name: "Bo" })).status).toBe(201);

      // A terminal may connect on any path, BioTime's included: the upgrade is still a terminal.
      const t1 = await connectTerminal(srv.ws("/iclock/api/transactions/"));
      expect(await t1.register(SN1)).toMatchObject({ result: true });
      const t2 = await connectTerminal(srv.ws("/ws"));
      expect(await t2.register(SN2)).toMatchObject({ result: true });
      const rec = (enrollid: number, time: string, inout: number, mode = 1) => ({ enrollid, time, mode, inout, event: 0 });
      const first = [
        rec(1, "2026-03-02 08:00:00", 0), rec(2, "2026-03-02 08:05:00", 0, 2), rec(1, "2026-03-02 12:00:00", 1),
        rec(1, "2026-03-02 13:00:00", 0), rec(2, "2026-03-02 17:00:00", 1, 3), rec(1, "2026-03-02 17:30:00", 1),
        rec(1, "2026-03-03 08:00:00", 0), rec(2, "2026-03-03 08:10:00", 0, 8), rec(9, "2026-03-03 09:00:00", 0),
        rec(1, "2026-03-03 17:00:00", 1), rec(2, "2026-03-03 17:10:00", 1), rec(1, "2026-03-04 08:00:00", 0),
      ];
      t1.send({ cmd: "sendlog", sn: SN1, count: first.length, logindex: 0, record: first });
      expect(await t1.next((m) => m.ret === "sendlog")).toMatchObject({ result: true });
      // Late uploads of earlier punches: upload order is not punch order.
      const late = [rec(2, "2026-03-01 07:00:00", 0), rec(1, "2026-03-01 16:00:00", 1), rec(2, "2026-03-04 09:00:00", 0)];
      t2.send({ cmd: "sendlog", sn: SN2, count: late.length, logindex: 0, record: late });
      expect(await t2.next((m) => m.ret === "sendlog")).toMatchObject({ result: true });
      t1.close();
      t2.close();
      expect((await admin("PATCH", `/terminals/${SN1}`, { name: "Front door", location: "HQ" })).status).toBe(200);
    }, 60_000);

    afterAll(async () => {
      await srv?.stop();
      await pg?.drop();
    });

    test("api-token-auth: user name and password give a read token, the same one each time, listed as BioTime: <user>", async () => {
      const res = await login("/api-token-auth/", { username: "hr", password: PASSWORD });
      expect(res.status).toBe(200);
      const { token } = (await res.json()) as { token: string };
      expect(token).toMatch(/^tm20_[A-Za-z0-9_-]{43}$/);
      expect(await tokenFor()).toBe(token);
      // As a form too (DRF takes both).
      const form = await fetch(`${srv.http}/api-token-auth`, { method: "POST", body: new URLSearchParams({ username: "hr", password: PASSWORD }) });
      expect(((await form.json()) as { token: string }).token).toBe(token);
      const listed = cli(["token", "list"]).split("\n").filter((l) => l.includes("BioTime: hr"));
      expect(listed.length).toBe(1);
      expect(listed[0]?.split("\t").slice(1, 4)).toEqual(["active", "read", "BioTime: hr"]);
      // Read-only: it reads our own API and is refused what needs more.
      expect((await fetch(`${srv.http}/api/v1/attendance`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      expect((await fetch(`${srv.http}/api/v1/webhooks`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(403);
    });

    test("an API token in place of the password gets a read token; a read token gets itself back", async () => {
      const res = await login("/api-token-auth/", { username: "anything", password: adminToken });
      expect(res.status).toBe(200);
      const { token } = (await res.json()) as { token: string };
      expect(token).not.toBe(adminToken);
      expect((await fetch(`${srv.http}/api/v1/webhooks`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(403);
      expect((await get("/iclock/api/transactions/", token)).status).toBe(200);
      const again = await login("/api-token-auth/", { username: "x", password: token });
      expect(((await again.json()) as { token: string }).token).toBe(token);
      expect(cli(["token", "list"])).toContain("BioTime: token setup");
    });

    test("bad credentials: 400 {non_field_errors: [...]}", async () => {
      for (const body of [{ username: "hr", password: "wrong password" }, { username: "nobody", password: PASSWORD }, { username: "x", password: "tm20_not-a-token" }]) {
        const res = await login("/api-token-auth/", body);
        expect(res.status).toBe(400);
        expect(await res.json()).toEqual({ non_field_errors: ["Unable to log in with provided credentials."] });
      }
      const missing = await login("/jwt-api-token-auth/", { username: "hr" });
      expect(missing.status).toBe(400);
      expect(Object.keys((await missing.json()) as object)).toEqual(["non_field_errors"]);
    });

    test("missing, unknown or revoked token: 401 {detail}; logging in again after a revoke gives a new token", async () => {
      const none = await fetch(`${srv.http}/iclock/api/transactions/`);
      expect(none.status).toBe(401);
      expect(await none.json()).toEqual({ detail: "Authentication credentials were not provided." });
      const wrong = await get("/iclock/api/transactions/", "tm20_not-a-token");
      expect(wrong).toEqual({ status: 401, body: { detail: "Invalid token." } as unknown as List & Row });

      const token = await tokenFor();
      const id = cli(["token", "list"]).split("\n").find((l) => l.includes("\tBioTime: hr\t"))?.split("\t")[0] ?? "";
      cli(["token", "revoke", id]);
      expect((await get("/personnel/api/employees/", token)).status).toBe(401);
      const renewed = await tokenFor();
      expect(renewed).not.toBe(token);
      expect((await get("/personnel/api/employees/", renewed)).status).toBe(200);
      expect(await tokenFor()).toBe(renewed);
    });

    test("jwt-api-token-auth: a JWT with exp, by user name or by e-mail and company; expired or forged: 401", async () => {
      const res = await login("/jwt-api-token-auth/", { username: "hr", password: PASSWORD });
      expect(res.status).toBe(200);
      const { token: jwt } = (await res.json()) as { token: string };
      const [header, payload] = jwt.split(".").slice(0, 2).map((p) => JSON.parse(Buffer.from(p, "base64url").toString()) as Row);
      expect(header).toEqual({ alg: "HS256", typ: "JWT" });
      const now = Date.now() / 1000;
      expect(payload?.exp as number).toBeGreaterThan(now + 23 * 3600);
      expect(payload?.exp as number).toBeLessThan(now + 25 * 3600);
      const page = await get("/iclock/api/transactions/", jwt, "JWT");
      expect(page.status).toBe(200);
      expect(page.body.count).toBe(15);

      const byEmail = await login("/jwt-api-token-auth/", { email: "hr", password: PASSWORD, company: "acme" });
      expect(byEmail.status).toBe(200);

      const forged = `${jwt.slice(0, jwt.lastIndexOf(".") + 1)}${"A".repeat(43)}`;
      expect(await get("/iclock/api/transactions/", forged, "JWT")).toEqual({ status: 401, body: { detail: "Error decoding signature." } as unknown as List & Row });
      if (engine === "sqlite") {
        // Signed with the server's own key (from its secret.key) but past its exp.
        const box = Buffer.from(readFileSync(join(storeFlags[1] ?? "", "secret.key"), "utf8").trim(), "base64");
        const key = createHmac("sha256", box).update("tm20 biotime jwt v1").digest();
        const body = `${jwt.split(".")[0]}.${Buffer.from(JSON.stringify({ ...payload, exp: Math.floor(now) - 1 })).toString("base64url")}`;
        const expired = `${body}.${createHmac("sha256", key).update(body).digest("base64url")}`;
        expect(await get("/iclock/api/transactions/", expired, "JWT")).toEqual({ status: 401, body: { detail: "Signature has expired." } as unknown as List & Row });
      }
      // The JWT stands for the read token: revoking that token in Settings (or the CLI) ends it.
      const id = cli(["token", "list"]).split("\n").find((l) => l.includes("\tBioTime: hr\t") && l.includes("\tactive\t"))?.split("\t")[0] ?? "";
      cli(["token", "revoke", id]);
      expect(await get("/iclock/api/transactions/", jwt, "JWT")).toEqual({ status: 401, body: { detail: "Invalid token." } as unknown as List & Row });
    });

    test("transactions: {count, next, previous, msg, code, data}; default page size 10; next absolute, null at the end; past the end 404", async () => {
      const token = await tokenFor();
      const first = await get("/iclock/api/transactions/", token);
      expect(first.status).toBe(200);
      expect(Object.keys(first.body)).toEqual(["count", "next", "previous", "msg", "code", "data"]);
      expect(first.body).toMatchObject({ count: 15, next: `${srv.http}/iclock/api/transactions/?page=2`, previous: null, msg: "", code: 0 });
      expect(first.body.data.length).toBe(10);
      const second = await get(first.body.next ?? "", token);
      expect(second.body).toMatchObject({ count: 15, next: null, previous: `${srv.http}/iclock/api/transactions/`, msg: "", code: 0 });
      expect(second.body.data.length).toBe(5);
      const ids = [...first.body.data, ...second.body.data].map((r) => r.id as number);
      expect(new Set(ids).size).toBe(15);
      expect(ids).toEqual(ids.toSorted((a, b) => a - b));
      for (const past of ["/iclock/api/transactions/?page=3", "/iclock/api/transactions/?page=0", "/iclock/api/transactions/?page=x"]) {
        expect(await get(past, token)).toEqual({ status: 404, body: { detail: "Invalid page." } as unknown as List & Row });
      }
    });

    test("a row: every documented field present (null where we have none), punch_state a string, the display text exact", async () => {
      const token = await tokenFor();
      const rows = await all("/iclock/api/transactions/?page_size=100", token);
      expect(rows.length).toBe(15);
      for (const r of rows) {
        expect(Object.keys(r)).toEqual(TRANSACTION_FIELDS);
        expect(r.punch_state === "0" || r.punch_state === "1").toBe(true);
        expect(r.punch_state_display).toBe(r.punch_state === "0" ? "Check In" : "Check Out");
        expect(r.upload_time as string).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      }
      const ann = rows.find((r) => r.punch_time === "2026-03-02 12:00:00");
      expect({ ...ann, id: 0, upload_time: "" } as Row).toEqual({
        id: 0, emp_code: "EMP-001", first_name: "Ann Lee", last_name: "", department: null, position: null, punch_time: "2026-03-02 12:00:00",
        punch_state: "1", punch_state_display: "Check Out", verify_type: 1, verify_type_display: "Fingerprint", work_code: "0", gps_location: null,
        area_alias: "HQ", terminal_sn: SN1, terminal_alias: "Front door", temperature: null, upload_time: "",
      });
      const bo = rows.find((r) => r.punch_time === "2026-03-02 08:05:00");
      expect(bo).toMatchObject({ emp_code: "2", first_name: "Bo", punch_state: "0", punch_state_display: "Check In", verify_type: 4, verify_type_display: "Card" });
      expect(rows.find((r) => r.punch_time === "2026-03-03 09:00:00")).toMatchObject({ emp_code: "9", first_name: "", last_name: "" });
      expect(rows.find((r) => r.punch_time === "2026-03-01 07:00:00")).toMatchObject({ terminal_sn: SN2, terminal_alias: SN2, area_alias: "" });

      const one = await get(`/iclock/api/transactions/${ann?.id}/`, token);
      expect(one).toEqual({ status: 200, body: ann as unknown as List & Row });
      expect(await get("/iclock/api/transactions/999999/", token)).toEqual({ status: 404, body: { detail: "Not found." } as unknown as List & Row });
    });

    test("filters narrow, time bounds are inclusive, and next keeps every filter (followed verbatim)", async () => {
      const token = await tokenFor();
      const query = "emp_code=EMP-001&start_time=2026-03-02%2012:00:00&end_time=2026-03-03%2017:00:00&page_size=2&ordering=-punch_time";
      const first = await get(`/iclock/api/transactions/?${query}`, token);
      expect(first.body.count).toBe(5);
      const next = new URL(first.body.next ?? "");
      expect(`${next.origin}${next.pathname}`).toBe(`${srv.http}/iclock/api/transactions/`);
      expect(Object.fromEntries(next.searchParams)).toEqual({
        emp_code: "EMP-001", start_time: "2026-03-02 12:00:00", end_time: "2026-03-03 17:00:00", page_size: "2", ordering: "-punch_time", page: "2",
      });
      const rows = await all(`/iclock/api/transactions/?${query}`, token);
      // Both bounds are punch times of Ann's: both are in.
      expect(rows.map((r) => r.punch_time)).toEqual(["2026-03-03 17:00:00", "2026-03-03 08:00:00", "2026-03-02 17:30:00", "2026-03-02 13:00:00", "2026-03-02 12:00:00"]);

      expect((await get("/iclock/api/transactions/?emp_code=2", token)).body.count).toBe(6);
      expect((await get("/iclock/api/transactions/?emp_code=1", token)).body.count).toBe(0);
      expect((await get(`/iclock/api/transactions/?terminal_sn=${SN2}`, token)).body.count).toBe(3);
      expect((await get("/iclock/api/transactions/?terminal_alias=Front%20door", token)).body.count).toBe(12);
      expect((await get("/iclock/api/transactions/?terminal_alias=Back%20door", token)).body.count).toBe(0);
      expect((await get("/iclock/api/transactions/?start_time=2026-03-04%2008:00:00", token)).body.count).toBe(2);
      expect((await get("/iclock/api/transactions/?end_time=2026-03-01%2016:00:00", token)).body.count).toBe(2);
      const bad = await get("/iclock/api/transactions/?start_time=yesterday", token);
      expect(bad).toEqual({ status: 400, body: { start_time: ["Enter a valid date/time."] } as unknown as List & Row });
    });

    test("ordering: punch_time and upload_time, either with -", async () => {
      const token = await tokenFor();
      const times = async (ordering: string) => (await all(`/iclock/api/transactions/?page_size=4&ordering=${ordering}`, token)).map((r) => r.punch_time as string);
      const byPunch = await times("punch_time");
      expect(byPunch).toEqual(byPunch.toSorted());
      expect(byPunch[0]).toBe("2026-03-01 07:00:00");
      expect(await times("-punch_time")).toEqual(byPunch.toReversed());
      const byUpload = await times("upload_time");
      // The late uploads come last in upload order, whatever their punch times.
      expect(byUpload.slice(-3)).toEqual(["2026-03-01 07:00:00", "2026-03-01 16:00:00", "2026-03-04 09:00:00"]);
      expect(await times("-upload_time")).toEqual(byUpload.toReversed());
    });

    test("next and previous are built from the request's host", async () => {
      const token = await tokenFor();
      const res = await fetch(`${srv.http}/iclock/api/transactions/?page=2&page_size=5`, { headers: { authorization: `Token ${token}`, host: "hr.example:8080" } });
      const body = (await res.json()) as List;
      expect(body.next).toBe("http://hr.example:8080/iclock/api/transactions/?page=3&page_size=5");
      expect(body.previous).toBe("http://hr.example:8080/iclock/api/transactions/?page_size=5");
    });

    test("terminals, employees and departments", async () => {
      const token = await tokenFor();
      const terminals = await get("/iclock/api/terminals/", token);
      expect(terminals.body).toMatchObject({ count: 2, next: null, previous: null, msg: "", code: 0 });
      const front = terminals.body.data.find((t) => t.sn === SN1);
      expect(front).toMatchObject({ alias: "Front door", ip_address: "127.0.0.1", state: 0, terminal_tz: 0, area: { id: 1, area_code: "1", area_name: "HQ" }, area_name: "HQ" });
      for (const key of ["id", "sn", "alias", "ip_address", "terminal_name", "state", "terminal_tz", "area", "area_name", "last_activity"]) expect(Object.keys(front ?? {})).toContain(key);
      expect(front?.last_activity as string).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);

      const employees = await get("/personnel/api/employees/", token);
      expect(employees.body).toMatchObject({ count: 2, next: null, previous: null, msg: "", code: 0 });
      expect(employees.body.data.map((e) => [e.id, e.emp_code, e.first_name, e.last_name, e.department])).toEqual([[1, "EMP-001", "Ann Lee", "", null], [2, "2", "Bo", "", null]]);
      expect((await get("/personnel/api/employees/?emp_code=EMP-001", token)).body.count).toBe(1);

      expect(await get("/personnel/api/departments/", token)).toEqual({ status: 200, body: { count: 0, next: null, previous: null, msg: "", code: 0, data: [] } as unknown as List & Row });
      expect((await get("/personnel/api/departments/?page=2", token)).status).toBe(404);
    });
  });
}
