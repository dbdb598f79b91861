/**
 * The leased outbox lanes (webhooks/lanes.ts) taking a destination over from another instance,
 * on PgStores of one schema of the local PostgreSQL and a real HTTP receiver. The instance
 * taking the lease read the destination's cursors at its start, long before the other instance
 * delivered past them; commit events and polls keep waking it all through the takeover. It must
 * go on from the cursors the store has: nothing the other instance delivered is sent again, and
 * nothing is counted delivered twice.
 */
import { afterAll, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { SQL } from "bun";
import pino from "pino";
import { SecretBox } from "../../src/auth/secret-box.ts";
import { PgStore } from "../../src/store/pg/pg-store.ts";
import { WebhookDispatcher } from "../../src/webhooks/dispatcher.ts";
import { until } from "../helpers/cluster.ts";
import { PG_BASE } from "../helpers/postgres.ts";
import { punch, punchesOp } from "../store/fixtures.ts";

const schema = `t_lanes_${process.pid}_${Math.random().toString(36).slice(2, 7)}`;
const admin = new SQL(PG_BASE, { max: 2 });
const cleanup: Array<() => unknown> = [];

afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
  await admin.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.close();
});

const times = (hour: number, n: number) => Array.from({ length: n }, (_, i) => `2026-04-01 ${String(hour).padStart(2, "0")}:${String(i).padStart(2, "0")}:00`);

test("a lease taken over starts from the cursors the store has, however often the lane is woken meanwhile", async () => {
  const received: number[] = [];
  const receiver = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const body = (await req.json()) as { records: Array<{ seq: number }> };
      received.push(...body.records.map((r) => r.seq));
      return new Response("ok");
    },
  });
  cleanup.push(() => receiver.stop(true));
  const a = await PgStore.open({ url: PG_BASE, schema });
  const b = await PgStore.open({ url: PG_BASE, schema });
  cleanup.push(() => a.close(), () => b.close());
  const { id } = await a.webhooks.create({
    name: "hr", url: `http://127.0.0.1:${receiver.port}/hook`, authHeader: null, authSealed: null, hmacSealed: null, terminals: null,
    eventTypes: ["attendance"], enabled: true, batchSize: 100, timeoutMs: 5000, maxAttempts: null, attendanceCursor: 0, doorCursor: 0, at: Date.now(),
  });
  await a.write([punchesOp("T1", times(8, 10).map((t) => punch(1, t)))]);
  // Instance A holds the lease; B starts and reads the destination (cursor 0), but may not send it.
  expect(await a.webhookLeases.claim("A", 60_000)).toEqual([id]);
  const dispatcher = new WebhookDispatcher({
    store: b, secrets: new SecretBox(randomBytes(32)), log: pino({ level: "silent" }), version: "test",
    pollMs: 600_000, retryBaseMs: 50, retryMaxMs: 200, cluster: { leases: b.webhookLeases, instance: "B", leaseMs: 1500 },
  });
  await dispatcher.start();
  cleanup.push(() => dispatcher.stop());
  // A delivers the ten (a settlement under its lease), then stops cleanly: B takes over at its next claim.
  const last = await a.exports.lastId("attendance");
  await a.webhookLeases.fenced("A").delivered(id, { attendanceCursor: last, doorCursor: 0 }, 10, Date.now());
  await a.webhookLeases.release("A");
  // Commits on other instances wake B's lanes at any moment: here, at every turn of the event loop.
  let storming = true;
  const storm = () => {
    if (!storming) return;
    dispatcher.wakeAll();
    setImmediate(storm);
  };
  storm();
  await until("B to take the lease", async () => (await b.webhookLeases.holder(id)) === "B", 10_000, 5);
  await a.write([punchesOp("T1", times(9, 5).map((t) => punch(1, t)))]);
  await until("the five new records delivered", async () => (await b.webhooks.get(id))?.attendanceCursor === last + 5, 20_000);
  storming = false;
  expect(received).toEqual([last + 1, last + 2, last + 3, last + 4, last + 5]);
  expect((await b.webhooks.get(id))?.delivered).toBe(15);
}, 60_000);
