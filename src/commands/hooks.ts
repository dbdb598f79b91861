/**
 * What a terminal connection tells the command engine, in one place: the connection stays a
 * thin protocol handler and the engine's parts stay out of it.
 */
import type { Logger } from "pino";
import type { PeopleSync } from "../people/sync.ts";
import type { AccessSync } from "../terminals/access-sync.ts";
import type { ClockCheck } from "./clock-check.ts";
import type { CommandChannel, CommandDispatcher } from "./dispatcher.ts";

export interface TerminalCommandHooks {
  /** The `reg` was accepted and its answer sent: queued commands may follow now. */
  registered(sn: string, channel: CommandChannel, terminalTime: string | undefined): void;
  closed(sn: string, channel: CommandChannel): void;
  /** True when the frame answered the command (or probe) in flight. */
  answer(sn: string, channel: CommandChannel, name: string, body: Record<string, unknown>, raw: Record<string, unknown>): boolean;
  /** Keep-alive probe through the command slot; false when a command is in flight (it draws an answer anyway). */
  probe(sn: string, channel: CommandChannel): boolean;
  /** A keypad enrolment (`senduser`) was committed. */
  enrolled(sn: string, enrollid: number, backupnum: number): void;
}

export function commandHooks(parts: {
  dispatcher: CommandDispatcher;
  clock: ClockCheck;
  sync: PeopleSync;
  access?: AccessSync;
  /** The rules changed (server.ts `accessChanged`): a keypad may enrol someone new. */
  accessChanged?: () => Promise<void>;
  log: Logger;
}): TerminalCommandHooks {
  const { dispatcher, clock, sync, access, accessChanged, log } = parts;
  return {
    registered(sn, channel, terminalTime) {
      dispatcher.attached(sn, channel);
      void clock.registered(sn, terminalTime);
      access?.registered(sn).catch((err: unknown) => log.error({ err, sn }, "access sync of a terminal that registered failed"));
    },
    closed: (sn, channel) => dispatcher.detached(sn, channel),
    answer: (sn, channel, name, body, raw) => dispatcher.answer(sn, channel, name, body, raw),
    probe: (sn, channel) => dispatcher.probe(sn, channel),
    enrolled(sn, enrollid, backupnum) {
      // Someone new gets their (closed) lock on every door before their credential reaches the
      // other members of a synced group: a unit admits a person it holds no lock for.
      (accessChanged?.() ?? Promise.resolve())
        .catch((err: unknown) => log.error({ err, sn, enrollid }, "access sync of an enrolment failed"))
        .then(() => sync.credentialReceived(sn, enrollid, backupnum))
        .catch((err: unknown) => log.error({ err, sn, enrollid }, "group sync of an enrolment failed"));
    },
  };
}
