/** API tokens: created with a scope and maybe an expiry (the token shown once, stored hashed), and revoked. */
import { z } from "zod";
import { DAY_MS, hashToken, MAX_EXPIRY_DAYS, newToken } from "../auth/tokens.ts";
import { notFound } from "../lib/app-error.ts";
import type { Store } from "../store/contract.ts";
import { type ApiTokenRow, TOKEN_SCOPES } from "../store/schema.ts";
import type { Actor } from "./actor.ts";
import { audit } from "./audit.ts";
import { validInput } from "./input.ts";

export interface TokenDeps {
  store: Store;
  now: () => number;
}

const newTokenInput = z.object({
  name: z.string().trim().min(1, "give the token a name (who or what uses it)").max(100, "use at most 100 characters"),
  scope: z.enum(TOKEN_SCOPES, "choose what the token may do"),
  /** Days until it expires; null is never. */
  expiresDays: z.number().int().min(1).max(MAX_EXPIRY_DAYS).nullable(),
});

export interface NewToken {
  name: string;
  scope: string;
  expiresDays: number | null;
}

/** The new token's row and the token itself (only its hash is stored). */
export async function createToken(deps: TokenDeps, actor: Actor, input: NewToken): Promise<{ row: ApiTokenRow; token: string }> {
  const { name, scope, expiresDays } = validInput(newTokenInput, input);
  const token = newToken();
  const now = deps.now();
  const row = await deps.store.createToken(name, hashToken(token), now, { scope, expiresAt: expiresDays === null ? null : now + expiresDays * DAY_MS });
  await audit(deps, actor, "token.create", String(row.id), { name: row.name, scope, expiresAt: row.expiresAt });
  return { row, token };
}

export async function revokeToken(deps: TokenDeps, actor: Actor, id: number): Promise<void> {
  if (!Number.isInteger(id) || id < 1 || !(await deps.store.revokeToken(id, deps.now()))) throw notFound(`no active token with id ${id}`);
  await audit(deps, actor, "token.revoke", String(id));
}
