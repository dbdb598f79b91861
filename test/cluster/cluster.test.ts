/**
 * Cluster mode end to end (issue 7): three `tm20 serve --cluster` instances on the shared
 * PostgreSQL (a schema of this run's own, through a relay the test cuts), a redis-server of the
 * test's own (stopped and started again), HAProxy configured from docs/haproxy.cfg, the simulator
 * through HAProxy and hand-driven terminals on chosen instances. The tests share one cluster and
 * run in order; the instance killed with -9 goes last.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Simulation } from "../../src/simulator/run.ts";
import type { SimRecord } from "../../src/simulator/terminal.ts";
import { type Cluster, startCluster, terminalOn as terminalOnCluster, until } from "../helpers/cluster.ts";
import type { TestTerminal } from "../helpers/terminal.ts";

let c: Cluster;
const A = 0;
const B = 1;
const C = 2;

beforeAll(async () => {
  c = await startCluster({ args: ["--probe-after", "5", "--connection-timeout", "10", "--command-timeout", "5"] });
}, 120_000);

afterAll(async () => {
  await c?.stop();
});

const terminalOn = (i: number, sn: string) => terminalOnCluster(c, i, sn);

interface Health {
  status: string;
  terminals_connected: number;
  cluster: { instance: string; redis: string };
}

async function health(i: number): Promise<Health> {
  return (await (await fetch(`${c.instances[i]?.http}/health`)).json()) as Health;
}

const redisStates = async () => (await Promise.all(c.instances.map((_, i) => health(i)))).map((h) => h.cluster.redis);

const received = (t: TestTerminal, command: string) => t.received.filter((m) => m.cmd === command);

interface CommandView {
  id: number;
  sn: string;
  command: string;
  status: string;
  answer: unknown;
  reason: string | null;
  history: Array<{ status: string; detail: string | null }>;
}

async function submit(i: number, sn: string, command: string, params: object = {}): Promise<Response> {
  return c.api(i, `/api/v1/terminals/${sn}/commands`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ command, params }) });
}

async function queued(i: number, sn: string, command: string, params: object = {}): Promise<CommandView> {
  const res = await submit(i, sn, command, params);
  expect(res.status).toBe(201);
  return (await res.json()) as CommandView;
}

async function commandAt(i: number, id: number): Promise<CommandView> {
  const res = await c.api(i, `/api/v1/commands/${id}`);
  expect(res.status).toBe(200);
  return (await res.json()) as CommandView;
}

async function terminalAt(i: number, sn: string): Promise<{ online: boolean }> {
  const res = await c.api(i, `/api/v1/terminals/${sn}`);
  expect(res.status).toBe(200);
  return (await res.json()) as { online: boolean };
}

/** Rows of one command in the shared store: its status events, and audit entries. */
async function recorded(id: number) {
  const events = (await c.sql`SELECT status FROM command_events WHERE command_id = ${id} ORDER BY id`) as Array<{ status: string }>;
  const audit = (await c.sql`SELECT result FROM audit_log WHERE details = ${JSON.stringify({ id })} ORDER BY id`) as Array<{ result: string }>;
  return { events: events.map((e) => e.status), audit: audit.map((a) => a.result) };
}

/** The command was sent once, answered once, and audited when queued and when it succeeded (written after the status). */
async function expectRecordedOnce(id: number) {
  await until(`command ${id}'s audit entry`, async () => (await recorded(id)).audit.length >= 2, 5000);
  await Bun.sleep(200);
  expect(await recorded(id)).toEqual({ events: ["queued", "sent", "succeeded"], audit: ["queued", "ok"] });
}

function sendlog(t: TestTerminal, sn: string, logindex: number, records: SimRecord[], timeoutMs = 15_000) {
  t.send({ cmd: "sendlog", sn, count: records.length, logindex, record: records });
  return t.next((m) => m.ret === "sendlog" && m.logindex === logindex, timeoutMs);
}

const punch = (enrollid: number, time: string): SimRecord => ({ enrollid, time, mode: 1, inout: 0, event: 0 });

async function storedPunches(sn: string): Promise<Array<{ enrollid: number; time: string; n: number }>> {
  return (await c.sql`SELECT enrollid::int AS enrollid, time, count(*)::int AS n FROM attendance WHERE sn = ${sn} GROUP BY enrollid, time ORDER BY time, enrollid`) as Array<{ enrollid: number; time: string; n: number }>;
}

/** A UI session on instance `i` (an admin made with the CLI against the cluster's store). */
async function uiSession(i: number): Promise<string> {
  const password = "cluster-test-password";
  if (!(await c.sql`SELECT 1 FROM admin_users WHERE username = 'ops'`).length) {
    const made = await c.cli(["admin", "create", "--username", "ops"], `${password}\n`);
    expect(made.code).toBe(0);
  }
  const csrf = "x".repeat(40);
  const res = await fetch(`${c.instances[i]?.http}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: `tm20_pre=${csrf}` },
    body: new URLSearchParams({ _csrf: csrf, username: "ops", password, next: "/" }),
  });
  expect(res.status).toBe(303);
  const session = /tm20_session=([^;]+)/.exec(res.headers.get("set-cookie") ?? "")?.[1];
  if (!session) throw new Error("no session cookie");
  return `tm20_session=${session}`;
}

/** Reads `punch` events of the live feed until `want` of them name `sn`. */
async function livePunches(i: number, cookie: string, sn: string, want: number, send: () => Promise<void>): Promise<Array<Record<string, unknown>>> {
  const abort = new AbortController();
  const res = await fetch(`${c.instances[i]?.http}/live/events`, { headers: { cookie, accept: "text/event-stream" }, signal: abort.signal });
  expect(res.status).toBe(200);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const found: Array<Record<string, unknown>> = [];
  let buffer = "";
  let sent = false;
  const timer = setTimeout(() => abort.abort(), 20_000);
  try {
    while (found.length < want) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf("\n\n");
      while (end !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf("\n\n");
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event === "punch" && data) {
          const row = JSON.parse(data) as Record<string, unknown>;
          if (row.sn === sn) found.push(row);
        }
        // The first status event means the feed is open: only now may the punches be sent.
        if (event === "status" && !sent) {
          sent = true;
          await send();
        }
      }
    }
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  return found;
}

describe("cluster", () => {
  test("any instance's API and live feed see a terminal connected to another one", async () => {
    const sn = "SITE1";
    const t = await terminalOn(C, sn);
    for (const i of [A, B, C]) expect((await terminalAt(i, sn)).online).toBe(true);
    const cookie = await uiSession(B);
    const records = [punch(7, "2026-03-02 08:00:00"), punch(8, "2026-03-02 08:00:01"), punch(9, "2026-03-02 08:00:02")];
    const rows = await livePunches(B, cookie, sn, 3, async () => {
      expect(await sendlog(t, sn, 0, records)).toMatchObject({ result: true, count: 3, logindex: 0 });
    });
    expect(rows.map((r) => [r.enrollid, r.time])).toEqual(records.map((r) => [r.enrollid, r.time]));
    t.close();
    await until("A to show SITE1 offline", async () => !(await terminalAt(A, sn)).online);
  }, 60_000);

  test("a command through A for a terminal on C is delivered once, its result visible from B; one in flight per terminal", async () => {
    const sn = "ROUTE1";
    const t = await terminalOn(C, sn);
    const first = await queued(A, sn, "opendoor", { doornum: 1 });
    await t.next((m) => m.cmd === "opendoor", 10_000);
    t.send({ ret: "opendoor", sn, result: true });
    await until("the answer to be stored", async () => (await commandAt(B, first.id)).status === "succeeded");
    const seen = await commandAt(B, first.id);
    expect(seen).toMatchObject({ sn, command: "opendoor", status: "succeeded", answer: { ret: "opendoor", result: true } });
    expect(seen.history.map((h) => h.status)).toEqual(["queued", "sent", "succeeded"]);
    await expectRecordedOnce(first.id);
    expect(received(t, "opendoor")).toHaveLength(1);

    // Three commands from three instances at once: the terminal never has two to answer.
    const names = ["getdevinfo", "getusername", "getdevlock"] as const;
    const rows = await Promise.all([queued(A, sn, names[0]), queued(B, sn, names[1], { enrollid: 1 }), queued(C, sn, names[2])]);
    const outstanding = () => t.received.filter((m) => typeof m.cmd === "string" && (names as readonly string[]).includes(m.cmd as string));
    for (let k = 1; k <= 3; k++) {
      await until(`command ${k} to arrive`, () => outstanding().length >= k, 10_000);
      // Whatever else was queued stays queued while this one is unanswered.
      await Bun.sleep(700);
      expect(outstanding()).toHaveLength(k);
      const cmd = String(outstanding()[k - 1]?.cmd);
      t.send({ ret: cmd, sn, result: true, ...(cmd === "getusername" ? { record: "Ann" } : {}) });
    }
    for (const row of rows) {
      await until(`command ${row.id} to finish`, async () => (await commandAt(A, row.id)).status !== "sent" && (await commandAt(A, row.id)).status !== "queued");
      const done = await commandAt(B, row.id);
      expect(done.status).toBe("succeeded");
      await expectRecordedOnce(row.id);
    }
    const history = (await (await c.api(B, `/api/v1/terminals/${sn}/commands`)).json()) as { items: CommandView[] };
    expect(history.items.map((r) => r.id).sort((x, y) => x - y)).toEqual([first.id, ...rows.map((r) => r.id)].sort((x, y) => x - y));
    t.close();
  }, 60_000);

  test("a command queued for an offline terminal is delivered by the instance it reconnects to", async () => {
    const sn = "LATER1";
    const before = await terminalOn(A, sn);
    before.close();
    await until("B to show LATER1 offline", async () => !(await terminalAt(B, sn)).online);
    const row = await queued(B, sn, "getdevinfo");
    expect(row.status).toBe("queued");
    await Bun.sleep(500);
    expect((await commandAt(A, row.id)).status).toBe("queued");
    const t = await terminalOn(C, sn);
    await t.next((m) => m.cmd === "getdevinfo", 10_000);
    t.send({ ret: "getdevinfo", sn, result: true, firmware: "t-2" });
    await until("the answer to be stored", async () => (await commandAt(A, row.id)).status === "succeeded");
    await expectRecordedOnce(row.id);
    t.close();
  }, 60_000);

  test("issue 11: a socket that asks for a second sn is closed, its first sn goes offline everywhere, and a command for it waits queued while every instance answers", async () => {
    const sn = "GHOSTA1";
    const t = await terminalOn(A, sn);
    t.send({ cmd: "reg", sn: "GHOSTB1", devinfo: {} });
    expect(await t.next((m) => m.ret === "reg")).toMatchObject({ ret: "reg", result: false });
    expect((await t.closed).code).toBe(4003);
    for (const i of [A, B, C]) await until(`instance ${i} to show ${sn} offline`, async () => !(await terminalAt(i, sn)).online);
    const row = await queued(B, sn, "getdevinfo");
    expect(row.status).toBe("queued");
    await Bun.sleep(1500);
    const seen = await commandAt(C, row.id);
    expect([seen.status, seen.history.length]).toEqual(["queued", 1]);
    for (const res of await Promise.all(c.instances.map((i) => fetch(`${i.http}/health`, { signal: AbortSignal.timeout(2000) })))) expect(res.status).toBe(200);
  }, 60_000);

  test("expiry holds across the cluster: a command past its deadline is expired once and never sent", async () => {
    const sn = "EXPIRE1";
    const before = await terminalOn(A, sn);
    before.close();
    await until("EXPIRE1 offline", async () => !(await terminalAt(C, sn)).online);
    const res = await c.api(A, `/api/v1/terminals/${sn}/commands`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ command: "getdevinfo", params: {}, deadline: Date.now() + 1500 }),
    });
    expect(res.status).toBe(201);
    const row = (await res.json()) as CommandView;
    await Bun.sleep(2000);
    const t = await terminalOn(C, sn);
    await until("the command to be expired", async () => (await commandAt(B, row.id)).status === "expired", 30_000);
    await Bun.sleep(500);
    expect(received(t, "getdevinfo")).toHaveLength(0);
    expect((await recorded(row.id)).events).toEqual(["queued", "expired"]);
    t.close();
  }, 60_000);

  test("Redis stopped and restarted: ingest never stops, cross-instance commands fail with a clear status, routing recovers", async () => {
    const sn = "REDIS1";
    const t = await terminalOn(C, sn);
    const away = "REDIS2";
    (await terminalOn(B, away)).close();
    await until("REDIS2 offline", async () => !(await terminalAt(A, away)).online);
    const acked: string[] = [];
    const ackTimes: number[] = [];
    const sim = new Simulation({
      url: c.lb.ws, terminals: 10, batchSize: 5, rate: 4, duration: 0, records: 300, prefix: "RDS",
      startTime: new Date("2026-04-01T08:00:00Z"), connectRate: 100, grace: 60, reconnectMs: 500, answerTimeoutMs: 5000,
      onAck: (s, records) => {
        for (const r of records) acked.push(`${s}|${r.enrollid}|${r.time}`);
        ackTimes.push(Date.now());
      },
    });
    const running = sim.run();
    await until("uploads to flow", () => acked.length >= 200);
    await c.redis.stop();
    const downAt = Date.now();
    await until("every instance to notice", async () => (await redisStates()).every((r) => r === "unavailable"), 10_000);

    const refused = await submit(A, sn, "opendoor");
    expect(refused.status).toBe(503);
    const problem = (await refused.json()) as { code: string; message: string };
    expect(problem.code).toBe("routing_unavailable");
    expect(problem.message).toContain("Redis");
    expect(problem.message).toContain(sn);
    const open = (await (await c.api(B, `/api/v1/terminals/${sn}/commands`)).json()) as { items: CommandView[] };
    expect(open.items).toHaveLength(0);
    // The instance holding the terminal needs no Redis to reach it.
    const local = await queued(C, sn, "getdevinfo");
    await t.next((m) => m.cmd === "getdevinfo", 10_000);
    t.send({ ret: "getdevinfo", sn, result: true });
    await until("the local command to finish", async () => (await commandAt(A, local.id)).status === "succeeded");
    // An offline terminal's command is queued as usual and sent by the instance it comes back to.
    const waiting = await queued(A, away, "getdevinfo");
    const back = await terminalOn(C, away);
    await back.next((m) => m.cmd === "getdevinfo", 10_000);
    back.send({ ret: "getdevinfo", sn: away, result: true });
    await until("the offline terminal's command to finish", async () => (await commandAt(B, waiting.id)).status === "succeeded");
    back.close();
    // Redis down is no reason for the load balancer to drain an instance.
    expect((await Promise.all(c.instances.map((_, i) => health(i)))).map((h) => h.status)).toEqual(["ok", "ok", "ok"]);
    await Bun.sleep(1500);

    await c.redis.start();
    const upAt = Date.now();
    await until("every instance to reconnect", async () => (await redisStates()).every((r) => r === "ok"), 15_000);
    const routed = await queued(A, sn, "opendoor");
    await t.next((m) => m.cmd === "opendoor", 10_000);
    t.send({ ret: "opendoor", sn, result: true });
    await until("the routed command to finish", async () => (await commandAt(B, routed.id)).status === "succeeded");
    await expectRecordedOnce(routed.id);
    // Presence is re-asserted in the new (empty) Redis: C holds the terminal again.
    const holderId = (await health(C)).cluster.instance;
    await until("presence to be re-asserted", () => Bun.spawnSync(["redis-cli", "-p", String(c.redis.port), "get", `${c.redisPrefix}:presence:${sn}`]).stdout.toString().trim() === holderId);

    const summary = await running;
    sim.stop();
    t.close();
    // Ingest never stopped: answers kept coming while Redis was down, none was refused.
    expect(ackTimes.filter((at) => at > downAt && at < upAt).length).toBeGreaterThan(10);
    expect(summary.failures).toBe(0);
    expect(summary.acknowledged).toBe(10 * 300);
    const rows = (await c.sql`SELECT sn, enrollid, time, count(*)::int AS n FROM attendance WHERE sn LIKE 'RDS%' GROUP BY sn, enrollid, time`) as Array<{ sn: string; enrollid: number; time: string; n: number }>;
    expect(rows).toHaveLength(10 * 300);
    expect(rows.every((r) => r.n === 1)).toBe(true);
    const stored = new Set(rows.map((r) => `${r.sn}|${r.enrollid}|${r.time}`));
    expect(acked.filter((k) => !stored.has(k))).toEqual([]);
  }, 120_000);

  test("PostgreSQL cut: terminals get result:false and keep their records, /health is 503, recovery is automatic", async () => {
    const sn = "PGDOWN1";
    const t = await terminalOn(A, sn);
    const records = [punch(11, "2026-05-01 08:00:00"), punch(12, "2026-05-01 08:00:01")];
    c.pg.cut();
    expect(await sendlog(t, sn, 0, records)).toEqual({ ret: "sendlog", result: false, reason: 1, count: 2, logindex: 0 });
    for (const res of await Promise.all(c.instances.map((i) => fetch(`${i.http}/health`)))) {
      expect(res.status).toBe(503);
      expect(((await res.json()) as { status: string }).status).toBe("unavailable");
    }
    // Two failed checks later HAProxy has taken every instance out.
    await until("HAProxy to take every instance out", async () => (await c.lbStates()).every((st) => st.startsWith("DOWN")), 15_000, 200);
    expect((await fetch(`${c.lb.http}/health`)).status).toBe(503);
    c.pg.restore();
    // No terminal writes to a drained instance: each one finds out by itself that the store is back.
    for (const instance of c.instances) await until(`${instance.http}/health to be 200 again`, async () => (await fetch(`${instance.http}/health`)).status === 200);
    // The terminal kept its records and sends them again.
    expect(await sendlog(t, sn, 0, records)).toMatchObject({ ret: "sendlog", result: true, count: 2, logindex: 0 });
    expect(await storedPunches(sn)).toEqual(records.map((r) => ({ enrollid: r.enrollid, time: r.time, n: 1 })));
    t.close();
    // And HAProxy takes them back.
    await c.waitForLb();
  }, 90_000);

  test("an instance frozen mid-commit (SIGSTOP) holds up the others' ingest only until PostgreSQL ends its transaction", async () => {
    // Every record-inserting commit of the cluster takes one lock (ids in commit order); a frozen
    // or cut-off instance holding it must not stop the site: PostgreSQL ends its idle transaction.
    const frozen = c.instances[B] as (typeof c.instances)[number];
    const acked = new Set<string>();
    const sim = new Simulation({
      url: frozen.ws(), terminals: 5, batchSize: 50, rate: 0, duration: 0, records: 1_000_000, prefix: "FRZ",
      startTime: new Date("2026-06-01T08:00:00Z"), connectRate: 100, grace: 60, reconnectMs: 500, answerTimeoutMs: 30_000,
      onAck: (sn, records) => {
        for (const r of records) acked.add(`${sn}|${r.enrollid}|${r.time}`);
      },
    });
    void sim.run();
    await until("uploads to B to flow", () => acked.size >= 1000, 30_000);
    // B's session holds the records lock and waits, idle, inside its transaction.
    const lockHeldByIdle = async () => {
      const rows = (await c.sql`
        SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND a.state = 'idle in transaction'
          AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtext('tm20-records:' || ${c.schema})::bigint`) as Array<{ n: number }>;
      return (rows[0]?.n ?? 0) > 0;
    };
    const sn = "FRZA1";
    const t = await terminalOn(A, sn);
    let caught = false;
    let ackedAtFreeze = 0;
    try {
      for (let attempt = 0; attempt < 200 && !caught; attempt++) {
        frozen.proc.kill("SIGSTOP");
        await Bun.sleep(100);
        caught = await lockHeldByIdle();
        if (!caught) {
          frozen.proc.kill("SIGCONT");
          await Bun.sleep(20 + Math.random() * 50);
        }
      }
      expect(caught).toBe(true);
      ackedAtFreeze = acked.size;
      const startedAt = Date.now();
      expect(await sendlog(t, sn, 0, [punch(21, "2026-06-02 08:00:00")], 40_000)).toMatchObject({ result: true, count: 1, logindex: 0 });
      const waited = Date.now() - startedAt;
      // It did wait for the frozen instance's lock, and no longer than PostgreSQL's limit (15 s) and some slack.
      expect(waited).toBeGreaterThan(3000);
      expect(waited).toBeLessThan(30_000);
      expect(await lockHeldByIdle()).toBe(false);
    } finally {
      frozen.proc.kill("SIGCONT");
    }
    // B finds its transaction ended, answers result:false, and its terminals' resends go through.
    await until("B to acknowledge again", () => acked.size >= ackedAtFreeze + 500, 30_000);
    sim.stop();
    t.close();
    const rows = (await c.sql`SELECT sn, enrollid, time, count(*)::int AS n FROM attendance WHERE sn LIKE 'FRZ%' GROUP BY sn, enrollid, time`) as Array<{ sn: string; enrollid: number; time: string; n: number }>;
    const stored = new Map(rows.map((r) => [`${r.sn}|${r.enrollid}|${r.time}`, r.n]));
    expect([...acked].filter((k) => stored.get(k) !== 1)).toEqual([]);
    expect(rows.every((r) => r.n === 1)).toBe(true);
    expect(stored.get(`${sn}|21|2026-06-02 08:00:00`)).toBe(1);
    // HAProxy took the frozen instance out; it comes back.
    await c.waitForLb();
  }, 150_000);

  test("every acknowledged record is in PostgreSQL exactly once, also after the holding instance is killed -9 mid-upload", async () => {
    const acked = new Set<string>();
    const sim = new Simulation({
      url: c.lb.ws, terminals: 20, batchSize: 10, rate: 5, duration: 0, records: 200, prefix: "CLU",
      startTime: new Date("2026-03-01T08:00:00Z"), connectRate: 100, grace: 60, reconnectMs: 500, answerTimeoutMs: 5000,
      onAck: (sn, records) => {
        for (const r of records) acked.add(`${sn}|${r.enrollid}|${r.time}`);
      },
    });
    const connectedNow = async () => (await Promise.all(c.instances.map((_, i) => health(i)))).map((h) => h.terminals_connected);
    // The earlier tests' terminals are gone.
    await until("no terminal connected", async () => (await connectedNow()).every((n) => n === 0));
    const running = sim.run();
    await until("every terminal registered and 500 acknowledged records", () => sim.terminals.every((t) => t.stats.registered) && acked.size >= 500, 30_000);
    // Source-sticky: every simulated terminal (one source address) is on the same instance.
    const connected = await connectedNow();
    expect([...connected].sort()).toEqual([0, 0, 20]);
    const holderIndex = connected.indexOf(20);
    const holder = c.instances[holderIndex] as (typeof c.instances)[number];
    await holder.kill9();
    const ackedAtKill = acked.size;
    const summary = await running;
    // Still connected (sim.stop() disconnects them): the survivors hold them all and show them online.
    const survivors = [A, B, C].filter((k) => k !== holderIndex);
    const held = (await Promise.all(survivors.map((k) => health(k)))).reduce((n, h) => n + h.terminals_connected, 0);
    const listed = (await (await c.api(survivors[0] ?? A, "/api/v1/terminals")).json()) as { items: Array<{ sn: string; online: boolean }> };
    sim.stop();
    expect(held).toBe(20);
    expect(listed.items.filter((r) => r.sn.startsWith("CLU") && r.online)).toHaveLength(20);
    expect(ackedAtKill).toBeLessThan(20 * 200);
    expect(summary.acknowledged).toBe(20 * 200);
    expect(summary.reconnects).toBeGreaterThanOrEqual(20);
    expect(acked.size).toBe(20 * 200);
    const rows = (await c.sql`SELECT sn, enrollid, time, count(*)::int AS n FROM attendance WHERE sn LIKE 'CLU%' GROUP BY sn, enrollid, time`) as Array<{ sn: string; enrollid: number; time: string; n: number }>;
    const stored = new Map(rows.map((r) => [`${r.sn}|${r.enrollid}|${r.time}`, r.n]));
    for (const k of acked) expect(stored.get(k)).toBe(1);
    expect(rows).toHaveLength(20 * 200);
  }, 180_000);
});
