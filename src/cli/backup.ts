import { resolve } from "node:path";
import { dataDirLayout } from "../store/data-dir.ts";
import { backupStore } from "../store/sqlite/backup.ts";
import { parseArgs, UsageError } from "./args.ts";
import { serveFlagsHelp, storeConfigFromFlags, withServeFlags } from "./store-flags.ts";

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
  const info = backupStore(dataDirLayout(store.dataDir).db, resolve(out));
  console.log(`Backup written to ${resolve(out)}: ${info.bytes} bytes, ${info.attendance} attendance records, integrity ok.`);
}
