/**
 * Operations over a real server: /metrics (auth, contents), the connection limit and the
 * per-terminal message rate.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTm20, type Tm20Process } from "../helpers/server.ts";
import { connectTerminal, type TestTerminal } from "../helpers/terminal.ts";

/** The samples of an exposition, "name{labels}" → value. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const i = line.lastIndexOf(" ");
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

const record = (enrollid: number, second: number) => ({ enrollid, time: `2026-02-01 09:00:${String(second).padStart(2, "0")}`, mode: 1, inout: 0, event: 0 });

describe("GET /metrics", () => {
  let srv: Tm20Process;
  beforeAll(async () => {
    srv = await startTm20();
  });
  afterAll(async () => {
    await srv.stop();
  });

  test("needs an API token by default", async () => {
    const res = await fetch(`${srv.http}/metrics`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ code: "unauthorized", message: "an API token is required (Authorization: Bearer <token>)" });
    const bad = await fetch(`${srv.http}/metrics`, { headers: { authorization: "Bearer tm20_wrong" } });
    expect(bad.status).toBe(401);
  });

  test("counts connections, frames, answers, records, duplicates and commits", async () => {
    const before = samples(await (await srv.api("/metrics")).text());
    expect(before.get("tm20_connections_active")).toBe(0);
    expect(before.get("tm20_records_committed_total")).toBe(0);

    const t = await connectTerminal(srv.ws());
    expect(await t.register("MET1")).toMatchObject({ result: true });
    const batch = { cmd: "sendlog", sn: "MET1", count: 3, logindex: 0, record: [record(1, 0), record(2, 1), record(3, 2)] };
    t.send(batch);
    expect(await t.next((m) => m.ret === "sendlog")).toMatchObject({ result: true });
    t.send(batch);
    expect(await t.next((m) => m.ret === "sendlog")).toMatchObject({ result: true });

    const res = await srv.api("/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const m = samples(await res.text());
    expect(m.get("tm20_connections_active")).toBe(1);
    expect(m.get("tm20_terminals_registered")).toBe(1);
    expect(m.get("tm20_connections_max")).toBe(20000);
    expect(m.get('tm20_messages_total{direction="in"}')).toBe(3);
    // Three answers, plus whatever commands the server sent on its own (the clock check's gettime).
    expect(m.get('tm20_messages_total{direction="out"}')).toBe(t.received.length);
    expect(t.received.filter((f) => "ret" in f).length).toBe(3);
    expect(m.get("tm20_latency_seconds_count")).toBe(3);
    expect(m.get('tm20_latency_seconds_bucket{le="+Inf"}')).toBe(3);
    expect(m.get("tm20_records_committed_total")).toBe(3);
    expect(m.get("tm20_records_duplicate_total")).toBe(3);
    expect(m.get("tm20_records_quarantined_total")).toBe(0);
    expect(m.get("tm20_writer_queue_depth")).toBe(0);
    expect(m.get("tm20_writer_queue_limit")).toBe(200000);
    expect(m.get("tm20_store_failing")).toBe(0);
    // reg (1 write) and two batches of 3: at least 3 commits, 7 weighed writes in all.
    expect(m.get("tm20_commit_batch_records_sum")).toBe(7);
    expect(m.get("tm20_commit_duration_seconds_count")).toBe(m.get("tm20_commit_batch_records_count") as number);
    expect(m.get("tm20_process_resident_memory_bytes")).toBeGreaterThan(10_000_000);
    expect(m.has("tm20_event_loop_lag_seconds")).toBe(true);
    // Issue 11: p99 and max over the last minute, and /health says the same.
    expect(m.get("tm20_event_loop_lag_p99_seconds")).toBeGreaterThanOrEqual(0);
    expect(m.get("tm20_event_loop_lag_max_seconds")).toBeGreaterThanOrEqual(m.get("tm20_event_loop_lag_p99_seconds") as number);
    const health = (await (await fetch(`${srv.http}/health`)).json()) as { event_loop: Record<string, number> };
    expect(Object.keys(health.event_loop).sort()).toEqual(["lag_max_ms", "lag_ms", "lag_p99_ms"]);
    expect(health.event_loop.lag_max_ms).toBeGreaterThanOrEqual(health.event_loop.lag_p99_ms as number);
    expect(m.get(`tm20_build_info{version="${(await (await fetch(`${srv.http}/health`)).json() as { version: string }).version}"}`)).toBe(1);

    // The shipped alert rules and dashboard use only metrics that exist.
    const families = new Set([...(await (await srv.api("/metrics")).text()).matchAll(/^# TYPE (\S+)/gm)].map((x) => x[1]));
    for (const doc of ["docs/prometheus-alerts.yml", "docs/grafana-dashboard.json"]) {
      const used = new Set([...(await Bun.file(join(import.meta.dir, "../..", doc)).text()).matchAll(/\btm20_[a-z0-9_]+/g)].map((x) => x[0].replace(/_(bucket|sum|count)$/, "")));
      expect([...used].filter((name) => !families.has(name))).toEqual([]);
      expect(used.size).toBeGreaterThanOrEqual(9);
    }

    t.close();
    await t.closed;
    await srv.waitForLog("terminal disconnected");
    expect(samples(await (await srv.api("/metrics")).text()).get("tm20_connections_active")).toBe(0);
  });
});

describe("limits", () => {
  let srv: Tm20Process;
  beforeAll(async () => {
    srv = await startTm20({ args: ["--max-connections", "3", "--message-rate", "0.5", "--metrics-allow", "127.0.0.1,::1"] });
  });
  afterAll(async () => {
    await srv.stop();
  });

  test("/metrics is open to the allow-listed address without a token", async () => {
    const res = await fetch(`${srv.http}/metrics`);
    expect(res.status).toBe(200);
    expect(samples(await res.text()).get("tm20_connections_max")).toBe(3);
  });

  test("connections beyond --max-connections are refused with 503, and accepted again once one closes", async () => {
    const held: TestTerminal[] = [];
    for (let i = 0; i < 3; i++) held.push(await connectTerminal(srv.ws()));
    const refused = await fetch(`${srv.http}/pub/chat`, {
      headers: { upgrade: "websocket", connection: "Upgrade", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==", "sec-websocket-version": "13" },
    });
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("30");
    await expect(connectTerminal(srv.ws())).rejects.toThrow("cannot connect");
    const log = await srv.waitForLog("terminal connection refused: connection limit reached");
    expect(log).toMatchObject({ refused: 1, limit: 3, remote: "127.0.0.1" });
    // The HTTP side is not a terminal connection: it keeps working at the limit.
    expect((await fetch(`${srv.http}/health`)).status).toBe(200);
    const m = samples(await (await fetch(`${srv.http}/metrics`)).text());
    expect(m.get('tm20_connections_refused_total{reason="max_connections"}')).toBe(2);
    expect(m.get("tm20_connections_active")).toBe(3);

    held[0]?.close();
    await held[0]?.closed;
    let again: TestTerminal | null = null;
    for (let i = 0; i < 50 && !again; i++) again = await connectTerminal(srv.ws()).catch(() => Bun.sleep(20).then(() => null));
    expect(again).not.toBeNull();
    for (const t of [...held.slice(1), again as TestTerminal]) {
      t.close();
      await t.closed;
    }
    // The next test needs the slots back: wait until the server has seen the closes.
    while (samples(await (await fetch(`${srv.http}/metrics`)).text()).get("tm20_connections_active") !== 0) await Bun.sleep(10);
  });

  test("a terminal over --message-rate gets result:false with its numbers echoed, nothing stored; it recovers", async () => {
    const t = await connectTerminal(srv.ws());
    // Burst of 1 at 0.5/s: reg takes the only token.
    expect(await t.register("RATE1")).toMatchObject({ result: true });
    for (let i = 0; i < 4; i++) t.send({ cmd: "sendlog", sn: "RATE1", count: 1, logindex: i, record: [record(9, i)] });
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await t.next((m) => m.ret === "sendlog"));
    expect(answers).toEqual([0, 1, 2, 3].map((i) => ({ ret: "sendlog", result: false, reason: 1, count: 1, logindex: i })));
    const log = await srv.waitForLog("terminal over its message rate; answering result:false");
    expect(log).toMatchObject({ sn: "RATE1", cmd: "sendlog", limit: 0.5 });
    expect(srv.logs.filter((l) => l.msg === "terminal over its message rate; answering result:false").length).toBe(1);
    const db = srv.db();
    expect(db.query("SELECT count(*) AS n FROM attendance WHERE sn = 'RATE1'").get()).toEqual({ n: 0 });
    db.close();
    const m = samples(await (await fetch(`${srv.http}/metrics`)).text());
    expect(m.get('tm20_messages_refused_total{reason="rate"}')).toBe(4);

    await Bun.sleep(2100); // one token back at 0.5/s
    t.send({ cmd: "sendlog", sn: "RATE1", count: 1, logindex: 0, record: [record(9, 0)] });
    expect(await t.next((m) => m.ret === "sendlog")).toMatchObject({ result: true, count: 1, logindex: 0 });
    const db2 = srv.db();
    expect(db2.query("SELECT count(*) AS n FROM attendance WHERE sn = 'RATE1'").get()).toEqual({ n: 1 });
    db2.close();
    t.close();
  });
});
