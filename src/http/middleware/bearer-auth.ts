import type { MiddlewareHandler } from "hono";
import type { Actor } from "../../app/actor.ts";
import { hashToken } from "../../auth/tokens.ts";
import type { Store } from "../../store/contract.ts";
import type { TokenScope } from "../../store/schema.ts";
import { AppError } from "../../lib/app-error.ts";

/** What routes behind the middleware can read: who is calling (the token, for the use cases) and what the token may do. */
export type TokenEnv = { Variables: { actor: Actor; scope: TokenScope } };

/** Requires `Authorization: Bearer <token>` naming a live API token. */
export function bearerAuth(store: Store, now: () => number): MiddlewareHandler<TokenEnv> {
  return async function requireToken(c, next) {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw new AppError(401, "unauthorized", "an API token is required (Authorization: Bearer <token>)");
    const token = await store.useToken(hashToken(match[1]), now());
    if (!token) throw new AppError(401, "unauthorized", "the API token is not valid");
    c.set("actor", { kind: "token", name: token.name });
    c.set("scope", token.scope);
    await next();
  };
}
