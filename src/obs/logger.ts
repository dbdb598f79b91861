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
  const destination = pino.destination({ fd, sync: false });
  let open = true;
  // Lines logged once the destination is ending would throw inside whatever callback logged them.
  const log = pino(options, { write: (line: string) => void (open && destination.write(line)) });
  closers.set(log, (limitMs) => {
    open = false;
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, limitMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      destination.once("close", done);
      destination.once("error", done);
      destination.end();
    });
  });
  return log;
}

const closers = new WeakMap<Logger, (limitMs: number) => Promise<void>>();

/**
 * Before the process exits: every line logged so far is written. pino's `flush(cb)` calls back at
 * once on an unbuffered destination even while a write is pending (a slow reader of a full pipe),
 * so a process that exited then lost its last lines, "stopped" among them. Ending the destination
 * waits for its writes; a reader that never drains cannot hold the exit longer than `limitMs`.
 * Lines logged after it are dropped.
 */
export function closeLog(log: Logger, limitMs = 3_000): Promise<void> {
  const close = closers.get(log);
  closers.delete(log);
  return close ? close(limitMs) : Promise.resolve();
}
