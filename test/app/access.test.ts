/**
 * Access control's use cases (issue 16) through the API, in process, with exact contents; and the
 * same changes made by calling the use cases directly (as the UI and CLI will) leave the same
 * audit entries, only the actor differs.
 */
import { afterEach, describe, expect, test } from "bun:test";
import * as access from "../../src/app/access.ts";
import { CLI } from "../../src/app/actor.ts";
import { buildApp, type InProcessApp } from "../helpers/app.ts";

const T0 = Date.UTC(2026, 2, 1, 9);
const closed = { "1": [], "2": [], "3": [], "4": [], "5": [], "6": [], "7": [] };

const apps: InProcessApp[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.stop();
});

async function app(): Promise<InProcessApp> {
  const a = await buildApp();
  apps.push(a);
  await a.store.write([{ type: "terminal-seen", sn: "T1", at: T0, sessionId: "s-T1", remoteAddr: "10.0.0.66", cpusn: null, devinfo: null, approvalIfNew: "approved", online: false }]);
  await a.store.people.save(21, { name: "Ann", admin: 0, enabled: true, validFrom: null, validTo: null, externalId: null }, T0);
  return a;
}

const json = async (res: Response) => ({ status: res.status, body: (await res.json()) as unknown });

async function auditOf(a: InProcessApp) {
  const page = await a.store.auditLog({ limit: 1000 });
  return page.items.reverse().filter((r) => r.action.startsWith("access.") || r.action === "terminal.update").map(({ action, target, details, result }) => ({ action, target, details, result }));
}

describe("access control API (issue 16)", () => {
  test("schedules, levels, a person's levels, accessMode: exact shapes and errors", async () => {
    const a = await app();
    expect(await json(await a.api("POST", "/access/schedules", { name: "Office", days: { "1": ["12:00-18:00", "08:00-12:00"], "7": [] }, holidaysClosed: true }))).toEqual({
      status: 201, body: { id: 1, name: "Office", days: { ...closed, "1": ["08:00-18:00"] }, holidaysClosed: true },
    });
    const six = ["00:00-01:00", "02:00-03:00", "04:00-05:00", "06:00-07:00", "08:00-09:00", "10:00-11:00"];
    expect(await json(await a.api("POST", "/access/schedules", { name: "Too many", days: { "2": six } }))).toEqual({
      status: 400, body: { code: "bad_request", message: expect.stringContaining("6 windows in a day; a terminal holds at most 5") },
    });
    expect((await a.api("POST", "/access/schedules", { name: "Bad", days: { "8": [] } })).status).toBe(400);
    expect((await json(await a.api("POST", "/access/schedules", { name: "Reversed", days: { "1": ["18:00-08:00"] } }))).status).toBe(400);
    expect(await json(await a.api("PATCH", "/access/schedules/1", { days: { "6": ["09:00-12:00"] } }))).toEqual({
      status: 200, body: { id: 1, name: "Office", days: { ...closed, "6": ["09:00-12:00"] }, holidaysClosed: true },
    });
    expect(await json(await a.api("POST", "/access/levels", { name: "Front", scheduleId: 1, terminals: ["T1"] }))).toEqual({
      status: 201, body: { id: 1, name: "Front", scheduleId: 1, terminals: ["T1"], groupIds: [] },
    });
    expect(await json(await a.api("POST", "/access/levels", { name: "X", scheduleId: 9, terminals: [] }))).toEqual({ status: 404, body: { code: "not_found", message: "no access schedule 9" } });
    expect(await json(await a.api("POST", "/access/levels", { name: "X", scheduleId: 1, groupIds: [4] }))).toEqual({ status: 404, body: { code: "not_found", message: "no terminal group 4" } });
    expect(await json(await a.api("DELETE", "/access/schedules/1"))).toEqual({
      status: 409, body: { code: "in_use", message: "schedule 1 is used by access level 1; change or delete that first" },
    });
    expect(await json(await a.api("GET", "/access/levels"))).toEqual({ status: 200, body: { items: [{ id: 1, name: "Front", scheduleId: 1, terminals: ["T1"], groupIds: [] }] } });

    expect(await json(await a.api("PUT", "/people/21/access", { levelIds: [1] }))).toEqual({ status: 200, body: { enrollid: 21, levelIds: [1], qrCode: false } });
    expect(await json(await a.api("PUT", "/people/21/access", { levelIds: [2] }))).toEqual({ status: 404, body: { code: "not_found", message: "no access level 2" } });
    expect(await json(await a.api("PUT", "/people/22/access", { levelIds: [1] }))).toEqual({ status: 404, body: { code: "not_found", message: "no such person" } });
    expect(await json(await a.api("GET", "/people/21/access"))).toEqual({ status: 200, body: { enrollid: 21, levelIds: [1], qrCode: false } });
    const issued = await json(await a.api("POST", "/people/21/qr-code"));
    expect(issued).toEqual({ status: 201, body: { enrollid: 21, code: expect.stringMatching(/^TM20-[A-Za-z0-9_-]{32}$/) } });
    expect(await a.store.access.qrCodeOf(21)).toBe((issued.body as { code: string }).code);
    expect(await json(await a.api("GET", "/people/21/access"))).toEqual({ status: 200, body: { enrollid: 21, levelIds: [1], qrCode: true } });

    expect(await json(await a.api("PATCH", "/terminals/T1", { accessMode: "server" }))).toMatchObject({ status: 200, body: { sn: "T1", accessMode: "server" } });
    expect((await a.api("PATCH", "/terminals/T1", { accessMode: "door" })).status).toBe(400);

    expect(await json(await a.api("DELETE", "/access/levels/1"))).toEqual({ status: 200, body: { deleted: true } });
    expect(await a.store.access.levelsOf(21)).toEqual([]);
    expect(await json(await a.api("DELETE", "/access/schedules/1"))).toEqual({ status: 200, body: { deleted: true } });
    expect(await json(await a.api("GET", "/access/schedules/1"))).toEqual({ status: 404, body: { code: "not_found", message: "no access schedule 1" } });
    expect(await json(await a.api("DELETE", "/people/21/qr-code"))).toEqual({ status: 200, body: { deleted: true } });
    expect(await a.store.access.qrCodeOf(21)).toBeNull();
  });

  test("the same changes through the API and through the use cases leave the same audit entries (the code never in them)", async () => {
    const steps = async (a: InProcessApp, door: "api" | "direct") => {
      const deps = { store: a.store, now: () => T0 };
      const schedule = { name: "Office", days: { "1": ["08:00-18:00"] }, holidaysClosed: false };
      if (door === "api") {
        await a.api("POST", "/access/schedules", schedule);
        await a.api("POST", "/access/levels", { name: "Front", scheduleId: 1, terminals: ["T1"] });
        await a.api("PUT", "/people/21/access", { levelIds: [1] });
        await a.api("POST", "/people/21/qr-code");
        await a.api("PATCH", "/terminals/T1", { accessMode: "server" });
        await a.api("DELETE", "/access/levels/1");
      } else {
        await access.createSchedule(deps, CLI, access.scheduleInput.parse(schedule));
        await access.createLevel(deps, CLI, access.levelInput.parse({ name: "Front", scheduleId: 1, terminals: ["T1"] }));
        await access.setPersonAccess(deps, CLI, 21, { levelIds: [1] });
        await access.issueQrCode(deps, CLI, 21);
        const { editTerminal } = await import("../../src/app/terminals.ts");
        await editTerminal(deps, CLI, "T1", { accessMode: "server" });
        await access.deleteLevel(deps, CLI, 1);
      }
      return auditOf(a);
    };
    const viaApi = await steps(await app(), "api");
    const direct = await steps(await app(), "direct");
    expect(viaApi).toEqual(direct);
    expect(viaApi.map((e) => [e.action, e.target, e.details])).toEqual([
      ["access.schedule.create", "1", JSON.stringify({ id: 1, name: "Office", days: { ...closed, "1": ["08:00-18:00"] }, holidaysClosed: false })],
      ["access.level.create", "1", JSON.stringify({ id: 1, name: "Front", scheduleId: 1, terminals: ["T1"], groupIds: [] })],
      ["access.person.levels", "21", JSON.stringify({ levelIds: [1] })],
      ["access.person.qr-issue", "21", null],
      ["terminal.update", "T1", JSON.stringify({ accessMode: "server" })],
      ["access.level.delete", "1", null],
    ]);
  });
});
