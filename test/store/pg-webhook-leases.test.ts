/**
 * Webhook leases (PostgreSQL only): which cluster instance delivers a destination. Several
 * PgStores on one schema stand for the instances; leases expire on the database's clock, and a
 * settlement by an instance whose lease was taken moves nothing.
 */
import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { SQL } from "bun";
import { AppError } from "../../src/lib/app-error.ts";
import { PgStore } from "../../src/store/pg/pg-store.ts";
import type { NewHrDestination } from "../../src/store/hr-contract.ts";
import type { NewWebhook } from "../../src/store/webhook-contract.ts";
import { PG_BASE } from "../helpers/postgres.ts";
import { T0 } from "./fixtures.ts";

const RUN = `t_leases_${process.pid}_${Math.random().toString(36).slice(2, 7)}`;
const admin = new SQL(PG_BASE, { max: 2 });
let n = 0;
let open: PgStore[] = [];

afterEach(async () => {
  for (const s of open) await s.close();
  open = [];
});

afterAll(async () => {
  const schemas = (await admin`SELECT nspname FROM pg_namespace WHERE nspname LIKE ${`${RUN}%`}`) as Array<{ nspname: string }>;
  for (const s of schemas) await admin.unsafe(`DROP SCHEMA IF EXISTS "${s.nspname}" CASCADE`);
  await admin.close();
});

/** `count` stores (instances) on one fresh schema. */
async function instances(count: number): Promise<PgStore[]> {
  const schema = `${RUN}_${++n}`;
  const stores: PgStore[] = [];
  for (let i = 0; i < count; i++) stores.push(await PgStore.open({ url: PG_BASE, schema, now: () => T0 }));
  open.push(...stores);
  return stores;
}

const hook = (name: string): NewWebhook => ({
  name, url: "https://hr.example/hook", authHeader: null, authSealed: null, hmacSealed: null, terminals: null,
  eventTypes: ["attendance"], enabled: true, batchSize: 100, timeoutMs: 5000, maxAttempts: null, attendanceCursor: 0, doorCursor: 0, at: T0,
});

const end = (attendanceCursor: number) => ({ attendanceCursor, doorCursor: 0 });

async function rejected(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return err instanceof AppError ? err.code : String(err);
  }
  return "resolved";
}

describe("webhook leases", () => {
  test("one instance holds each destination until its lease runs out; then another takes it", async () => {
    const [a, b] = (await instances(2)) as [PgStore, PgStore];
    const one = await a.webhooks.create(hook("one"));
    const two = await a.webhooks.create(hook("two"));
    expect(await a.webhookLeases.claim("A", 600)).toEqual([one.id, two.id]);
    expect(await b.webhookLeases.claim("B", 600)).toEqual([]);
    // Renewing keeps them, however often.
    expect(await a.webhookLeases.claim("A", 600)).toEqual([one.id, two.id]);
    expect(await b.webhookLeases.holder(one.id)).toBe("A");
    await Bun.sleep(700);
    expect(await b.webhookLeases.holder(one.id)).toBeNull();
    expect(await b.webhookLeases.claim("B", 60_000)).toEqual([one.id, two.id]);
    expect(await a.webhookLeases.claim("A", 600)).toEqual([]);
    expect(await a.webhookLeases.holder(two.id)).toBe("B");
  });

  test("a destination created later is claimed by the next claim; a deleted one takes its lease along", async () => {
    const [a, b] = (await instances(2)) as [PgStore, PgStore];
    const one = await a.webhooks.create(hook("one"));
    expect(await a.webhookLeases.claim("A", 60_000)).toEqual([one.id]);
    const two = await b.webhooks.create(hook("two"));
    expect(await b.webhookLeases.claim("B", 60_000)).toEqual([two.id]);
    expect(await a.webhookLeases.claim("A", 60_000)).toEqual([one.id]);
    expect(await b.webhooks.delete(one.id)).toBe(true);
    expect(await a.webhookLeases.claim("A", 60_000)).toEqual([]);
    expect(await a.webhookLeases.holder(one.id)).toBeNull();
  });

  test("released leases are taken at once, without waiting for them to run out", async () => {
    const [a, b] = (await instances(2)) as [PgStore, PgStore];
    const one = await a.webhooks.create(hook("one"));
    expect(await a.webhookLeases.claim("A", 60_000)).toEqual([one.id]);
    await a.webhookLeases.release("A");
    expect(await b.webhookLeases.claim("B", 60_000)).toEqual([one.id]);
  });

  test("three instances claiming at once, 20 times: every destination has exactly one holder", async () => {
    const stores = await instances(3);
    const [first] = stores as [PgStore];
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push((await first.webhooks.create(hook(`h${i}`))).id);
    for (let round = 0; round < 20; round++) {
      await first.webhookLeases.release("I0");
      await first.webhookLeases.release("I1");
      await first.webhookLeases.release("I2");
      const won = await Promise.all(stores.map((s, i) => s.webhookLeases.claim(`I${i}`, 60_000)));
      expect(won.flat().sort((x, y) => x - y)).toEqual(ids);
    }
  });

  test("settlements are fenced: once another instance has taken the lease, the old holder moves nothing", async () => {
    const [a, b] = (await instances(2)) as [PgStore, PgStore];
    const w = await a.webhooks.create(hook("fenced"));
    await a.webhookLeases.claim("A", 300);
    const fromA = a.webhookLeases.fenced("A");
    await fromA.delivered(w.id, end(10), 10, T0 + 1);
    await fromA.failed(w.id, 1, "HTTP 503", T0 + 2);
    // Run out but not taken by anyone: nobody else delivers, so A's settlement still counts.
    await Bun.sleep(400);
    await fromA.delivered(w.id, end(20), 10, T0 + 3);
    expect(await b.webhooks.get(w.id)).toMatchObject({ attendanceCursor: 20, delivered: 20, attempts: 0 });

    expect(await b.webhookLeases.claim("B", 60_000)).toEqual([w.id]);
    expect(await rejected(fromA.delivered(w.id, end(30), 10, T0 + 4))).toBe("lease_lost");
    expect(await rejected(fromA.failed(w.id, 2, "HTTP 500", T0 + 5))).toBe("lease_lost");
    const letter = { batchId: "b", records: "[]", recordCount: 10, attempts: 3, error: "HTTP 400", at: T0 + 6, ...end(30) };
    expect(await rejected(fromA.deadLetter(w.id, letter))).toBe("lease_lost");
    expect(await a.webhooks.get(w.id)).toMatchObject({ attendanceCursor: 20, delivered: 20, attempts: 0, lastError: "HTTP 503" });
    expect(await a.webhooks.deadLetterCount(w.id)).toBe(0);

    const fromB = b.webhookLeases.fenced("B");
    await fromB.deadLetter(w.id, letter);
    expect(await a.webhooks.get(w.id)).toMatchObject({ attendanceCursor: 30, lastError: "HTTP 400" });
    expect(await a.webhooks.deadLetterCount(w.id)).toBe(1);
  });

  test("a claim waits for a fenced settlement in progress and then sees the cursors it moved", async () => {
    const [a, b] = (await instances(2)) as [PgStore, PgStore];
    const w = await a.webhooks.create(hook("race"));
    await a.webhookLeases.claim("A", 200);
    await Bun.sleep(300);
    // A's lease has run out; its settlement and B's claim race. Whichever order PostgreSQL picks,
    // B either refuses A's settlement or reads the cursor A moved: never a moved cursor it missed.
    const [settled, claimed] = await Promise.all([
      a.webhookLeases.fenced("A").delivered(w.id, end(50), 50, T0 + 1).then(() => "ok", (err: unknown) => (err as AppError).code),
      b.webhookLeases.claim("B", 60_000).then(async (ids) => ({ ids, row: await b.webhooks.get(w.id) })),
    ]);
    expect(claimed.ids).toEqual([w.id]);
    if (settled === "ok") expect(claimed.row?.attendanceCursor).toBe(50);
    else expect(settled).toBe("lease_lost");
  });
});

describe("HR destination leases (the same lease table code, hr_leases)", () => {
  const dest = (name: string): NewHrDestination => ({
    name, kind: "erpnext", url: "https://erp.example", settings: "{}", credentialsSealed: null, employeeIdFrom: "external_id",
    terminals: null, enabled: true, batchSize: 50, timeoutMs: 5000, maxAttempts: 10, cursor: 0, at: T0,
  });

  test("one holder at a time; a settlement by an instance whose lease was taken moves nothing; delete takes the lease along", async () => {
    const [a, b] = (await instances(2)) as [PgStore, PgStore];
    const d = await a.hrDestinations.create(dest("erp"));
    // Webhook leases and HR leases are apart: a webhook claim holds no HR destination.
    expect(await a.webhookLeases.claim("A", 60_000)).toEqual([]);
    expect(await a.hrLeases.claim("A", 300)).toEqual([d.id]);
    expect(await b.hrLeases.claim("B", 60_000)).toEqual([]);
    expect(await b.hrLeases.holder(d.id)).toBe("A");
    const fromA = a.hrLeases.fenced("A");
    await fromA.progressed(d.id, { cursor: 10, delivered: 9, skipped: { duplicate: 1 }, lastSkip: "dup", at: T0 + 1 });
    await Bun.sleep(400);
    expect(await b.hrLeases.claim("B", 60_000)).toEqual([d.id]);
    expect(await rejected(fromA.progressed(d.id, { cursor: 20, delivered: 10, skipped: {}, lastSkip: null, at: T0 + 2 }))).toBe("lease_lost");
    expect(await rejected(fromA.failed(d.id, 1, "HTTP 500", T0 + 3))).toBe("lease_lost");
    expect(await rejected(fromA.deadLetter(d.id, { recordId: 11, record: "{}", attempts: 10, error: "HTTP 500", at: T0 + 4 }))).toBe("lease_lost");
    expect(await a.hrDestinations.get(d.id)).toMatchObject({ cursor: 10, delivered: 9, skipped: '{"duplicate":1}', attempts: 0, lastError: null });
    await b.hrLeases.fenced("B").deadLetter(d.id, { recordId: 11, record: "{}", attempts: 10, error: "HTTP 500", at: T0 + 4 });
    expect(await a.hrDestinations.get(d.id)).toMatchObject({ cursor: 11, lastError: "HTTP 500" });
    await b.hrLeases.release("B");
    expect(await a.hrLeases.holder(d.id)).toBeNull();
    expect(await a.hrLeases.claim("A", 60_000)).toEqual([d.id]);
    expect(await b.hrDestinations.delete(d.id)).toBe(true);
    expect(await a.hrLeases.claim("A", 60_000)).toEqual([]);
  });
});

describe("the notifier lease", () => {
  test("one instance sends alert notifications; another's fenced save is refused; released, it is taken at once", async () => {
    const [a, b] = (await instances(2)) as [PgStore, PgStore];
    expect(await a.notifierLease.claim("A", 60_000)).toEqual([1]);
    expect(await b.notifierLease.claim("B", 60_000)).toEqual([]);
    expect(await a.notifierLease.claim("A", 60_000)).toEqual([1]);
    expect(await b.notifierLease.holder()).toBe("A");
    const told = { alertId: "terminal_pending:terminal:P1", alert: "{}", firstSeen: T0, told: true };
    expect(await rejected(b.notifierLease.fenced("B").saveNotificationState({ put: [told], remove: [] }, T0))).toBe("lease_lost");
    expect((await a.admin.notificationState()).alerts).toEqual([]);
    await a.notifierLease.fenced("A").saveNotificationState({ put: [told], remove: [], digestDay: "2026-03-02" }, T0);
    expect(await b.admin.notificationState()).toEqual({ alerts: [told], digestDay: "2026-03-02" });
    await a.notifierLease.release("A");
    expect(await b.notifierLease.holder()).toBeNull();
    expect(await b.notifierLease.claim("B", 600)).toEqual([1]);
    expect(await rejected(a.notifierLease.fenced("A").saveNotificationState({ put: [], remove: [told.alertId] }, T0))).toBe("lease_lost");
    await Bun.sleep(700);
    expect(await a.notifierLease.claim("A", 60_000)).toEqual([1]);
  });
});
