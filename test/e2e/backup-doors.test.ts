/**
 * A backup is one use case whatever the door (issue 13), on the real binary: in-process the
 * snapshot cannot be taken (it runs the program again, which there is the test file), so
 * test/app/doors.test.ts compares only the refused download. Here a backup is taken through the
 * API (GET /api/v1/backup), through the admin UI (Settings → Download backup, its page, then
 * the file) and with `tm20 backup` beside the running server: the audit entries are the same but
 * for the actor, and each file is a sound SQLite store holding the same punches.
 */
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tm20Binary } from "../helpers/binary.ts";
import { postUiForm, sessionCookie, startTm20, type Tm20Process, tempDir } from "../helpers/server.ts";
import { connectTerminal } from "../helpers/terminal.ts";

setDefaultTimeout(90_000);

const PASSWORD = "backup doors password";
const dataDir = tempDir("tm20-backup-doors-");
const files = tempDir("tm20-backup-doors-files-");
let srv: Tm20Process;
let cookie = "";

interface AuditLine {
  actor: string;
  action: string;
  target: string | null;
  details: string | null;
  result: string;
}

const PUNCHES = Array.from({ length: 30 }, (_, i) => ({ enrollid: 1 + (i % 7), time: `2026-03-03 08:${String(i).padStart(2, "0")}:00`, mode: 1, inout: i % 2, event: 0 }));

beforeAll(async () => {
  const made = Bun.spawnSync([tm20Binary(), "admin", "create", "--username", "ops", "--data-dir", dataDir], { stdin: Buffer.from(`${PASSWORD}\n`), stdout: "pipe", stderr: "pipe" });
  expect(made.exitCode).toBe(0);
  srv = await startTm20({ dataDir });
  cookie = await sessionCookie(srv.http, "ops", PASSWORD);
  // The API's token is made now (tm20 token create audits it), not by the backup's call.
  expect((await srv.api("/api/v1/terminals")).status).toBe(200);
  const t = await connectTerminal(srv.ws());
  await t.register("BK1");
  t.send({ cmd: "sendlog", sn: "BK1", count: PUNCHES.length, logindex: 0, record: PUNCHES });
  await t.next((m) => m.ret === "sendlog");
  t.close();
});

afterAll(async () => {
  await srv?.stop();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(files, { recursive: true, force: true });
});

const get = (path: string) => fetch(`${srv.http}${path}`, { headers: { cookie }, redirect: "manual" });

function auditLog(): AuditLine[] {
  const db = srv.db();
  try {
    return db.query("SELECT actor, action, target, details, result FROM audit_log ORDER BY id").all() as AuditLine[];
  } finally {
    db.close();
  }
}

/** The punches a backup file holds, after checking it is a sound SQLite store. */
function punchesIn(bytes: Uint8Array, name: string): unknown[] {
  expect(new TextDecoder().decode(bytes.slice(0, 15))).toBe("SQLite format 3");
  const file = join(files, name);
  writeFileSync(file, bytes);
  const db = new Database(file, { readonly: true });
  try {
    expect(db.query("PRAGMA integrity_check").all()).toEqual([{ integrity_check: "ok" }]);
    return db.query("SELECT sn, enrollid, time, mode, inout, event FROM attendance ORDER BY id").all();
  } finally {
    db.close();
  }
}

/** Settings → Download backup as the admin UI drives it: the button, the page's live bar until ready, the file. */
async function backupThroughUi(): Promise<Response> {
  const started = await postUiForm(srv.http, cookie, "/settings", "/settings/backup");
  expect([started.status, started.headers.get("location")]).toEqual([303, "/settings/backup/1"]);
  let status = "running";
  for (let i = 0; i < 600 && status === "running"; i++) {
    status = ((await (await get("/settings/backup/1.json")).json()) as { status: string }).status;
    if (status === "running") await Bun.sleep(50);
  }
  expect(status).toBe("succeeded");
  expect(await (await get("/settings/backup/1")).text()).toContain('href="/settings/backup/1/file"');
  return get("/settings/backup/1/file");
}

describe("a backup through the API, the admin UI and the CLI", () => {
  test("the same audit entries but for the actor, and each file a sound store with the same punches", async () => {
    const expected = PUNCHES.map(({ enrollid, time, mode, inout, event }) => ({ sn: "BK1", enrollid, time, mode, inout, event }));

    const before = auditLog().length;
    const viaApiRes = await srv.api("/api/v1/backup");
    expect(viaApiRes.status).toBe(200);
    const apiBytes = new Uint8Array(await viaApiRes.arrayBuffer());
    const viaApi = auditLog().slice(before);

    const beforeUi = auditLog().length;
    const viaUiRes = await backupThroughUi();
    expect(viaUiRes.status).toBe(200);
    expect(viaUiRes.headers.get("content-type")).toBe(viaApiRes.headers.get("content-type"));
    const uiBytes = new Uint8Array(await viaUiRes.arrayBuffer());
    const viaUi = auditLog().slice(beforeUi);

    expect(punchesIn(apiBytes, "api.db")).toEqual(expected);
    expect(punchesIn(uiBytes, "ui.db")).toEqual(expected);

    // Each door's actor as it names it; everything else alike. The sizes differ by what the
    // store gained between the two (the first backup's own audit entry), so each names its own.
    const door = (lines: AuditLine[], actor: string, bytes: number) =>
      lines.map((e) => ({ ...e, actor: e.actor === actor ? "door" : e.actor, details: e.details === JSON.stringify({ bytes }) ? "its size" : e.details }));
    expect(door(viaApi, "token:test", apiBytes.byteLength)).toEqual(door(viaUi, "user:ops", uiBytes.byteLength));
    expect(viaUi).toEqual([{ actor: "user:ops", action: "backup.download", target: null, details: JSON.stringify({ bytes: uiBytes.byteLength }), result: "ok" }]);

    // The third door: `tm20 backup` beside the running server, in a pipe (its plain path).
    const beforeCli = auditLog().length;
    const out = join(files, "cli.db");
    const cli = Bun.spawnSync([tm20Binary(), "backup", "--data-dir", dataDir, "--out", out], { stdout: "pipe", stderr: "pipe" });
    expect([cli.exitCode, cli.stderr.toString()]).toEqual([0, ""]);
    const cliBytes = new Uint8Array(await Bun.file(out).arrayBuffer());
    expect(punchesIn(cliBytes, "cli-copy.db")).toEqual(expected);
    const viaCli = auditLog().slice(beforeCli);
    expect(door(viaCli, "cli", cliBytes.byteLength)).toEqual(door(viaUi, "user:ops", uiBytes.byteLength));
  });
});
