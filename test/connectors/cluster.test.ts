/**
 * HR destinations in a cluster: two instances' dispatchers on one PostgreSQL schema and a local
 * ERPNext. Only the holder of the destination's lease sends, so each check-in is sent once; when
 * the holder stops, the other takes over from the cursor the store has, and nothing is lost.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import pino from "pino";
import { SecretBox } from "../../src/auth/secret-box.ts";
import { HrDispatcher } from "../../src/connectors/dispatcher.ts";
import { SiteClock } from "../../src/protocol/index.ts";
import { PgStore } from "../../src/store/pg/pg-store.ts";
import { fakeErpnext } from "../helpers/fake-erpnext.ts";
import { pgScratch } from "../helpers/postgres.ts";
import { punch, punchesOp } from "../store/fixtures.ts";

const pg = pgScratch("hrcluster");
const open: Array<{ stop(): unknown }> = [];
afterAll(async () => {
  for (const o of open.reverse()) await o.stop();
  await pg.drop();
});

async function until<T>(what: string, probe: () => T | null | Promise<T | null>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== null) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(50);
  }
}

const times = (day: number, n: number) => Array.from({ length: n }, (_, i) => `2026-04-${String(day).padStart(2, "0")} ${String(6 + Math.floor(i / 60)).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}:00`);

describe("HR destinations in a cluster", () => {
  test("one instance sends each destination; when it stops the other goes on from the stored cursor: every check-in once", async () => {
    const erp = fakeErpnext({ apiKey: "k", apiSecret: "s", delayMs: 5, employees: [{ name: "HR-EMP-1", deviceId: "1", status: "Active" }] });
    open.push({ stop: erp.stop });
    const secrets = new SecretBox(randomBytes(32));
    const log = pino({ level: "silent" });
    const clock = new SiteClock("UTC");
    const stores: PgStore[] = [];
    for (let i = 0; i < 2; i++) stores.push(await PgStore.open({ url: pg.url, schema: pg.schema }));
    for (const s of stores) open.push({ stop: () => s.close() });
    const [a, b] = stores as [PgStore, PgStore];

    await a.hrDestinations.create({
      name: "ERPNext", kind: "erpnext", url: erp.url, settings: "{}", credentialsSealed: secrets.seal(JSON.stringify({ apiKey: "k", apiSecret: "s" })),
      employeeIdFrom: "enrollid", terminals: null, enabled: true, batchSize: 20, timeoutMs: 5000, maxAttempts: 10, cursor: 0, at: Date.now(),
    });
    const first = times(1, 100);
    await a.write([punchesOp("T1", first.map((t) => punch(1, t)))]);

    const dispatcher = (store: PgStore, instance: string) =>
      new HrDispatcher({ store, secrets, log, version: "test", clock: () => clock, pollMs: 100, retryBaseMs: 50, retryMaxMs: 200, cluster: { leases: store.hrLeases, instance, leaseMs: 1500 } });
    const da = dispatcher(a, "A");
    const db = dispatcher(b, "B");
    await da.start();
    await db.start();
    open.push(db);

    await until("the first 100 check-ins settled", async () => ((await a.hrDestinations.get(1))?.delivered === 100 ? true : null));
    // One holder: nobody sent anything twice.
    expect(erp.checkinCalls().length).toBe(100);
    const holder = await a.hrLeases.holder(1);
    expect(holder === "A" || holder === "B").toBe(true);

    // The holder stops (a clean stop hands the lease over); the other carries on with new punches.
    const [stopping, staying] = holder === "A" ? [da, db] : [db, da];
    if (staying === da) open.push(da);
    await stopping.stop();
    const second = times(2, 60);
    await a.write([punchesOp("T1", second.map((t) => punch(1, t)))]);
    staying.wakeAll();
    const last = await a.exports.lastId("attendance");
    const row = await until("the cursor at the last punch", async () => {
      const r = await b.hrDestinations.get(1);
      return r?.cursor === last ? r : null;
    });
    expect(erp.checkins.map((c) => c.time)).toEqual([...first, ...second]);
    expect(await a.hrLeases.holder(1)).toBe(holder === "A" ? "B" : "A");
    // A request the stopping instance had in flight may be sent again: ERPNext calls it a duplicate.
    const resent = erp.checkinCalls().length - 160;
    expect(resent).toBeLessThanOrEqual(20);
    expect({ delivered: row?.delivered, skipped: row?.skipped }).toEqual({ delivered: 160, skipped: resent === 0 ? "{}" : `{"duplicate":${resent}}` });
  }, 60_000);
});
