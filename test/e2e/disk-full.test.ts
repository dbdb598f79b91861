/**
 * A full disk, for real: the data directory lives on a small tmpfs that the test fills up.
 * (Tests run as root here and in CI; mounting is how a full disk is made without touching /.)
 */
import { Database } from "bun:sqlite";
import { expect, test } from "bun:test";
import { rmSync, statfsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { simRecord } from "../../src/simulator/terminal.ts";
import { tm20Binary } from "../helpers/binary.ts";
import { createToken, startTm20, tempDir } from "../helpers/server.ts";
import { until } from "../helpers/sim.ts";
import { connectTerminal } from "../helpers/terminal.ts";

const START = new Date("2026-05-01T07:00:00Z");

test("disk full: uploads get result:false and are stored by themselves once space returns", async () => {
  const mount = tempDir("tm20-tmpfs-");
  const proc = Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mount]);
  expect(proc.exitCode).toBe(0);
  const dataDir = join(mount, "data");
  const srv = await startTm20({ dataDir });
  try {
    const t = await connectTerminal(srv.ws());
    await t.register("DISKFULL1");
    const filler = join(mount, "filler");
    const free = () => {
      const s = statfsSync(mount);
      return s.bavail * s.bsize;
    };
    writeFileSync(filler, Buffer.alloc(Math.max(0, free() - 16 * 1024)));
    let from = 0;
    let refused: Record<string, unknown> | null = null;
    const acked: number[] = [];
    while (!refused && from < 20_000) {
      const record = Array.from({ length: 50 }, (_, i) => simRecord(from + i, START));
      t.send({ cmd: "sendlog", sn: "DISKFULL1", count: 50, logindex: from, record });
      const answer = await t.next((m) => m.ret === "sendlog", 10_000);
      if (answer.result === true) {
        acked.push(from);
        from += 50;
      } else refused = answer;
    }
    expect(refused).toEqual({ ret: "sendlog", result: false, reason: 1, count: 50, logindex: from });
    const health = await fetch(`${srv.http}/health`);
    expect(health.status).toBe(503);
    expect(JSON.stringify(await health.json())).toContain("SQLITE_FULL");

    rmSync(filler);
    // The terminal resends what was refused; the server recovered by itself.
    const record = Array.from({ length: 50 }, (_, i) => simRecord(from + i, START));
    let answer: Record<string, unknown> = {};
    for (let attempt = 0; attempt < 10 && answer.result !== true; attempt++) {
      t.send({ cmd: "sendlog", sn: "DISKFULL1", count: 50, logindex: from, record });
      answer = await t.next((m) => m.ret === "sendlog", 10_000);
      if (answer.result !== true) await Bun.sleep(500);
    }
    expect(answer).toMatchObject({ result: true, count: 50, logindex: from });
    expect((await fetch(`${srv.http}/health`)).status).toBe(200);
    expect(srv.logs.filter((l) => String(l.msg).startsWith("store write failed")).length).toBe(1);
    const db = srv.db();
    expect(db.query("SELECT count(*) AS n FROM attendance WHERE sn = 'DISKFULL1'").get()).toEqual({ n: from + 50 });
    db.close();
    t.close();
  } finally {
    await srv.stop();
    Bun.spawnSync(["umount", mount]);
    rmSync(mount, { recursive: true, force: true });
  }
});

test("disk full at start: the server starts read-only (reads served, terminals refused, /health 503 with the reason) and writes again by itself once space returns", async () => {
  const mount = tempDir("tm20-tmpfs-");
  expect(Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mount]).exitCode).toBe(0);
  const dataDir = join(mount, "data");
  const filler = join(mount, "filler");
  let srv: Awaited<ReturnType<typeof startTm20>> | null = null;
  try {
    const first = await startTm20({ dataDir });
    const t0 = await connectTerminal(first.ws());
    await t0.register("FULLSTART1");
    t0.send({ cmd: "sendlog", sn: "FULLSTART1", count: 10, logindex: 0, record: Array.from({ length: 10 }, (_, i) => simRecord(i, START)) });
    expect(await t0.next((m) => m.ret === "sendlog")).toMatchObject({ result: true });
    const token = createToken(dataDir);
    // An admin logged in before the disk filled up keeps reading the UI.
    const password = "disk-full-password";
    expect(Bun.spawnSync([tm20Binary(), "admin", "create", "--username", "ops", "--data-dir", dataDir], { stdin: new TextEncoder().encode(`${password}\n`) }).exitCode).toBe(0);
    const csrf = "x".repeat(40);
    const login = await fetch(`${first.http}/login`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: `tm20_pre=${csrf}` },
      body: new URLSearchParams({ _csrf: csrf, username: "ops", password, next: "/" }),
    });
    expect(login.status).toBe(303);
    const cookie = `tm20_session=${/tm20_session=([^;]+)/.exec(login.headers.get("set-cookie") ?? "")?.[1]}`;
    expect(await first.stop()).toBe(0);
    // Last seen long enough ago that the next page view records it (a write).
    const rw = new Database(join(dataDir, "tm20.db"));
    rw.run("UPDATE admin_sessions SET last_seen_at = last_seen_at - 600000");
    rw.close();
    const s = statfsSync(mount);
    writeFileSync(filler, Buffer.alloc(Math.max(0, s.bavail * s.bsize - 4096)));

    srv = await startTm20({ dataDir });
    const running = srv;
    const api = (path: string) => fetch(`${running.http}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const health = await fetch(`${srv.http}/health`);
    expect(health.status).toBe(503);
    const body = (await health.json()) as { store: { problems: string[] } };
    expect(body.store.problems.join(" ")).toMatch(/^store read-only \(disk full\?\): SQLITE_/);
    expect(((await (await api("/api/v1/terminals/FULLSTART1")).json()) as { sn: string }).sn).toBe("FULLSTART1");
    expect(((await (await api("/api/v1/attendance?sn=FULLSTART1&limit=100")).json()) as { items: unknown[] }).items.length).toBe(10);
    expect((await fetch(`${srv.http}/login`)).status).toBe(200);
    const page = await fetch(`${srv.http}/terminals`, { headers: { cookie }, redirect: "manual" });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("FULLSTART1");
    const t = await connectTerminal(srv.ws());
    expect(await t.register("FULLSTART1")).toEqual({ ret: "reg", result: false, reason: "Server storage unavailable, retrying" });
    t.close();

    rmSync(filler);
    await until("the restart read-write", () => running.logs.filter((l) => l.msg === "TM20 Server listening").length === 2, 30_000);
    const again = await connectTerminal(srv.ws());
    expect(await again.register("FULLSTART1")).toMatchObject({ result: true });
    again.send({ cmd: "sendlog", sn: "FULLSTART1", count: 1, logindex: 10, record: [simRecord(10, START)] });
    expect(await again.next((m) => m.ret === "sendlog")).toMatchObject({ result: true });
    expect((await fetch(`${srv.http}/health`)).status).toBe(200);
    again.close();
  } finally {
    await srv?.stop();
    Bun.spawnSync(["umount", mount]);
    rmSync(mount, { recursive: true, force: true });
  }
}, 90_000);
