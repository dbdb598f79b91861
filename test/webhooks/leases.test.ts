/**
 * LeaseKeeper over real webhook leases (PgStores on one schema of the local PostgreSQL stand for
 * the instances): an instance that can no longer renew lets go before another one can take over,
 * and a clean stop hands over at once.
 */
import { afterAll, afterEach, expect, test } from "bun:test";
import { SQL } from "bun";
import pino from "pino";
import { PgStore } from "../../src/store/pg/pg-store.ts";
import { LeaseKeeper } from "../../src/webhooks/leases.ts";
import { PG_BASE } from "../helpers/postgres.ts";
import { until } from "../helpers/cluster.ts";

const schema = `t_keeper_${process.pid}_${Math.random().toString(36).slice(2, 7)}`;
const admin = new SQL(PG_BASE, { max: 2 });
const log = pino({ level: "silent" });
// Long enough that a shared, loaded machine still renews (every TTL / 3) well inside it.
const TTL = 3000;
let cleanup: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

afterAll(async () => {
  await admin.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.close();
});

/** An instance: its own store connection and keeper, with what the keeper told it and when. */
async function instance(name: string) {
  const store = await PgStore.open({ url: PG_BASE, schema });
  const events: Array<{ what: "gained" | "lost"; id: number; at: number }> = [];
  const keeper = new LeaseKeeper({
    store: store.webhookLeases, holder: name, ttlMs: TTL, log,
    onGained: (id) => events.push({ what: "gained", id, at: performance.now() }),
    onLost: (id) => events.push({ what: "lost", id, at: performance.now() }),
  });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await store.close();
  };
  cleanup.push(async () => {
    await keeper.stop();
    await close();
  });
  return { store, keeper, events, close };
}

test("an instance cut off from the database lets go before another takes over; a clean stop hands over at once", async () => {
  const a = await instance("A");
  const b = await instance("B");
  const c = await instance("C");
  const { id } = await a.store.webhooks.create({
    name: "hr", url: "http://127.0.0.1:9/hook", authHeader: null, authSealed: null, hmacSealed: null, terminals: null,
    eventTypes: ["attendance"], enabled: true, batchSize: 10, timeoutMs: 1000, maxAttempts: null, attendanceCursor: 0, doorCursor: 0, at: Date.now(),
  });
  await a.keeper.start();
  // Out of step with A's renewals, as instances are: B's first claim after the lease ran out comes well after A's.
  await Bun.sleep(TTL / 6);
  await b.keeper.start();
  expect(a.keeper.holds(id)).toBe(true);
  expect(b.keeper.holds(id)).toBe(false);
  expect(a.events).toEqual([{ what: "gained", id, at: expect.any(Number) }]);
  // Renewals keep it: no event for a whole lease time and more.
  await Bun.sleep(TTL * 1.5);
  expect(a.events).toHaveLength(1);
  expect(b.events).toHaveLength(0);

  // A loses its database: its claims fail, so it stops counting the lease as its own when the
  // lease it last renewed would run out; B can take it only after the lease ran out in the database.
  await a.close();
  await until("B to take over", () => b.keeper.holds(id), TTL * 4);
  const lostByA = a.events.find((e) => e.what === "lost");
  const gainedByB = b.events.find((e) => e.what === "gained");
  expect(lostByA).toBeDefined();
  expect(gainedByB).toBeDefined();
  expect(lostByA?.at ?? Infinity).toBeLessThanOrEqual(gainedByB?.at ?? 0);
  expect(a.keeper.holds(id)).toBe(false);

  // B stops cleanly: its lease is gone from the database as soon as it stopped, so C takes over
  // at its next claim instead of waiting for the lease to run out (checked without a clock).
  await c.keeper.start();
  expect(c.keeper.holds(id)).toBe(false);
  expect(await c.store.webhookLeases.holder(id)).toBe("B");
  await b.keeper.stop();
  expect(await c.store.webhookLeases.holder(id)).toBeNull();
  await until("C to take over", () => c.keeper.holds(id), TTL * 4);
  expect(c.events).toEqual([{ what: "gained", id, at: expect.any(Number) }]);
});
