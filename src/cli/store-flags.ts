import { serveFields } from "../config/schema.ts";
import { type StoreConfig, storeConfigOf } from "../store/open.ts";
import { UsageError } from "./args.ts";

/**
 * Every sub-command that touches the store takes the server's store flags (and TM20_* variables):
 * --data-dir for a single box, --cluster with --pg-url [--pg-schema] for a cluster's shared PostgreSQL.
 */
export const STORE_FLAGS = [serveFields.dataDir.flag, serveFields.pgUrl.flag, serveFields.pgSchema.flag] as const;
export const STORE_BOOLEANS = [serveFields.cluster.flag] as const;

export const STORE_FLAGS_HELP =
  `--data-dir <dir> (env TM20_DATA_DIR, default ./data), or --cluster --pg-url <url> [--pg-schema <name>] ` +
  `(env TM20_CLUSTER, TM20_PG_URL, TM20_PG_SCHEMA, default schema tm20)`;

type StoreField = (typeof serveFields)["dataDir" | "pgUrl" | "pgSchema" | "cluster"];

function valueOf(field: StoreField, flags: Map<string, string>, env: Record<string, string | undefined>): unknown {
  const fromEnv = env[field.env];
  const raw = flags.get(field.flag) ?? (fromEnv !== undefined && fromEnv !== "" ? fromEnv : field.default);
  const parsed = field.schema.safeParse(raw);
  if (!parsed.success) throw new UsageError(`${field.flag}: ${JSON.stringify(raw)} is invalid (${parsed.error.issues[0]?.message ?? "invalid"})`);
  return parsed.data;
}

export function storeConfigFromFlags(flags: Map<string, string>, env: Record<string, string | undefined> = process.env): StoreConfig {
  const cluster = valueOf(serveFields.cluster, flags, env) === true;
  const pgUrl = String(valueOf(serveFields.pgUrl, flags, env));
  if (cluster && pgUrl === "") throw new UsageError(`${serveFields.cluster.flag}: needs ${serveFields.pgUrl.flag} (${serveFields.pgUrl.env})`);
  const pgSchema = String(valueOf(serveFields.pgSchema, flags, env));
  return storeConfigOf({ cluster, pgUrl, pgSchema, dataDir: String(valueOf(serveFields.dataDir, flags, env)) });
}

