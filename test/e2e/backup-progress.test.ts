/**
 * A backup's progress as the admin UI shows it (issue 17: long work started from the UI shows a
 * live bar), against the compiled binary on a store of about 100 MB: Settings → Download backup
 * answers at once with the backup's page, whose poll reports the bytes copied growing to the end,
 * then the file is ready and downloaded once (a second try finds it gone), audited.
 */
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { JobProgressProps } from "../../web/components/progress-view.tsx";
import { tm20Binary } from "../helpers/binary.ts";
import { postUiForm, sessionCookie, startTm20, type Tm20Process, tempDir } from "../helpers/server.ts";

setDefaultTimeout(120_000);

const PASSWORD = "backup progress password";
const dataDir = tempDir("tm20-backup-progress-");
let srv: Tm20Process;
let cookie = "";

beforeAll(async () => {
  const made = Bun.spawnSync([tm20Binary(), "admin", "create", "--username", "ops", "--data-dir", dataDir], { stdin: Buffer.from(`${PASSWORD}\n`), stdout: "pipe", stderr: "pipe" });
  expect(made.exitCode).toBe(0);
  // Bulk the store up: a table of 100 one-megabyte blobs is copied like any other.
  const db = new Database(join(dataDir, "tm20.db"));
  db.run("CREATE TABLE ballast (b BLOB)");
  db.run("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100) INSERT INTO ballast SELECT randomblob(1048576) FROM n");
  db.close();
  srv = await startTm20({ dataDir });
  cookie = await sessionCookie(srv.http, "ops", PASSWORD);
});

afterAll(async () => {
  await srv?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const get = (path: string) => fetch(`${srv.http}${path}`, { headers: { cookie }, redirect: "manual" });

describe("a backup from Settings", () => {
  test("prepared with its bytes copied reported as they grow, then downloaded once and audited", async () => {
    const started = await postUiForm(srv.http, cookie, "/settings", "/settings/backup");
    expect([started.status, started.headers.get("location")]).toEqual([303, "/settings/backup/1"]);
    const pageHtml = await (await get("/settings/backup/1")).text();
    expect(pageHtml).toContain('data-island="live-job"');

    const seen: JobProgressProps[] = [];
    for (let i = 0; i < 3000; i++) {
      const p = (await (await get("/settings/backup/1.json")).json()) as JobProgressProps;
      seen.push(p);
      if (p.status !== "running") break;
      await Bun.sleep(5);
    }
    const last = seen.at(-1);
    expect(last?.status).toBe("succeeded");
    expect(last?.summary).toMatch(/^Backup ready: 10\d\.\d MB, checked with SQLite's integrity_check$/);
    // Seen part way: some bytes copied, not all, and never going back. Polls answered before the
    // snapshot's process reported its size (total 0, "Starting the copy") say nothing of that.
    expect(seen.filter((p) => p.status === "running" && p.total === 0).every((p) => p.done === 0 && p.detail === "Starting the copy")).toBe(true);
    const running = seen.filter((p) => p.status === "running" && p.total > 0);
    expect(running.some((p) => p.done > 0 && p.done < p.total)).toBe(true);
    expect(running.every((p, i) => p.total > 100 * 1048576 && (i === 0 || p.done >= (running[i - 1]?.done ?? 0)))).toBe(true);

    const ready = await (await get("/settings/backup/1")).text();
    expect(ready).toContain('href="/settings/backup/1/file"');
    const file = await get("/settings/backup/1/file");
    expect(file.status).toBe(200);
    expect(file.headers.get("content-disposition")).toMatch(/^attachment; filename="tm20-backup-\d{8}-\d{6}\.db"$/);
    const bytes = (await file.arrayBuffer()).byteLength;
    expect(bytes).toBe(last?.done ?? -1);
    // Taken once: the file is gone, the page says so.
    expect((await get("/settings/backup/1/file")).status).toBe(404);
    expect((await get("/settings/backup/1.json")).status).toBe(404);
    const db = srv.db();
    try {
      const audits = db.query("SELECT actor, action, details, result FROM audit_log WHERE action = 'backup.download'").all();
      expect(audits).toEqual([{ actor: "user:ops", action: "backup.download", details: JSON.stringify({ bytes }), result: "ok" }]);
    } finally {
      db.close();
    }
  });
});
