/**
 * Graceful shutdown: terminals are uploading when SIGTERM arrives; every record they were told
 * is stored must be in the database, and the process exits 0 within its bound.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "bun:test";
import { type SimRecord } from "../../src/simulator/terminal.ts";
import { Simulation } from "../../src/simulator/run.ts";
import { startTm20 } from "../helpers/server.ts";

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  test(`${signal} while 40 terminals upload: every acknowledged record is stored, exit 0`, async () => {
    const srv = await startTm20({ keepData: true });
    const acked: Array<{ sn: string; r: SimRecord }> = [];
    const sim = new Simulation({
      url: srv.ws(),
      terminals: 40,
      batchSize: 20,
      rate: 0,
      duration: 30,
      records: Infinity,
      prefix: `SD${signal}`,
      startTime: new Date("2026-03-01T08:00:00Z"),
      connectRate: 1000,
      grace: 0,
      reconnectMs: 60_000,
      onAck: (sn, records) => {
        for (const r of records) acked.push({ sn, r });
      },
    });
    const running = sim.run();
    while (acked.length < 5000) await Bun.sleep(20);
    expect(existsSync(join(srv.dataDir, "tm20.pid"))).toBe(true);
    const signalledAt = performance.now();
    srv.proc.kill(signal);
    const code = await srv.proc.exited;
    const tookMs = performance.now() - signalledAt;
    for (const term of sim.terminals) term.stopProducing();
    sim.stop();
    await running;
    expect(code).toBe(0);
    expect(tookMs).toBeLessThan(15_000); // the server's own bound is 10 s of draining
    expect(srv.logs.some((l) => l.msg === "stopped")).toBe(true);
    expect(existsSync(join(srv.dataDir, "tm20.pid"))).toBe(false);

    const db = srv.db();
    const stored = new Set(
      (db.query("SELECT sn, enrollid, time, inout FROM attendance").all() as Array<{ sn: string; enrollid: number; time: string; inout: number }>).map(
        (r) => `${r.sn}|${r.enrollid}|${r.time}|${r.inout}`,
      ),
    );
    const online = db.query("SELECT count(*) AS n FROM terminals WHERE online = 1").get();
    db.close();
    const missing = acked.filter(({ sn, r }) => !stored.has(`${sn}|${r.enrollid}|${r.time}|${r.inout}`));
    expect(missing.length).toBe(0);
    expect(stored.size).toBeGreaterThanOrEqual(acked.length);
    expect(online).toEqual({ n: 0 });
  }, 60_000);
}
