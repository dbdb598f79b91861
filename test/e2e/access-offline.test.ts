/**
 * Access tables reach a unit through the real command path (API → queue → WebSocket) and keep
 * its door working with the server stopped. The sync that will send them by itself is not built
 * yet (issue 16): the test queues the compiled plan through the command API, as it would.
 */
import { expect, test } from "bun:test";
import { compileTerminal, indexModel, NOTHING_HELD, parseAccessModel, planTables } from "../../src/access/index.ts";
import { SimDevice } from "../../src/simulator/device.ts";
import { startTm20 } from "../helpers/server.ts";
import { registered, startSim, until } from "../helpers/sim.ts";

type Json = Record<string, unknown>;

test("a simulated door refuses a person at 20:00 and admits them at 09:00 (08:00-18:00), with the server stopped", async () => {
  const parsed = parseAccessModel({
    schedules: [{ id: 1, name: "Office", days: { "1": ["08:00-18:00"], "2": ["08:00-18:00"], "3": ["08:00-18:00"], "4": ["08:00-18:00"], "5": ["08:00-18:00"] } }],
    levels: [{ id: 1, name: "Staff", scheduleId: 1, terminals: ["DOOR1"] }],
    people: [{ enrollid: 7, name: "Ann", enabled: true, levelIds: [1] }],
  });
  if (!parsed.ok) throw new Error(parsed.error);
  const compiled = compileTerminal(indexModel(parsed.model), "DOOR1", "2026-03-10");
  if (!compiled.ok) throw new Error(compiled.errors[0]?.message);
  const plan = planTables(NOTHING_HELD, compiled.tables);
  expect(plan.map((c) => c.command)).toEqual(["setholiday", "setdevlock", "setuserlock"]);

  const device = new SimDevice();
  device.users.set(7, { name: "Ann", admin: 0, enabled: true, credentials: new Map([[10, "1234"]]) });
  const srv = await startTm20();
  const t = startSim(srv.ws(), "DOOR1", { device });
  try {
    await registered(t);
    const ids: unknown[] = [];
    for (const c of plan) {
      const res = await srv.api("/api/v1/terminals/DOOR1/commands", { method: "POST", body: JSON.stringify(c), headers: { "content-type": "application/json" } });
      const body = (await res.json()) as Json;
      expect([res.status, body.status]).toEqual([201, "queued"]);
      ids.push(body.id);
    }
    for (const id of ids) {
      await until(`command ${String(id)} succeeded`, async () => ((await (await srv.api(`/api/v1/commands/${String(id)}`)).json()) as Json).status === "succeeded");
    }
  } finally {
    await srv.stop();
  }
  // The unit got exactly the wire frames: 8 day zones of 5 sections, 8 week zones of 7 days.
  const devlock = device.received.find((m) => m.cmd === "setdevlock") as Json;
  expect((devlock.dayzone as Array<{ day: unknown[] }>).map((z) => z.day.length)).toEqual([5, 5, 5, 5, 5, 5, 5, 5]);
  expect((devlock.weekzone as Array<{ week: unknown[] }>)[1]).toEqual({ week: [{ day: 2 }, { day: 2 }, { day: 2 }, { day: 2 }, { day: 2 }, { day: 1 }, { day: 1 }] });
  t.stop();
  // Tuesday 2026-03-10.
  expect(device.verify(7, "2026-03-10 20:00:00")).toBe(false);
  expect(device.verify(7, "2026-03-10 09:00:00")).toBe(true);
  expect(device.verify(7, "2026-03-14 09:00:00")).toBe(false);
});
