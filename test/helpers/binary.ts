/**
 * The binary under test. By default each test run compiles its own copy (well under a second),
 * so tests never run a stale build; TM20_BIN points at an existing one (CI tests dist/tm20).
 */
import { mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { ENTRY_POINTS } from "../../scripts/build.ts";

const root = resolve(import.meta.dir, "../..");
let built: string | null = null;

export function tm20Binary(): string {
  if (process.env.TM20_BIN) return resolve(process.env.TM20_BIN);
  if (built) return built;
  const dir = join(root, "test-artifacts", "bin");
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `tm20-${process.pid}`);
  // The admin UI's bundle is embedded in the binary: build it first (scripts/build.ts does the same).
  const web = Bun.spawnSync([process.execPath, "scripts/build-web.ts"], { cwd: root, stdout: "pipe", stderr: "pipe" });
  if (web.exitCode !== 0) throw new Error(`web build failed: ${web.stderr.toString()}`);
  const proc = Bun.spawnSync([process.execPath, "build", "--compile", ...ENTRY_POINTS, "--outfile", out], {
    cwd: root,
    stdout: "pipe",
    stderr: "pipe",
  });
  if (proc.exitCode !== 0) throw new Error(`build failed: ${proc.stderr.toString()}`);
  process.on("exit", () => rmSync(out, { force: true }));
  built = out;
  return out;
}

/** Runs a sub-command to completion. */
export function runCli(args: string[], env: Record<string, string> = {}) {
  const proc = Bun.spawnSync([tm20Binary(), ...args], { stdout: "pipe", stderr: "pipe", env: { ...process.env, ...env } });
  return { code: proc.exitCode, stdout: proc.stdout.toString(), stderr: proc.stderr.toString() };
}
