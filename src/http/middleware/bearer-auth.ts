import type { MiddlewareHandler } from "hono";
import { hashToken } from "../../auth/tokens.ts";
import type { Store } from "../../store/contract.ts";
import { ApiError } from "../errors.ts";

/** Requires `Authorization: Bearer <token>` naming a live API token. */
export function bearerAuth(store: Store, now: () => number): MiddlewareHandler {
  return async function requireToken(c, next) {
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw new ApiError(401, "unauthorized", "an API token is required (Authorization: Bearer <token>)");
    const token = await store.useToken(hashToken(match[1]), now());
    if (!token) throw new ApiError(401, "unauthorized", "the API token is not valid");
    await next();
  };
}
