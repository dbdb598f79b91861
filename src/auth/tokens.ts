/**
 * API tokens: 256 random bits shown once, stored as SHA-256. A slow password hash buys nothing
 * for a secret with this much entropy and would cost every API call.
 */
import { createHash, randomBytes } from "node:crypto";

export const TOKEN_PREFIX = "tm20_";

export function newToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString("base64url");
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}
