/**
 * The server's configuration: one schema, fed by flags over `TM20_*` environment variables over
 * the embedded defaults. Every field names its flag and variable so errors can name them too.
 */
import { z } from "zod";
import { isValidTimeZone, systemTimeZone } from "../protocol/index.ts";

const seconds = z.coerce.number().int().positive();

export const serveFields = {
  port: { flag: "--port", env: "TM20_PORT", help: "TCP port for terminals, UI and API", default: "7788", schema: z.coerce.number().int().min(0).max(65535) },
  host: { flag: "--host", env: "TM20_HOST", help: "address to listen on", default: "0.0.0.0", schema: z.string().min(1) },
  dataDir: { flag: "--data-dir", env: "TM20_DATA_DIR", help: "where the database lives", default: "./data", schema: z.string().min(1) },
  tz: {
    flag: "--tz",
    env: "TM20_TZ",
    help: "site time zone (IANA name); terminals set their clocks from it",
    default: "", // empty: the system's zone, resolved at load time
    schema: z.string().refine((tz) => tz === "" || isValidTimeZone(tz), "not a known IANA time zone"),
  },
  durability: {
    flag: "--durability",
    env: "TM20_DURABILITY",
    help: "full: fsync every commit (power-cut safe); normal: faster, a power cut may lose the last commits",
    default: "full",
    schema: z.enum(["full", "normal"]),
  },
  approval: {
    flag: "--approval",
    env: "TM20_APPROVAL",
    help: "open: accept every terminal; approve: new terminals wait for an admin",
    default: "open",
    schema: z.enum(["open", "approve"]),
  },
  logLevel: {
    flag: "--log-level",
    env: "TM20_LOG_LEVEL",
    help: "trace, debug, info, warn, error or fatal",
    default: "info",
    schema: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]),
  },
  probeAfter: { flag: "--probe-after", env: "TM20_PROBE_AFTER", help: "seconds of silence before a gettime probe", default: "60", schema: seconds },
  connectionTimeout: {
    flag: "--connection-timeout",
    env: "TM20_CONNECTION_TIMEOUT",
    help: "seconds of silence before a terminal's socket is closed",
    default: "120",
    schema: seconds,
  },
  maxQueuedRecords: {
    flag: "--max-queued-records",
    env: "TM20_MAX_QUEUED_RECORDS",
    help: "records waiting for commit before uploads are answered result:false",
    default: "200000",
    schema: z.coerce.number().int().min(100),
  },
} as const;

export type FieldName = keyof typeof serveFields;

export interface ServeConfig {
  port: number;
  host: string;
  dataDir: string;
  tz: string;
  durability: "full" | "normal";
  approval: "open" | "approve";
  logLevel: "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";
  probeAfter: number;
  connectionTimeout: number;
  maxQueuedRecords: number;
}

export function defaultTimeZone(tz: string): string {
  return tz === "" ? systemTimeZone() : tz;
}
