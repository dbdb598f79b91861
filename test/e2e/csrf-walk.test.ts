/**
 * Issue 15: every state-changing route of the admin UI refuses a request without the session's
 * CSRF token, and one with the right token but a foreign Origin. The routes are read from the UI
 * app itself (src/ui/app.ts), so a route added later is walked without editing this test.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { buildApp } from "../helpers/app.ts";
import { tm20Binary } from "../helpers/binary.ts";
import { startTm20, tempDir, type Tm20Process } from "../helpers/server.ts";

const PASSWORD = "long enough password";
/** The state-changing routes when this test was written; fewer means the enumeration broke. */
const KNOWN_ROUTES = 35;
const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const REFUSALS = /^(Missing or wrong CSRF token|This form has expired)/;

let srv: Tm20Process;
let routes: Array<{ method: string; path: string }>;
let session: { cookie: string; csrf: string };

beforeAll(async () => {
  const app = await buildApp();
  // A route with a guard before its handler is listed once per handler: one walk each.
  const unique = new Set(app.uiRoutes.filter((r) => STATE_CHANGING.has(r.method)).map((r) => `${r.method} ${r.path}`));
  // Any value will do for a parameter: the request must be refused before it is looked up.
  routes = [...unique].map((r) => {
    const [method = "", path = ""] = r.split(" ");
    return { method, path: path.replace(/:[A-Za-z]+/g, "1") };
  });
  await app.stop();

  const dataDir = tempDir();
  const made = Bun.spawnSync([tm20Binary(), "admin", "create", "--username", "owner", "--data-dir", dataDir], { stdin: Buffer.from(`${PASSWORD}\n`), stdout: "pipe", stderr: "pipe" });
  expect(made.exitCode).toBe(0);
  srv = await startTm20({ dataDir });
  const pre = "p".repeat(43);
  const login = await fetch(`${srv.http}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: `tm20_pre=${pre}` },
    body: new URLSearchParams({ _csrf: pre, username: "owner", password: PASSWORD }),
  });
  expect(login.status).toBe(303);
  const cookie = `tm20_session=${/tm20_session=([^;]+)/.exec(login.headers.get("set-cookie") ?? "")?.[1]}`;
  const page = await (await fetch(`${srv.http}/`, { headers: { cookie } })).text();
  session = { cookie, csrf: /name="csrf-token" content="([^"]+)"/.exec(page)?.[1] ?? "" };
  expect(session.csrf).toHaveLength(43);
});

afterAll(async () => {
  await srv.stop();
});

const auditRows = () => (srv.db().query("SELECT count(*) AS n FROM audit_log").get() as { n: number }).n;

test("every state-changing UI route refuses a request without the CSRF token and one from a foreign Origin", async () => {
  expect(routes.length).toBeGreaterThanOrEqual(KNOWN_ROUTES);
  expect(new Set(routes.map((r) => `${r.method} ${r.path}`)).size).toBe(routes.length);
  expect(routes.map((r) => r.path)).toContain("/logout");
  expect(routes.filter((r) => /[:*]/.test(r.path))).toEqual([]);
  const auditBefore = auditRows();

  const outcomes: string[] = [];
  for (const { method, path } of routes) {
    const send = async (headers: Record<string, string>, fields: Record<string, string>) => {
      const res = await fetch(`${srv.http}${path}`, {
        method,
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
        body: new URLSearchParams(fields),
      });
      return `${method} ${path} ${res.status} ${REFUSALS.test(await res.text()) ? "refused" : "ACCEPTED"}`;
    };
    outcomes.push(await send({ cookie: session.cookie }, { name: "x" }));
    // The right token, in the session and in the pre-session cookie the login and setup forms use: only the Origin is wrong.
    outcomes.push(await send({ cookie: `${session.cookie}; tm20_pre=${session.csrf}`, origin: "http://evil.example" }, { _csrf: session.csrf, name: "x" }));
  }
  expect(outcomes).toEqual(routes.flatMap(({ method, path }) => [`${method} ${path} 403 refused`, `${method} ${path} 403 refused`]));
  // Nothing was done on the walk's behalf, and the session lives on (the forged /logout did not end it).
  expect(auditRows()).toBe(auditBefore);
  expect((await fetch(`${srv.http}/`, { headers: { cookie: session.cookie }, redirect: "manual" })).status).toBe(200);

  // The same token from this site's own page is accepted: the refusals above were the token's and the Origin's.
  const logout = await fetch(`${srv.http}/logout`, {
    method: "POST",
    redirect: "manual",
    headers: { cookie: session.cookie, origin: srv.http, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ _csrf: session.csrf }),
  });
  expect([logout.status, logout.headers.get("location")]).toEqual([303, "/login"]);
  expect(auditRows()).toBe(auditBefore + 1);
});
