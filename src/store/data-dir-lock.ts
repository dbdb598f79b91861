/**
 * Which server holds a data directory: `tm20 serve` writes its pid to `tm20.pid` and removes it
 * when it stops. Commands that must not run under a live server (restore) ask `runningServer`.
 * A pid file left by a killed server is harmless: its pid is dead, or belongs to another program.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dataDirLayout } from "./data-dir.ts";

const pidFileOf = (dataDir: string) => dataDirLayout(dataDir).pidFile;

/** The pid of a live `tm20 serve` on this data directory, or null. */
export function runningServer(dataDir: string): number | null {
  const file = pidFileOf(dataDir);
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, "utf8").trim());
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return null;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as { code?: string }).code !== "EPERM") return null;
  }
  // After a reboot or kill -9 the pid may now be someone else's: on Linux, check it is a server.
  const cmdline = join("/proc", String(pid), "cmdline");
  if (existsSync(cmdline) && !readFileSync(cmdline, "utf8").split("\0").includes("serve")) return null;
  return pid;
}

export function claimDataDir(dataDir: string): void {
  writeFileSync(pidFileOf(dataDir), `${process.pid}\n`);
}

/** Removes the pid file if it is still ours. */
export function releaseDataDir(dataDir: string): void {
  const file = pidFileOf(dataDir);
  try {
    if (readFileSync(file, "utf8").trim() === String(process.pid)) rmSync(file, { force: true });
  } catch {
    // Already gone.
  }
}
