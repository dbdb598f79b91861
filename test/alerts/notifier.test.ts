/**
 * The notifier's timing on an in-process server with a clock the test moves: the quiet period,
 * one message for alerts due together, the daily digest once a day at its time, and a restart
 * that carries on from what the store remembers. Messages go
 * to a real webhook receiver in this process (the `alert` event), as they would to a chat bridge.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { buildApp, type InProcessApp } from "../helpers/app.ts";

const DAY = Date.UTC(2026, 2, 2);
let clock = DAY + 7 * 3_600_000;
const events: Array<{ subject: string; raised: Array<{ id: string }>; resolved: Array<{ id: string }>; digest: Array<{ id: string }> | null }> = [];
let receiver: ReturnType<typeof Bun.serve>;
let app: InProcessApp;

beforeAll(async () => {
  receiver = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      events.push(JSON.parse(await req.text()));
      return new Response("ok");
    },
  });
  app = await buildApp(() => clock);
  expect((await app.api("POST", "/webhooks", { name: "chat", url: `http://127.0.0.1:${receiver.port}/`, event_types: ["alert"] })).status).toBe(201);
  const saved = await app.api("PUT", "/notifications", {
    kinds: ["terminal_pending"], quietSeconds: 60, notifyResolved: true, dailyDigestAt: "08:00", linkBase: "",
    email: { enabled: false, host: "", port: 587, security: "starttls", username: "", from: "", to: [] },
    webhook: { enabled: true },
  });
  expect(saved.status).toBe(200);
});

afterAll(async () => {
  await app?.stop();
  receiver?.stop(true);
});

/** Moves the clock and has the notifier look (the alert snapshot is per instant). */
async function at(ms: number) {
  clock = ms;
  await app.notifier.tick();
}

const seen = (sn: string) => ({ type: "terminal-seen" as const, sn, at: clock, sessionId: `s-${sn}`, remoteAddr: null, cpusn: null, devinfo: null, approvalIfNew: "pending" as const, online: false });

describe("Notifier", () => {
  test("alerts due together make one message, after the quiet period", async () => {
    await app.store.write([seen("P1"), seen("P2")]);
    await at(clock + 3_000);
    await at(clock + 59_000);
    expect(events).toEqual([]);
    await at(clock + 2_000);
    expect(events.map((e) => [e.subject, e.raised.map((a) => a.id), e.digest])).toEqual([
      ["[TM20 Server] 2 alerts: P1 is waiting for approval and 1 more", ["terminal_pending:terminal:P1", "terminal_pending:terminal:P2"], null],
    ]);
    await at(clock + 60_000);
    expect(events.length).toBe(1);
  });

  test("the daily digest goes once, at its time, with every current alert", async () => {
    events.length = 0;
    await at(DAY + 8 * 3_600_000 - 5_000);
    expect(events).toEqual([]);
    await at(DAY + 8 * 3_600_000 + 30_000);
    expect(events.map((e) => [e.subject, e.digest?.map((a) => a.id)])).toEqual([
      ["[TM20 Server] Daily digest: 2 current alerts", ["terminal_pending:terminal:P1", "terminal_pending:terminal:P2"]],
    ]);
    await at(clock + 5 * 60_000);
    await at(clock + 5 * 60_000);
    expect(events.length).toBe(1);
    // The next day, again; an hour late (the server was down at 08:00), the day is skipped.
    await at(DAY + 86_400_000 + 8 * 3_600_000 + 1_000);
    expect(events.length).toBe(2);
    await at(DAY + 2 * 86_400_000 + 9 * 3_600_000);
    expect(events.length).toBe(2);
  });

  test("approved, the alerts end: told resolved once gone for the quiet period, in one message", async () => {
    events.length = 0;
    // Last seen at the notifier's last look; gone from the next one on.
    const lastSeen = clock;
    expect((await app.api("POST", "/terminals/P1/approve")).status).toBe(200);
    expect((await app.api("POST", "/terminals/P2/approve")).status).toBe(200);
    await at(lastSeen + 2_000);
    await at(lastSeen + 59_000);
    expect(events).toEqual([]);
    await at(lastSeen + 60_000);
    expect(events.map((e) => [e.subject, e.resolved.map((a) => a.id)])).toEqual([
      ["[TM20 Server] 2 alerts resolved", ["terminal_pending:terminal:P1", "terminal_pending:terminal:P2"]],
    ]);
    // One entry per message: the two pending, two daily digests, the two resolved.
    const audit = await app.store.auditLog({ limit: 100 });
    expect(audit.items.filter((r) => r.action === "notification.send").map((r) => [r.actor, r.target, r.result])).toEqual(Array.from({ length: 4 }, () => ["system", "webhook:1", "ok"]));
  });

  test("restarted: an alert still going is not told again; one that ended while the server was down is told resolved after the quiet period", async () => {
    events.length = 0;
    await app.store.write([seen("P3"), seen("P4")]);
    await at(clock + 2_000);
    await at(clock + 60_000);
    expect(events.map((e) => e.raised.map((a) => a.id))).toEqual([["terminal_pending:terminal:P3", "terminal_pending:terminal:P4"]]);
    const again = await app.restartNotifier();
    // While it was down, P4 was approved; P3 still waits.
    expect((await app.api("POST", "/terminals/P4/approve")).status).toBe(200);
    const look = async (ms: number) => {
      clock = ms;
      await again.tick();
    };
    const up = clock + 3_600_000;
    await look(up);
    await look(up + 59_000);
    expect(events.length).toBe(1);
    await look(up + 60_000);
    expect(events.slice(1).map((e) => [e.subject, e.raised.map((a) => a.id), e.resolved.map((a) => a.id)])).toEqual([
      ["[TM20 Server] Resolved: P4 is waiting for approval", [], ["terminal_pending:terminal:P4"]],
    ]);
    await look(up + 600_000);
    expect(events.length).toBe(2);
    await again.stop();
  });
});
