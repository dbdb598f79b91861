/**
 * The data directory's layout: every file a single-box server keeps there is named here and
 * nowhere else (the store, the key that seals stored secrets, the pid of the server using it,
 * the snapshots a backup download takes).
 */
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
  /** Whether a file name in the directory is such a snapshot, finished or not. */
  isSnapshot(name: string): boolean;
}

export function dataDirLayout(path: string): DataDirLayout {
  const dir = resolve(path);
  return {
    dir,
    db: join(dir, DB_FILE),
    secretKey: join(dir, SECRET_KEY_FILE),
    pidFile: join(dir, PID_FILE),
    snapshot: (id) => join(dir, `${SNAPSHOT_PREFIX}${id}.db`),
    isSnapshot: (name) => name.startsWith(SNAPSHOT_PREFIX) && (name.endsWith(".db") || name.endsWith(".db.partial")),
  };
}
