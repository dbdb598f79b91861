import { loadServeConfig } from "../config/load.ts";
import { serveFields } from "../config/schema.ts";
import { createLogger } from "../obs/logger.ts";
import { startServer } from "../server.ts";
import { parseArgs } from "./args.ts";

export const serveHelp = `tm20 serve [flags]   run the server (terminals, UI and API on one port)

${Object.values(serveFields)
  .map((f) => `  ${`${f.flag}${"boolean" in f ? "" : " <value>"}`.padEnd(30)} ${f.help}\n  ${"".padEnd(30)} env ${f.env}${f.default ? `, default ${f.default}` : ""}`)
  .join("\n")}`;

export async function serveCommand(argv: string[]): Promise<void> {
  const fields = Object.values(serveFields);
  const { flags } = parseArgs(argv, {
    values: fields.filter((f) => !("boolean" in f)).map((f) => f.flag),
    booleans: fields.filter((f) => "boolean" in f).map((f) => f.flag),
  });
  const config = loadServeConfig(flags, process.env);
  const log = createLogger(config.logLevel);
  const server = await startServer(config, log);
  const onSignal = (signal: string) => {
    log.info({ signal }, "signal received");
    void server.stop().then(() => process.exit(0));
  };
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  process.on("SIGINT", () => onSignal("SIGINT"));
}
