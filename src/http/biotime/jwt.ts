/**
 * HS256 JSON Web Tokens over node:crypto, just what BioTime's `JWT <token>` needs: a fixed
 * header, a signature checked in constant time, and `exp`. Anything else (another alg, a
 * malformed part) is simply not a valid token.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

const HEADER = Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })).toString("base64url");

export type JwtClaims = Record<string, unknown> & { exp: number };

export type JwtCheck = { ok: true; claims: JwtClaims } | { ok: false; reason: "invalid" | "expired" };

const sign = (key: Buffer, data: string) => createHmac("sha256", key).update(data).digest();

export function signJwt(key: Buffer, claims: JwtClaims): string {
  const body = `${HEADER}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}`;
  return `${body}.${sign(key, body).toString("base64url")}`;
}

/** `nowSeconds` is compared with `exp` (seconds since the epoch, as the standard has it). */
export function verifyJwt(key: Buffer, token: string, nowSeconds: number): JwtCheck {
  const parts = token.split(".");
  if (parts.length !== 3 || parts[0] !== HEADER) return { ok: false, reason: "invalid" };
  const [, payload = "", signature = ""] = parts;
  const given = Buffer.from(signature, "base64url");
  const expected = sign(key, `${HEADER}.${payload}`);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: "invalid" };
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return { ok: false, reason: "invalid" };
  }
  if (claims === null || typeof claims !== "object" || typeof (claims as { exp?: unknown }).exp !== "number") return { ok: false, reason: "invalid" };
  const valid = claims as JwtClaims;
  return valid.exp > nowSeconds ? { ok: true, claims: valid } : { ok: false, reason: "expired" };
}
