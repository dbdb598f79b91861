import { serveFields } from "../config/schema.ts";

/** Every sub-command that touches the store takes the server's --data-dir (and TM20_DATA_DIR). */
export function dataDirOf(flags: Map<string, string>): string {
  return flags.get(serveFields.dataDir.flag) ?? process.env[serveFields.dataDir.env] ?? serveFields.dataDir.default;
}

export const STORE_FLAGS = [serveFields.dataDir.flag] as const;
