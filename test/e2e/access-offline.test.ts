/**
 * Doors keep working when the server is down (issue 16): the access sync puts the tables on a
 * simulated unit through the real command path, the server is stopped, and the unit decides at
 * its door from what it holds alone. The punch it admitted meanwhile reaches the server when it
 * is back and asks for the unit's new logs.
 */
import { expect, test } from "bun:test";
import { SimDevice } from "../../src/simulator/device.ts";
import { startTm20, tempDir } from "../helpers/server.ts";
import { registered, startSim, until } from "../helpers/sim.ts";

type Json = Record<string, unknown>;

test("a simulated door refuses a person at 20:00 and admits them at 09:00 (08:00-18:00), with the server stopped", async () => {
  const dataDir = tempDir();
  const device = new SimDevice();
  device.users.set(7, { name: "Ann", admin: 0, enabled: true, credentials: new Map([[10, "1234"]]) });
  let srv = await startTm20({ dataDir, keepData: true, args: ["--tz", "UTC", "--approval", "open"] });
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await srv.api(path, { method, ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }) });
    return { status: res.status, json: (await res.json()) as Json };
  };
  let t = startSim(srv.ws(), "DOOR1", { device });
  try {
    await registered(t);
    const office = ["08:00-18:00"];
    const s = await call("POST", "/api/v1/access/schedules", { name: "Office", days: { "1": office, "2": office, "3": office, "4": office, "5": office } });
    const l = await call("POST", "/api/v1/access/levels", { name: "Staff", scheduleId: s.json.id, terminals: ["DOOR1"] });
    expect((await call("POST", "/api/v1/people", { enrollid: 7, name: "Ann", admin: 0, enabled: true, validFrom: null, validTo: null, externalId: null })).status).toBe(201);
    expect((await call("PUT", "/api/v1/people/7/access", { levelIds: [l.json.id] })).status).toBe(200);
    await until("DOOR1 holds Ann's lock on the office zone", async () => {
      const { json } = await call("GET", "/api/v1/terminals/DOOR1/commands?limit=100");
      const items = json.items as Array<{ status: string }>;
      return items.length > 0 && items.every((c) => c.status === "succeeded");
    });
  } finally {
    t.stop();
    expect(await srv.stop()).toBe(0);
  }
  // No server: Tuesday 2026-03-10 and Saturday 2026-03-14, at the unit alone.
  expect(device.punch(7, "2026-03-10 20:00:00")).toBe(false);
  expect(device.punch(7, "2026-03-10 09:00:00")).toBe(true);
  expect(device.punch(7, "2026-03-14 09:00:00")).toBe(false);
  expect(device.logs.map((g) => [g.enrollid, g.time, g.uploaded])).toEqual([[7, "2026-03-10 09:00:00", false]]);

  // The server is back: the unit's new log (the admitted punch) is fetched and stored.
  srv = await startTm20({ dataDir, args: ["--tz", "UTC", "--approval", "open"] });
  t = startSim(srv.ws(), "DOOR1", { device });
  try {
    await registered(t);
    expect((await call("POST", "/api/v1/terminals/DOOR1/fetch-logs", {})).status).toBe(202);
    const rows = await until("the offline punch stored", async () => {
      const { json } = await call("GET", "/api/v1/attendance?sn=DOOR1");
      const items = json.items as Array<{ enrollid: number; time: string }>;
      return items.length > 0 ? items : undefined;
    });
    expect(rows.map((r) => [r.enrollid, r.time])).toEqual([[7, "2026-03-10 09:00:00"]]);
  } finally {
    t.stop();
    await srv.stop();
  }
}, 60_000);
