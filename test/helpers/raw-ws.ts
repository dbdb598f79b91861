/**
 * A WebSocket client on a bare TCP socket, for what a real client library will not do: stop
 * reading (the server's send buffer fills) or vanish without a close (a half-open socket).
 */
import { connect, type Socket } from "node:net";

export interface RawWs {
  socket: Socket;
  /** Sends one masked text frame. */
  send(text: string): void;
  /** Stops reading: what the server sends piles up in its buffers. */
  stopReading(): void;
  /** Drops the TCP connection without a WebSocket close. */
  destroy(): void;
}

function frame(payload: Buffer): Buffer {
  const mask = Buffer.from([0x11, 0x22, 0x33, 0x44]);
  const n = payload.length;
  const head = n < 126 ? Buffer.from([0x81, 0x80 | n]) : n < 65_536 ? Buffer.from([0x81, 0x80 | 126, n >> 8, n & 255]) : Buffer.alloc(10);
  if (n >= 65_536) {
    head[0] = 0x81;
    head[1] = 0x80 | 127;
    head.writeBigUInt64BE(BigInt(n), 2);
  }
  const body = Buffer.alloc(n);
  for (let i = 0; i < n; i++) body[i] = (payload[i] ?? 0) ^ (mask[i % 4] ?? 0);
  return Buffer.concat([head, mask, body]);
}

/** `headers`: extra request lines of the upgrade (e.g. an Origin, as a browser sends); `from`: the loopback address to connect from. */
export function connectRaw(port: number, path = "/pub/chat", headers: Record<string, string> = {}, from?: string): Promise<RawWs> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: "127.0.0.1", ...(from === undefined ? {} : { localAddress: from }) });
    socket.once("error", reject);
    socket.once("connect", () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("")}\r\n`);
    });
    let head = "";
    const onData = (chunk: Buffer) => {
      head += chunk.toString("latin1");
      if (!head.includes("\r\n\r\n")) return;
      socket.off("data", onData);
      if (!head.startsWith("HTTP/1.1 101")) return reject(new Error(`no upgrade: ${head.split("\r\n")[0]}`));
      // Keep draining until told to stop (flowing mode needs a listener).
      socket.on("data", () => {});
      resolve({
        socket,
        send: (text) => void socket.write(frame(Buffer.from(text))),
        stopReading: () => void socket.pause(),
        destroy: () => void socket.destroy(),
      });
    };
    socket.on("data", onData);
  });
}
