import pino, { type Logger } from "pino";
import pretty from "pino-pretty";
import { boundLogFields } from "./log-bounds.ts";

/**
 * A second line of defence: log calls pass ids and counts, never these, but a future
 * `log.info({ body })` must not leak a token, a PIN, a template or a photo.
 */
const SECRET_PATHS = ["token", "password", "authorization", "cookie", "secret", "record", "image", "data"].flatMap((k) => [k, `*.${k}`]);

/**
 * JSON lines by default (for journald and log shippers); human-readable on a terminal.
 * pino transports cannot load inside a compiled binary, so pretty printing is a sync stream.
 */
export function createLogger(level: string, stream: "stdout" | "stderr" = "stdout"): Logger {
  const fd = stream === "stdout" ? 1 : 2;
  const tty = stream === "stdout" ? process.stdout.isTTY : process.stderr.isTTY;
  const options = { level, base: undefined, redact: { paths: SECRET_PATHS, censor: "[redacted]" }, formatters: { log: boundLogFields } };
  if (tty) return pino(options, pretty({ sync: true, destination: fd, translateTime: "SYS:standard" }));
  return pino(options, pino.destination({ fd, sync: false }));
}
