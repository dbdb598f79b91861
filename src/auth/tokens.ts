/**
 * API tokens: 256 random bits shown once, stored as SHA-256. A slow password hash buys nothing
 * for a secret with this much entropy and would cost every API call.
 */
import { createHash, randomBytes } from "node:crypto";
import { TOKEN_SCOPES, type TokenScope } from "../store/schema.ts";

export const TOKEN_PREFIX = "tm20_";

export function newToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString("base64url");
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** Each scope includes the ones before it in TOKEN_SCOPES. */
export function scopeAllows(have: TokenScope, need: TokenScope): boolean {
  return TOKEN_SCOPES.indexOf(have) >= TOKEN_SCOPES.indexOf(need);
}

export function isTokenScope(s: string): s is TokenScope {
  return (TOKEN_SCOPES as readonly string[]).includes(s);
}

export const DAY_MS = 24 * 60 * 60 * 1000;
/** Ten years: longer is "never", which a token without an expiry already says. */
export const MAX_EXPIRY_DAYS = 3650;
