/**
 * Access rules in cluster mode (issue 16): a change made through one instance is in use for the
 * server-mode decisions of another at once (the `access-changed` event relayed over Redis), not
 * at that instance's next refresh of the rules (10 minutes).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { TestTerminal } from "../helpers/terminal.ts";
import { type Cluster, startCluster, terminalOn, until } from "../helpers/cluster.ts";

let c: Cluster;
beforeAll(async () => {
  c = await startCluster({ instances: 2, args: ["--tz", "UTC"] });
}, 120_000);
afterAll(async () => {
  await c?.stop();
});

async function call(i: number, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await c.api(i, path, { method, ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

let logindex = 0;
async function punch(t: TestTerminal, enrollid: number, time: string) {
  logindex++;
  t.send({ cmd: "sendlog", sn: "CFRONT", count: 1, logindex, record: [{ enrollid, time, mode: 1, inout: 0, event: 0 }] });
  const a = await t.next((m) => m.ret === "sendlog" && m.logindex === logindex);
  return a.message;
}

test("a change through instance 0 decides the next punch on instance 1", async () => {
  const t = await terminalOn(c, 1, "CFRONT");
  try {
    expect((await call(0, "PATCH", "/api/v1/terminals/CFRONT", { accessMode: "server" })).status).toBe(200);
    expect((await call(0, "POST", "/api/v1/people", { enrollid: 31, name: "Ann", admin: 0, enabled: true, validFrom: null, validTo: null, externalId: null })).status).toBe(201);
    await until("instance 1 knows Ann", async () => (await punch(t, 31, "2026-12-09 09:00:00")) === "No access here");
    const office = ["08:00-18:00"];
    const s = await call(0, "POST", "/api/v1/access/schedules", { name: "Office", days: { "1": office, "2": office, "3": office, "4": office, "5": office }, holidaysClosed: true });
    const l = await call(0, "POST", "/api/v1/access/levels", { name: "Front", scheduleId: s.json.id, terminals: ["CFRONT"] });
    expect((await call(0, "PUT", "/api/v1/people/31/access", { levelIds: [l.json.id] })).status).toBe(200);
    await until("instance 1 lets Ann in", async () => (await punch(t, 31, "2026-12-09 09:00:00")) === "Welcome");
    // A holiday of time and attendance closes the door too, on the other instance as well.
    expect((await call(0, "POST", "/api/v1/holidays", { date: "2026-12-09", name: "Closed" })).status).toBe(201);
    await until("instance 1 closes for the holiday", async () => (await punch(t, 31, "2026-12-09 09:00:00")) === "Closed: holiday");
  } finally {
    t.close();
  }
}, 120_000);
