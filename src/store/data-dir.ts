/**
 * The data directory's layout: every file a single-box server keeps there is named here and
 * nowhere else (the store, the key that seals stored secrets, the pid of the server using it,
 * the snapshots a backup download takes). Code that needs a path under the data directory asks
 * this module for it rather than joining a name itself.
 */
import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";

/** Named in messages and the README: it must travel with every backup. */
export const SECRET_KEY_FILE = "secret.key";
const DB_FILE = "tm20.db";
const PID_FILE = "tm20.pid";
const SNAPSHOT_PREFIX = ".backup-";

export interface DataDirLayout {
  /** The directory, absolute. */
  dir: string;
  /** The SQLite store. */
  db: string;
  /** The AES key of the sealed secrets (webhook and HR source credentials). */
  secretKey: string;
  /** The pid of the `tm20 serve` using the directory. */
  pidFile: string;
  /** Where snapshot `id` of a backup download is written (deleted once sent). */
  snapshot(id: string): string;
  /** The snapshots in the directory now, finished or not (a crash may leave some behind). */
  snapshots(): string[];
  /** The files only the server's user may read: the store (with its WAL and shared memory) and the key. */
  privateFiles: string[];
}

export function dataDirLayout(path: string): DataDirLayout {
  const dir = resolve(path);
  const db = join(dir, DB_FILE);
  const secretKey = join(dir, SECRET_KEY_FILE);
  return {
    dir,
    db,
    secretKey,
    pidFile: join(dir, PID_FILE),
    snapshot: (id) => join(dir, `${SNAPSHOT_PREFIX}${id}.db`),
    snapshots: () =>
      readdirSync(dir)
        .filter((name) => name.startsWith(SNAPSHOT_PREFIX) && (name.endsWith(".db") || name.endsWith(".db.partial")))
        .map((name) => join(dir, name)),
    privateFiles: [db, `${db}-wal`, `${db}-shm`, secretKey],
  };
}
