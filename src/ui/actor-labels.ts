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

/** The admin users and API tokens, each read only when asked for (a page whose rows name none reads nothing). */
export async function knownActors(store: Store, which = { users: true, tokens: true }): Promise<KnownActors> {
  const [users, tokens] = await Promise.all([which.users ? store.admin.listUsers() : [], which.tokens ? store.listTokens() : []]);
  const byName = new Map<string, { live: boolean }>();
  for (const t of tokens) if (!byName.get(t.name)?.live) byName.set(t.name, { live: t.revokedAt === null });
  return { users: new Set(users.map((u) => u.username)), tokens: byName };
}

/**
 * The labels of a page's actors: the users and tokens read once for the whole page (not a read a
 * row), and only when a row names one.
 */
export async function actorLabels(store: Store, actors: Iterable<string>): Promise<(actor: string) => string> {
  const named = [...actors];
  const known = await knownActors(store, { users: named.some((a) => a.startsWith("user:")), tokens: named.some((a) => a.startsWith("token:")) });
  return (actor) => actorLabel(actor, known);
}

/** Every actor a filter offers, as stored and in words: the admin users, the API tokens, the command line and the server. */
export function actorChoices(known: KnownActors): Array<{ id: string; label: string }> {
  const sorted = (names: Iterable<string>) => [...names].sort((a, b) => a.localeCompare(b));
  const ids = [...sorted(known.users).map((u) => `user:${u}`), ...sorted(known.tokens.keys()).map((t) => `token:${t}`), "cli", SERVER_ACTOR];
  return ids.map((id) => ({ id, label: actorLabel(id, known) }));
}
