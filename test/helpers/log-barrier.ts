/**
 * Waits until every line the server has logged so far is in `srv.logs`: the server logs through
 * one asynchronous stream, in order, so once a line caused now shows up, all earlier ones have.
 * Replaces "sleep a little, then count": a count read after the barrier misses no line already
 * written, however slow the machine.
 */
import type { Tm20Process } from "./server.ts";
import { connectTerminal } from "./terminal.ts";

let marks = 0;

/** Registers a marker terminal (sn `LOGMARK…`, stored like any terminal) and waits for its "terminal connected" line. */
export async function logBarrier(srv: Tm20Process, timeoutMs = 20_000): Promise<void> {
  const sn = `LOGMARK${process.pid}X${++marks}`;
  const t = await connectTerminal(srv.ws());
  try {
    await t.register(sn);
    await connectedLogged(srv, sn, timeoutMs);
  } finally {
    t.close();
  }
}

/** The same barrier through a terminal the test registers itself (where a marker terminal would be refused or counted). */
export async function connectedLogged(srv: Tm20Process, sn: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!srv.logs.some((l) => l.msg === "terminal connected" && l.sn === sn)) {
    if (Date.now() > end) throw new Error(`log barrier: no "terminal connected" for ${sn} within ${timeoutMs} ms`);
    await Bun.sleep(10);
  }
}
