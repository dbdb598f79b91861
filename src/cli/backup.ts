import { statSync } from "node:fs";
import { resolve } from "node:path";
import { CLI } from "../app/actor.ts";
import { audit } from "../app/audit.ts";
import { openStore, type StoreConfig } from "../store/open.ts";
import { dataDirLayout } from "../store/data-dir.ts";
import { backupStore } from "../store/sqlite/backup.ts";
import { BACKUP_WORKER_ENV, spawnBackupWorker, watchCopy } from "../store/sqlite/snapshot-process.ts";
import { parseArgs, UsageError } from "./args.ts";
import { ProgressReporter } from "./progress.ts";
import { serveFlagsHelp, storeConfigFromFlags, withServeFlags } from "./store-flags.ts";
import { plural } from "../lib/plural.ts";

export const backupHelp = `tm20 backup --out FILE   write a consistent copy of the store to FILE (safe while the server runs)
The copy is checked with SQLite's integrity_check before it gets its name. Restore it with tm20 restore.
A cluster's store is PostgreSQL: back it up with pg_dump (README: Backup of a cluster).

${serveFlagsHelp(["dataDir"])}`;

export async function backupCommand(argv: string[]): Promise<void> {
  const { flags, positionals } = parseArgs(argv, withServeFlags({ values: ["--out"] }));
  if (positionals.length > 0) throw new UsageError(`backup: unexpected ${JSON.stringify(positionals[0])} (use --out FILE)`);
  const out = flags.get("--out");
  if (!out) throw new UsageError("--out: give the file to write the backup to");
  const store = storeConfigFromFlags(flags);
  if (store.kind !== "sqlite") throw new UsageError("backup: a cluster keeps its data in PostgreSQL; back its schema up with pg_dump (README: Backup of a cluster)");
  const db = dataDirLayout(store.dataDir).db;
  const progress = new ProgressReporter("bytes");
  if (progress.active) {
    process.exitCode = await backupWithProgress(store.dataDir, db, resolve(out), progress);
    if (process.exitCode === 0) await auditBackup(store, statSync(resolve(out)).size);
    return;
  }
  const info = backupStore(db, resolve(out));
  if (process.env[BACKUP_WORKER_ENV] !== "1") await auditBackup(store, info.bytes);
  console.log(`Backup written to ${resolve(out)}: ${plural(info.bytes, "byte")}, ${plural(info.attendance, "attendance record")}, integrity ok.`);
}

/**
 * A copy of everyone's data left the store: audited as the API's and the admin UI's downloads are.
 * A store that cannot take the entry (a full disk) does not undo a good backup: it is said instead.
 */
async function auditBackup(config: StoreConfig, bytes: number): Promise<void> {
  try {
    const store = await openStore(config);
    try {
      await audit({ store, now: Date.now }, CLI, "backup.download", null, { bytes });
    } finally {
      await store.close();
    }
  } catch (err) {
    console.error(`tm20 backup: the backup is written, but the audit log could not record it: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * On a terminal: VACUUM INTO holds this process's thread until it is done, so the copy is made by
 * a child `tm20 backup` (stderr a pipe: it takes the plain path) while this one watches the copy
 * grow against the store's size. The child's summary and errors are passed on unchanged.
 */
async function backupWithProgress(dataDir: string, db: string, out: string, progress: ProgressReporter): Promise<number> {
  const child = spawnBackupWorker(dataDir, out, "pipe");
  const output = Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text()]);
  await watchCopy(db, out, child.exited, (bytes, total) => progress.update(bytes, total), 100);
  const [stdout, stderr] = await output;
  const code = await child.exited;
  // Done, the copy's real size is the whole of it.
  if (code === 0) {
    const size = statSync(out).size;
    progress.update(size, size);
  }
  progress.finish();
  process.stdout.write(stdout);
  process.stderr.write(stderr);
  return code;
}
