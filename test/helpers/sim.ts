/**
 * Simulated terminals (the real simulator, run in the test process) against a server process,
 * and polling helpers for state that settles asynchronously.
 */
import type { SimDevice } from "../../src/simulator/device.ts";
import { SimulatedTerminal, type SimTerminalOptions } from "../../src/simulator/terminal.ts";

export const START = new Date("2026-03-01T08:00:00Z");

/** A started terminal that uploads nothing by itself (records: 0) and answers commands. */
export function startSim(
  url: string,
  sn: string,
  options: Partial<Pick<SimTerminalOptions, "answerWith" | "commandMode" | "records" | "batchSize" | "onAck">> & { device?: SimDevice } = {},
): SimulatedTerminal {
  const t = new SimulatedTerminal({
    url, sn, batchSize: options.batchSize ?? 10, rate: 0, records: options.records ?? 0, startTime: START,
    regRetryMs: 2000, answerTimeoutMs: 15_000, reconnectMs: 200,
    ...(options.onAck ? { onAck: options.onAck } : {}),
    ...(options.device ? { device: options.device } : {}),
    ...(options.answerWith ? { answerWith: options.answerWith } : {}),
    ...(options.commandMode ? { commandMode: options.commandMode } : {}),
  });
  t.start();
  return t;
}

/** Polls until `check` returns a value other than undefined/false, or fails with `what`. */
export async function until<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(50);
  }
}

export const registered = (t: SimulatedTerminal) => until(`registration of a terminal`, () => t.stats.registered);

export function commandsReceived(t: SimulatedTerminal, cmd: string): Array<Record<string, unknown>> {
  return t.device.received.filter((m) => m.cmd === cmd);
}
