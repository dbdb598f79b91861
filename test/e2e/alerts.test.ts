/**
 * The alert model end to end (issue 17): the real binary, real terminals over WebSockets, the
 * alerts read from GET /api/v1/alerts as an integrator would. Every alert must appear with its
 * cause and clear by itself when the cause is gone.
 */
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { createToken, startTm20, type Tm20Process, tempDir } from "../helpers/server.ts";
import { connectTerminal, type TestTerminal } from "../helpers/terminal.ts";

interface ApiAlert {
  id: string;
  kind: string;
  level: string;
  subject: string;
  since: string;
  title: string;
  message: string;
  href: string;
  count: number;
}

let server: Tm20Process;
let dataDir: string;

/** Site time (the server runs in UTC) as terminals write it. */
const siteTime = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace("T", " ");

beforeAll(async () => {
  dataDir = tempDir("tm20-alerts-");
  // The CLI creates the store; the alert limits are the site's settings, saved before the start.
  createToken(dataDir, "setup");
  const db = new Database(join(dataDir, "tm20.db"));
  db.run("INSERT INTO settings (key, value, updated_at) VALUES ('offline_alert_minutes', '0', 0), ('drift_alert_seconds', '60', 0)");
  db.close();
  server = await startTm20({ dataDir, args: ["--tz", "UTC", "--webhook-retry-base-ms", "200", "--webhook-retry-max-ms", "1000"] });
});

afterAll(async () => {
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function alerts(): Promise<ApiAlert[]> {
  const res = await server.api("/api/v1/alerts");
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: ApiAlert[] }).items;
}

/** Polls the API (its snapshot is shared for two seconds) until `check` holds. */
async function until(check: (items: ApiAlert[]) => boolean, what: string, timeoutMs = 15_000): Promise<ApiAlert[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const items = await alerts();
    if (check(items)) return items;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms; alerts: ${JSON.stringify(items)}`);
    await Bun.sleep(250);
  }
}

const has = (id: string) => (items: ApiAlert[]) => items.some((a) => a.id === id);
const lacks = (id: string) => (items: ApiAlert[]) => !items.some((a) => a.id === id);

async function online(sn: string, devinfo: Record<string, unknown> = {}): Promise<TestTerminal> {
  const t = await connectTerminal(server.ws());
  const answer = await t.register(sn, { modelname: "test", ...devinfo });
  expect(answer.result).toBe(true);
  return t;
}

describe("alerts", () => {
  test("a new site has none; the API needs a token", async () => {
    expect(await alerts()).toEqual([]);
    expect((await fetch(`${server.http}/api/v1/alerts`)).status).toBe(401);
    const read = createToken(dataDir, "reader", "read");
    const res = await fetch(`${server.http}/api/v1/alerts`, { headers: { authorization: `Bearer ${read}` } });
    expect(res.status).toBe(200);
  });

  test("a clock an hour off raises clock_drift; after the settime the server measures again and it clears at once", async () => {
    const t = await online("CLOCK1", { time: siteTime(Date.now() - 3_601_000) });
    const settime = await t.next((m) => m.cmd === "settime", 10_000);
    const raised = await until(has("clock_drift:terminal:CLOCK1"), "clock_drift raised");
    const drift = raised.find((a) => a.id === "clock_drift:terminal:CLOCK1");
    expect(drift?.kind).toBe("clock_drift");
    expect(drift?.level).toBe("warn");
    expect(drift?.title).toMatch(/^CLOCK1 clock is 360[0-2] s behind$/);
    expect(typeof settime.cloudtime).toBe("string");
    t.send({ ret: "settime", result: true });
    // The re-measurement: a gettime right after the settime was answered.
    await t.next((m) => m.cmd === "gettime", 10_000);
    t.send({ ret: "gettime", result: true, time: siteTime(Date.now()) });
    await until(lacks("clock_drift:terminal:CLOCK1"), "clock_drift cleared", 8_000);
    t.close();
  });

  test("a terminal that goes away is offline; back again, the alert clears", async () => {
    const t = await online("GONE1");
    await until(lacks("terminal_offline:terminal:GONE1"), "online terminal has no alert");
    t.close();
    await t.closed;
    const raised = await until(has("terminal_offline:terminal:GONE1"), "terminal_offline raised");
    const offline = raised.find((a) => a.id === "terminal_offline:terminal:GONE1");
    expect(offline?.level).toBe("error");
    expect(offline?.subject).toBe("terminal:GONE1");
    expect(offline?.href).toBe("/terminals/GONE1");
    expect(offline?.count).toBe(1);
    const back = await online("GONE1");
    await until(lacks("terminal_offline:terminal:GONE1"), "terminal_offline cleared");
    back.close();
    await back.closed;
  });

  test("a forced-open door event raises door_forced_open", async () => {
    const t = await online("DOOR1");
    t.send({ cmd: "sendlog", sn: "DOOR1", count: 2, logindex: 0, record: [
      { enrollid: 0, time: siteTime(Date.now() - 60_000), mode: 0, inout: 0, event: 1 },
      { enrollid: 0, time: siteTime(Date.now() - 30_000), mode: 0, inout: 0, event: 5 },
    ] });
    expect((await t.next((m) => m.ret === "sendlog")).result).toBe(true);
    const items = await until(has("door_forced_open:terminal:DOOR1"), "door_forced_open raised");
    const forced = items.filter((a) => a.kind === "door_forced_open");
    expect(forced.map((a) => [a.title, a.level, a.href])).toEqual([["DOOR1: door forced open", "error", "/door-events?sn=DOOR1"]]);
    t.close();
  });

  test("a terminal whose log store is nearly full raises storage_nearly_full; emptied, it clears", async () => {
    const full = await online("FULL1", { logsize: 100_000, usedlog: 96_000, usersize: 1000, useduser: 12 });
    const items = await until(has("storage_nearly_full:terminal:FULL1"), "storage_nearly_full raised");
    expect(items.filter((a) => a.kind === "storage_nearly_full").map((a) => [a.title, a.level, a.href])).toEqual([["FULL1 is nearly full: logs 96000 of 100000", "warn", "/terminals/FULL1"]]);
    full.close();
    await full.closed;
    // The same terminal back with its logs cleared: what it reports now is what counts.
    const emptied = await online("FULL1", { logsize: 100_000, usedlog: 0, usersize: 1000, useduser: 12 });
    await until(lacks("storage_nearly_full:terminal:FULL1"), "storage_nearly_full cleared");
    emptied.close();
    await emptied.closed;
  });

  test("ten records quarantined within the hour raise quarantine_spike, nine do not", async () => {
    const t = await online("BAD1");
    const bad = (n: number) => Array.from({ length: n }, (_, i) => ({ enrollid: i + 1, time: "2026-13-05 08:00:00", mode: 1, inout: 0, event: 0 }));
    t.send({ cmd: "sendlog", sn: "BAD1", count: 9, logindex: 0, record: bad(9) });
    expect((await t.next((m) => m.ret === "sendlog")).result).toBe(true);
    // The snapshot is shared for 2 s: one taken after the nine is the proof they raise nothing.
    await Bun.sleep(2100);
    expect((await alerts()).filter((a) => a.kind === "quarantine_spike")).toEqual([]);
    t.send({ cmd: "sendlog", sn: "BAD1", count: 1, logindex: 9, record: bad(1) });
    expect((await t.next((m) => m.ret === "sendlog")).result).toBe(true);
    const items = await until(has("quarantine_spike:quarantine"), "quarantine_spike raised");
    expect(items.filter((a) => a.kind === "quarantine_spike").map((a) => [a.title, a.level, a.href])).toEqual([["10 records quarantined in the last hour", "warn", "/quarantine"]]);
    t.close();
  });

  test("a webhook failing with a backlog raises webhook_failing with the count; deleted, it clears", async () => {
    // Nothing listens on port 9 here: every delivery fails, and is retried.
    const created = await server.api("/api/v1/webhooks", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "payroll", url: "http://127.0.0.1:9/hook", event_types: ["attendance"], timeout_ms: 500 }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: number };
    const t = await online("PUNCH1");
    const record = Array.from({ length: 7 }, (_, i) => ({ enrollid: i + 1, time: siteTime(Date.now() - 60_000 + i * 1000), mode: 1, inout: 0, event: 0 }));
    t.send({ cmd: "sendlog", sn: "PUNCH1", count: record.length, logindex: 0, record });
    expect((await t.next((m) => m.ret === "sendlog")).result).toBe(true);
    const items = await until(has(`webhook_failing:webhook:${id}`), "webhook_failing raised");
    const failing = items.find((a) => a.kind === "webhook_failing");
    expect(failing?.title).toBe('Webhook "payroll" failing: 7 records waiting');
    expect(failing?.message).toContain("failed attempt");
    expect((await server.api(`/api/v1/webhooks/${id}`, { method: "DELETE" })).status).toBe(204);
    await until(lacks(`webhook_failing:webhook:${id}`), "webhook_failing cleared");
    t.close();
  });
});
