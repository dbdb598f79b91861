/**
 * A site keeps one set of `tm20 serve` flags (or one environment file) and uses it with every
 * command. So every sub-command that opens the store accepts every serve flag, taken from the
 * config schema (a flag added to serve is accepted everywhere at once), resolves the ones it uses
 * exactly as serve does (flag, else TM20_* variable, else default) and ignores the rest.
 */
import { fieldValue } from "../config/load.ts";
import { type FieldName, serveFields } from "../config/schema.ts";
import { type StoreConfig, storeConfigOf } from "../store/open.ts";
import { type FlagSpec, UsageError } from "./args.ts";

type Field = (typeof serveFields)[FieldName];
const fields: readonly Field[] = Object.values(serveFields);

/** Every flag `tm20 serve` takes. */
export const SERVE_FLAGS: FlagSpec = {
  values: fields.filter((f) => !("boolean" in f)).map((f) => f.flag),
  booleans: fields.filter((f) => "boolean" in f).map((f) => f.flag),
};

/** A store sub-command's own flags, plus every serve flag. */
export function withServeFlags(own: FlagSpec): FlagSpec {
  return { values: [...SERVE_FLAGS.values, ...own.values], booleans: [...(SERVE_FLAGS.booleans ?? []), ...(own.booleans ?? [])] };
}

/** A serve flag's --help entry: the flag, what it does, its variable and default. */
export function fieldHelp(f: Field): string {
  const name = `${f.flag}${"boolean" in f ? "" : " <value>"}`.padEnd(30);
  return `  ${name} ${f.help}\n  ${"".padEnd(30)} env ${f.env}${f.default ? `, default ${f.default}` : ""}`;
}

/** The part of a sub-command's --help that names the serve flags it uses. */
export function serveFlagsHelp(used: readonly FieldName[]): string {
  return `Flags of tm20 serve it uses (a flag wins over its TM20_* variable):
${used.map((name) => fieldHelp(serveFields[name])).join("\n")}
Every other flag of tm20 serve (and its TM20_* variable) is accepted and ignored: one set of site flags fits every command.`;
}

/** Where the store is: --data-dir for a single box, or --cluster with --pg-url [--pg-schema] for a cluster's shared PostgreSQL. */
export const STORE_FIELDS = ["dataDir", "cluster", "pgUrl", "pgSchema"] as const satisfies readonly FieldName[];

export function storeConfigFromFlags(flags: Map<string, string>, env: Record<string, string | undefined> = process.env): StoreConfig {
  const cluster = fieldValue("cluster", flags, env);
  const pgUrl = fieldValue("pgUrl", flags, env);
  if (cluster && pgUrl === "") throw new UsageError(`${serveFields.cluster.flag}: needs ${serveFields.pgUrl.flag} (${serveFields.pgUrl.env})`);
  return storeConfigOf({ cluster, pgUrl, pgSchema: fieldValue("pgSchema", flags, env), dataDir: fieldValue("dataDir", flags, env) });
}
