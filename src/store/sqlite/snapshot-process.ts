/**
 * A backup taken by a child `tm20 backup` process: VACUUM INTO runs for seconds on a large store
 * and would stall every terminal if it ran on the server's event loop.
 */
import { rmSync, statSync } from "node:fs";
import { dataDirLayout } from "../data-dir.ts";
import { storeError } from "../errors.ts";

/** How to run this program again: the compiled binary itself, or bun with the entry script. */
export function selfCommand(): string[] {
  return Bun.main.startsWith("/$bunfs/") ? [process.execPath] : [process.execPath, Bun.main];
}

/**
 * Set in the environment of a `tm20 backup` run as a worker (the server's snapshot, the CLI's
 * progress wrapper): the one that started it audits the backup, so the worker does not.
 */
export const BACKUP_WORKER_ENV = "TM20_BACKUP_WORKER";

/** Runs `tm20 backup` as such a worker. */
export function spawnBackupWorker(dataDir: string, out: string, output: "ignore" | "pipe") {
  return Bun.spawn([...selfCommand(), "backup", "--data-dir", dataDir, "--out", out], {
    stdin: "ignore",
    stdout: output,
    stderr: "pipe",
    env: { ...process.env, [BACKUP_WORKER_ENV]: "1" },
  });
}

let counter = 0;

const sizeOf = (file: string) => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

/**
 * How far a backup into `out` has come: the bytes VACUUM INTO has written (to `out`.partial) of
 * about the store's size with its WAL (an upper bound: VACUUM drops free pages).
 */
function copyProgress(db: string, out: string): { bytes: number; total: number } {
  return { bytes: sizeOf(`${out}.partial`), total: sizeOf(db) + sizeOf(`${db}-wal`) };
}

/** Calls `onProgress` every `everyMs` with the copy's progress until `exited` settles. */
export async function watchCopy(db: string, out: string, exited: Promise<number>, onProgress: (bytes: number, total: number) => void, everyMs: number): Promise<void> {
  let done = false;
  const settled = exited.finally(() => {
    done = true;
  });
  while (!done) {
    const p = copyProgress(db, out);
    onProgress(p.bytes, p.total);
    await Promise.race([settled, Bun.sleep(everyMs)]);
  }
}

/** Writes a verified snapshot into the data directory and returns its path; the caller deletes it. */
export async function snapshotToTempFile(dataDir: string, onProgress?: (bytes: number, total: number) => void): Promise<string> {
  const layout = dataDirLayout(dataDir);
  const out = layout.snapshot(`${process.pid}-${++counter}`);
  const child = spawnBackupWorker(dataDir, out, "ignore");
  const watched = onProgress ? watchCopy(layout.db, out, child.exited, onProgress, 100) : Promise.resolve();
  const [code, stderr] = await Promise.all([child.exited, new Response(child.stderr).text(), watched]);
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
