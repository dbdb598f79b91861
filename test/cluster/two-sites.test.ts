/**
 * Two sites on one Redis (issue 18): two clusters of two instances each, each on a PostgreSQL
 * schema of its own, share one redis-server and the same database number. Site one uses the
 * default namespace (derived from its store), site two sets `--redis-prefix`. The same serial
 * number is connected at both sites: each site's presence, relayed events and commands stay its
 * own; an instance that stalls past the presence lifetime gets its terminal back online when it
 * resumes; after a kill -9 of the instance holding site one's terminals they show offline on the
 * survivor within the README's 20 s while site two's twin stays online. The tests run in order.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { RedisClient } from "bun";
import { type Cluster, freePort, type RedisServer, redisServer, startCluster, terminalOn, until } from "../helpers/cluster.ts";
import type { TestTerminal } from "../helpers/terminal.ts";

/** What the README promises: a dead instance's terminals show offline everywhere within this long. */
const OFFLINE_WITHIN_MS = 20_000;
const TWIN = "TWIN1";

let redis: RedisServer;
let one: Cluster;
let two: Cluster;
let oneIds: [string, string];
let twoIds: [string, string];
let twinOne: TestTerminal;
let twinTwo: TestTerminal;

beforeAll(async () => {
  redis = redisServer(freePort());
  await redis.start();
  one = await startCluster({ instances: 2, redis });
  two = await startCluster({ instances: 2, redis, args: ["--redis-prefix", "site-two"] });
  oneIds = await instanceIds(one);
  twoIds = await instanceIds(two);
}, 240_000);

afterAll(async () => {
  await one?.stop();
  await two?.stop();
  await redis?.stop();
});

async function instanceIds(c: Cluster): Promise<[string, string]> {
  const [a, b] = await Promise.all(c.instances.map(async (t) => ((await (await fetch(`${t.http}/health`)).json()) as { cluster: { instance: string } }).cluster.instance));
  if (!a || !b) throw new Error("expected two instances");
  return [a, b];
}

function redisCli(...args: string[]): string[] {
  const out = Bun.spawnSync(["redis-cli", "-p", String(redis.port), ...args]).stdout.toString().trim();
  return out === "" ? [] : out.split("\n");
}

async function queue(c: Cluster, i: number, sn: string, command: string): Promise<number> {
  const res = await c.api(i, `/api/v1/terminals/${sn}/commands`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ command, params: {} }) });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: number }).id;
}

async function commandStatus(c: Cluster, i: number, id: number): Promise<string> {
  return ((await (await c.api(i, `/api/v1/commands/${id}`)).json()) as { status: string }).status;
}

async function onlineAt(c: Cluster, i: number, sns: string[]): Promise<string[]> {
  const listed = (await (await c.api(i, "/api/v1/terminals")).json()) as { items: Array<{ sn: string; online: boolean }> };
  return listed.items.filter((t) => t.online && sns.includes(t.sn)).map((t) => t.sn).sort();
}

async function statsOnline(c: Cluster, i: number): Promise<number> {
  return ((await (await c.api(i, "/api/v1/stats")).json()) as { terminals_online: number }).terminals_online;
}

/** The serial numbers of `sns` the admin UI's terminal list shows under "Online". */
async function uiOnline(c: Cluster, i: number, cookie: string, sns: string[]): Promise<string[]> {
  const html = await (await fetch(`${c.instances[i]?.http}/terminals?status=online`, { headers: { cookie } })).text();
  return sns.filter((sn) => html.includes(`data-sn="${sn}"`)).sort();
}

const punch = (enrollid: number, time: string) => ({ enrollid, time, mode: 1, inout: 0, event: 0 });

describe("two sites on one Redis", () => {
  test("each site's presence, events and commands stay its own", async () => {
    expect(one.redisPrefix).toBe(`tm20:test/${one.schema}`);
    // Every instance listens on its own site's channel and no other.
    expect(redisCli("PUBSUB", "CHANNELS", "*").sort()).toEqual([`${one.redisPrefix}:events`, "site-two:events"].sort());
    expect(redisCli("PUBSUB", "NUMSUB", `${one.redisPrefix}:events`, "site-two:events")).toEqual([`${one.redisPrefix}:events`, "2", "site-two:events", "2"]);

    const heard: Array<{ channel: string; origin: string; types: string[] }> = [];
    const listener = new RedisClient(`redis://127.0.0.1:${redis.port}`);
    await listener.subscribe([`${one.redisPrefix}:events`, "site-two:events"], (message, channel) => {
      const m = JSON.parse(message) as { origin: string; events: Array<{ type: string }> };
      heard.push({ channel, origin: m.origin, types: m.events.map((e) => e.type) });
    });
    try {
      // The same serial number at both sites, held by a different instance at each.
      twinOne = await terminalOn(one, 1, TWIN);
      twinTwo = await terminalOn(two, 0, TWIN);
      const oneKey = `${one.redisPrefix}:presence:${TWIN}`;
      const twoKey = `site-two:presence:${TWIN}`;
      await until("both presence keys", () => redisCli("KEYS", "*").length === 2);
      expect(redisCli("KEYS", "*").sort()).toEqual([oneKey, twoKey].sort());
      expect(redisCli("GET", oneKey)).toEqual([oneIds[1]]);
      expect(redisCli("GET", twoKey)).toEqual([twoIds[0]]);
      expect(await onlineAt(one, 0, [TWIN])).toEqual([TWIN]);
      expect(await onlineAt(two, 1, [TWIN])).toEqual([TWIN]);

      // Punches: each site stores its own and relays the news on its own channel.
      const oneRecords = [punch(1, "2026-07-01 08:00:00"), punch(2, "2026-07-01 08:00:01")];
      const twoRecords = [punch(3, "2026-07-01 09:00:00")];
      twinOne.send({ cmd: "sendlog", sn: TWIN, count: 2, logindex: 0, record: oneRecords });
      twinTwo.send({ cmd: "sendlog", sn: TWIN, count: 1, logindex: 0, record: twoRecords });
      expect(await twinOne.next((m) => m.ret === "sendlog")).toMatchObject({ result: true, count: 2 });
      expect(await twinTwo.next((m) => m.ret === "sendlog")).toMatchObject({ result: true, count: 1 });
      const stored = async (c: Cluster) => (await c.sql`SELECT enrollid::int AS enrollid, time FROM attendance WHERE sn = ${TWIN} ORDER BY time`) as Array<{ enrollid: number; time: string }>;
      expect(await stored(one)).toEqual(oneRecords.map((r) => ({ enrollid: r.enrollid, time: r.time })));
      expect(await stored(two)).toEqual(twoRecords.map((r) => ({ enrollid: r.enrollid, time: r.time })));

      // Commands: queued on the instance that does not hold the terminal, sent by the one that does, at its own site only.
      const opendoor = await queue(one, 0, TWIN, "opendoor");
      await twinOne.next((m) => m.cmd === "opendoor", 10_000);
      twinOne.send({ ret: "opendoor", sn: TWIN, result: true });
      const devinfo = await queue(two, 1, TWIN, "getdevinfo");
      await twinTwo.next((m) => m.cmd === "getdevinfo", 10_000);
      twinTwo.send({ ret: "getdevinfo", sn: TWIN, result: true });
      await until("both commands to succeed", async () => (await commandStatus(one, 1, opendoor)) === "succeeded" && (await commandStatus(two, 0, devinfo)) === "succeeded");
      await until("the relays to carry the punches", () => ["records-committed"].every((type) => [`${one.redisPrefix}:events`, "site-two:events"].every((ch) => heard.some((h) => h.channel === ch && h.types.includes(type)))));
      await Bun.sleep(1000);
      expect(twinOne.received.filter((m) => m.cmd === "getdevinfo")).toHaveLength(0);
      expect(twinTwo.received.filter((m) => m.cmd === "opendoor")).toHaveLength(0);
      // Every message on a site's channel came from one of its own instances; the wake-ups too.
      expect(heard.filter((h) => h.channel === `${one.redisPrefix}:events` && !oneIds.includes(h.origin))).toEqual([]);
      expect(heard.filter((h) => h.channel === "site-two:events" && !twoIds.includes(h.origin))).toEqual([]);
      expect(heard.filter((h) => h.types.includes("commands-queued")).map((h) => [h.channel, h.origin]).sort()).toEqual(
        [[`${one.redisPrefix}:events`, oneIds[0]], ["site-two:events", twoIds[1]]].sort(),
      );
    } finally {
      listener.close();
    }
  }, 90_000);

  test("an instance that stalls past the presence lifetime: its terminal is shown offline meanwhile, online again once it resumes", async () => {
    const stalled = one.instances[1];
    if (!stalled) throw new Error("no instance 1");
    stalled.proc.kill("SIGSTOP");
    try {
      await until("the survivor to mark the stalled instance's terminal offline", async () => (await onlineAt(one, 0, [TWIN])).length === 0, 30_000, 250);
    } finally {
      stalled.proc.kill("SIGCONT");
    }
    // Its socket never closed: the instance renews its presence, finds the key lapsed, and says so.
    await until("the resumed instance to mark its terminal online again", async () => (await onlineAt(one, 0, [TWIN])).length === 1, 15_000, 250);
    expect(redisCli("GET", `${one.redisPrefix}:presence:${TWIN}`)).toEqual([oneIds[1]]);
    twinOne.send({ cmd: "sendlog", sn: TWIN, count: 1, logindex: 1, record: [punch(5, "2026-07-01 08:00:02")] });
    expect(await twinOne.next((m) => m.ret === "sendlog" && m.logindex === 1)).toMatchObject({ result: true, count: 1 });
  }, 90_000);

  test(`kill -9 of the instance holding a site's terminals: the survivor's API, stats and UI show them offline within ${OFFLINE_WITHIN_MS / 1000} s; the other site's twin stays online`, async () => {
    // More terminals on the instance about to die; the last registers just before the kill.
    const dead = [TWIN];
    for (const sn of ["DEAD1", "DEAD2", "DEAD3"]) {
      await terminalOn(one, 1, sn);
      dead.push(sn);
    }
    dead.sort();
    const cookie = await one.uiSession(0);
    expect(await onlineAt(one, 0, dead)).toEqual(dead);
    expect(await statsOnline(one, 0)).toBe(dead.length);
    expect(await uiOnline(one, 0, cookie, dead)).toEqual(dead);

    await one.instances[1]?.kill9();
    const killedAt = Date.now();
    const offlineAfter: { api?: number; stats?: number; ui?: number } = {};
    await until(
      "the survivor to show every terminal of the dead instance offline",
      async () => {
        const [api, stats, ui] = await Promise.all([onlineAt(one, 0, dead), statsOnline(one, 0), uiOnline(one, 0, cookie, dead)]);
        const at = Date.now() - killedAt;
        if (api.length === 0) offlineAfter.api ??= at;
        if (stats === 0) offlineAfter.stats ??= at;
        if (ui.length === 0) offlineAfter.ui ??= at;
        return offlineAfter.api !== undefined && offlineAfter.stats !== undefined && offlineAfter.ui !== undefined;
      },
      60_000,
      250,
    );
    console.log(`offline on the survivor after kill -9 (ms): ${JSON.stringify(offlineAfter)}`);
    expect(Math.max(offlineAfter.api ?? Infinity, offlineAfter.stats ?? Infinity, offlineAfter.ui ?? Infinity)).toBeLessThanOrEqual(OFFLINE_WITHIN_MS);
    // Not before its presence could have lapsed: a live terminal is never reaped early.
    expect(Math.min(offlineAfter.api ?? 0, offlineAfter.stats ?? 0, offlineAfter.ui ?? 0)).toBeGreaterThan(4_000);
    // The survivor's own connections are what /health and /metrics count: none of the dead instance's.
    expect(((await (await fetch(`${one.instances[0]?.http}/health`)).json()) as { terminals_connected: number }).terminals_connected).toBe(0);

    // Site two's terminal with the same serial number was never touched.
    expect(await onlineAt(two, 0, [TWIN])).toEqual([TWIN]);
    expect(redisCli("GET", `site-two:presence:${TWIN}`)).toEqual([twoIds[0]]);
    twinTwo.send({ cmd: "sendlog", sn: TWIN, count: 1, logindex: 1, record: [punch(4, "2026-07-01 09:00:01")] });
    expect(await twinTwo.next((m) => m.ret === "sendlog" && m.logindex === 1)).toMatchObject({ result: true, count: 1 });
    twinTwo.close();
  }, 120_000);
});
