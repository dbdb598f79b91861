/**
 * Doors (issue 16) through the API, in process, with exact contents: a terminal's door settings
 * (validated to what PROTOCOL.md §7.1 documents, queued as setdevlock + getdevlock, audited) and
 * the door board (paged, searched, each door's last known state from its door events).
 */
import { afterEach, describe, expect, test } from "bun:test";
import { DOOR_HELD_OPEN_MS } from "../../src/alerts/model.ts";
import { SiteClock } from "../../src/protocol/time.ts";
import { buildApp, type InProcessApp } from "../helpers/app.ts";

const T0 = Date.UTC(2026, 2, 2, 9);
const clock = new SiteClock("UTC");
let now = T0;

const apps: InProcessApp[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.stop();
});

async function app(sns: string[]): Promise<InProcessApp> {
  now = T0;
  const a = await buildApp(() => now);
  apps.push(a);
  for (const sn of sns) {
    await a.store.write([{ type: "terminal-seen", sn, at: T0, sessionId: `s-${sn}`, remoteAddr: "10.0.0.66", cpusn: null, devinfo: null, approvalIfNew: "approved", online: false }]);
  }
  return a;
}

const json = async (res: Response) => ({ status: res.status, body: (await res.json()) as unknown });
const doorEvent = (sn: string, time: string, event: number) => ({
  type: "punches" as const, sn, at: T0, quarantine: [], punches: [{ enrollid: 0, time, ts: clock.toUtc(time), mode: 0, inout: 0, event }],
});

describe("door settings API (issue 16)", () => {
  test("PUT queues setdevlock with the wire fields given and a getdevlock; GET shows them pending; exact shapes, errors and audit", async () => {
    const a = await app(["D1"]);
    expect(await json(await a.api("GET", "/terminals/D1/door-settings"))).toEqual({ status: 200, body: { sn: "D1", settings: null, readAt: null, pending: [] } });
    expect(await json(await a.api("PUT", "/terminals/D1/door-settings", { openDelay: 7, doorSensor: 1, alarmDelay: 3, duress: 2, antiPassback: 1, wiegandFormat: 1 }))).toEqual({
      status: 202,
      body: {
        commands: [1, 2], sn: "D1", settings: null, readAt: null,
        pending: [{ id: 2, command: "getdevlock", status: "queued", createdAt: T0 }, { id: 1, command: "setdevlock", status: "queued", createdAt: T0 }],
      },
    });
    const set = await a.store.commands.get(1);
    expect(JSON.parse(set?.params ?? "null")).toEqual({ opendelay: 7, doorsensor: 1, alarmdelay: 3, threat: 2, antpass: 1, wgformat: 1 });
    // Out of what the firmware documents, unknown, or empty: 400 naming the field; nothing queued.
    expect(await json(await a.api("PUT", "/terminals/D1/door-settings", { doorSensor: 3 }))).toEqual({ status: 400, body: { code: "bad_request", message: "doorSensor: at most 2" } });
    expect(await json(await a.api("PUT", "/terminals/D1/door-settings", { wiegandOutput: 3 }))).toEqual({ status: 400, body: { code: "bad_request", message: "wiegandOutput: at most 2" } });
    expect(await json(await a.api("PUT", "/terminals/D1/door-settings", { multiPersonOpen: 1.5 }))).toEqual({ status: 400, body: { code: "bad_request", message: "multiPersonOpen: a whole number" } });
    expect((await json(await a.api("PUT", "/terminals/D1/door-settings", { opendelay: 5 }))).status).toBe(400);
    expect(await json(await a.api("PUT", "/terminals/D1/door-settings", {}))).toEqual({ status: 400, body: { code: "bad_request", message: "give at least one setting" } });
    expect(await json(await a.api("PUT", "/terminals/NOPE/door-settings", { tamper: 1 }))).toEqual({ status: 404, body: { code: "not_found", message: "no terminal NOPE has connected yet" } });
    expect((await a.store.commands.list({ limit: 10 })).items.length).toBe(2);

    // The terminal's answer to getdevlock (trailing fields it adds, numbers as strings) is what GET shows.
    await a.store.commands.transition(2, ["queued"], { status: "succeeded", at: T0 + 5000, answer: { ret: "getdevlock", result: true, opendelay: "7", doorsensor: 1, alarmdelay: 3, threat: 2, InputAlarm: 0, antpass: 1, interlock: 0, mutiopen: 0, tryalarm: 0, tamper: 0, wgformat: 1, wgoutput: 3, cardoutput: 0, dayzone: [] } });
    expect(await json(await a.api("GET", "/terminals/D1/door-settings"))).toEqual({
      status: 200,
      body: {
        sn: "D1",
        settings: { openDelay: 7, doorSensor: 1, alarmDelay: 3, duress: 2, inputAlarm: 0, antiPassback: 1, interlock: 0, multiPersonOpen: 0, failedTriesAlarm: 0, tamper: 0, wiegandFormat: 1, wiegandOutput: 3, cardOutput: 0 },
        readAt: T0 + 5000,
        pending: [{ id: 1, command: "setdevlock", status: "queued", createdAt: T0 }],
      },
    });
    expect((await json(await a.api("POST", "/terminals/D1/door-settings/read"))).status).toBe(202);
    expect((await a.store.commands.get(3))?.command).toBe("getdevlock");

    const audit = (await a.store.auditLog({ limit: 100 })).items.reverse().map((r) => [r.action, r.target, r.details, r.result]);
    expect(audit).toEqual([
      ["command.setdevlock", "D1", JSON.stringify({ id: 1 }), "queued"],
      ["command.getdevlock", "D1", JSON.stringify({ id: 2 }), "queued"],
      ["terminal.door-settings", "D1", JSON.stringify({ openDelay: 7, doorSensor: 1, alarmDelay: 3, duress: 2, antiPassback: 1, wiegandFormat: 1, commands: [1, 2] }), "ok"],
      ["command.getdevlock", "D1", JSON.stringify({ id: 3 }), "queued"],
    ]);
  });
});

describe("door board API (issue 16)", () => {
  test("each door's last known state and since, paged by sn and searched", async () => {
    const a = await app(["A1", "B2", "C3", "D4", "E5"]);
    await a.store.updateTerminal("B2", { name: "North gate" });
    await a.store.write([
      doorEvent("A1", "2026-03-02 08:00:00", 1),
      doorEvent("A1", "2026-03-02 08:00:10", 0),
      doorEvent("B2", "2026-03-02 08:30:00", 5),
      doorEvent("C3", "2026-03-02 08:50:00", 1),
      doorEvent("D4", "2026-03-02 08:59:00", 6),
    ]);
    const entry = (sn: string, state: string, event: number | null, time: string | null, extra: object = {}) => ({
      sn, name: null, location: null, online: false, approval: "approved", state, event, since: time ? clock.toUtc(time) : null, time, ...extra,
    });
    const p1 = await json(await a.api("GET", "/doors?limit=3"));
    expect(p1).toEqual({
      status: 200,
      body: {
        items: [
          entry("A1", "closed", 0, "2026-03-02 08:00:10"),
          entry("B2", "forced_open", 5, "2026-03-02 08:30:00", { name: "North gate" }),
          // Opened by the sensor ten minutes ago and nothing since: held open (as the alerts say).
          entry("C3", "held_open", 1, "2026-03-02 08:50:00"),
        ],
        next: expect.any(String),
      },
    });
    const next = (p1.body as { next: string }).next;
    expect(await json(await a.api("GET", `/doors?limit=3&cursor=${next}`))).toEqual({
      status: 200, body: { items: [entry("D4", "tamper", 6, "2026-03-02 08:59:00"), entry("E5", "unknown", null, null)], next: null },
    });
    expect(await json(await a.api("GET", "/doors?q=north"))).toEqual({ status: 200, body: { items: [entry("B2", "forced_open", 5, "2026-03-02 08:30:00", { name: "North gate" })], next: null } });
    // A door opened less than DOOR_HELD_OPEN_MS ago is just open.
    now = clock.toUtc("2026-03-02 08:50:00") + DOOR_HELD_OPEN_MS - 1;
    expect((await json(await a.api("GET", "/doors?q=C3"))).body).toEqual({ items: [entry("C3", "open", 1, "2026-03-02 08:50:00")], next: null });
    expect(await json(await a.api("GET", "/doors?limit=0"))).toEqual({ status: 400, body: { code: "bad_request", message: expect.stringContaining("limit") } });
    expect(await json(await a.api("GET", "/doors?cursor=zzz"))).toEqual({ status: 400, body: { code: "bad_request", message: expect.stringContaining("cursor") } });
  });
});

describe("who is inside (issue 16)", () => {
  test("from punches at the site entrances, read as Timesheets reads each terminal; refused and other terminals' punches ignored; live after a commit and the same after a restart", async () => {
    const a = await app(["IN1", "OUT1", "TWO", "PAIR", "OFFICE"]);
    for (const [sn, interpretation] of [["IN1", "entry"], ["OUT1", "exit"], ["TWO", "trust"]] as const) {
      expect((await a.api("PUT", `/timesheets/rules/terminals/${sn}`, { interpretation })).status).toBe(200);
    }
    for (const [id, name] of [[1, "Ann"], [2, "Bob"], [3, "Cleo"], [4, "Dan"], [5, "Eve"]] as const) {
      await a.store.people.save(id, { name, admin: 0, enabled: true, validFrom: null, validTo: null, externalId: null }, T0);
    }
    const p = (sn: string, enrollid: number, time: string, inout = 0, refused: string | null = null) => ({
      type: "punches" as const, sn, at: T0, quarantine: [], punches: [{ enrollid, time, ts: clock.toUtc(time), mode: 1, inout, event: 0, ...(refused ? { refused } : {}) }],
    });
    await a.store.write([
      p("IN1", 1, "2026-03-02 07:00:00"), // Ann in
      p("IN1", 2, "2026-03-02 07:10:00"), // Bob in …
      p("OUT1", 2, "2026-03-02 08:00:00"), // … and out
      p("TWO", 3, "2026-03-02 07:30:00", 0), // Cleo in (in/out key 0)
      p("PAIR", 4, "2026-03-02 07:40:00"), // Dan in (pair: alternates)
      p("PAIR", 4, "2026-03-02 08:20:00"), // … out
      p("PAIR", 4, "2026-03-02 08:30:00"), // … in again
      p("IN1", 5, "2026-03-02 08:40:00", 0, "Outside hours"), // Eve refused: not in
      p("OFFICE", 5, "2026-03-02 08:41:00"), // not an entrance
      p("IN1", 5, "2026-02-28 08:00:00"), // two days ago: outside the window
    ]);
    expect(await json(await a.api("GET", "/presence"))).toEqual({ status: 200, body: { asOf: T0, entrances: [], count: 0, items: [] } });
    for (const sn of ["IN1", "OUT1", "TWO", "PAIR"]) expect((await json(await a.api("PATCH", `/terminals/${sn}`, { siteEntrance: true }))).body).toMatchObject({ sn, siteEntrance: true });
    const inside = (enrollid: number, name: string, time: string, sn: string) => ({ enrollid, name, since: clock.toUtc(time), time, sn, door: sn });
    const expected = {
      asOf: T0,
      entrances: ["IN1", "OUT1", "PAIR", "TWO"].map((sn) => ({ sn, name: null })),
      count: 3,
      items: [inside(1, "Ann", "2026-03-02 07:00:00", "IN1"), inside(3, "Cleo", "2026-03-02 07:30:00", "TWO"), inside(4, "Dan", "2026-03-02 08:30:00", "PAIR")],
    };
    expect(await json(await a.api("GET", "/presence"))).toEqual({ status: 200, body: expected });

    // Live: a commit at an entrance is applied from memory; Ann goes out at the exit, Bob comes back.
    await a.store.write([p("OUT1", 1, "2026-03-02 08:50:00"), p("IN1", 2, "2026-03-02 08:55:00")]);
    a.bus.emit("records-committed", { sn: "OUT1", inserted: 2, duplicates: 0, quarantined: 0 });
    await a.presence.settled();
    const after = { ...expected, items: [inside(3, "Cleo", "2026-03-02 07:30:00", "TWO"), inside(4, "Dan", "2026-03-02 08:30:00", "PAIR"), inside(2, "Bob", "2026-03-02 08:55:00", "IN1")] };
    expect(await json(await a.api("GET", "/presence"))).toEqual({ status: 200, body: after });
    // A late upload older than Bob's last punch does not change the present.
    await a.store.write([p("OUT1", 2, "2026-03-02 08:54:00")]);
    a.bus.emit("records-committed", { sn: "OUT1", inserted: 1, duplicates: 0, quarantined: 0 });
    await a.presence.settled();
    expect((await json(await a.api("GET", "/presence"))).body).toEqual(after);
    // Read from the store again (as at a restart): the same.
    await a.presence.reload();
    expect((await json(await a.api("GET", "/presence"))).body).toEqual(after);
    // The muster list: everyone inside, by name, on a print page.
    const muster = await (await a.page("/presence/muster")).text();
    expect([...muster.matchAll(/<tr><td>([^<]*)<\/td><td>(\d+)<\/td>/g)].map((m) => `${m[1]} ${m[2]}`)).toEqual(["Bob 2", "Cleo 3", "Dan 4"]);
    expect(muster).toContain('<body class="print">');
    expect(muster).toContain("3 people inside at 2026-03-02 09:00:00");

    // A day after Cleo's and Dan's last punches they no longer count; Bob's is within it.
    now = clock.toUtc("2026-03-03 08:45:00");
    expect((await json(await a.api("GET", "/presence"))).body).toEqual({ ...after, asOf: now, count: 1, items: [inside(2, "Bob", "2026-03-02 08:55:00", "IN1")] });
  });
});

describe("door alarms (issue 16)", () => {
  test("a burst of refused punches at a door is an alert on the API (and so on the dashboard and in notifications); forced open and tamper beside it", async () => {
    const a = await app(["GATE"]);
    const refused = (i: number) => ({ enrollid: 40 + i, time: `2026-03-02 08:5${i + 1}:00`, ts: clock.toUtc(`2026-03-02 08:5${i + 1}:00`), mode: 1, inout: 0, event: 0, refused: "No access here" });
    await a.store.write([{ type: "punches", sn: "GATE", at: T0, quarantine: [], punches: [0, 1, 2, 3].map(refused) }]);
    const kinds = async () => ((await (await a.api("GET", "/alerts")).json()) as { items: Array<{ kind: string; title: string; href: string }> }).items.filter((x) => x.kind !== "terminal_offline");
    expect(await kinds()).toEqual([]);
    now += 2_500; // past the alerts' 2 s snapshot
    await a.store.write([{ type: "punches", sn: "GATE", at: T0, quarantine: [], punches: [refused(4)] }, doorEvent("GATE", "2026-03-02 08:58:00", 5), doorEvent("GATE", "2026-03-02 08:59:00", 6)]);
    expect((await kinds()).map(({ kind, title, href }) => ({ kind, title, href }))).toEqual([
      { kind: "door_forced_open", title: "GATE: door forced open", href: "/door-events?sn=GATE" },
      { kind: "tamper", title: "GATE: tamper alarm (unit removed from the wall)", href: "/door-events?sn=GATE" },
      { kind: "refused_punches", title: "GATE: 5 refused punches in 10 min", href: "/attendance?sn=GATE&refused=1" },
    ]);
  });
});
