/**
 * Webhooks in cluster mode (issues 6 and 7): three `tm20 serve --cluster` instances behind
 * HAProxy (test/helpers/cluster.ts), a real HTTP receiver in this process. Each destination is
 * delivered by the one instance holding its lease; destinations are changed, and dead letters
 * seen and retried, through any instance; the holder killed with -9 in the middle of a delivery
 * is replaced within the lease time, and every record arrives, in order, with stable ids.
 * The tests share one cluster and run in order; the kill goes last.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import type { Server } from "bun";
import { Simulation } from "../../src/simulator/run.ts";
import { type Cluster, startCluster, until } from "../helpers/cluster.ts";
import { connectTerminal } from "../helpers/terminal.ts";

const LEASE_MS = 4000;
const TOKEN = "payroll-token-5d2e";
const HMAC_SECRET = "cluster-signing-secret-77";

interface WireRecord {
  id: string;
  type: string;
  seq: number;
  sn: string;
  enrollid: number;
  time: string;
}

interface Call {
  /** When it arrived (ms). */
  at: number;
  path: string;
  status: number;
  headers: Headers;
  raw: string;
  body: { batch_id: string; webhook: { id: number; name: string }; records: WireRecord[] };
}

interface WebhookView {
  id: number;
  url: string;
  status: { backlog: number; delivered: number; dead_letters: number; failed_attempts: number; last_error: string | null; last_success_at: number | null; instance: string | null };
}

let c: Cluster;
let rx: ReturnType<typeof receiver>;

/**
 * The receiver: /hook answers 200 (after `delayMs`, so that delivery takes a while), /down 503,
 * /refuse 422; `hold` keeps one call unanswered until released.
 */
function receiver() {
  const calls: Call[] = [];
  let hold: ((call: Call) => boolean) | null = null;
  let release: () => void = () => {};
  const state = { held: null as Call | null, delayMs: 0 };
  const server: Server<undefined> = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const path = new URL(req.url).pathname;
      const raw = await req.text();
      const status = path === "/hook" ? 200 : path === "/down" ? 503 : 422;
      const call: Call = { at: Date.now(), path, status, headers: req.headers, raw, body: JSON.parse(raw) as Call["body"] };
      calls.push(call);
      if (hold?.(call)) {
        hold = null;
        state.held = call;
        call.status = 0; // never answered: its sender is gone by the time it is released
        await new Promise<void>((resolve) => {
          release = resolve;
        });
      } else if (status === 200) await Bun.sleep(state.delayMs);
      return new Response(status === 200 ? "ok" : "no", { status });
    },
  });
  return {
    calls,
    state,
    url: (path: string) => `http://127.0.0.1:${server.port}${path}`,
    holdWhen(match: (call: Call) => boolean) {
      hold = match;
    },
    release: () => release(),
    stop: () => server.stop(true),
  };
}

beforeAll(async () => {
  rx = receiver();
  c = await startCluster({ args: ["--webhook-lease-ms", String(LEASE_MS), "--webhook-retry-base-ms", "100", "--webhook-retry-max-ms", "500"] });
}, 120_000);

afterAll(async () => {
  rx?.release();
  await c?.stop();
  rx?.stop();
});

async function json<T>(res: Response | Promise<Response>): Promise<T> {
  const r = await res;
  const text = await r.text();
  if (r.status >= 300) throw new Error(`HTTP ${r.status}: ${text}`);
  return JSON.parse(text) as T;
}

const post = (i: number, path: string, body?: unknown) =>
  c.api(i, path, { method: "POST", ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }) });
const patch = (i: number, path: string, body: unknown) => c.api(i, path, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const webhook = (i: number, id: number) => json<WebhookView>(c.api(i, `/api/v1/webhooks/${id}`));

/** Each instance's id, as /health names it (the lease holder is named the same way). */
async function instanceIds(): Promise<string[]> {
  return Promise.all(c.instances.map(async (t) => (await json<{ cluster: { instance: string } }>(fetch(`${t.http}/health`))).cluster.instance));
}

/** The index of the instance delivering destination `id`, once every live instance in `from` agrees on one. */
async function holderOf(id: number, from: number[]): Promise<number> {
  const ids = await instanceIds();
  let holder = -1;
  await until(`one holder of webhook ${id} seen from instances ${from}`, async () => {
    const seen = await Promise.all(from.map(async (i) => (await webhook(i, id)).status.instance));
    holder = ids.indexOf(seen[0] ?? "");
    return holder >= 0 && seen.every((s) => s === seen[0]);
  }, LEASE_MS * 3);
  return holder;
}

async function punches(instance: number, sn: string, times: string[]) {
  const t = await connectTerminal(c.instances[instance]?.ws() ?? "");
  expect(await t.register(sn)).toMatchObject({ result: true });
  const record = times.map((time, k) => ({ enrollid: 100 + k, time, mode: 1, inout: 0, event: 0 }));
  t.send({ cmd: "sendlog", sn, count: record.length, logindex: 0, record });
  expect(await t.next((m) => m.ret === "sendlog", 15_000)).toMatchObject({ result: true, count: record.length });
  t.close();
}

const signed = (call: Call) => call.headers.get("x-tm20-signature") === `sha256=${createHmac("sha256", HMAC_SECRET).update(call.raw).digest("hex")}`;

describe("webhooks in a cluster", () => {
  test("changes made on any instance reach the one delivering; status and dead letters are seen, and retried, from any instance", async () => {
    const created = await json<WebhookView>(post(0, "/api/v1/webhooks", { name: "strict", url: rx.url("/down"), batch_size: 100 }));
    const id = created.id;
    const holder = await holderOf(id, [0, 1, 2]);
    const [other, third] = [0, 1, 2].filter((i) => i !== holder) as [number, number];

    await punches(other, "STRICT1", ["2026-06-01 08:00:00", "2026-06-01 08:00:01", "2026-06-01 08:00:02", "2026-06-01 08:00:03", "2026-06-01 08:00:04"]);
    // Failing with back-off: visible from an instance that does not deliver it.
    await until("failed attempts seen elsewhere", async () => (await webhook(third, id)).status.failed_attempts >= 2);
    const failing = await webhook(third, id);
    expect(failing.status.last_error).toContain("HTTP 503");
    expect(failing.status.backlog).toBe(5);

    // A new URL set through another instance is used by the holder: the receiver refuses the batch, a dead letter.
    expect((await patch(other, `/api/v1/webhooks/${id}`, { url: rx.url("/refuse") })).status).toBe(200);
    await until("a dead letter seen from the third instance", async () => (await webhook(third, id)).status.dead_letters === 1, 15_000);
    const refused = rx.calls.filter((k) => k.path === "/refuse" && k.body.webhook.id === id);
    expect(refused).toHaveLength(1);
    const letters = await json<{ items: Array<{ id: number; batch_id: string; record_count: number; status: string; last_error: string }> }>(
      c.api(other, `/api/v1/webhooks/${id}/dead-letters`),
    );
    expect(letters.items).toHaveLength(1);
    const [letter] = letters.items as [(typeof letters.items)[number]];
    expect(letter).toMatchObject({ batch_id: refused[0]?.body.batch_id, record_count: 5, status: "dead" });
    expect(letter.last_error).toContain("HTTP 422");
    expect((await webhook(holder, id)).status.backlog).toBe(0);

    // Fixed on one instance, retried from another: delivered with the same batch and record ids.
    expect((await patch(other, `/api/v1/webhooks/${id}`, { url: rx.url("/hook") })).status).toBe(200);
    const retried = await json<{ delivered: boolean; status: string }>(post(third, `/api/v1/webhooks/${id}/dead-letters/${letter.id}/retry`));
    expect(retried).toMatchObject({ delivered: true, status: "delivered" });
    const replay = rx.calls.filter((k) => k.path === "/hook" && k.body.webhook.id === id);
    expect(replay.map((k) => k.body.batch_id)).toEqual([letter.batch_id]);
    expect(replay[0]?.body.records.map((r) => r.id)).toEqual(refused[0]?.body.records.map((r) => r.id));
    for (const i of [0, 1, 2]) expect((await webhook(i, id)).status.dead_letters).toBe(0);

    // The admin UI of an instance that does not deliver it shows the destination (webhooks are on in a cluster).
    const page = await fetch(`${c.instances[third]?.http}/integrations`, { headers: { cookie: await c.uiSession(third) } });
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain("strict");
    expect(html).not.toContain("Not available in a cluster");
    expect(html).toContain('href="/integrations/webhooks/new"');
    expect(html).toContain("Not used in a cluster: there PostgreSQL is the store itself.");
    expect(await json<{ enabled: boolean; reason: string }>(c.api(third, "/api/v1/export/status"))).toMatchObject({ enabled: false });
    expect((await c.api(holder, `/api/v1/webhooks/${id}`, { method: "DELETE" })).status).toBe(204);
  }, 60_000);

  test("punches uploaded through HAProxy arrive at least once, in commit order, ids stable; the holder killed -9 mid-delivery is replaced", async () => {
    rx.state.delayMs = 40;
    const created = await json<WebhookView>(
      post(1, "/api/v1/webhooks", { name: "payroll", url: rx.url("/hook"), bearer_token: TOKEN, hmac_secret: HMAC_SECRET, batch_size: 20, start: "now" }),
    );
    const id = created.id;
    const holder = await holderOf(id, [0, 1, 2]);
    const survivors = [0, 1, 2].filter((i) => i !== holder);
    const ids = await instanceIds();
    // A full batch after a few delivered ones is left unanswered; its sender is killed meanwhile.
    const mine = (k: Call) => k.body.webhook.id === id;
    rx.holdWhen((k) => mine(k) && k.body.records.length === 20 && rx.calls.filter(mine).length >= 4);

    const sim = new Simulation({
      url: c.lb.ws, terminals: 10, batchSize: 10, rate: 4, duration: 0, records: 100, prefix: "WHK",
      startTime: new Date("2026-06-02T07:00:00Z"), connectRate: 100, grace: 60, reconnectMs: 500, answerTimeoutMs: 5000,
    });
    const running = sim.run();
    await until("a batch in flight to be held", () => rx.state.held !== null, 30_000);
    const killedAt = Date.now();
    await c.instances[holder]?.kill9();
    rx.release();
    const summary = await running;
    sim.stop();
    expect(summary.acknowledged).toBe(1000);

    const rows = (await c.sql`SELECT id::int AS id, sn, enrollid::int AS enrollid, time FROM attendance WHERE sn LIKE 'WHK%' ORDER BY id`) as Array<{ id: number; sn: string; enrollid: number; time: string }>;
    expect(rows).toHaveLength(1000);
    const delivered = () => new Set(rx.calls.filter((k) => mine(k) && k.status === 200).flatMap((k) => k.body.records.map((r) => r.seq)));
    await until("every record delivered", () => delivered().size === 1000, 40_000, 100);

    const calls = rx.calls.filter(mine);
    const heldCall = rx.state.held as unknown as Call;
    // The new holder began with the batch left unanswered: the same batch, the same records.
    const after = calls.slice(calls.indexOf(heldCall) + 1);
    expect(after[0]?.body.batch_id).toBe(heldCall.body.batch_id);
    expect(after[0]?.body.records).toEqual(heldCall.body.records);
    // Every call, before and after the kill, carries the token and a valid signature (one secret.key for all).
    for (const k of calls) {
      expect(k.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
      expect(signed(k)).toBe(true);
    }
    // Every record, in commit order, none skipped: the first arrival of each is the table in id order.
    const accepted = calls.filter((k) => k.status === 200).flatMap((k) => k.body.records);
    const first = accepted.filter((r, i) => accepted.findIndex((x) => x.seq === r.seq) === i);
    expect(first.map((r) => r.seq)).toEqual(rows.map((r) => r.id));
    expect(first.map((r) => [r.sn, r.enrollid, r.time])).toEqual(rows.map((r) => [r.sn, r.enrollid, r.time]));
    // Stable ids: a record has one id however often it was sent, and distinct records have distinct ids.
    const idOf = new Map<number, string>();
    for (const r of calls.flatMap((k) => k.body.records)) {
      expect(idOf.get(r.seq) ?? r.id).toBe(r.id);
      idOf.set(r.seq, r.id);
    }
    expect(new Set(idOf.values()).size).toBe(1000);
    // Sent twice: only the held batch (at least once, never lost).
    expect(accepted.length).toBe(1000);

    // Taken over once the lease ran out (and at the latest a renewal period later), with room for a loaded machine.
    const takeover = (after[0]?.at ?? Infinity) - killedAt;
    expect(takeover).toBeLessThan(LEASE_MS * 2 + 5_000);

    // The status, from either survivor: caught up, delivered by one of them.
    await until("backlog 0 seen from the survivors", async () => (await Promise.all(survivors.map((i) => webhook(i, id)))).every((v) => v.status.backlog === 0 && v.status.delivered === 1000));
    const views = await Promise.all(survivors.map((i) => webhook(i, id)));
    const newHolder = views[0]?.status.instance ?? "";
    expect(survivors.map((i) => ids[i])).toContain(newHolder);
    for (const v of views) expect(v.status).toMatchObject({ backlog: 0, delivered: 1000, dead_letters: 0, failed_attempts: 0, instance: newHolder });
  }, 90_000);
});
