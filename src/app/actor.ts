/**
 * Who asks for a change: every use case takes one, and the audit log names it the same way
 * whatever door the change came through.
 */
export type Actor =
  /** An admin UI user (the address their browser came from). */
  | { kind: "user"; name: string; address?: string }
  /** An API token, by its name. */
  | { kind: "token"; name: string }
  /** Someone at the server's shell (`tm20 …`). */
  | { kind: "cli" };

/** The actor as the audit log, commands and jobs record it: "user:alice", "token:payroll", "cli". */
export function actorId(actor: Actor): string {
  return actor.kind === "cli" ? "cli" : `${actor.kind}:${actor.name}`;
}

export const CLI: Actor = { kind: "cli" };
