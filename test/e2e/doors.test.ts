/**
 * Doors on the real binary with simulated terminals (issue 16): door events sent by a simulator
 * set its door's state on GET /api/v1/doors; door settings go out as setdevlock and come back from
 * the simulator's getdevlock; punches at site entrances say who is inside, the same after a
 * restart of the server (rebuilt from the store).
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { rmSync } from "node:fs";
import type { SimulatedTerminal } from "../../src/simulator/terminal.ts";
import { startTm20, type Tm20Process, tempDir } from "../helpers/server.ts";
import { registered, startSim, until } from "../helpers/sim.ts";

setDefaultTimeout(90_000);

const dataDir = tempDir("tm20-e2e-doors-");
const ARGS = ["--tz", "UTC", "--approval", "open"];
let srv: Tm20Process;
const sims: SimulatedTerminal[] = [];

beforeAll(async () => {
  srv = await startTm20({ dataDir, args: ARGS });
});
afterAll(async () => {
  for (const s of sims) s.stop();
  await srv?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await srv.api(path, { method, ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

async function sim(sn: string): Promise<SimulatedTerminal> {
  const t = startSim(srv.ws(), sn);
  sims.push(t);
  await registered(t);
  return t;
}

const minutesAgo = (m: number) => new Date(Math.floor(Date.now() / 1000) * 1000 - m * 60_000).toISOString().slice(0, 19).replace("T", " ");
const doorEvent = (time: string, event: number) => ({ enrollid: 0, time, mode: 0, inout: 0, event });
const punch = (enrollid: number, time: string, inout: number) => ({ enrollid, time, mode: 1, inout, event: 0 });

describe("doors with simulated terminals", () => {
  test("door events from a simulator set its door's state on the board; settings round trip through setdevlock/getdevlock", async () => {
    const gate = await sim("SIMGATE");
    const opened = minutesAgo(3);
    const forced = minutesAgo(1);
    expect(await gate.sendRealtime([doorEvent(minutesAgo(4), 0), doorEvent(opened, 1)])).toBe(true);
    const board = async () => (await call("GET", "/api/v1/doors?q=SIMGATE")).json;
    expect(await board()).toEqual({
      items: [{ sn: "SIMGATE", name: null, location: null, online: true, approval: "approved", state: "open", event: 1, since: Date.parse(`${opened.replace(" ", "T")}Z`), time: opened }],
      next: null,
    });
    expect(await gate.sendRealtime([doorEvent(forced, 5)])).toBe(true);
    expect(((await board()).items as Array<Record<string, unknown>>)[0]).toMatchObject({ state: "forced_open", event: 5, time: forced });
    const alerts = (await call("GET", "/api/v1/alerts")).json.items as Array<{ id: string }>;
    expect(alerts.map((a) => a.id)).toContain("door_forced_open:terminal:SIMGATE");

    const put = await call("PUT", "/api/v1/terminals/SIMGATE/door-settings", { openDelay: 4, tamper: 1, antiPassback: 2 });
    expect(put.status).toBe(202);
    const read = await until("the settings read back", async () => {
      const r = (await call("GET", "/api/v1/terminals/SIMGATE/door-settings")).json;
      return r.settings !== null && (r.pending as unknown[]).length === 0 ? r : undefined;
    });
    expect(read).toEqual({ sn: "SIMGATE", settings: { openDelay: 4, antiPassback: 2, tamper: 1 }, readAt: expect.any(Number), pending: [] });
    expect(gate.device.received.filter((m) => m.cmd === "setdevlock")).toEqual([{ cmd: "setdevlock", sn: "SIMGATE", opendelay: 4, antpass: 2, tamper: 1 }]);
  });

  test("punches at site entrances say who is inside; the same after the server restarts", async () => {
    const entry = await sim("SIMIN");
    const exit = await sim("SIMOUT");
    const lobby = await sim("SIMLOBBY");
    for (const [sn, interpretation] of [["SIMIN", "entry"], ["SIMOUT", "exit"]] as const) {
      expect((await call("PUT", `/api/v1/timesheets/rules/terminals/${sn}`, { interpretation })).status).toBe(200);
    }
    for (const sn of ["SIMIN", "SIMOUT"]) expect((await call("PATCH", `/api/v1/terminals/${sn}`, { siteEntrance: true })).json.siteEntrance).toBe(true);
    for (const [enrollid, name] of [[61, "Ada"], [62, "Ben"], [63, "Cy"]] as const) {
      expect((await call("POST", "/api/v1/people", { enrollid, name, admin: 0, enabled: true, validFrom: null, validTo: null, externalId: null })).status).toBe(201);
    }
    const adaIn = minutesAgo(30);
    const cyIn = minutesAgo(20);
    expect(await entry.sendRealtime([punch(61, adaIn, 0), punch(62, minutesAgo(29), 0), punch(63, cyIn, 0)])).toBe(true);
    expect(await exit.sendRealtime([punch(62, minutesAgo(10), 1)])).toBe(true);
    // Not an entrance: a punch there says nothing about the site.
    expect(await lobby.sendRealtime([punch(62, minutesAgo(5), 0)])).toBe(true);
    const expected = {
      entrances: [{ sn: "SIMIN", name: null }, { sn: "SIMOUT", name: null }],
      count: 2,
      items: [
        { enrollid: 61, since: Date.parse(`${adaIn.replace(" ", "T")}Z`), time: adaIn, sn: "SIMIN", name: "Ada", door: "SIMIN" },
        { enrollid: 63, since: Date.parse(`${cyIn.replace(" ", "T")}Z`), time: cyIn, sn: "SIMIN", name: "Cy", door: "SIMIN" },
      ],
    };
    const presence = async () => {
      const { asOf: _a, ...rest } = (await call("GET", "/api/v1/presence")).json;
      return rest;
    };
    await until("Ben out, Ada and Cy inside", async () => JSON.stringify(await presence()) === JSON.stringify(expected));
    expect(await presence()).toEqual(expected);

    for (const s of sims.splice(0)) s.stop();
    await srv.stop();
    srv = await startTm20({ dataDir, args: ARGS });
    expect(await presence()).toEqual(expected);
  });
});
