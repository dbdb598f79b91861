/**
 * The BioTime API over our users and departments, on an in-process server: a user's token (and
 * its JWTs) stops working while the user is disabled and for good once the user is deleted (a
 * new user of the same name gets a new token); `department` comes from the person's department;
 * the placeholders of nobody enrolled are no one's transactions (counts and pages without them).
 */
import { afterEach, describe, expect, test } from "bun:test";
import { buildApp, type InProcessApp } from "../helpers/app.ts";
import { punch, punchesOp } from "../store/fixtures.ts";

const PASSWORD = "connector password 1";

const apps: InProcessApp[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.stop();
});

async function post(a: InProcessApp, path: string, body: unknown) {
  const res = await a.request(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function get(a: InProcessApp, path: string, authorization: string) {
  const res = await a.request(path, { headers: { authorization } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function userId(a: InProcessApp, name: string): Promise<number> {
  const u = await a.store.admin.userByName(name);
  if (!u) throw new Error(`no user ${name}`);
  return u.id;
}

describe("BioTime API: users and departments", () => {
  test("a disabled user's token and JWTs are refused until re-enabled; a deleted user's for good, even under a new user of that name", async () => {
    const a = await buildApp();
    apps.push(a);
    expect((await a.form("/settings/users", { username: "hr", role: "viewer", password: PASSWORD })).status).toBe(303);
    const login = await post(a, "/api-token-auth/", { username: "hr", password: PASSWORD });
    expect(login.status).toBe(200);
    const token = `Token ${String(login.body.token)}`;
    const jwt = `JWT ${String((await post(a, "/jwt-api-token-auth/", { username: "hr", password: PASSWORD })).body.token)}`;
    const path = "/iclock/api/transactions/";
    expect((await get(a, path, token)).status).toBe(200);
    expect((await get(a, path, jwt)).status).toBe(200);
    // An API token that is not a user's is unaffected throughout.
    const apiLogin = await post(a, "/api-token-auth/", { username: "anyone", password: "tm20_in-process-test-token" });
    const viaToken = `Token ${String(apiLogin.body.token)}`;

    const id = await userId(a, "hr");
    expect((await a.form(`/settings/users/${id}`, { disabled: "true" })).status).toBe(303);
    expect(await get(a, path, token)).toEqual({ status: 401, body: { detail: "User inactive or deleted." } });
    expect(await get(a, path, jwt)).toEqual({ status: 401, body: { detail: "User inactive or deleted." } });
    expect((await post(a, "/api-token-auth/", { username: "hr", password: PASSWORD })).status).toBe(400);
    expect((await get(a, path, viaToken)).status).toBe(200);

    expect((await a.form(`/settings/users/${id}`, { disabled: "false" })).status).toBe(303);
    expect((await get(a, path, token)).status).toBe(200);
    expect((await post(a, "/api-token-auth/", { username: "hr", password: PASSWORD })).body.token).toBe(login.body.token);

    expect((await a.form(`/settings/users/${id}/delete`)).status).toBe(303);
    expect(await get(a, path, token)).toEqual({ status: 401, body: { detail: "User inactive or deleted." } });
    expect((await a.form("/settings/users", { username: "hr", role: "viewer", password: PASSWORD })).status).toBe(303);
    expect(await get(a, path, token)).toEqual({ status: 401, body: { detail: "User inactive or deleted." } });
    expect(await get(a, path, jwt)).toEqual({ status: 401, body: { detail: "User inactive or deleted." } });
    const again = await post(a, "/api-token-auth/", { username: "hr", password: PASSWORD });
    expect(again.body.token).not.toBe(login.body.token);
    expect((await get(a, path, `Token ${String(again.body.token)}`)).status).toBe(200);
    expect((await get(a, path, viaToken)).status).toBe(200);
  });

  test("department: the person's department today, by name on a punch, as BioTime's object on an employee; departments listed", async () => {
    const a = await buildApp();
    apps.push(a);
    expect((await a.api("POST", "/people", { enrollid: 1, name: "Ann", externalId: "E1" })).status).toBe(201);
    expect((await a.api("POST", "/people", { enrollid: 2, name: "Bo" })).status).toBe(201);
    const dept = (await (await a.api("POST", "/departments", { name: "Warehouse" })).json()) as { id: number };
    const other = (await (await a.api("POST", "/departments", { name: "Office" })).json()) as { id: number };
    expect((await a.api("PATCH", "/people/1", { departmentId: dept.id, departmentFrom: "2026-01-01" })).status).toBe(200);
    await a.store.write([punchesOp("T1", [punch(1, "2026-03-02 08:00:00"), punch(2, "2026-03-02 08:01:00")])]);
    const token = `Token ${String((await post(a, "/api-token-auth/", { username: "api", password: "tm20_in-process-test-token" })).body.token)}`;
    const rows = (await get(a, "/iclock/api/transactions/?ordering=punch_time", token)).body.data as Array<Record<string, unknown>>;
    expect(rows.map((r) => [r.emp_code, r.department, r.position])).toEqual([["E1", "Warehouse", null], ["2", null, null]]);
    const employees = (await get(a, "/personnel/api/employees/", token)).body.data as Array<Record<string, unknown>>;
    expect(employees.map((e) => [e.emp_code, e.department])).toEqual([
      ["E1", { id: dept.id, dept_code: String(dept.id), dept_name: "Warehouse", parent_dept: null }],
      ["2", null],
    ]);
    const departments = await get(a, "/personnel/api/departments/", token);
    expect(departments.body).toMatchObject({ count: 2, next: null, previous: null, msg: "", code: 0 });
    expect(departments.body.data).toEqual([
      { id: dept.id, dept_code: String(dept.id), dept_name: "Warehouse", parent_dept: null },
      { id: other.id, dept_code: String(other.id), dept_name: "Office", parent_dept: null },
    ]);
  });

  test("transactions leave out the placeholders of nobody enrolled (99999998, 99999999): count, pages, filters and the row by id", async () => {
    const a = await buildApp();
    apps.push(a);
    expect((await a.api("POST", "/people", { enrollid: 1, name: "Ann" })).status).toBe(201);
    await a.store.write([
      punchesOp("T1", [
        punch(1, "2026-03-02 08:00:00"),
        punch(99999998, "2026-03-02 08:01:00"),
        punch(99999999, "2026-03-02 08:02:00"),
        punch(2, "2026-03-02 08:03:00"),
        punch(99999998, "2026-03-02 08:04:00"),
        punch(1, "2026-03-02 17:00:00"),
      ]),
    ]);
    const token = `Token ${String((await post(a, "/api-token-auth/", { username: "api", password: "tm20_in-process-test-token" })).body.token)}`;
    const list = async (path: string) => {
      const { status, body } = await get(a, path, token);
      expect(status).toBe(200);
      return { count: body.count, next: body.next === null ? null : new URL(String(body.next)).search, rows: (body.data as Array<Record<string, unknown>>).map((r) => `${String(r.emp_code)} ${String(r.punch_time)}`) };
    };
    expect(await list("/iclock/api/transactions/?ordering=punch_time")).toEqual({
      count: 3,
      next: null,
      rows: ["1 2026-03-02 08:00:00", "2 2026-03-02 08:03:00", "1 2026-03-02 17:00:00"],
    });
    expect(await list("/iclock/api/transactions/?ordering=punch_time&page_size=2")).toEqual({ count: 3, next: "?ordering=punch_time&page_size=2&page=2", rows: ["1 2026-03-02 08:00:00", "2 2026-03-02 08:03:00"] });
    expect(await list("/iclock/api/transactions/?ordering=punch_time&page_size=2&page=2")).toEqual({ count: 3, next: null, rows: ["1 2026-03-02 17:00:00"] });
    expect((await get(a, "/iclock/api/transactions/?page_size=2&page=3", token)).status).toBe(404);
    expect(await list("/iclock/api/transactions/?emp_code=99999998")).toEqual({ count: 0, next: null, rows: [] });
    expect(await list("/iclock/api/transactions/?start_time=2026-03-02 08:01:00&end_time=2026-03-02 08:04:00")).toEqual({ count: 1, next: null, rows: ["2 2026-03-02 08:03:00"] });
    const placeholder = (await a.store.attendanceSlice({ enrollids: [99999999] }, "id", 0, 1))[0]?.id;
    const person = (await a.store.attendanceSlice({ enrollids: [2] }, "id", 0, 1))[0]?.id;
    expect((await get(a, `/iclock/api/transactions/${placeholder}/`, token)).status).toBe(404);
    expect((await get(a, `/iclock/api/transactions/${person}/`, token)).body.emp_code).toBe("2");
    // The rows stay on the attendance list as sent.
    expect(await a.store.countAttendance({})).toBe(6);
  });
});
