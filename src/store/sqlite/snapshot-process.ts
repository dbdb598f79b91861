/**
 * A backup taken by a child `tm20 backup` process: VACUUM INTO runs for seconds on a large store
 * and would stall every terminal if it ran on the server's event loop.
 */
import { rmSync } from "node:fs";
import { dataDirLayout } from "../data-dir.ts";
import { storeError } from "../errors.ts";

/** How to run this program again: the compiled binary itself, or bun with the entry script. */
export function selfCommand(): string[] {
  return Bun.main.startsWith("/$bunfs/") ? [process.execPath] : [process.execPath, Bun.main];
}

let counter = 0;

/** Writes a verified snapshot into the data directory and returns its path; the caller deletes it. */
export async function snapshotToTempFile(dataDir: string): Promise<string> {
  const out = dataDirLayout(dataDir).snapshot(`${process.pid}-${++counter}`);
  const child = Bun.spawn([...selfCommand(), "backup", "--data-dir", dataDir, "--out", out], {
    stdin: "ignore",
    stdout: "ignore",
    stderr: "pipe",
  });
  const [code, stderr] = await Promise.all([child.exited, new Response(child.stderr).text()]);
  if (code !== 0) {
    rmSync(out, { force: true });
    throw storeError("backup_failed", `backup process failed: ${stderr.trim().slice(0, 500)}`);
  }
  return out;
}

/** Removes snapshots a crash left behind (the server calls this at start). */
export function removeStaleSnapshots(dataDir: string): void {
  for (const file of dataDirLayout(dataDir).snapshots()) rmSync(file, { force: true });
}
