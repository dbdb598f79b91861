/**
 * The terminal side of Bun.serve: upgrades, per-socket handlers and the keep-alive sweep.
 * Every WebSocket upgrade outside the reserved prefix is a terminal, whatever its path.
 */
import type { Server, ServerWebSocket, WebSocketHandler } from "bun";
import type { Logger } from "pino";
import { type ConnectionDeps, TerminalConnection } from "./connection.ts";

/** Paths under this prefix belong to the admin UI and API, never to terminals. */
export const RESERVED_PREFIX = "/api/";

/** PROTOCOL.md §1: templates and photos reach several MB. */
export const MAX_FRAME_BYTES = 4 * 1024 * 1024;

interface SocketData {
  path: string;
  remoteAddr: string;
  conn?: TerminalConnection;
}

export interface GatewayOptions {
  deps: ConnectionDeps;
  log: Logger;
  probeAfterMs: number;
  timeoutMs: number;
}

let nextSession = 0;
const sessionPrefix = `${process.pid.toString(36)}-${Date.now().toString(36)}`;

export class Gateway {
  #o: GatewayOptions;
  #sockets = new Set<TerminalConnection>();
  #sweep: ReturnType<typeof setInterval> | undefined;

  constructor(options: GatewayOptions) {
    this.#o = options;
  }

  get connections(): number {
    return this.#sockets.size;
  }

  /** Returns true when the request was taken as a terminal socket. */
  upgrade(req: Request, server: Server<SocketData>): boolean {
    if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") return false;
    const path = new URL(req.url).pathname;
    if (path.startsWith(RESERVED_PREFIX)) return false;
    const remoteAddr = server.requestIP(req)?.address ?? "unknown";
    return server.upgrade(req, { data: { path, remoteAddr } });
  }

  readonly websocket: WebSocketHandler<SocketData> = {
    maxPayloadLength: MAX_FRAME_BYTES,
    // Liveness is ours to judge (gettime probes), not the transport's: many units ignore pings.
    idleTimeout: 0,
    sendPings: false,
    backpressureLimit: 8 * 1024 * 1024,
    closeOnBackpressureLimit: true,
    open: (ws) => {
      const conn = new TerminalConnection(
        { send: (text) => ws.send(text), close: (code, reason) => ws.close(code, reason) },
        this.#o.deps,
        { sessionId: `${sessionPrefix}-${(nextSession++).toString(36)}`, remoteAddr: ws.data.remoteAddr, path: ws.data.path },
      );
      ws.data.conn = conn;
      this.#sockets.add(conn);
    },
    message: (ws, message) => {
      const conn = ws.data.conn;
      if (!conn) return;
      conn.onFrame(typeof message === "string" ? message : new Uint8Array(message)).catch((err: unknown) => {
        this.#o.log.error({ err, sn: conn.sn }, "frame handling failed");
      });
    },
    close: (ws: ServerWebSocket<SocketData>, code, reason) => {
      const conn = ws.data.conn;
      if (!conn) return;
      this.#sockets.delete(conn);
      // uWebSockets reports an oversized frame as 1006 "Received too big message" on our side.
      if (code === 1009 || /too big/i.test(reason)) {
        this.#o.log.warn({ sn: conn.sn, remote: conn.remoteAddr, limit: MAX_FRAME_BYTES }, "frame too large; connection closed");
      }
      conn.onClose(code, reason);
    },
  };

  start() {
    const every = Math.max(1000, Math.min(this.#o.probeAfterMs, this.#o.timeoutMs) / 4);
    this.#sweep = setInterval(() => this.#keepAlive(), every);
  }

  #keepAlive() {
    const now = this.#o.deps.now();
    for (const conn of this.#sockets) {
      const silent = now - conn.lastInbound;
      if (silent >= this.#o.timeoutMs) {
        this.#o.log.info({ sn: conn.sn, remote: conn.remoteAddr, silentMs: silent }, "terminal silent too long; closing");
        conn.close(4000, "no frame within the connection time-out");
      } else if (conn.sn && silent >= this.#o.probeAfterMs && (conn.probeSentAt === null || conn.probeSentAt < conn.lastInbound)) {
        conn.probe(now);
      }
    }
  }

  /** Closes every socket (shutdown). */
  stop(code: number, reason: string) {
    if (this.#sweep) clearInterval(this.#sweep);
    for (const conn of this.#sockets) conn.close(code, reason);
  }
}
