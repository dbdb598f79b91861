/** install.sh for real: dependency check, build, and the systemd install into a temp root. */
import { afterAll, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { tm20Binary } from "../helpers/binary.ts";

const root = resolve(import.meta.dir, "../..");
const work = mkdtempSync(join(tmpdir(), "tm20-install-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function install(args: string[], env: Record<string, string> = {}) {
  const proc = Bun.spawnSync(["bash", "install.sh", ...args], { cwd: root, env: { ...process.env, ...env }, stdout: "pipe", stderr: "pipe" });
  return { code: proc.exitCode, stdout: proc.stdout.toString(), stderr: proc.stderr.toString() };
}

test("--systemd --root: builds the binary, installs it with a hardened unit, data dir and settings file", () => {
  const target = join(work, "root");
  const out = install(["--systemd", "--root", target], { TM20_BUILD_OUT: join(work, "tm20") });
  expect(out.stderr).toBe("");
  expect(out.code).toBe(0);
  expect(out.stdout).toContain("install.sh: dependencies up to date");
  expect(out.stdout).toContain(`build: done: ${join(work, "tm20")}`);

  const bin = join(target, "usr/local/bin/tm20");
  expect(statSync(bin).mode & 0o777).toBe(0o755);
  const version = Bun.spawnSync([bin, "version"], { stdout: "pipe" });
  expect(version.stdout.toString().trim()).toBe(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version);

  expect(statSync(join(target, "var/lib/tm20")).isDirectory()).toBe(true);
  expect(statSync(join(target, "var/lib/tm20")).mode & 0o777).toBe(0o750);

  const unit = readFileSync(join(target, "etc/systemd/system/tm20.service"), "utf8");
  for (const line of [
    "User=tm20",
    "Group=tm20",
    "Environment=TM20_DATA_DIR=/var/lib/tm20",
    "EnvironmentFile=-/etc/default/tm20",
    "ExecStart=/usr/local/bin/tm20 serve",
    "Restart=always",
    "KillSignal=SIGTERM",
    "NoNewPrivileges=yes",
    "ProtectSystem=strict",
    "ReadWritePaths=/var/lib/tm20",
    "ProtectHome=yes",
    "PrivateTmp=yes",
    "CapabilityBoundingSet=",
    "WantedBy=multi-user.target",
  ]) {
    expect(unit.split("\n")).toContain(line);
  }
  // The JavaScript engine compiles at run time: W^X memory would kill it.
  expect(unit).not.toMatch(/^MemoryDenyWriteExecute=yes/m);

  const settings = join(target, "etc/default/tm20");
  expect(readFileSync(settings, "utf8")).toContain("#TM20_TZ=");
  // An upgrade keeps the admin's settings.
  writeFileSync(settings, "TM20_TZ=Europe/Berlin\n");
  const again = install(["--systemd", "--root", target, "--no-build"], { TM20_BUILD_OUT: join(work, "tm20") });
  expect(again.code).toBe(0);
  expect(again.stdout).toContain("install.sh: keeping /etc/default/tm20");
  expect(readFileSync(settings, "utf8")).toBe("TM20_TZ=Europe/Berlin\n");
});

test("--dry-run prints the steps and the unit, and changes nothing", () => {
  const before = existsSync("/etc/systemd/system/tm20.service");
  const out = install(["--systemd", "--dry-run", "--no-build"], { TM20_BUILD_OUT: tm20Binary() });
  expect(out.code).toBe(0);
  expect(out.stdout).toContain(`+ install -m 0755 ${tm20Binary()} /usr/local/bin/tm20.new`);
  expect(out.stdout).toContain("+ write /etc/systemd/system/tm20.service");
  expect(out.stdout).toContain("    ExecStart=/usr/local/bin/tm20 serve");
  expect(existsSync("/etc/systemd/system/tm20.service")).toBe(before);
});

test("refuses Node older than 20, unknown options, and service options without --systemd", () => {
  const fakeBin = join(work, "old-node");
  Bun.spawnSync(["mkdir", "-p", fakeBin]);
  writeFileSync(join(fakeBin, "node"), '#!/bin/sh\nif [ "$1" = "-p" ]; then echo 18; else echo v18.19.0; fi\n');
  chmodSync(join(fakeBin, "node"), 0o755);
  const old = install(["--no-build"], { PATH: `${fakeBin}:${process.env.PATH}` });
  expect(old.code).toBe(1);
  expect(old.stderr).toBe("install.sh: Node.js >= 20 is required (found v18.19.0)\n");

  const bad = install(["--fast"]);
  expect(bad.code).toBe(1);
  expect(bad.stderr).toBe("install.sh: --fast: unknown option (--help lists them)\n");

  const stray = install(["--dry-run"]);
  expect(stray.code).toBe(1);
  expect(stray.stderr).toBe("install.sh: --dry-run and --root only apply to --systemd\n");
});
