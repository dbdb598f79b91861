/**
 * Numeric ids in API paths are read one way on every route (src/lib/path-id.ts): canonical
 * decimal digits only. "1e3", "+1" and "01" are no aliases of 1000 or 1: each is the route's
 * 404 `{code: "not_found", message: "no such …"}`, the answer an unknown id gets.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { buildApp, type InProcessApp } from "../helpers/app.ts";

let app: InProcessApp;

beforeAll(async () => {
  app = await buildApp();
  expect((await app.api("POST", "/people", { enrollid: 1000, name: "Ann" })).status).toBe(201);
  expect((await app.api("POST", "/access/schedules", { name: "Office", days: { "1": ["08:00-12:00"] } })).status).toBe(201);
  expect((await app.api("POST", "/groups", { name: "Lobby" })).status).toBe(201);
});

afterAll(async () => {
  await app.stop();
});

async function answer(method: string, path: string, body?: unknown) {
  const res = await app.api(method, path, body);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const routes = [
  { method: "GET", path: (id: string) => `/people/${id}`, valid: "1000", what: "person", shows: { enrollid: 1000, name: "Ann" } },
  { method: "GET", path: (id: string) => `/access/schedules/${id}`, valid: "1", what: "access schedule", shows: { id: 1, name: "Office" } },
  { method: "GET", path: (id: string) => `/groups/${id}`, valid: "1", what: "group", shows: { id: 1, name: "Lobby" } },
  // A 400 (the query parser's) before: now the same 404 as every other route.
  { method: "PATCH", path: (id: string) => `/users/${id}`, valid: "1", what: "user", shows: { id: 1, username: "admin" }, body: {} },
];

describe("a numeric path id", () => {
  for (const r of routes) {
    test(`${r.method} ${r.path(":id")}: the canonical id answers, "1e3", "+1" and "01" are 404 no such ${r.what}`, async () => {
      const ok = await answer(r.method, r.path(r.valid), r.body);
      expect(ok.status).toBe(200);
      expect(ok.body).toMatchObject(r.shows);
      for (const bad of ["1e3", "+1", "01"]) {
        expect({ bad, ...(await answer(r.method, r.path(encodeURIComponent(bad)), r.body)) }).toEqual({
          bad,
          status: 404,
          body: { code: "not_found", message: `no such ${r.what}` },
        });
      }
    });
  }
});

describe("a numeric path id in the admin UI, read the same way", () => {
  test("/people/1000 is Ann's page; /people/1e3, /people/01000 and /people/+1000 are the Person not found page", async () => {
    const ok = await app.page("/people/1000");
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("<title>Ann");
    for (const bad of ["1e3", "01000", encodeURIComponent("+1000")]) {
      const res = await app.page(`/people/${bad}`);
      expect({ bad, status: res.status, notFound: (await res.text()).includes("No person with this enroll id") }).toEqual({ bad, status: 404, notFound: true });
    }
  });

  test("/groups/1/terminals is Lobby's; /groups/01/terminals is the Group not found page", async () => {
    expect((await app.page("/groups/1/terminals")).status).toBe(200);
    const res = await app.page("/groups/01/terminals");
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("No such group");
  });

  test("/timesheets/people/1000 is Ann's month; 01000, 0 and 1000000000 are 404", async () => {
    expect((await app.page("/timesheets/people/1000")).status).toBe(200);
    for (const bad of ["01000", "0", "1000000000"]) expect({ bad, status: (await app.page(`/timesheets/people/${bad}`)).status }).toEqual({ bad, status: 404 });
  });
});
