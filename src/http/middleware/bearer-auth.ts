import type { Context, MiddlewareHandler } from "hono";
import { hashToken } from "../../auth/tokens.ts";
import type { Store } from "../../store/contract.ts";
import type { TokenScope } from "../../store/schema.ts";
import { AppError } from "../../lib/app-error.ts";

/** What routes behind the middleware can read: who is calling (for the audit log) and what the token may do. */
export type TokenEnv = { Variables: { actor: string; scope: TokenScope } };

/** The audit actor of a request that passed bearerAuth ("token:<name>"). */
export function tokenActor(c: Context<TokenEnv>): string {
  return c.get("actor");
}

/** Requires `Authorization: Bearer <token>` naming a live API token. */
export function bearerAuth(store: Store, now: () => number): MiddlewareHandler<TokenEnv> {
  return async function requireToken(c, next) {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw new AppError(401, "unauthorized", "an API token is required (Authorization: Bearer <token>)");
    const token = await store.useToken(hashToken(match[1]), now());
    if (!token) throw new AppError(401, "unauthorized", "the API token is not valid");
    c.set("actor", `token:${token.name}`);
    c.set("scope", token.scope);
    await next();
  };
}
