/**
 * The listeners of `tm20 serve`: the main port (terminals' WebSocket, admin UI and API) and the
 * optional terminals-only port (--terminal-port).
 */
import { readFileSync } from "node:fs";
import type { Server } from "bun";
import { UsageError } from "../cli/args.ts";
import type { ServeConfig } from "../config/schema.ts";
import type { createHttpApp } from "../http/app.ts";
import { MAX_REQUEST_BODY_BYTES } from "../http/body-limits.ts";
import { throughTrustedProxy } from "../http/forwarded.ts";
import { withOrigin } from "../http/host-less.ts";
import type { AllowList } from "../lib/ip-allow-list.ts";
import type { Gateway } from "../terminals/gateway.ts";
import type { TerminalEndpoint } from "../ui/terminal-urls.ts";

/** The terminals-only listener (--terminal-port) reads no request body. */
const TERMINAL_PORT_BODY_BYTES = 1024;

export interface Listeners {
  server: Server<unknown>;
  terminalServer: Server<unknown> | null;
  tls: boolean;
  /** Where terminals connect, as bound (a --port 0 takes any free one). */
  terminalEndpoint: TerminalEndpoint;
}

export function listen(config: ServeConfig, gateway: Gateway, http: Pick<ReturnType<typeof createHttpApp>, "fetch">, trustedProxies: AllowList | null): Listeners {
  const tls = config.tlsCert !== "" ? { cert: readPem(config.tlsCert, "--tls-cert"), key: readPem(config.tlsKey, "--tls-key") } : null;
  const server: Server<unknown> = Bun.serve({
    port: config.port,
    hostname: config.host,
    ...(tls ? { tls } : {}),
    maxRequestBodySize: MAX_REQUEST_BODY_BYTES,
    fetch: (req, srv) => {
      const taken = gateway.upgrade(req, srv as never);
      if (taken === true) return undefined;
      if (taken !== false) return taken;
      const direct = withOrigin(req, srv, srv.url.origin);
      const request = throughTrustedProxy(direct.req, direct.env, trustedProxies);
      return http.fetch(request.req, request.env);
    },
    websocket: gateway.websocket as never,
  });
  // Terminals that cannot do TLS keep plain WebSocket here while the UI and API are HTTPS only:
  // the same gateway (limits, Origin check, connection counts), and nothing else answers.
  const terminalServer = config.terminalPort === "" ? null : Bun.serve({
    port: config.terminalPort,
    hostname: config.host,
    // Nothing but upgrades is served here: no body is ever read.
    maxRequestBodySize: TERMINAL_PORT_BODY_BYTES,
    fetch: (req, srv) => {
      const taken = gateway.upgrade(req, srv as never);
      if (taken === true) return undefined;
      if (taken !== false) return taken;
      return new Response(`This port takes terminal WebSocket connections only; the admin UI and API are on port ${server.port}${tls ? " (https)" : ""}.\n`, {
        status: 426,
        headers: { upgrade: "websocket", connection: "Upgrade" },
      });
    },
    websocket: gateway.websocket as never,
  });
  const terminalEndpoint = terminalServer
    ? { port: terminalServer.port ?? Number(config.terminalPort), tls: false, host: config.host }
    : { port: server.port ?? config.port, tls: tls !== null, host: config.host };
  return { server, terminalServer, tls: tls !== null, terminalEndpoint };
}

/** A PEM file for Bun.serve's tls; unreadable or not PEM: a usage error naming the flag. */
function readPem(path: string, flag: string): string {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new UsageError(`${flag}: cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!text.includes("-----BEGIN ")) throw new UsageError(`${flag}: ${path} is not a PEM file`);
  return text;
}
