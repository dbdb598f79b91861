/**
 * Terminal clocks: measured from `reg` (devinfo.time) and daily with `gettime`; a clock off by
 * more than the limit gets `settime`, and a successful `settime` (the server's or an admin's) is
 * followed by a `gettime` that measures it again. The measured drift is stored per terminal.
 */
import type { Logger } from "pino";
import { parseTerminalTime, type SiteClock } from "../protocol/index.ts";
import { SERVER_ACTOR } from "../store/commands-contract.ts";
import type { Writer } from "../store/writer.ts";
import type { CommandDispatcher } from "./dispatcher.ts";

export interface ClockCheckOptions {
  dispatcher: CommandDispatcher;
  /** Measurements go through the group commit, like everything a registration writes. */
  writer: Writer;
  clock: SiteClock;
  log: Logger;
  now: () => number;
  /** Seconds of drift tolerated before `settime`. */
  limitSeconds: number;
  intervalMs: number;
}

/** A clock command that cannot go out soon is pointless: the next check will ask again. */
const CLOCK_DEADLINE_MS = 10 * 60_000;

export class ClockCheck {
  #o: ClockCheckOptions;
  #timer: ReturnType<typeof setInterval> | undefined;
  /** When each terminal last got a settime. */
  #corrected = new Map<string, number>();

  constructor(options: ClockCheckOptions) {
    this.#o = options;
    options.dispatcher.handle("gettime", async (command, answer) => {
      if (typeof answer.time === "string") await this.#measure(command.sn, answer.time);
      return answer;
    });
    // A clock just set is measured again at once: its drift (and the clock alert) then shows what
    // the terminal's clock says now, not what it said before it was set (issue 17).
    options.dispatcher.handle("settime", async (command, answer) => {
      void this.#ask(command.sn);
      return answer;
    });
  }

  start() {
    this.#timer = setInterval(() => {
      for (const sn of this.#o.dispatcher.onlineTerminals()) void this.#ask(sn);
    }, this.#o.intervalMs);
  }

  stop() {
    if (this.#timer) clearInterval(this.#timer);
  }

  /**
   * After an accepted `reg`, from its devinfo time. A reg without one is left to the daily check:
   * asking every reconnecting unit with `gettime` would double the traffic of a reconnect storm.
   */
  async registered(sn: string, terminalTime: string | undefined) {
    if (terminalTime === undefined) return;
    try {
      await this.#measure(sn, terminalTime);
    } catch (err) {
      this.#o.log.warn({ err, sn }, "clock check failed");
    }
  }

  async #ask(sn: string) {
    await this.#submit(sn, "gettime").catch((err: unknown) => this.#o.log.warn({ err, sn }, "clock check not queued"));
  }

  #submit(sn: string, command: "gettime" | "settime") {
    return this.#o.dispatcher.submit([{ sn, command, params: {}, actor: SERVER_ACTOR, deadline: this.#o.now() + CLOCK_DEADLINE_MS }]);
  }

  async #measure(sn: string, text: string) {
    const local = parseTerminalTime(text);
    if (local === null) return;
    const now = this.#o.now();
    const drift = Math.round((this.#o.clock.toUtc(local) - now) / 1000);
    const last = this.#corrected.get(sn);
    // A unit that reconnects over and over is corrected once per deadline, not once per reg.
    const correct = Math.abs(drift) > this.#o.limitSeconds && (last === undefined || now - last >= CLOCK_DEADLINE_MS);
    const written = await this.#o.writer.submit({ type: "terminal-clock", sn, at: now, driftSeconds: drift, corrected: correct });
    if (!written.ok) throw written.error;
    if (correct) {
      this.#forgetOldCorrections(now);
      this.#corrected.set(sn, now);
      this.#o.log.info({ sn, driftSeconds: drift, limitSeconds: this.#o.limitSeconds }, "terminal clock off; sending settime");
      await this.#submit(sn, "settime");
    }
  }

  #forgetOldCorrections(now: number) {
    if (this.#corrected.size < 1000) return;
    for (const [sn, at] of this.#corrected) if (now - at >= CLOCK_DEADLINE_MS) this.#corrected.delete(sn);
  }
}
