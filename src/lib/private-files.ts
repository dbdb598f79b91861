/**
 * A data directory made by an older version (or by hand) may be readable by every local user:
 * the store's files and the secret key are narrowed to their owner at start. New files are
 * private already (main.ts sets the umask).
 */
import { chmodSync, existsSync } from "node:fs";
import { join } from "node:path";

const PRIVATE_FILES = ["tm20.db", "tm20.db-wal", "tm20.db-shm", "secret.key"];

export function keepDataDirPrivate(dataDir: string): void {
  chmodSync(dataDir, 0o700);
  for (const name of PRIVATE_FILES) {
    const file = join(dataDir, name);
    if (existsSync(file)) chmodSync(file, 0o600);
  }
}
