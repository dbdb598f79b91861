/**
 * PostgreSQL export end to end: a real `tm20 serve --pg-url`, real terminals uploading, the real
 * PostgreSQL. Whatever happens to the connection, PostgreSQL ends with exactly SQLite's rows.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { Simulation } from "../../src/simulator/run.ts";
import { openStore } from "../../src/store/open.ts";
import { runCli } from "../helpers/binary.ts";
import { closedPort, type PgScratch, pgScratch } from "../helpers/postgres.ts";
import { startTm20, type Tm20Process, tempDir } from "../helpers/server.ts";
import { connectTerminal } from "../helpers/terminal.ts";

const START = new Date("2026-03-01T08:00:00Z");
const IDENTITY = "sn || '|' || enrollid || '|' || time || '|' || mode || '|' || inout || '|' || event";
const DOOR_IDENTITY = "sn || '|' || time || '|' || mode || '|' || inout || '|' || event";

let cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => {});
  cleanup = [];
});

function sqliteKeys(srv: Tm20Process, table: "attendance" | "door_events"): string[] {
  const db = srv.db();
  try {
    const expr = table === "attendance" ? IDENTITY : DOOR_IDENTITY;
    return (db.query(`SELECT ${expr} AS k FROM ${table}`).all() as Array<{ k: string }>).map((r) => r.k).sort();
  } finally {
    db.close();
  }
}

async function pgKeys(pg: PgScratch, table: "attendance" | "door_events"): Promise<string[]> {
  const expr = (table === "attendance" ? IDENTITY : DOOR_IDENTITY).replace("time ||", "to_char(time, 'YYYY-MM-DD HH24:MI:SS') ||");
  const rows = (await pg.sql.unsafe(`SELECT ${expr} AS k FROM "${pg.schema}".${table}`)) as Array<{ k: string }>;
  return rows.map((r) => r.k).sort();
}

async function exportStatus(srv: Tm20Process) {
  const res = await srv.api("/api/v1/export/status");
  expect(res.status).toBe(200);
  return (await res.json()) as {
    enabled: boolean;
    state: string;
    target: string;
    last_error: string | null;
    streams: Record<"attendance" | "door_events", { last_id: number; exported: number; backlog: number }>;
    mirrored: { terminals: number; people: number };
  };
}

/** Waits until the exporter reports nothing left (polling the API, as an operator would). */
async function caughtUp(srv: Tm20Process, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await exportStatus(srv);
    if (s.state === "ok" && s.streams.attendance.backlog === 0 && s.streams.door_events.backlog === 0) return s;
    if (Date.now() > deadline) throw new Error(`export not caught up: ${JSON.stringify(s)}`);
    await Bun.sleep(100);
  }
}

async function upload(srv: Tm20Process, prefix: string, terminals: number, records: number, onAck?: () => void) {
  const sim = new Simulation({
    url: srv.ws(), terminals, batchSize: 50, rate: 0, duration: 0, records, prefix, startTime: START, connectRate: 1000, grace: 30,
    ...(onAck ? { onAck } : {}),
  });
  const summary = await sim.run();
  sim.stop();
  expect(summary.acknowledged).toBe(terminals * records);
  return summary;
}

/** A door event (enrollid 0) per terminal, so both streams are exercised. */
async function doorEvents(srv: Tm20Process, sn: string, n: number) {
  const t = await connectTerminal(srv.ws());
  await t.register(sn);
  const record = Array.from({ length: n }, (_, i) => ({ enrollid: 0, time: `2026-03-02 09:${String(i).padStart(2, "0")}:00`, mode: 0, inout: 0, event: 1 + (i % 6) }));
  t.send({ cmd: "sendlog", sn, count: n, logindex: 0, record });
  expect(await t.next((m) => m.ret === "sendlog")).toMatchObject({ result: true });
  t.close();
}

describe("PostgreSQL export", () => {
  test("connections killed again and again while exporting: PostgreSQL ends with exactly SQLite's rows", async () => {
    const pg = pgScratch("kill");
    cleanup.push(() => pg.drop());
    const srv = await startTm20({ args: ["--pg-url", pg.url, "--pg-schema", pg.schema] });
    cleanup.push(() => srv.stop());

    let acks = 0;
    let kills = 0;
    const killing: Array<Promise<void>> = [];
    await upload(srv, "PGK", 8, 2_500, () => {
      // Every 20th acknowledged batch, cut the exporter's connections (mid-transaction when it is busy).
      if (++acks % 20 === 0) killing.push(pg.terminateServerConnections().then((n) => void (kills += n)));
    });
    await doorEvents(srv, "PGKDOOR", 30);
    await Promise.all(killing);
    expect(kills).toBeGreaterThan(0);

    const status = await caughtUp(srv);
    expect(status.enabled).toBe(true);
    expect(status.target).not.toContain("application_name");
    const sqliteAttendance = sqliteKeys(srv, "attendance");
    expect(sqliteAttendance.length).toBe(20_000);
    expect(await pgKeys(pg, "attendance")).toEqual(sqliteAttendance);
    expect(await pgKeys(pg, "door_events")).toEqual(sqliteKeys(srv, "door_events"));
    const [dup] = (await pg.sql.unsafe(
      `SELECT count(*)::int AS n, count(DISTINCT (sn, enrollid, time, mode, inout, event))::int AS d FROM "${pg.schema}".attendance`,
    )) as Array<{ n: number; d: number }>;
    expect(dup).toEqual({ n: 20_000, d: 20_000 });
    // Terminals are mirrored too (9 registered: 8 uploaders and the door one).
    const mirrored = await srv.api("/api/v1/export/status").then((r) => r.json() as Promise<{ mirrored: { terminals: number } }>);
    expect(mirrored.mirrored.terminals).toBe(9);
  });

  test("PostgreSQL unreachable: ingest unaffected, backlog visible; after a restart with the right URL it catches up", async () => {
    const pg = pgScratch("down");
    cleanup.push(() => pg.drop());
    const dataDir = tempDir();
    cleanup.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const wrong = `postgres://postgres@127.0.0.1:${closedPort()}/test`;
    const down = await startTm20({ dataDir, args: ["--pg-url", wrong, "--pg-schema", pg.schema] });
    cleanup.push(() => down.stop());
    await upload(down, "PGD", 4, 500);
    await doorEvents(down, "PGDDOOR", 12);

    const deadline = Date.now() + 20_000;
    let status = await exportStatus(down);
    while (status.state !== "failing" && Date.now() < deadline) {
      await Bun.sleep(100);
      status = await exportStatus(down);
    }
    expect(status.state).toBe("failing");
    expect(status.last_error).not.toBeNull();
    expect(status.streams.attendance).toEqual({ last_id: 0, exported: 0, backlog: 2_000 });
    expect(status.streams.door_events).toEqual({ last_id: 0, exported: 0, backlog: 12 });
    const metrics = await (await down.api("/metrics")).text();
    expect(metrics).toContain("tm20_export_failing 1");
    expect((await down.api("/health")).status).toBe(200);
    expect(await down.stop()).toBe(0);

    const up = await startTm20({ dataDir, args: ["--pg-url", pg.url, "--pg-schema", pg.schema] });
    cleanup.push(() => up.stop());
    const after = await caughtUp(up);
    expect(after.streams.attendance.exported).toBe(2_000);
    expect(after.streams.door_events.exported).toBe(12);
    expect(await pgKeys(pg, "attendance")).toEqual(sqliteKeys(up, "attendance"));
    expect(await pgKeys(pg, "door_events")).toEqual(sqliteKeys(up, "door_events"));
    const metrics2 = await (await up.api("/metrics")).text();
    expect(metrics2).toContain("tm20_export_backlog_rows 0");
    expect(metrics2).toContain("tm20_export_failing 0");
  });

  test("kill -9 of the server mid-export, restart: same rows, no duplicates; tm20 export then has nothing left", async () => {
    const pg = pgScratch("crash");
    cleanup.push(() => pg.drop());
    const dataDir = tempDir();
    cleanup.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const total = 150_000;
    // A backlog written straight into the store (no PostgreSQL configured yet).
    const store = await openStore({ kind: "sqlite", dataDir });
    const punches = Array.from({ length: total }, (_, k) => {
      const t = new Date(START.getTime() + k * 1000).toISOString().replace("T", " ").slice(0, 19);
      return { enrollid: 1 + (k % 700), time: t, ts: START.getTime() + k * 1000, mode: 1, inout: k % 2, event: 0 };
    });
    await store.write([{ type: "punches", sn: "CRASH1", at: Date.now(), punches, quarantine: [] }]);
    store.close();

    const first = await startTm20({ dataDir, args: ["--pg-url", pg.url, "--pg-schema", pg.schema] });
    cleanup.push(() => first.stop());
    // Kill as soon as PostgreSQL holds some of the rows but not all (or, on a fast day, all of them).
    const deadline = Date.now() + 30_000;
    let seen = 0;
    while (Date.now() < deadline) {
      const exists = (await pg.sql`SELECT to_regclass(${`"${pg.schema}".attendance`}) AS t`) as Array<{ t: string | null }>;
      if (exists[0]?.t) {
        const [row] = (await pg.sql.unsafe(`SELECT count(*)::int AS n FROM "${pg.schema}".attendance`)) as Array<{ n: number }>;
        seen = row?.n ?? 0;
        if (seen > 0) break;
      }
      await Bun.sleep(20);
    }
    await first.kill9();
    expect(seen).toBeGreaterThan(0);

    const second = await startTm20({ dataDir, args: ["--pg-url", pg.url, "--pg-schema", pg.schema] });
    cleanup.push(() => second.stop());
    await caughtUp(second);
    const [counts] = (await pg.sql.unsafe(
      `SELECT count(*)::int AS n, count(DISTINCT (sn, enrollid, time, mode, inout, event))::int AS d FROM "${pg.schema}".attendance`,
    )) as Array<{ n: number; d: number }>;
    expect(counts).toEqual({ n: total, d: total });
    expect(await pgKeys(pg, "attendance")).toEqual(sqliteKeys(second, "attendance"));
    expect(await second.stop()).toBe(0);

    // One-shot: continues from the same cursor, so there is nothing left; --since re-sends a day, doubling nothing.
    const again = runCli(["export", "--data-dir", dataDir, "--pg-url", pg.url, "--pg-schema", pg.schema]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(": 0 attendance rows, 0 door events,");
    const since = runCli(["export", "--data-dir", dataDir, "--pg-url", pg.url, "--pg-schema", pg.schema, "--since", "2026-03-02"]);
    expect(since.code).toBe(0);
    const db = second.db();
    const fromDay = (db.query("SELECT count(*) AS n FROM attendance WHERE time >= '2026-03-02 00:00:00'").get() as { n: number }).n;
    db.close();
    expect(fromDay).toBeGreaterThan(0);
    expect(since.stdout).toContain(`: ${fromDay} attendance rows`);
    const [after] = (await pg.sql.unsafe(`SELECT count(*)::int AS n FROM "${pg.schema}".attendance`)) as Array<{ n: number }>;
    expect(after?.n).toBe(total);
    const bad = runCli(["export", "--data-dir", dataDir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--pg-url");
  });
});
