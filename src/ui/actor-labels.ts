/**
 * Who did something, in words a person reads: the audit log, commands, jobs and corrections store
 * the actor as `actorId` wrote it ("user:alice", "token:payroll", "cli", "system", "terminal:SN1"),
 * and every page shows it through here, never raw.
 */
import { SERVER_ACTOR } from "../store/commands-contract.ts";
import type { Store } from "../store/contract.ts";

/** What a page knows of the admin users and API tokens its actors name. */
export interface KnownActors {
  users: ReadonlySet<string>;
  /** Token name → whether one of that name is still live (names need not be unique). */
  tokens: ReadonlyMap<string, { live: boolean }>;
}

/** The label of one actor; without `known`, nobody is marked as gone. */
export function actorLabel(actor: string, known?: KnownActors): string {
  if (actor === "cli") return "the command line";
  if (actor === SERVER_ACTOR) return "the server";
  const colon = actor.indexOf(":");
  const kind = actor.slice(0, colon);
  const name = actor.slice(colon + 1);
  if (colon <= 0 || name === "") return actor;
  if (kind === "user") return known && !known.users.has(name) ? `${name} (no such user)` : name;
  if (kind === "token") {
    const token = known?.tokens.get(name);
    const gone = !known ? "" : token === undefined ? " (no such token)" : token.live ? "" : " (revoked)";
    return `API token ${name}${gone}`;
  }
  if (kind === "terminal") return `terminal ${name}`;
  return actor;
}

/**
 * The labels of a page's actors: the users and tokens read once for the whole page (not a read a
 * row), and only when a row names one.
 */
export async function actorLabels(store: Store, actors: Iterable<string>): Promise<(actor: string) => string> {
  const named = [...actors];
  const [users, tokens] = await Promise.all([
    named.some((a) => a.startsWith("user:")) ? store.admin.listUsers() : [],
    named.some((a) => a.startsWith("token:")) ? store.listTokens() : [],
  ]);
  const byName = new Map<string, { live: boolean }>();
  for (const t of tokens) if (!byName.get(t.name)?.live) byName.set(t.name, { live: t.revokedAt === null });
  const known: KnownActors = { users: new Set(users.map((u) => u.username)), tokens: byName };
  return (actor) => actorLabel(actor, known);
}
