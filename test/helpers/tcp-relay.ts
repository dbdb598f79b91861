/**
 * A real TCP relay (loopback) that a test can cut and restore, standing between a server and a
 * service it depends on (PostgreSQL): cutting it closes every relayed connection and refuses new
 * ones, as a stopped server would; stalling keeps every connection open but carries no byte either
 * way, as a network that drops packets would; restoring listens again on the same port and
 * delivers what a stall held back.
 */
import type { Socket, TCPSocketListener } from "bun";

interface Side {
  link: { stalled: boolean };
  socket: Socket<Pipe> | null;
  /** Bytes the socket did not take yet (backpressure), or that arrived before it connected. */
  pending: Uint8Array[];
}

interface Pipe {
  client: Side;
  upstream: Side;
  closed: boolean;
}

function flush(side: Side) {
  const socket = side.socket;
  if (!socket || side.link.stalled) return;
  while (side.pending.length > 0) {
    const chunk = side.pending[0] as Uint8Array;
    const written = socket.write(chunk);
    if (written < chunk.length) {
      side.pending[0] = chunk.subarray(Math.max(0, written));
      return;
    }
    side.pending.shift();
  }
}

function send(side: Side, data: Uint8Array) {
  side.pending.push(new Uint8Array(data));
  flush(side);
}

export class TcpRelay {
  readonly port: number;
  readonly #target: { host: string; port: number };
  #listener: TCPSocketListener<Pipe> | null;
  #pipes = new Set<Pipe>();
  readonly #link = { stalled: false };

  /** Listens on a free loopback port and relays every connection to `target`. */
  constructor(target: { host: string; port: number }) {
    this.#target = target;
    this.#listener = this.#listen(0);
    this.port = this.#listener.port;
  }

  #listen(port: number): TCPSocketListener<Pipe> {
    const close = (pipe: Pipe) => this.#close(pipe);
    const target = this.#target;
    const link = this.#link;
    const accept = (client: Socket<Pipe>) => {
      const pipe: Pipe = { client: { link, socket: client, pending: [] }, upstream: { link, socket: null, pending: [] }, closed: false };
      client.data = pipe;
      this.#pipes.add(pipe);
      Bun.connect<Pipe>({
        hostname: target.host,
        port: target.port,
        data: pipe,
        socket: {
          open(upstream) {
            if (pipe.closed) return void upstream.end();
            pipe.upstream.socket = upstream;
            flush(pipe.upstream);
          },
          data: (_upstream, data) => send(pipe.client, data),
          drain: () => flush(pipe.upstream),
          close: () => close(pipe),
          error: () => close(pipe),
        },
      }).catch(() => close(pipe));
    };
    return Bun.listen<Pipe>({
      hostname: "127.0.0.1",
      port,
      socket: {
        open: accept,
        data: (client, data) => send(client.data.upstream, data),
        drain: (client) => flush(client.data.client),
        close: (client) => close(client.data),
        error: (client) => close(client.data),
      },
    });
  }

  #close(pipe: Pipe) {
    if (pipe.closed) return;
    pipe.closed = true;
    this.#pipes.delete(pipe);
    pipe.client.socket?.end();
    pipe.upstream.socket?.end();
  }

  /** Closes every relayed connection and stops listening: new connections are refused, as by a stopped server. */
  cut() {
    this.#listener?.stop(true);
    this.#listener = null;
    for (const pipe of [...this.#pipes]) this.#close(pipe);
  }

  /** Keeps every connection (and accepts new ones) but relays nothing until restore(). */
  stall() {
    this.#link.stalled = true;
  }

  /** Listens again on the same port; ends a stall, delivering what it held back. */
  restore() {
    this.#listener ??= this.#listen(this.port);
    if (!this.#link.stalled) return;
    this.#link.stalled = false;
    for (const pipe of this.#pipes) {
      flush(pipe.client);
      flush(pipe.upstream);
    }
  }

  stop() {
    this.cut();
  }
}
