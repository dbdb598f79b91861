import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createToken, startTm20, type Tm20Process } from "../helpers/server.ts";
import { connectTerminal } from "../helpers/terminal.ts";

let srv: Tm20Process;
let read: string;
let commands: string;

beforeAll(async () => {
  srv = await startTm20();
  const t = await connectTerminal(srv.ws());
  await t.register("SCOPE1");
  t.close();
  read = createToken(srv.dataDir, "reports", "read");
  commands = createToken(srv.dataDir, "doors", "commands");
});
afterAll(async () => {
  await srv.stop();
});

const call = (token: string, method: string, path: string, body?: unknown) =>
  fetch(`${srv.http}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

/** Every route of /api/v1 that only an admin token may use, with a body the route would accept. */
const ADMIN_ROUTES: Array<[string, string, unknown?]> = [
  ["GET", "/backup"],
  ["GET", "/webhooks"],
  ["POST", "/webhooks", { name: "w", url: "http://127.0.0.1:9/" }],
  ["GET", "/webhooks/1"],
  ["PATCH", "/webhooks/1", { enabled: false }],
  ["DELETE", "/webhooks/1"],
  ["GET", "/webhooks/1/dead-letters"],
  ["POST", "/webhooks/1/dead-letters/1/retry"],
  ["GET", "/hr-destinations"],
  ["POST", "/hr-destinations", { kind: "erpnext", name: "e", url: "http://127.0.0.1:9/" }],
  ["GET", "/hr-destinations/1"],
  ["PATCH", "/hr-destinations/1", { enabled: false }],
  ["DELETE", "/hr-destinations/1"],
  ["POST", "/hr-destinations/1/test"],
  ["GET", "/hr-destinations/1/dead-letters"],
  ["POST", "/hr-destinations/1/dead-letters/1/retry"],
  ["PATCH", "/terminals/SCOPE1", { name: "front door" }],
  ["POST", "/terminals/SCOPE1/approve"],
  ["POST", "/terminals/SCOPE1/block"],
  ["POST", "/people", { enrollid: 7, name: "Ann" }],
  ["PATCH", "/people/7", { name: "Anne" }],
  ["DELETE", "/people/7"],
  ["PUT", "/people/7/credentials/10", { data: "1234" }],
  ["DELETE", "/people/7/credentials/10"],
  ["POST", "/people/pull", { sn: "SCOPE1" }],
  ["POST", "/people/push", { terminals: ["SCOPE1"] }],
  ["POST", "/people/resync", { group: 1 }],
  ["POST", "/people/import", { csv: "enrollid,name\n7,Ann\n" }],
  ["POST", "/people/import/http", { source: { url: "http://127.0.0.1:9/" } }],
  ["POST", "/groups", { name: "g" }],
  ["PATCH", "/groups/1", { name: "h" }],
  ["DELETE", "/groups/1"],
  ["PUT", "/groups/1/terminals/SCOPE1"],
  ["DELETE", "/groups/1/terminals/SCOPE1"],
  ["POST", "/groups/1/resync"],
  ["POST", "/terminals/SCOPE1/commands", { command: "setuserinfo", params: { enrollid: 7, name: "Ann", backupnum: 10, record: 1234 } }],
  ["POST", "/terminals/SCOPE1/commands", { command: "initsys" }],
];

describe("scoped API tokens", () => {
  test("a read token is refused every admin-only route with 403 insufficient_scope; so is a commands token", async () => {
    for (const [method, path, body] of ADMIN_ROUTES) {
      for (const [token, scope] of [[read, "read"], [commands, "commands"]] as const) {
        const res = await call(token, method, path, body);
        expect({ method, path, scope, status: res.status }).toEqual({ method, path, scope, status: 403 });
        const json = (await res.json()) as { code: string; message: string };
        expect(json.code).toBe("insufficient_scope");
        expect(json.message).toContain(`scope is ${scope}`);
      }
    }
  });

  test("a read token reads; it may not queue a command; a commands token may (opendoor, fetch-logs, cancel)", async () => {
    for (const path of ["/terminals", "/terminals/SCOPE1", "/attendance", "/door-events", "/quarantine", "/stats", "/people", "/jobs", "/groups", "/terminals/SCOPE1/commands"]) {
      expect({ path, status: (await call(read, "GET", path)).status }).toEqual({ path, status: 200 });
    }
    const refused = await call(read, "POST", "/terminals/SCOPE1/commands", { command: "opendoor" });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { code: string }).code).toBe("insufficient_scope");
    expect((await call(read, "POST", "/terminals/SCOPE1/fetch-logs", {})).status).toBe(403);

    const queued = await call(commands, "POST", "/terminals/SCOPE1/commands", { command: "opendoor" });
    expect(queued.status).toBe(201);
    const { id } = (await queued.json()) as { id: number };
    expect((await call(read, "POST", `/commands/${id}/cancel`)).status).toBe(403);
    const cancel = await call(commands, "POST", `/commands/${id}/cancel`);
    expect([200, 409]).toContain(cancel.status);
    expect((await call(commands, "POST", "/terminals/SCOPE1/fetch-logs", {})).status).toBe(202);
  });

  test("an admin token (and every token made before scopes) still reaches the admin-only routes", async () => {
    const res = await srv.api("/api/v1/webhooks");
    expect(res.status).toBe(200);
    const person = await srv.api("/api/v1/people", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ enrollid: 9, name: "Bo" }) });
    expect(person.status).toBe(201);
  });
});
