import { Database } from "bun:sqlite";
import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { runCli } from "../helpers/binary.ts";
import { tempDir } from "../helpers/server.ts";

// A dozen CLI processes per test: past bun's 5 s default on a loaded machine (the preload's
// default reaches the first test file only).
setDefaultTimeout(60_000);

describe("tm20 command line", () => {
  test("--help lists the sub-commands", () => {
    const out = runCli(["--help"]);
    expect(out.code).toBe(0);
    for (const name of ["serve", "token", "terminal", "simulate", "version"]) expect(out.stdout).toContain(`  ${name}`);
  });

  test("serve --help names every flag with its TM20_* variable", () => {
    const out = runCli(["serve", "--help"]);
    expect(out.code).toBe(0);
    for (const [flag, env] of <Array<[string, string]>>[["--port", "TM20_PORT"], ["--host", "TM20_HOST"], ["--data-dir", "TM20_DATA_DIR"], ["--tz", "TM20_TZ"], ["--durability", "TM20_DURABILITY"], ["--approval", "TM20_APPROVAL"]]) {
      expect(out.stdout).toContain(flag);
      expect(out.stdout).toContain(env);
    }
  });

  test("bad flags and bad config: one line naming the flag or variable, exit code 2", () => {
    const cases: Array<[string[], Record<string, string>, string]> = [
      [["serve", "--port", "abc"], {}, "--port"],
      [["serve", "--port", "70000"], {}, "--port"],
      [["serve", "--tz", "Mars/Olympus"], {}, "--tz"],
      [["serve", "--durability", "sometimes"], {}, "--durability"],
      [["serve", "--frobnicate"], {}, "--frobnicate"],
      [["serve", "--port"], {}, "--port"],
      [["serve"], { TM20_APPROVAL: "maybe" }, "TM20_APPROVAL"],
      [["nosuchcommand"], {}, "nosuchcommand"],
      [["token", "create", "--data-dir", tempDir()], {}, "--name"],
      [["token", "create", "--name", "x", "--scope", "root", "--data-dir", tempDir()], {}, "--scope"],
      [["token", "create", "--name", "x", "--expires-days", "0", "--data-dir", tempDir()], {}, "--expires-days"],
    ];
    for (const [args, env, name] of cases) {
      const out = runCli(args, env);
      expect(out.code).toBe(2);
      const lines = out.stderr.trim().split("\n");
      expect(lines.length).toBe(1);
      expect(lines[0]).toStartWith("tm20: ");
      expect(lines[0]).toContain(name);
    }
  });

  test("token create prints the token as its last line; token list never shows it", () => {
    const dir = tempDir();
    const out = runCli(["token", "create", "--name", "payroll", "--data-dir", dir]);
    expect(out.code).toBe(0);
    const token = out.stdout.trim().split("\n").pop() ?? "";
    expect(token).toMatch(/^tm20_[A-Za-z0-9_-]{43}$/);
    const list = runCli(["token", "list"], { TM20_DATA_DIR: dir });
    expect(list.stdout).toContain("payroll");
    expect(list.stdout).toContain("active");
    expect(list.stdout).not.toContain(token);
  });

  test("token create --scope --expires-days: the list shows both; without them a token has every right and no expiry", () => {
    const dir = tempDir();
    const before = Date.now();
    expect(runCli(["token", "create", "--name", "reports", "--scope", "read", "--expires-days", "30", "--data-dir", dir]).code).toBe(0);
    expect(runCli(["token", "create", "--name", "ops", "--data-dir", dir]).code).toBe(0);
    const lines = runCli(["token", "list", "--data-dir", dir]).stdout.trim().split("\n");
    expect(lines.length).toBe(2);
    const [reports, ops] = lines.map((l) => l.split("\t"));
    expect(reports?.slice(0, 4)).toEqual(["1", "active", "read", "reports"]);
    const expires = Date.parse(reports?.[5]?.replace("expires ", "") ?? "");
    expect(expires).toBeGreaterThanOrEqual(before + 30 * 86_400_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 30 * 86_400_000);
    expect(ops?.slice(0, 4)).toEqual(["2", "active", "admin", "ops"]);
    expect(ops?.[5]).toBe("expires never");
  });

  test("backup: a store that cannot take the audit entry keeps the good backup, and says so", () => {
    const dir = tempDir();
    expect(runCli(["token", "create", "--name", "first", "--data-dir", dir]).code).toBe(0);
    // As a full disk would: the store opens, but its audit log refuses the entry.
    const db = new Database(join(dir, "tm20.db"));
    db.run("CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END");
    db.close();
    const out = join(dir, "copy.db");
    const run = runCli(["backup", "--data-dir", dir, "--out", out]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Backup written to .*copy\.db: \d+ bytes, 0 attendance records, integrity ok\.\n$/);
    expect(run.stderr).toBe("tm20 backup: the backup is written, but the audit log could not record it: database or disk is full\n");
    const copy = new Database(out, { readonly: true });
    expect(copy.query("SELECT name FROM api_tokens").all()).toEqual([{ name: "first" }]);
    copy.close();
  });
});
