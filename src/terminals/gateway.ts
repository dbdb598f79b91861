/**
 * The terminal side of Bun.serve: upgrades, per-socket handlers and the keep-alive sweep.
 * Every WebSocket upgrade outside the reserved prefix is a terminal, whatever its path.
 */
import type { Server, ServerWebSocket, WebSocketHandler } from "bun";
import type { Logger } from "pino";
import { forwardedClient } from "../http/forwarded.ts";
import type { AllowList } from "../lib/ip-allow-list.ts";
import { type ConnectionDeps, TerminalConnection } from "./connection.ts";

/** Paths under this prefix belong to the admin UI and API, never to terminals. */
export const RESERVED_PREFIX = "/api/";

/** PROTOCOL.md §1: templates and photos reach several MB. */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;

interface SocketData {
  path: string;
  remoteAddr: string;
  conn?: TerminalConnection;
  /** Frames sent, and when the last one left: what the answer-latency measure reads. */
  sends: number;
  lastSendAt: number;
  /** A send was dropped: the client stopped reading and the send buffer is full (the socket is being closed). */
  sendBufferFull: boolean;
}

/** What the gateway reports (src/obs/server-metrics.ts implements it). */
export interface GatewayMetrics {
  received(): void;
  sent(): void;
  /** Seconds from a frame received to the answer sent for it. */
  answered(latencySeconds: number): void;
  connectionRefused(reason: string): void;
}

export interface GatewayOptions {
  deps: ConnectionDeps;
  log: Logger;
  probeAfterMs: number;
  timeoutMs: number;
  /** Sockets held at most; upgrades beyond are refused with 503 until some close. */
  maxConnections: number;
  /** Sockets held at most from one address: one host cannot take every slot. */
  maxConnectionsPerAddress: number;
  metrics: GatewayMetrics;
  /**
   * Origins whose upgrades are still terminals. Terminals send no Origin; browsers always do, so
   * without this a page open in a LAN user's browser could act as a terminal.
   */
  allowedOrigins: ReadonlySet<string>;
  /** Where terminals may connect from (`--terminal-addresses`); null: anywhere. */
  terminalAddresses: AllowList | null;
  /** Proxies whose X-Forwarded-For names the terminal (`--trusted-proxies`); null: none. */
  trustedProxies: AllowList | null;
}

/** A refused connection storm must not flood the log: one line per interval, with the count. */
const REFUSAL_LOG_INTERVAL_MS = 10_000;

let nextSession = 0;
const sessionPrefix = `${process.pid.toString(36)}-${Date.now().toString(36)}`;

export class Gateway {
  #o: GatewayOptions;
  #sockets = new Set<TerminalConnection>();
  #perAddress = new Map<string, number>();
  #sweep: ReturnType<typeof setInterval> | undefined;
  /** Refusals not yet logged, and when each kind was last logged. */
  #refusedUnlogged = new Map<string, number>();
  #refusalLoggedAt = new Map<string, number>();

  constructor(options: GatewayOptions) {
    this.#o = options;
  }

  get connections(): number {
    return this.#sockets.size;
  }

  /**
   * True when the request was taken as a terminal socket, false when it is not a terminal's,
   * or the refusal to send when the connection limit is reached.
   */
  upgrade(req: Request, server: Server<SocketData>): boolean | Response {
    if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") return false;
    // Relative when the request had no Host header.
    const path = new URL(req.url, "http://localhost").pathname;
    if (path.startsWith(RESERVED_PREFIX)) return false;
    const peer = server.requestIP(req)?.address ?? "unknown";
    const trusted = this.#o.trustedProxies;
    // Through a trusted proxy (HAProxy in front of a cluster) the terminal is the client it names.
    const remoteAddr = trusted !== null && trusted(peer) ? (forwardedClient(req.headers.get("x-forwarded-for"), trusted) ?? peer) : peer;
    if (this.#o.terminalAddresses !== null && !this.#o.terminalAddresses(remoteAddr)) {
      return this.#refuse("address", remoteAddr, {}, "terminal connection refused: address outside --terminal-addresses", 403, "this address may not connect as a terminal");
    }
    const origin = req.headers.get("origin");
    if (origin !== null && !this.#o.allowedOrigins.has(origin)) {
      return this.#refuse("origin", remoteAddr, { origin }, "terminal connection refused: a browser's upgrade (Origin header; --terminal-origins allows listed ones)", 403, "browsers cannot connect as terminals");
    }
    if (this.#sockets.size >= this.#o.maxConnections) {
      return this.#refuse("max_connections", remoteAddr, { limit: this.#o.maxConnections }, "terminal connection refused: connection limit reached", 503, "connection limit reached, retry later");
    }
    if ((this.#perAddress.get(remoteAddr) ?? 0) >= this.#o.maxConnectionsPerAddress) {
      return this.#refuse("max_connections_per_address", remoteAddr, { limit: this.#o.maxConnectionsPerAddress }, "terminal connection refused: connection limit per address reached", 503, "connection limit per address reached, retry later");
    }
    return server.upgrade(req, { data: { path, remoteAddr, sends: 0, lastSendAt: 0, sendBufferFull: false } });
  }

  #refuse(reason: string, remoteAddr: string, details: Record<string, unknown>, msg: string, status: number, body: string): Response {
    this.#o.metrics.connectionRefused(reason);
    const unlogged = (this.#refusedUnlogged.get(reason) ?? 0) + 1;
    const now = this.#o.deps.now();
    if (now - (this.#refusalLoggedAt.get(reason) ?? -Infinity) >= REFUSAL_LOG_INTERVAL_MS) {
      this.#o.log.warn({ remote: remoteAddr, refused: unlogged, ...details }, msg);
      this.#refusalLoggedAt.set(reason, now);
      this.#refusedUnlogged.set(reason, 0);
    } else {
      this.#refusedUnlogged.set(reason, unlogged);
    }
    return new Response(body, { status, headers: status === 503 ? { "retry-after": "30" } : {} });
  }

  readonly websocket: WebSocketHandler<SocketData> = {
    maxPayloadLength: MAX_FRAME_BYTES,
    // Liveness is ours to judge (gettime probes), not the transport's: many units ignore pings.
    idleTimeout: 0,
    sendPings: false,
    backpressureLimit: 8 * 1024 * 1024,
    closeOnBackpressureLimit: true,
    open: (ws) => {
      const metrics = this.#o.metrics;
      const send = (text: string) => {
        ws.data.sends++;
        ws.data.lastSendAt = performance.now();
        metrics.sent();
        const sent = ws.send(text);
        // 0: dropped past the backpressure limit, and uWebSockets closes the socket (code 1006, no reason).
        if (sent === 0) ws.data.sendBufferFull = true;
        return sent;
      };
      const conn = new TerminalConnection(
        { send, close: (code, reason) => ws.close(code, reason) },
        this.#o.deps,
        { sessionId: `${sessionPrefix}-${(nextSession++).toString(36)}`, remoteAddr: ws.data.remoteAddr, path: ws.data.path },
      );
      ws.data.conn = conn;
      this.#sockets.add(conn);
      this.#perAddress.set(conn.remoteAddr, (this.#perAddress.get(conn.remoteAddr) ?? 0) + 1);
    },
    message: (ws, message) => {
      const conn = ws.data.conn;
      if (!conn) return;
      const metrics = this.#o.metrics;
      metrics.received();
      const receivedAt = performance.now();
      const sendsBefore = ws.data.sends;
      conn.onFrame(typeof message === "string" ? message : new Uint8Array(message)).then(
        () => {
          // Frames that get no answer (answers to our commands, garbage) have no latency.
          if (ws.data.sends > sendsBefore) metrics.answered((ws.data.lastSendAt - receivedAt) / 1000);
        },
        (err: unknown) => {
          this.#o.log.error({ err, sn: conn.sn, remote: conn.remoteAddr }, "frame handling failed");
        },
      );
    },
    close: (ws: ServerWebSocket<SocketData>, code, reason) => {
      const conn = ws.data.conn;
      if (!conn) return;
      this.#sockets.delete(conn);
      const held = (this.#perAddress.get(conn.remoteAddr) ?? 1) - 1;
      if (held > 0) this.#perAddress.set(conn.remoteAddr, held);
      else this.#perAddress.delete(conn.remoteAddr);
      // uWebSockets reports an oversized frame as 1006 "Received too big message" on our side.
      const tooBig = code === 1009 || /too big/i.test(reason);
      const cause = tooBig ? `frame too large (over ${MAX_FRAME_BYTES} bytes)` : ws.data.sendBufferFull ? "send buffer full: the terminal stopped reading" : undefined;
      conn.onClose(code, reason, cause);
    },
  };

  start() {
    const every = Math.max(1000, Math.min(this.#o.probeAfterMs, this.#o.timeoutMs) / 4);
    this.#sweep = setInterval(() => this.#keepAlive(), every);
  }

  #keepAlive() {
    for (const conn of this.#sockets) conn.tick(this.#o.probeAfterMs, this.#o.timeoutMs);
  }

  /** Closes every socket (shutdown). */
  stop(code: number, reason: string) {
    if (this.#sweep) clearInterval(this.#sweep);
    for (const conn of this.#sockets) conn.close(code, reason);
  }
}
