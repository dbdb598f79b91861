/**
 * The server's configuration: one schema, fed by flags over `TM20_*` environment variables over
 * the embedded defaults. Every field names its flag and variable so errors can name them too.
 * Every field is read when `tm20 serve` starts, so changing one needs a restart; the exceptions
 * are marked `siteSetting`: the flag is only the first value of a site setting an admin then
 * changes on the Settings page, applied at once (src/settings/site-settings.ts).
 */
import { z } from "zod";
import { parseAllowList } from "../lib/ip-allow-list.ts";
import { isValidTimeZone, systemTimeZone } from "../protocol/index.ts";
import { SCHEMA_NAME } from "../export/pg-target.ts";

const seconds = z.coerce.number().int().positive();
const addressList = z.string().refine((v) => {
  try {
    parseAllowList(v);
    return true;
  } catch {
    return false;
  }
}, "expected IP addresses or CIDRs (IPv4 or IPv6), comma-separated");

export const serveFields = {
  port: { flag: "--port", env: "TM20_PORT", help: "TCP port for terminals, UI and API", default: "7788", schema: z.coerce.number().int().min(0).max(65535) },
  host: { flag: "--host", env: "TM20_HOST", help: "address to listen on", default: "0.0.0.0", schema: z.string().min(1) },
  dataDir: { flag: "--data-dir", env: "TM20_DATA_DIR", help: "where the database lives", default: "./data", schema: z.string().min(1) },
  tz: {
    flag: "--tz",
    env: "TM20_TZ",
    help: "site time zone (IANA name); terminals set their clocks from it",
    default: "", // empty: the system's zone, resolved at load time
    siteSetting: "tz",
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
    siteSetting: "approval",
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
  clockDriftLimit: {
    flag: "--clock-drift-limit",
    env: "TM20_CLOCK_DRIFT_LIMIT",
    help: "seconds a terminal clock may be off (checked at reg and daily) before it gets settime",
    default: "60",
    schema: seconds,
  },
  commandTimeout: { flag: "--command-timeout", env: "TM20_COMMAND_TIMEOUT", help: "seconds to wait for a terminal's answer to a command", default: "20", schema: seconds },
  commandAttempts: {
    flag: "--command-attempts",
    env: "TM20_COMMAND_ATTEMPTS",
    help: "tries of an idempotent command that times out (door and destructive commands get one)",
    default: "3",
    schema: z.coerce.number().int().min(1).max(10),
  },
  connectionTimeout: {
    flag: "--connection-timeout",
    env: "TM20_CONNECTION_TIMEOUT",
    help: "seconds of silence before a terminal's socket is closed",
    default: "120",
    schema: seconds,
  },
  pgUrl: {
    flag: "--pg-url",
    env: "TM20_PG_URL",
    help: "PostgreSQL, postgres://user:pass@host:5432/db: single box, the export target (continuous export); with --cluster, the shared store",
    default: "",
    schema: z.string().refine((v) => v === "" || /^postgres(ql)?:\/\//.test(v), "expected postgres://user:password@host:5432/database"),
  },
  pgSchema: {
    flag: "--pg-schema",
    env: "TM20_PG_SCHEMA",
    help: "PostgreSQL schema the export creates and fills; with --cluster, the shared store's schema (created if missing; a search_path in --pg-url wins)",
    default: "tm20",
    schema: z.string().regex(SCHEMA_NAME, "lower-case letters, digits and _"),
  },
  pgTemplates: {
    flag: "--pg-templates",
    env: "TM20_PG_TEMPLATES",
    help: "on: export biometric templates too (off by default: they are personal data)",
    default: "off",
    schema: z.enum(["on", "off"]),
  },
  timesheetUpdates: {
    flag: "--timesheet-updates",
    env: "TM20_TIMESHEET_UPDATES",
    help: "off: daily results are not recomputed as punches arrive (only after an admin's change, and by tm20 timesheets rebuild)",
    default: "on",
    schema: z.enum(["on", "off"]),
  },
  webhookRetryBaseMs: {
    flag: "--webhook-retry-base-ms",
    env: "TM20_WEBHOOK_RETRY_BASE_MS",
    help: "first back-off after a failed webhook delivery; it doubles per failure (with jitter)",
    default: "1000",
    schema: z.coerce.number().int().min(10),
  },
  webhookRetryMaxMs: {
    flag: "--webhook-retry-max-ms",
    env: "TM20_WEBHOOK_RETRY_MAX_MS",
    help: "longest back-off between webhook delivery attempts",
    default: "300000",
    schema: z.coerce.number().int().min(10),
  },
  webhookLeaseMs: {
    flag: "--webhook-lease-ms",
    env: "TM20_WEBHOOK_LEASE_MS",
    help: "cluster: how long an instance's claim to deliver a webhook or HR destination, or to send the alert notifications, lasts unrenewed (renewed every third of it); another instance takes over this long after the holder dies",
    default: "15000",
    schema: z.coerce.number().int().min(1000).max(600_000),
  },
  maxQueuedRecords: {
    flag: "--max-queued-records",
    env: "TM20_MAX_QUEUED_RECORDS",
    help: "records waiting for commit before uploads are answered result:false; one terminal's own uploads may hold 5% of them (beyond, its uploads alone are answered result:false)",
    default: "200000",
    schema: z.coerce.number().int().min(100),
  },
  commitTimeout: {
    flag: "--commit-timeout",
    env: "TM20_COMMIT_TIMEOUT",
    help: "seconds a commit may take before its uploads are answered result:false (a store that stopped answering)",
    // Above PostgreSQL's idle-transaction limit (15 s): a frozen peer holding the records lock
    // delays the healthy instances' commits that long, and must not make them report failure.
    default: "30",
    schema: seconds,
  },
  maxConnections: {
    flag: "--max-connections",
    env: "TM20_MAX_CONNECTIONS",
    help: "terminal connections held at most; more are refused (HTTP 503) until some close",
    default: "20000",
    schema: z.coerce.number().int().min(1),
  },
  maxConnectionsPerAddress: {
    flag: "--max-connections-per-address",
    env: "TM20_MAX_CONNECTIONS_PER_ADDRESS",
    help: "terminal connections held at most from one address (several terminals may share one behind NAT); more are refused (HTTP 503)",
    default: "64",
    schema: z.coerce.number().int().min(1),
  },
  maxPendingTerminals: {
    flag: "--max-pending-terminals",
    env: "TM20_MAX_PENDING_TERMINALS",
    help: "under --approval approve: unknown terminals kept waiting for approval at most; a new one beyond is refused and not stored",
    default: "1000",
    schema: z.coerce.number().int().min(1),
  },
  newTerminalsPerMinute: {
    flag: "--new-terminals-per-minute",
    env: "TM20_NEW_TERMINALS_PER_MINUTE",
    help: "under --approval approve: unknown terminals one address may add to the pending list per minute; beyond, refused and not stored",
    default: "20",
    schema: z.coerce.number().int().min(1),
  },
  messageRate: {
    flag: "--message-rate",
    env: "TM20_MESSAGE_RATE",
    help: "messages per second one terminal may send (bursts of 2x allowed); beyond: result:false. 0: no limit",
    default: "50",
    schema: z.coerce.number().min(0),
  },
  metricsAllow: {
    flag: "--metrics-allow",
    env: "TM20_METRICS_ALLOW",
    help: "addresses/CIDRs that may read /metrics without an API token, comma-separated (e.g. 127.0.0.1,::1)",
    default: "",
    schema: addressList,
  },
  terminalOrigins: {
    flag: "--terminal-origins",
    env: "TM20_TERMINAL_ORIGINS",
    help: "Origin header values still accepted on a terminal WebSocket, comma-separated (browsers send one, terminals do not: every other upgrade with an Origin is refused 403)",
    default: "",
    schema: z.string().max(4096).regex(/^[\x21-\x7e ]*$/, "printable ASCII origins, comma-separated"),
  },
  terminalAddresses: {
    flag: "--terminal-addresses",
    env: "TM20_TERMINAL_ADDRESSES",
    help: "addresses/CIDRs (IPv4 or IPv6) terminals may connect from, comma-separated (e.g. 192.168.1.0/24,10.0.0.5); a terminal upgrade from elsewhere is refused 403. Empty: any",
    default: "",
    schema: addressList,
  },
  allowedHosts: {
    flag: "--allowed-hosts",
    env: "TM20_ALLOWED_HOSTS",
    help: "host names (and addresses) the UI and API answer to, comma-separated; others get 421 (DNS rebinding). Empty: any",
    default: "",
    schema: z.string().max(4096).regex(/^[A-Za-z0-9.:,\[\] _-]*$/, "host names or addresses, comma-separated"),
  },
  trustedProxies: {
    flag: "--trusted-proxies",
    env: "TM20_TRUSTED_PROXIES",
    help: "addresses/CIDRs of reverse proxies whose X-Forwarded-For (the client's address) and X-Forwarded-Proto: https (Secure cookies) are believed, comma-separated",
    default: "",
    schema: addressList,
  },
  tlsCert: {
    flag: "--tls-cert",
    env: "TM20_TLS_CERT",
    help: "PEM certificate (chain) file: the port serves HTTPS and WSS (with --tls-key); terminals that cannot do TLS use --terminal-port",
    default: "",
    schema: z.string(),
  },
  tlsKey: { flag: "--tls-key", env: "TM20_TLS_KEY", help: "PEM private key file of --tls-cert", default: "", schema: z.string() },
  terminalPort: {
    flag: "--terminal-port",
    env: "TM20_TERMINAL_PORT",
    help: "a second TCP port, plain ws:// for terminal WebSockets only (every other request there is refused 426): terminals that cannot do TLS keep it while --port is HTTPS. Empty: none",
    default: "",
    schema: z.union([z.literal(""), z.coerce.number().int().min(0).max(65535)]),
  },
  photoRetentionDays: {
    flag: "--photo-retention-days",
    env: "TM20_PHOTO_RETENTION_DAYS",
    help: "punch photos older than this many days are deleted (0: keep forever)",
    default: "90",
    schema: z.coerce.number().int().min(0),
  },
  quarantineRetentionDays: {
    flag: "--quarantine-retention-days",
    env: "TM20_QUARANTINE_RETENTION_DAYS",
    help: "quarantined records older than this many days are deleted (0: keep forever)",
    default: "90",
    schema: z.coerce.number().int().min(0),
  },
  attendanceRetentionDays: {
    flag: "--attendance-retention-days",
    env: "TM20_ATTENDANCE_RETENTION_DAYS",
    help: "attendance and door events older than this many days are deleted (0: keep forever)",
    default: "0",
    schema: z.coerce.number().int().min(0),
  },
  cluster: {
    flag: "--cluster",
    env: "TM20_CLUSTER",
    help: "cluster mode: --pg-url is the shared store (not an export target), Redis (--redis-url) carries presence and routing",
    default: "false",
    boolean: true,
    schema: z.enum(["true", "false", "1", "0", "yes", "no"]).transform((v) => v === "true" || v === "1" || v === "yes"),
  },
  redisUrl: {
    flag: "--redis-url",
    env: "TM20_REDIS_URL",
    help: "Redis URL for cluster presence and pub/sub, redis://[:pass@]host:6379[/db]",
    default: "",
    schema: z.string().refine((v) => v === "" || /^rediss?:\/\//.test(v), "expected redis://…"),
  },
  redisPrefix: {
    flag: "--redis-prefix",
    env: "TM20_REDIS_PREFIX",
    help: "cluster mode: the site's namespace for every Redis key and channel; empty: tm20:<database>/<schema> of the store, so sites sharing one Redis stay apart",
    default: "",
    schema: z.string().regex(/^[\x21-\x7e]{0,100}$/, "at most 100 printable ASCII characters, no spaces"),
  },
} as const;

export type FieldName = keyof typeof serveFields;

/** The resolved configuration: each field is what its schema gives, so the type cannot drift from the table. */
export type ServeConfig = { [K in FieldName]: z.output<(typeof serveFields)[K]["schema"]> };

/** The site setting a field only seeds (changed on the Settings page without a restart); null: the field needs a restart. */
export function siteSettingOf(name: FieldName): string | null {
  const field = serveFields[name];
  return "siteSetting" in field ? field.siteSetting : null;
}

/** A comma-separated setting as its set of entries. */
export function listSetting(value: string): Set<string> {
  return new Set(value.split(",").map((v) => v.trim()).filter((v) => v !== ""));
}

export function defaultTimeZone(tz: string): string {
  return tz === "" ? systemTimeZone() : tz;
}
