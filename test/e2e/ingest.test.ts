/**
 * Ingest end to end: simulated terminals against a real server process and its SQLite file.
 */
import { describe, expect, test } from "bun:test";
import { type SimRecord, simRecord } from "../../src/simulator/terminal.ts";
import { Simulation } from "../../src/simulator/run.ts";
import { startTm20, tempDir } from "../helpers/server.ts";
import { connectTerminal } from "../helpers/terminal.ts";

const START = new Date("2026-03-01T08:00:00Z");
const key = (sn: string, r: SimRecord) => `${sn}|${r.enrollid}|${r.time}|${r.mode}|${r.inout}|${r.event}`;

function storedKeys(db: ReturnType<Awaited<ReturnType<typeof startTm20>>["db"]>): string[] {
  return (db.query("SELECT sn, enrollid, time, mode, inout, event FROM attendance").all() as Array<SimRecord & { sn: string }>).map((r) =>
    key(r.sn, r),
  );
}

describe("ingest", () => {
  test("many terminals × many batches → exactly one row per distinct record", async () => {
    const srv = await startTm20();
    try {
      const acked = new Set<string>();
      const sim = new Simulation({
        url: srv.ws("/ws/tm20/"), terminals: 40, batchSize: 25, rate: 0, duration: 0, records: 250,
        prefix: "MANY", startTime: START, connectRate: 1000, grace: 30,
        onAck: (sn, records) => {
          for (const r of records) acked.add(key(sn, r));
        },
      });
      const summary = await sim.run();
      sim.stop();
      expect(summary.sent).toBe(10_000);
      expect(summary.acknowledged).toBe(10_000);
      expect(summary.failures).toBe(0);
      const db = srv.db();
      const rows = storedKeys(db);
      db.close();
      expect(rows.length).toBe(10_000);
      expect(new Set(rows)).toEqual(acked);
    } finally {
      await srv.stop();
    }
  });

  test("every batch resent after a lost answer: no duplicate rows, every answer positive, count echoed", async () => {
    const srv = await startTm20();
    try {
      const t = await connectTerminal(srv.ws());
      await t.register("RESEND1");
      for (let batch = 0; batch < 20; batch++) {
        const record = Array.from({ length: 10 }, (_, i) => simRecord(batch * 10 + i, START));
        // The first send's answer is "lost": the terminal sends the batch again, as units do.
        for (let attempt = 0; attempt < 2; attempt++) {
          t.send({ cmd: "sendlog", sn: "RESEND1", count: 10, logindex: batch, record });
          const answer = await t.next((m) => m.ret === "sendlog");
          expect(answer).toMatchObject({ ret: "sendlog", result: true, count: 10, logindex: batch });
        }
      }
      // And once more after a reconnect, on a new socket.
      t.close();
      const t2 = await connectTerminal(srv.ws());
      await t2.register("RESEND1");
      t2.send({ cmd: "sendlog", sn: "RESEND1", count: "10", logindex: 0, record: Array.from({ length: 10 }, (_, i) => simRecord(i, START)) });
      expect(await t2.next((m) => m.ret === "sendlog")).toMatchObject({ result: true, count: "10", logindex: 0 });
      t2.close();
      const db = srv.db();
      expect(db.query("SELECT count(*) AS n FROM attendance WHERE sn = 'RESEND1'").get()).toEqual({ n: 200 });
      expect(db.query("SELECT count(DISTINCT time) AS n FROM attendance WHERE sn = 'RESEND1'").get()).toEqual({ n: 200 });
      db.close();
    } finally {
      await srv.stop();
    }
  });

  test("kill -9 mid-upload, restart, terminals resend: every acknowledged record stored, none twice", async () => {
    const dataDir = tempDir();
    const first = await startTm20({ dataDir });
    const port = first.port;
    const ackedBeforeKill = new Set<string>();
    const allAcked = new Set<string>();
    let killed = false;
    const sim = new Simulation({
      url: first.ws(), terminals: 30, batchSize: 20, rate: 0, duration: 0, records: 600,
      prefix: "KILL", startTime: START, connectRate: 1000, grace: 60, reconnectMs: 200, answerTimeoutMs: 3000,
      onAck: (sn, records) => {
        for (const r of records) {
          allAcked.add(key(sn, r));
          if (!killed) ackedBeforeKill.add(key(sn, r));
        }
      },
    });
    const running = sim.run();
    // Kill once a good part of the upload is acknowledged, while batches are in flight.
    while (ackedBeforeKill.size < 4000) await Bun.sleep(10);
    await first.kill9();
    killed = true;
    const killedAt = ackedBeforeKill.size;
    // Same port, so the terminals' reconnects find the new process.
    const second = await startTm20({ dataDir, args: ["--port", String(port)] });
    try {
      const summary = await running;
      sim.stop();
      expect(killedAt).toBeLessThan(18_000);
      expect(summary.acknowledged).toBe(18_000);
      const db = second.db();
      const rows = storedKeys(db);
      db.close();
      expect(rows.length).toBe(18_000);
      const stored = new Set(rows);
      expect(stored.size).toBe(18_000);
      for (const k of ackedBeforeKill) expect(stored.has(k)).toBe(true);
      expect(stored).toEqual(allAcked);
    } finally {
      await second.stop();
    }
  });
});
