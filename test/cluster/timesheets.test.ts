/**
 * Daily results in cluster mode (issue 14): two `tm20 serve --cluster` instances on PostgreSQL and
 * Redis (test/helpers/cluster.ts). One instance follows the punches, whichever instance took them:
 * a trigger the test adds to ts_days counts every write of a result, and a batch of punches has its
 * person-days written once, not once per instance. The follower killed with -9 is replaced when
 * its lease lapses (15 s), and the new one recomputes what was committed since the stored mark.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { hostname } from "node:os";
import { type Cluster, startCluster, terminalOn, until } from "../helpers/cluster.ts";

let c: Cluster;

/**
 * "Today" read once: the dates below must agree with each other even when the run crosses
 * midnight (the server's own today moving on leaves these past days past).
 */
const TODAY = Date.now();

/** Site-local (UTC here) date `n` days from today. */
function dayFromToday(n: number): string {
  return new Date(TODAY + n * 86_400_000).toISOString().slice(0, 10);
}

beforeAll(async () => {
  c = await startCluster({ instances: 2, args: ["--tz", "UTC"] });
  await c.sql.unsafe(`
    CREATE TABLE test_day_writes (enrollid BIGINT NOT NULL, date TEXT NOT NULL);
    CREATE FUNCTION test_count_day_write() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO test_day_writes VALUES (NEW.enrollid, NEW.date); RETURN NEW; END $$;
    CREATE TRIGGER test_count_day_write AFTER INSERT OR UPDATE ON ts_days FOR EACH ROW EXECUTE FUNCTION test_count_day_write();`);
}, 120_000);
afterAll(async () => {
  await c?.stop();
});

async function send(i: number, sn: string, enrollid: number, times: string[]) {
  const t = await terminalOn(c, i, sn);
  const record = times.map((time) => ({ enrollid, time, mode: 1, inout: 0, event: 0 }));
  t.send({ cmd: "sendlog", sn, count: record.length, logindex: 1, record });
  expect(await t.next((m) => m.ret === "sendlog")).toMatchObject({ result: true, count: record.length });
  t.close();
}

async function follower(): Promise<{ holder: string | null; mark: number }> {
  const [row] = (await c.sql`SELECT holder, mark FROM ts_follow`) as Array<{ holder: string | null; mark: string }>;
  return { holder: row?.holder ?? null, mark: Number(row?.mark) };
}

async function lastPunchId(): Promise<number> {
  const [row] = (await c.sql`SELECT max(id) AS id FROM attendance`) as Array<{ id: string }>;
  return Number(row?.id);
}

async function writesOf(enrollid: number): Promise<Array<{ date: string; n: number }>> {
  return ((await c.sql`SELECT date, count(*)::int AS n FROM test_day_writes WHERE enrollid = ${enrollid} GROUP BY date ORDER BY date`) as Array<{ date: string; n: number }>).map((r) => ({ date: r.date, n: r.n }));
}

/** The instance whose process holds the lease (the holder is the cluster instance id: host-pid-random). */
function instanceOf(holder: string | null): number {
  return c.instances.findIndex((t) => holder?.startsWith(`${hostname()}-${t.proc.pid}-`));
}

describe("timesheets in a cluster", () => {
  test("punches taken by either instance are recomputed once, by the one follower", async () => {
    const d3 = dayFromToday(-3);
    const d5 = dayFromToday(-5);
    await until("a follower", async () => instanceOf((await follower()).holder) >= 0);
    await send(0, "CTS0", 7, [`${d3} 09:00:00`, `${d3} 17:00:00`]);
    await send(1, "CTS1", 8, [`${d5} 08:00:00`, `${d5} 12:00:00`]);
    const last = await lastPunchId();
    await until("the mark past both batches", async () => (await follower()).mark >= last, 30_000);
    // Each batch: its day, the one before and the one after, each written once.
    expect(await writesOf(7)).toEqual([{ date: dayFromToday(-4), n: 1 }, { date: d3, n: 1 }, { date: dayFromToday(-2), n: 1 }]);
    expect(await writesOf(8)).toEqual([{ date: dayFromToday(-6), n: 1 }, { date: d5, n: 1 }, { date: dayFromToday(-4), n: 1 }]);
    for (const i of [0, 1]) {
      const res = await c.api(i, `/api/v1/timesheets/days?from=${d3}&to=${d3}&enrollid=7`);
      expect(((await res.json()) as { items: Array<{ workedMinutes: number }> }).items.map((d) => d.workedMinutes)).toEqual([480]);
    }
  }, 60_000);

  test("the follower killed with -9: the other instance takes the lease over and recomputes what came since the mark", async () => {
    const d8 = dayFromToday(-8);
    const before = await follower();
    const dead = instanceOf(before.holder);
    const survivor = 1 - dead;
    expect(dead).toBeGreaterThanOrEqual(0);
    await c.instances[dead]?.kill9();
    await send(survivor, "CTS2", 9, [`${d8} 07:00:00`, `${d8} 15:30:00`]);
    const last = await lastPunchId();
    await until("the survivor following", async () => instanceOf((await follower()).holder) === survivor, 60_000);
    await until("the mark past the batch", async () => (await follower()).mark >= last, 60_000);
    expect(await writesOf(9)).toEqual([{ date: dayFromToday(-9), n: 1 }, { date: d8, n: 1 }, { date: dayFromToday(-7), n: 1 }]);
    const res = await c.api(survivor, `/api/v1/timesheets/days?from=${d8}&to=${d8}&enrollid=9`);
    expect(((await res.json()) as { items: Array<{ workedMinutes: number }> }).items.map((d) => d.workedMinutes)).toEqual([510]);
  }, 120_000);
});
