import { resolve } from "node:path";
import { runningServer } from "../store/data-dir-lock.ts";
import { dataDirLayout } from "../store/data-dir.ts";
import { restoreStore } from "../store/sqlite/backup.ts";
import { parseArgs, UsageError } from "./args.ts";
import { ProgressReporter } from "./progress.ts";
import { serveFlagsHelp, storeConfigFromFlags, withServeFlags } from "./store-flags.ts";
import { plural } from "../lib/plural.ts";

export const restoreHelp = `tm20 restore FILE   replace the store with a backup made by tm20 backup (or the API)
Stop the server first: restore refuses to run under a live server. The replaced store is kept
beside it as tm20.db.before-restore-<time>. A cluster's store is PostgreSQL: use pg_restore.

${serveFlagsHelp(["dataDir"])}`;

export async function restoreCommand(argv: string[]): Promise<void> {
  const { flags, positionals } = parseArgs(argv, withServeFlags({ values: [] }));
  const [file, extra] = positionals;
  if (!file || extra !== undefined) throw new UsageError("restore: give exactly one backup file");
  const store = storeConfigFromFlags(flags);
  if (store.kind !== "sqlite") throw new UsageError("restore: a cluster keeps its data in PostgreSQL; stop every instance and use pg_restore (README: Backup of a cluster)");
  const dataDir = resolve(store.dataDir);
  const pid = runningServer(dataDir);
  if (pid !== null) throw new UsageError(`restore: a server (pid ${pid}) is running on ${dataDir}; stop it first`);
  const progress = new ProgressReporter("bytes");
  let restored;
  try {
    restored = await restoreStore(resolve(file), dataDirLayout(dataDir).db, Date.now(), (done, total) => progress.update(done, total));
  } finally {
    progress.finish();
  }
  const { info, previous } = restored;
  console.log(`Restored ${resolve(file)} into ${dataDir}: ${plural(info.attendance, "attendance record")}, integrity ok.`);
  if (previous) console.log(`The previous store is kept as ${previous}.`);
}
