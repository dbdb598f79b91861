/**
 * A PostgreSQL that stops answering without closing anything (a network that drops packets, not a
 * stopped server): commits never settle, so the commit time-out must answer the terminals
 * `result:false` and take the instance out of the load balancer until the store answers again.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type Cluster, startCluster, until } from "../helpers/cluster.ts";
import { connectTerminal } from "../helpers/terminal.ts";

let c: Cluster;

beforeAll(async () => {
  c = await startCluster({ instances: 1, args: ["--commit-timeout", "2"] });
}, 120_000);

afterAll(async () => {
  await c?.stop();
});

const punch = (enrollid: number, time: string) => ({ enrollid, time, mode: 1, inout: 0, event: 0 });

test("a stalled PostgreSQL: uploads are answered result:false after --commit-timeout, /health is 503, recovery is automatic", async () => {
  const sn = "STALL1";
  const instance = c.instances[0];
  if (!instance) throw new Error("no instance");
  const t = await connectTerminal(instance.ws());
  expect(await t.register(sn)).toMatchObject({ ret: "reg", result: true });
  const records = [punch(1, "2026-07-01 08:00:00"), punch(2, "2026-07-01 08:00:01")];

  c.pg.stall();
  const sentAt = Date.now();
  t.send({ cmd: "sendlog", sn, count: 2, logindex: 0, record: records });
  const refused = await t.next((m) => m.ret === "sendlog", 20_000);
  expect(refused).toEqual({ ret: "sendlog", result: false, reason: 1, count: 2, logindex: 0 });
  expect(Date.now() - sentAt).toBeGreaterThanOrEqual(1900);
  const health = await fetch(`${instance.http}/health`);
  expect(health.status).toBe(503);
  expect(JSON.stringify(await health.json())).toContain("did not answer within 2 s");

  c.pg.restore();
  await until("/health to be 200 again", async () => (await fetch(`${instance.http}/health`)).status === 200, 60_000);
  // The terminal kept its records and sends them again: stored once each, whatever the stalled commit did.
  t.send({ cmd: "sendlog", sn, count: 2, logindex: 0, record: records });
  expect(await t.next((m) => m.ret === "sendlog" && m.result === true, 20_000)).toMatchObject({ count: 2, logindex: 0 });
  const rows = await c.sql`SELECT enrollid::int AS enrollid, time, count(*)::int AS n FROM attendance WHERE sn = ${sn} GROUP BY enrollid, time ORDER BY time`;
  expect(rows).toEqual(records.map((r) => ({ enrollid: r.enrollid, time: r.time, n: 1 })));
  t.close();
}, 120_000);
