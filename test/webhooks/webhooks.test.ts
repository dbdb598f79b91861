/**
 * Outgoing webhooks end to end: a real server, real terminals, and a real (misbehaving) HTTP
 * receiver in this process. Every record arrives, ids stay stable, order holds per destination.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Server } from "bun";
import { Simulation, serialOf } from "../../src/simulator/run.ts";
import { startTm20, type Tm20Process } from "../helpers/server.ts";
import { connectTerminal } from "../helpers/terminal.ts";

const START = new Date("2026-04-01T07:00:00Z");
const TOKEN = "hr-system-token-8c1f2a";
const HMAC_SECRET = "shared-signing-secret-42";

interface Received {
  status: number;
  headers: Headers;
  raw: string;
  body: { batch_id: string; webhook: { id: number; name: string }; records: Array<{ id: string; type: string; seq: number; sn: string; enrollid: number; time: string }> };
}

/** A receiver whose answer to the n-th call (1-based) is decided by `plan`. */
function receiver(plan: (n: number, body: Received["body"]) => "ok" | "garbage" | "hang" | number) {
  const calls: Received[] = [];
  const server: Server<undefined> = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const raw = await req.text();
      const body = JSON.parse(raw) as Received["body"];
      const what = plan(calls.length + 1, body);
      const status = what === "ok" || what === "garbage" || what === "hang" ? 200 : what;
      calls.push({ status, headers: req.headers, raw, body });
      if (what === "hang") await Bun.sleep(3_000);
      if (what === "garbage") return new Response("\u0000<<definitely not json>>", { status: 200 });
      return new Response(status === 200 ? '{"ok":true}' : "try later", { status });
    },
  });
  return { calls, url: `http://127.0.0.1:${server.port}/hook`, stop: () => server.stop(true) };
}

let cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function api(srv: Tm20Process, method: string, path: string, body?: unknown) {
  const res = await srv.api(path, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, any>) : null, text };
}

async function upload(srv: Tm20Process, prefix: string, terminals: number, records: number) {
  const sim = new Simulation({ url: srv.ws(), terminals, batchSize: 20, rate: 0, duration: 0, records, prefix, startTime: START, connectRate: 1000, grace: 30 });
  const summary = await sim.run();
  sim.stop();
  expect(summary.acknowledged).toBe(terminals * records);
}

async function doorEvents(srv: Tm20Process, sn: string, n: number) {
  const t = await connectTerminal(srv.ws());
  await t.register(sn);
  const record = Array.from({ length: n }, (_, i) => ({ enrollid: 0, time: `2026-04-02 10:${String(i).padStart(2, "0")}:00`, mode: 0, inout: 0, event: 5 }));
  t.send({ cmd: "sendlog", sn, count: n, logindex: 0, record });
  expect(await t.next((m) => m.ret === "sendlog")).toMatchObject({ result: true });
  t.close();
}

async function until<T>(what: string, probe: () => Promise<T | null> | T | null, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== null) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(50);
  }
}

function storedCount(srv: Tm20Process, sql: string): number {
  const db = srv.db();
  try {
    return (db.query(sql).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** Records of the answered-2xx calls, in the order the receiver accepted them. */
const accepted = (calls: Received[]) => calls.filter((c) => c.status === 200).flatMap((c) => c.body.records);

function expectOrdered(records: Received["body"]["records"]) {
  for (const type of ["attendance", "door_event"]) {
    const seqs = records.filter((r) => r.type === type).map((r) => r.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
  }
}

describe("webhooks", () => {
  test("failing, timing out and garbage-answering receiver: every record delivered, ids stable, order kept", async () => {
    const rx = receiver((n) => (n <= 3 ? 503 : n === 4 ? "hang" : n === 5 ? "garbage" : n === 7 ? 500 : "ok"));
    cleanup.push(rx.stop);
    const srv = await startTm20({ args: ["--webhook-retry-base-ms", "50", "--webhook-retry-max-ms", "400"] });
    cleanup.push(() => srv.stop());

    const created = await api(srv, "POST", "/api/v1/webhooks", {
      name: "payroll", url: rx.url, bearer_token: TOKEN, hmac_secret: HMAC_SECRET, event_types: ["attendance", "door_event"],
      batch_size: 50, timeout_ms: 500,
    });
    expect(created.status).toBe(201);
    expect(created.text).not.toContain(TOKEN);
    expect(created.text).not.toContain(HMAC_SECRET);
    expect(created.json?.auth_header).toEqual({ name: "Authorization", value_set: true });
    expect(created.json?.signed).toBe(true);
    const id = created.json?.id as number;

    await upload(srv, "WH", 3, 200);
    await doorEvents(srv, "WHDOOR", 15);
    const total = 615;
    expect(storedCount(srv, "SELECT (SELECT count(*) FROM attendance) + (SELECT count(*) FROM door_events) AS n")).toBe(total);

    await until("every record accepted", () => (new Set(accepted(rx.calls).map((r) => r.id)).size === total ? true : null));
    const status = await until("backlog 0", async () => {
      const s = (await api(srv, "GET", `/api/v1/webhooks/${id}`)).json;
      return s?.status.backlog === 0 && !s.status.in_flight ? s : null;
    });

    // The script played out: three 503s, one time-out, a 200 with garbage (success), …
    expect(rx.calls.slice(0, 5).map((c) => c.status)).toEqual([503, 503, 503, 200, 200]);
    // … and every attempt at one batch carried the same batch and the same record ids.
    const byBatch = new Map<string, string>();
    for (const c of rx.calls) {
      const ids = c.body.records.map((r) => r.id).join(",");
      expect(byBatch.get(c.body.batch_id) ?? ids).toBe(ids);
      byBatch.set(c.body.batch_id, ids);
      expect(c.headers.get("x-tm20-batch-id")).toBe(c.body.batch_id);
    }
    expect(new Set(rx.calls.slice(0, 4).map((c) => c.body.batch_id)).size).toBe(1);

    // Accepted batches, in order, hold each record exactly once and in commit order per type.
    const delivered = accepted(rx.calls);
    const firstSeen = delivered.filter((r, i) => delivered.findIndex((x) => x.id === r.id) === i);
    expectOrdered(firstSeen);
    expect(firstSeen.filter((r) => r.type === "door_event").length).toBe(15);
    expect(firstSeen.filter((r) => r.type === "door_event").every((r) => r.enrollid === 0 && r.sn === "WHDOOR")).toBe(true);
    // Ids are the record's identity: distinct records, distinct ids.
    expect(new Set(firstSeen.map((r) => `${r.sn}|${r.enrollid}|${r.time}|${r.type}`)).size).toBe(total);

    // Auth header and signature on every call.
    for (const c of rx.calls) {
      expect(c.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
      expect(c.headers.get("content-type")).toBe("application/json");
      expect(c.headers.get("x-tm20-signature")).toBe(`sha256=${createHmac("sha256", HMAC_SECRET).update(c.raw).digest("hex")}`);
    }

    expect(status.status.delivered).toBe(total);
    expect(status.status.dead_letters).toBe(0);
    expect(status.status.failed_attempts).toBe(0);
    expect(status.status.last_success_at).toBeGreaterThan(0);
    expect(status.status.last_error).toContain("HTTP 500");
    expect(JSON.stringify(status)).not.toContain(TOKEN);

    // Secrets are sealed at rest: neither the token nor the HMAC key is in the database file.
    const dbBytes = readFileSync(join(srv.dataDir, "tm20.db")).toString("latin1") + readFileSync(join(srv.dataDir, "tm20.db-wal")).toString("latin1");
    expect(dbBytes).not.toContain(TOKEN);
    expect(dbBytes).not.toContain(HMAC_SECRET);
    expect(await srv.stop()).toBe(0);
  });

  test("a rejected batch becomes a dead letter (the rest flows on); retry delivers it; filters and admin routes", async () => {
    let reject = true;
    const rxA = receiver((n) => (n === 1 && reject ? 422 : "ok"));
    const rxB = receiver(() => "ok");
    cleanup.push(rxA.stop, rxB.stop);
    const srv = await startTm20({ args: ["--webhook-retry-base-ms", "50", "--webhook-retry-max-ms", "400"] });
    cleanup.push(() => srv.stop());

    expect((await fetch(`${srv.http}/api/v1/webhooks`)).status).toBe(401);
    expect((await api(srv, "POST", "/api/v1/webhooks", { name: "x", url: "ftp://nope" })).status).toBe(400);
    expect((await api(srv, "POST", "/api/v1/webhooks", { name: "x", url: rxA.url, surprise: 1 })).status).toBe(400);

    const a = (await api(srv, "POST", "/api/v1/webhooks", { name: "all", url: rxA.url, event_types: ["attendance", "door_event"], batch_size: 30 })).json;
    const b = (await api(srv, "POST", "/api/v1/webhooks", { name: "one terminal", url: rxB.url, terminals: [serialOf("DLQ", 0)], auth_header: { name: "X-Api-Key", value: "k-123" } })).json;
    expect(b?.auth_header).toEqual({ name: "X-Api-Key", value_set: true });

    await upload(srv, "DLQ", 2, 90);
    await doorEvents(srv, "DLQDOOR", 4);
    const total = 184;

    const deadLetters = await until("one dead letter and the rest delivered", async () => {
      const s = (await api(srv, "GET", `/api/v1/webhooks/${a?.id}`)).json;
      return s?.status.backlog === 0 && s.status.dead_letters === 1 ? (await api(srv, "GET", `/api/v1/webhooks/${a?.id}/dead-letters`)).json : null;
    });
    const letter = deadLetters?.items[0];
    expect(deadLetters?.items.length).toBe(1);
    expect(letter.status).toBe("dead");
    expect(letter.attempts).toBe(1);
    expect(letter.last_error).toContain("HTTP 422");
    const rejected = rxA.calls[0];
    if (!rejected) throw new Error("the receiver saw no call");
    expect(rejected.status).toBe(422);
    expect(letter.batch_id).toBe(rejected.body.batch_id);
    expect(letter.record_count).toBe(rejected.body.records.length);
    expect((letter.records as Array<{ id: string }>).map((r) => r.id)).toEqual(rejected.body.records.map((r) => r.id));
    // Everything but the rejected batch went through, in order.
    const firstRound = accepted(rxA.calls);
    expect(firstRound.length).toBe(total - rejected.body.records.length);
    expectOrdered(firstRound);

    reject = false;
    const retried = await api(srv, "POST", `/api/v1/webhooks/${a?.id}/dead-letters/${letter.id}/retry`);
    expect(retried.status).toBe(200);
    expect(retried.json?.delivered).toBe(true);
    expect(retried.json?.status).toBe("delivered");
    const replay = rxA.calls[rxA.calls.length - 1];
    expect(replay?.body.batch_id).toBe(rejected.body.batch_id);
    expect(new Set(accepted(rxA.calls).map((r) => r.id)).size).toBe(total);
    expect((await api(srv, "POST", `/api/v1/webhooks/${a?.id}/dead-letters/${letter.id}/retry`)).status).toBe(409);
    expect((await api(srv, "GET", `/api/v1/webhooks/${a?.id}`)).json?.status.dead_letters).toBe(0);

    // B: only the first terminal, attendance only, with its own header.
    await until("B caught up", async () => ((await api(srv, "GET", `/api/v1/webhooks/${b?.id}`)).json?.status.backlog === 0 ? true : null));
    const bRecords = accepted(rxB.calls);
    expect(bRecords.length).toBe(90);
    expect(bRecords.every((r) => r.sn === serialOf("DLQ", 0) && r.type === "attendance")).toBe(true);
    expectOrdered(bRecords);
    expect(rxB.calls.every((c) => c.headers.get("x-api-key") === "k-123" && c.headers.get("x-tm20-signature") === null)).toBe(true);

    // PATCH pauses and changes; DELETE removes; both audited.
    const patched = await api(srv, "PATCH", `/api/v1/webhooks/${b?.id}`, { enabled: false, name: "paused" });
    expect(patched.json).toMatchObject({ enabled: false, name: "paused" });
    expect((await api(srv, "PATCH", `/api/v1/webhooks/${b?.id}`, { batch_size: 0 })).status).toBe(400);
    expect((await api(srv, "DELETE", `/api/v1/webhooks/${b?.id}`)).status).toBe(204);
    expect((await api(srv, "GET", `/api/v1/webhooks/${b?.id}`)).status).toBe(404);
    expect((await api(srv, "GET", "/api/v1/webhooks")).json?.items.map((w: { name: string }) => w.name)).toEqual(["all"]);
    const db = srv.db();
    const actions = (db.query("SELECT action FROM audit_log WHERE action LIKE 'webhook.%' ORDER BY id").all() as Array<{ action: string }>).map((r) => r.action);
    db.close();
    expect(actions).toEqual(["webhook.create", "webhook.create", "webhook.dead-letter.retry", "webhook.update", "webhook.delete"]);
  });
});
