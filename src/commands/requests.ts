/**
 * What is asked of the command engine, checked before anything is queued: the parameters, the
 * deadline (a door or destructive command's is short), how often a command may be sent.
 */
import { AppError } from "../lib/app-error.ts";
import { IDEMPOTENT_COMMANDS, URGENT_COMMANDS, validateParams } from "../protocol/index.ts";

/** Door and destructive commands are never sent after this. */
export const URGENT_DEADLINE_MS = 60_000;
/** Everything else waits this long for an offline terminal. */
export const DEFAULT_DEADLINE_MS = 30 * 24 * 3600_000;

export interface CommandRequest {
  sn: string;
  command: string;
  params: unknown;
  /** UTC ms; undefined takes the command's default, null means none. */
  deadline?: number | null;
  actor: string;
  jobId?: number | null;
}

/** A command that cannot be queued or sent as asked. */
export const invalidCommand = (message: string) => new AppError(400, "invalid_command", message);

/** Cluster mode: which terminals a command cannot reach from this instance now. */
export interface CommandRoute {
  /** Of `sns`, those held by another instance that this one cannot signal (Redis is down). */
  unreachable(sns: string[]): Promise<string[]>;
}

/** A command asked for by someone was refused, not queued: the terminal is out of this instance's reach. */
export function routingUnavailable(sns: string[]): AppError {
  return new AppError(
    503,
    "routing_unavailable",
    `terminal ${sns.join(", ")} is connected to another instance and Redis, which carries commands between instances, is unavailable: ` +
      "the command was not queued; retry when Redis is back, or through the instance the terminal is connected to",
  );
}

/** The rows to queue for `requests` at `now`; throws invalid_command (400) for the first that is not valid. */
export function queueRows(requests: CommandRequest[], now: number, maxAttempts: number) {
  return requests.map((r) => {
    const valid = validateParams(r.command, r.params);
    if (!valid.ok) throw invalidCommand(valid.error);
    const urgent = URGENT_COMMANDS.has(r.command as never);
    const deadline = r.deadline === undefined ? now + (urgent ? URGENT_DEADLINE_MS : DEFAULT_DEADLINE_MS) : r.deadline;
    if (deadline !== null && deadline <= now) throw invalidCommand("deadline: already passed");
    return {
      sn: r.sn, command: r.command, params: valid.params, deadline, actor: r.actor, jobId: r.jobId ?? null, at: now,
      maxAttempts: IDEMPOTENT_COMMANDS.has(r.command as never) ? maxAttempts : 1,
    };
  });
}
