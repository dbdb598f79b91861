/**
 * A data directory made by an older version (or by hand) may be readable by every local user:
 * the store's files and the secret key are narrowed to their owner at start. New files are
 * private already (main.ts sets the umask).
 */
import { chmodSync, existsSync } from "node:fs";
import { dataDirLayout } from "../store/data-dir.ts";

export function keepDataDirPrivate(dataDir: string): void {
  const layout = dataDirLayout(dataDir);
  chmodSync(layout.dir, 0o700);
  for (const file of layout.privateFiles) if (existsSync(file)) chmodSync(file, 0o600);
}
