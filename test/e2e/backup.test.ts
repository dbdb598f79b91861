/**
 * Data safety: online backup while terminals upload, backup download over the API, restore
 * (refused under a live server), and retention of photos, quarantine and (opt-in) attendance.
 */
import { Database } from "bun:sqlite";
import { existsSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "bun:test";
import { SiteClock } from "../../src/protocol/index.ts";
import { Simulation } from "../../src/simulator/run.ts";
import { tm20Binary } from "../helpers/binary.ts";
import { runCli } from "../helpers/binary.ts";
import { startTm20, tempDir } from "../helpers/server.ts";
import { connectTerminal } from "../helpers/terminal.ts";

async function cli(args: string[]) {
  // Async: the test's own simulated terminals keep running while the command does.
  const proc = Bun.spawn([tm20Binary(), ...args], { stdout: "pipe", stderr: "pipe" });
  const [code, stdout, stderr] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  return { code, stdout, stderr };
}

const count = (file: string, table: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return (db.query(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
};

const integrity = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return db.query("PRAGMA integrity_check").all();
  } finally {
    db.close();
  }
};

describe("backup and restore", () => {
  test("tm20 backup while 30 terminals upload: a consistent, verified copy; restore refuses a live server, then brings it back", async () => {
    const srv = await startTm20({ keepData: true });
    const out = join(tempDir("tm20-backup-"), "site.db");
    let acked = 0;
    const sim = new Simulation({
      url: srv.ws(), terminals: 30, batchSize: 20, rate: 0, duration: 30, records: Infinity, prefix: "BK",
      startTime: new Date("2026-03-02T08:00:00Z"), connectRate: 1000, grace: 0,
      onAck: (_sn, records) => {
        acked += records.length;
      },
    });
    const running = sim.run();
    while (acked < 3000) await Bun.sleep(20);
    const backup = await cli(["backup", "--data-dir", srv.dataDir, "--out", out]);
    const ackedAtBackupEnd = acked;
    expect(backup.stderr).toBe("");
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(/^Backup written to .*site\.db: \d+ bytes, \d+ attendance records, integrity ok\.\n$/);
    expect(integrity(out)).toEqual([{ integrity_check: "ok" }]);
    expect(existsSync(`${out}.partial`)).toBe(false);
    const inBackup = count(out, "attendance");
    expect(inBackup).toBeGreaterThanOrEqual(3000);
    expect(inBackup).toBeLessThanOrEqual(ackedAtBackupEnd + 30 * 20);

    // Restore is refused while the server runs.
    const refused = await cli(["restore", out, "--data-dir", srv.dataDir]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^tm20: restore: a server \(pid \d+\) is running on .*; stop it first\n$/);

    for (const term of sim.terminals) term.stopProducing();
    sim.stop();
    await running;
    expect(await srv.stop()).toBe(0);
    const dbFile = join(srv.dataDir, "tm20.db");
    const finalCount = count(dbFile, "attendance");
    expect(finalCount).toBeGreaterThan(inBackup);
    // Every row of the backup is in the live store: it is a snapshot, not a mix.
    const live = new Database(dbFile, { readonly: true });
    live.run(`ATTACH '${out}' AS b`);
    expect(live.query("SELECT count(*) AS n FROM b.attendance x JOIN main.attendance y USING (sn, enrollid, time, mode, inout, event)").get()).toEqual({ n: inBackup });
    live.close();

    const restored = await cli(["restore", out, "--data-dir", srv.dataDir]);
    expect(restored.stderr).toBe("");
    expect(restored.code).toBe(0);
    expect(restored.stdout).toContain(`${inBackup} attendance records, integrity ok.`);
    const kept = readdirSync(srv.dataDir).filter((n) => n.startsWith("tm20.db.before-restore-"));
    expect(kept.length).toBe(1);
    expect(count(join(srv.dataDir, kept[0] as string), "attendance")).toBe(finalCount);
    expect(count(dbFile, "attendance")).toBe(inBackup);

    const again = await startTm20({ dataDir: srv.dataDir });
    const stats = (await (await again.api("/api/v1/stats")).json()) as { attendance_total: number };
    expect(stats.attendance_total).toBe(inBackup);
    await again.stop();
    rmSync(srv.dataDir, { recursive: true, force: true });
  }, 60_000);

  test("backup refuses an existing target; restore refuses what is not a TM20 store", async () => {
    const dir = tempDir();
    const other = tempDir();
    expect(runCli(["token", "create", "--name", "x", "--data-dir", dir]).code).toBe(0);
    const target = join(other, "exists.db");
    writeFileSync(target, "not a database\n".repeat(300));
    const b = runCli(["backup", "--data-dir", dir, "--out", target]);
    expect(b.code).toBe(2);
    expect(b.stderr).toBe(`tm20: ${target} already exists; choose another name\n`);
    const r = runCli(["restore", target, "--data-dir", dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`tm20: restore: ${target} is not a SQLite database\n`);
    const plain = join(other, "plain.db");
    new Database(plain, { create: true }).run("CREATE TABLE t (x)");
    const p = runCli(["restore", plain, "--data-dir", dir]);
    expect(p.code).toBe(2);
    expect(p.stderr).toBe(`tm20: restore: ${plain} is not a TM20 store (no _migrations table)\n`);
    rmSync(dir, { recursive: true, force: true });
    rmSync(other, { recursive: true, force: true });
  });

  test("GET /api/v1/backup streams a verified snapshot to token holders, audited, leaving no temp file", async () => {
    const srv = await startTm20();
    const t = await connectTerminal(srv.ws());
    await t.register("DL1");
    t.send({ cmd: "sendlog", sn: "DL1", count: 2, logindex: 0, record: [
      { enrollid: 1, time: "2026-03-03 08:00:00", mode: 1, inout: 0, event: 0 },
      { enrollid: 2, time: "2026-03-03 08:00:01", mode: 1, inout: 0, event: 0 },
    ] });
    await t.next((m) => m.ret === "sendlog");
    expect((await fetch(`${srv.http}/api/v1/backup`)).status).toBe(401);
    const res = await srv.api("/api/v1/backup");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/vnd.sqlite3");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="tm20-backup-\d{8}-\d{6}\.db"$/);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(new TextDecoder().decode(bytes.slice(0, 15))).toBe("SQLite format 3");
    const file = join(tempDir("tm20-dl-"), "dl.db");
    writeFileSync(file, bytes);
    expect(integrity(file)).toEqual([{ integrity_check: "ok" }]);
    expect(count(file, "attendance")).toBe(2);
    expect(readdirSync(srv.dataDir).filter((n) => n.startsWith(".backup-"))).toEqual([]);
    const db = srv.db();
    expect(db.query("SELECT actor, action, result FROM audit_log WHERE action = 'backup.download'").all()).toEqual([
      { actor: "token:test", action: "backup.download", result: "ok" },
    ]);
    db.close();
    t.close();
    await srv.stop();
  }, 30_000);
});

describe("retention", () => {
  test("old photos and quarantine are pruned on schedule; attendance only with --attendance-retention-days", async () => {
    const first = await startTm20({ keepData: true });
    const t = await connectTerminal(first.ws());
    await t.register("RET1");
    const recent = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    t.send({ cmd: "sendlog", sn: "RET1", count: 5, logindex: 0, record: [
      { enrollid: 1, time: "2020-01-01 08:00:00", mode: 1, inout: 0, event: 0, image: "AAAA" },
      { enrollid: 2, time: "2020-01-01 08:00:01", mode: 1, inout: 0, event: 0, image: "BBBB" },
      { enrollid: 3, time: `${recent} 08:00:00`, mode: 1, inout: 0, event: 0, image: "CCCC" },
      { enrollid: 0, time: "2020-01-01 09:00:00", mode: 0, inout: 0, event: 1 },
      { enrollid: 4, time: "2020-99-01 08:00:00", mode: 1, inout: 0, event: 0 },
    ] });
    expect(await t.next((m) => m.ret === "sendlog")).toMatchObject({ result: true });
    t.send({ cmd: "sendlog", sn: "RET1", count: 1, logindex: 1, record: [{ enrollid: 5, time: "2020-99-02 08:00:00", mode: 1, inout: 0, event: 0 }] });
    await t.next((m) => m.ret === "sendlog");
    t.close();
    expect(await first.stop()).toBe(0);

    // Age two photos and one quarantined record past 90 days (received_at is when the server got them).
    const old = Date.now() - 100 * 86_400_000;
    const w = new Database(join(first.dataDir, "tm20.db"));
    w.run(`UPDATE punch_photos SET received_at = ${old} WHERE data IN ('AAAA', 'CCCC')`);
    w.run(`UPDATE quarantine SET received_at = ${old} WHERE raw LIKE '%2020-99-01%'`);
    w.close();

    const srv = await startTm20({ dataDir: first.dataDir });
    const pruned = await srv.waitForLog("retention: pruned old data", 15_000);
    expect(pruned).toMatchObject({ photos: 2, quarantine: 1, attendance: 0, doorEvents: 0 });
    const db = srv.db();
    expect(db.query("SELECT data FROM punch_photos").all()).toEqual([{ data: "BBBB" }]);
    expect(db.query("SELECT count(*) AS n FROM quarantine").get()).toEqual({ n: 1 });
    expect(db.query("SELECT count(*) AS n FROM attendance").get()).toEqual({ n: 3 });
    expect(db.query("SELECT count(*) AS n FROM door_events").get()).toEqual({ n: 1 });
    expect(db.query("SELECT actor, action, result FROM audit_log WHERE action = 'retention.prune'").all()).toEqual([
      { actor: "system", action: "retention.prune", result: "ok" },
    ]);
    db.close();
    await srv.stop();

    const opted = await startTm20({ dataDir: first.dataDir, args: ["--attendance-retention-days", "365"] });
    expect(await opted.waitForLog("retention: pruned old data", 15_000)).toMatchObject({ photos: 1, quarantine: 0, attendance: 2, doorEvents: 1 });
    const db2 = opted.db();
    expect(db2.query("SELECT enrollid FROM attendance").all()).toEqual([{ enrollid: 3 }]);
    expect(db2.query("SELECT count(*) AS n FROM punch_photos").get()).toEqual({ n: 0 });
    expect(db2.query("SELECT count(*) AS n FROM door_events").get()).toEqual({ n: 0 });
    db2.close();
    const m = await (await opted.api("/metrics")).text();
    expect(m).toContain('tm20_retention_pruned_total{table="attendance"} 2\n');
    await opted.stop();
    rmSync(first.dataDir, { recursive: true, force: true });
  }, 60_000);

  test("attendance retention keeps what the PostgreSQL export, a webhook or an HR destination has not delivered, and cuts in the site's time zone", async () => {
    const first = await startTm20({ keepData: true, args: ["--tz", "UTC"] });
    const t = await connectTerminal(first.ws());
    await t.register("RET2");
    const utc = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace("T", " ");
    // Older than one day in the site's zone (UTC+14), not in the --tz flag's UTC.
    const edge = utc(Date.now() - 86_400_000 + 7 * 3600_000);
    t.send({ cmd: "sendlog", sn: "RET2", count: 6, logindex: 0, record: [
      { enrollid: 1, time: edge, mode: 1, inout: 0, event: 0 },
      { enrollid: 2, time: "2020-01-01 08:00:00", mode: 1, inout: 0, event: 0 },
      { enrollid: 3, time: "2020-01-01 08:01:00", mode: 1, inout: 0, event: 0 },
      { enrollid: 4, time: "2020-01-01 08:02:00", mode: 1, inout: 0, event: 0 },
      { enrollid: 0, time: "2020-01-01 09:00:00", mode: 0, inout: 0, event: 1 },
      { enrollid: 0, time: "2020-01-01 09:01:00", mode: 0, inout: 0, event: 1 },
    ] });
    expect(await t.next((m) => m.ret === "sendlog")).toMatchObject({ result: true });
    t.close();
    // A destination that refuses connections: it delivers nothing.
    const hook = await first.api("/api/v1/webhooks", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "payroll", url: "http://127.0.0.1:9/punches", event_types: ["attendance", "door_event"], start: "beginning" }),
    });
    expect(hook.status).toBe(201);
    // An HR destination that has sent fewer punches still holds the rest back.
    const hr = await first.api("/api/v1/hr-destinations", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ kind: "erpnext", name: "ERPNext", url: "http://127.0.0.1:9", start: "beginning", maxAttempts: 1000 }),
    });
    expect(hr.status).toBe(201);
    expect(await first.stop()).toBe(0);

    const w = new Database(join(first.dataDir, "tm20.db"));
    // As if the webhook had delivered attendance rows 1-3 and door event 1; the site zone saved in the UI.
    w.run("UPDATE webhooks SET attendance_cursor = 3, door_cursor = 1");
    w.run("UPDATE hr_destinations SET cursor = 2");
    w.run(`INSERT INTO settings (key, value, updated_at) VALUES ('tz', 'Pacific/Kiritimati', ${Date.now()})`);
    w.close();
    const ids = (srv: Awaited<ReturnType<typeof startTm20>>, table: string) => {
      const db = srv.db();
      try {
        return (db.query(`SELECT id FROM ${table} ORDER BY id`).all() as Array<{ id: number }>).map((r) => r.id);
      } finally {
        db.close();
      }
    };

    // With a PostgreSQL export that has exported nothing (unreachable), nothing old may go.
    const exporting = await startTm20({ dataDir: first.dataDir, args: ["--tz", "UTC", "--attendance-retention-days", "1", "--pg-url", "postgres://postgres@127.0.0.1:9/test"] });
    await exporting.waitForLog("retention: nothing to prune", 15_000);
    expect(ids(exporting, "attendance")).toEqual([1, 2, 3, 4]);
    expect(ids(exporting, "door_events")).toEqual([1, 2]);
    await exporting.stop();

    // Without the export: what every destination delivered goes (the edge row by the site's zone),
    // the rest stays: the HR destination has sent attendance rows 1-2 only.
    const hooked = await startTm20({ dataDir: first.dataDir, args: ["--tz", "UTC", "--attendance-retention-days", "1"] });
    const pruned = await hooked.waitForLog("retention: pruned old data", 15_000);
    expect(pruned).toMatchObject({ attendance: 2, doorEvents: 1, cutoffs: { attendanceUpTo: 2, doorEventsUpTo: 1 } });
    const cut = new SiteClock("Pacific/Kiritimati").toUtc(String((pruned.cutoffs as { punchesBefore: string }).punchesBefore));
    expect(Math.abs(cut - (Date.now() - 86_400_000))).toBeLessThan(60_000);
    expect(ids(hooked, "attendance")).toEqual([3, 4]);
    expect(ids(hooked, "door_events")).toEqual([2]);
    await hooked.stop();
    rmSync(first.dataDir, { recursive: true, force: true });
  }, 90_000);
});
