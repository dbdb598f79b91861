import { UsageError } from "../cli/args.ts";
import { defaultTimeZone, type FieldName, type ServeConfig, serveFields, siteSettingOf } from "./schema.ts";

/** One field from its flag, else its TM20_* variable, else the default; names the culprit on error. */
export function fieldValue<N extends FieldName>(name: N, flags: Map<string, string>, env: Record<string, string | undefined>): ServeConfig[N] {
  const field = serveFields[name];
  const fromFlag = flags.get(field.flag);
  const fromEnv = env[field.env];
  const raw = fromFlag ?? (fromEnv !== undefined && fromEnv !== "" ? fromEnv : field.default);
  const parsed = field.schema.safeParse(raw);
  if (!parsed.success) {
    const source = fromFlag !== undefined ? field.flag : fromEnv !== undefined ? field.env : `default of ${field.flag}`;
    throw new UsageError(`${source}: ${JSON.stringify(withoutPassword(raw))} is invalid (${parsed.error.issues[0]?.message ?? "invalid"})`);
  }
  return parsed.data as ServeConfig[N];
}

/** A mistyped database URL still holds the password: the error shows `user:***@`. */
function withoutPassword(raw: string): string {
  return raw.replace(/(\/\/[^/:@\s]*:)[^@\s]*@/g, "$1***@");
}

/** Every field, resolved as fieldValue does. */
export function loadServeConfig(flags: Map<string, string>, env: Record<string, string | undefined>): ServeConfig {
  // Each value is checked against its own field's type; the loop sets every field.
  const resolved: Partial<ServeConfig> = {};
  const resolve = <N extends FieldName>(name: N) => {
    resolved[name] = fieldValue(name, flags, env);
  };
  for (const name of Object.keys(serveFields) as FieldName[]) resolve(name);
  const config = resolved as ServeConfig;
  config.tz = defaultTimeZone(config.tz);
  if (config.cluster && (config.pgUrl === "" || config.redisUrl === "")) {
    throw new UsageError(`${serveFields.cluster.flag}: needs ${serveFields.pgUrl.flag} (${serveFields.pgUrl.env}) and ${serveFields.redisUrl.flag} (${serveFields.redisUrl.env})`);
  }
  if ((config.tlsCert === "") !== (config.tlsKey === "")) {
    throw new UsageError(`${serveFields.tlsCert.flag} and ${serveFields.tlsKey.flag}: give both (a certificate and its key) or neither`);
  }
  if (config.terminalPort !== "" && config.terminalPort !== 0 && config.terminalPort === config.port) {
    throw new UsageError(`${serveFields.terminalPort.flag}: must differ from ${serveFields.port.flag} (${config.port})`);
  }
  return config;
}

export interface ConfigLine {
  flag: string;
  env: string;
  /** As the server runs with it; a URL's password shown as `***`. */
  value: string;
  /** The site setting the flag only seeds (changed at once on the Settings page); null: changing it needs a restart. */
  siteSetting: string | null;
}

/** The configuration the server started with, one line a flag, for the Settings page. */
export function describeServeConfig(config: ServeConfig): ConfigLine[] {
  return (Object.keys(serveFields) as FieldName[]).map((name) => ({
    flag: serveFields[name].flag,
    env: serveFields[name].env,
    value: withoutPassword(String(config[name])),
    siteSetting: siteSettingOf(name),
  }));
}
