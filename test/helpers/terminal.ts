/**
 * A hand-driven terminal for protocol tests: send exact frames, read exact answers.
 */
export interface TestTerminal {
  ws: WebSocket;
  received: Array<Record<string, unknown>>;
  send(frame: object | string | Uint8Array<ArrayBuffer>): void;
  /** The next received frame matching `match` (already-received ones count), or a time-out error. */
  next(match?: (m: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Sends `reg` and waits for its answer. */
  register(sn: string, devinfo?: object): Promise<Record<string, unknown>>;
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

export async function connectTerminal(url: string): Promise<TestTerminal> {
  const ws = new WebSocket(url);
  ws.binaryType = "arraybuffer";
  const received: Array<Record<string, unknown>> = [];
  const consumed = new Set<Record<string, unknown>>();
  const waiters: Array<() => void> = [];
  ws.onmessage = (ev) => {
    const text = typeof ev.data === "string" ? ev.data : new TextDecoder().decode(ev.data as ArrayBuffer);
    received.push(JSON.parse(text) as Record<string, unknown>);
    for (const w of waiters.splice(0)) w();
  };
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.onclose = (ev) => {
      resolve({ code: ev.code, reason: ev.reason });
      for (const w of waiters.splice(0)) w();
    };
  });
  await new Promise<void>((resolve, reject) => {
    ws.onopen = () => resolve();
    ws.onerror = () => reject(new Error(`cannot connect to ${url}`));
  });

  const next: TestTerminal["next"] = (match = () => true, timeoutMs = 5000) =>
    new Promise((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(received)}`)), timeoutMs);
      const check = () => {
        const found = received.find((m) => !consumed.has(m) && match(m));
        if (found) {
          consumed.add(found);
          clearTimeout(deadline);
          resolve(found);
        } else {
          waiters.push(check);
        }
      };
      check();
    });

  const t: TestTerminal = {
    ws,
    received,
    send(frame) {
      ws.send(typeof frame === "string" || frame instanceof Uint8Array ? frame : JSON.stringify(frame));
    },
    next,
    async register(sn, devinfo = { modelname: "test", firmware: "t-1", usersize: 1000 }) {
      t.send({ cmd: "reg", sn, devinfo });
      return next((m) => m.ret === "reg");
    },
    closed,
    close: () => ws.close(),
  };
  return t;
}
