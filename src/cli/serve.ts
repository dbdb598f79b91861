import { loadServeConfig } from "../config/load.ts";
import { serveFields } from "../config/schema.ts";
import { closeLog, createLogger } from "../obs/logger.ts";
import { SHUTDOWN_TIMEOUT_MS, startServer } from "../server.ts";
import { parseArgs } from "./args.ts";
import { fieldHelp, SERVE_FLAGS } from "./store-flags.ts";

export const serveHelp = `tm20 serve [flags]   run the server (terminals, UI and API on one port)

${Object.values(serveFields).map(fieldHelp).join("\n")}`;

export async function serveCommand(argv: string[]): Promise<void> {
  const { flags } = parseArgs(argv, SERVE_FLAGS);
  const config = loadServeConfig(flags, process.env);
  const log = createLogger(config.logLevel);
  let server = await startServer(config, log);
  let signalled = false;
  let exiting = false;
  const exit = (code: number) => {
    if (exiting) return;
    exiting = true;
    void closeLog(log).then(() => process.exit(code));
  };
  const onSignal = (signal: string) => {
    if (exiting) return;
    if (signalled) {
      log.warn({ signal }, "second signal: exiting without finishing the shutdown");
      return exit(1);
    }
    signalled = true;
    log.info({ signal }, "signal received");
    // Whatever the shutdown waits for (a store that stopped answering, a peer), the process ends in time.
    setTimeout(() => {
      if (exiting) return;
      log.error({ limitMs: SHUTDOWN_TIMEOUT_MS }, "shutdown did not finish in time; exiting");
      exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    server.stop().then(
      () => exit(0),
      (err: unknown) => {
        log.error({ err }, "shutdown failed");
        exit(1);
      },
    );
  };
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  process.on("SIGINT", () => onSignal("SIGINT"));
  // Started read-only (disk full): once the store can be written, the same port serves read-write.
  while (server.writable) {
    await server.writable;
    if (signalled) return;
    const old = server;
    await old.stop();
    if (signalled) return exit(0);
    try {
      server = await startServer({ ...config, port: old.port, ...(old.terminalPort !== undefined ? { terminalPort: old.terminalPort } : {}) }, log);
    } catch (err) {
      log.error({ err }, "restart read-write failed");
      return exit(1);
    }
  }
}
