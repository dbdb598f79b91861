/**
 * BioTime's two ways in: `POST /api-token-auth/` gives a token for `Authorization: Token <t>`,
 * `POST /jwt-api-token-auth/` a JWT for `Authorization: JWT <t>`. Either is earned with an admin
 * UI user's name and password, or with an existing API token in place of the password.
 *
 * What is issued is a read-scope API token, listed (and revocable) in Settings as
 * "BioTime: <user>". Connectors log in before every sync, and DRF's token login returns the same
 * token each time; we keep only hashes, so the token is derived from the server's secret key and
 * the user (HMAC), and is created on first use: logging in again finds the same token, and once
 * it is revoked the next login derives the next one. A JWT names that token's hash, so revoking
 * the token ends its JWTs too.
 */
import type { Context, MiddlewareHandler } from "hono";
import { createHmac } from "node:crypto";
import { z } from "zod";
import { LoginLimiter } from "../../auth/login-limiter.ts";
import { dummyHash, verifyPassword } from "../../auth/passwords.ts";
import type { SecretBox } from "../../auth/secret-box.ts";
import { hashToken, TOKEN_PREFIX } from "../../auth/tokens.ts";
import type { Store } from "../../store/contract.ts";
import type { ApiTokenRow } from "../../store/schema.ts";
import { remoteAddress } from "../remote-address.ts";
import { signJwt, verifyJwt } from "./jwt.ts";

/** How long a JWT is good for; the connector logs in again after. */
export const JWT_LIFETIME_S = 24 * 60 * 60;

const credentials = z.union([
  z.object({ username: z.string().min(1).max(200), password: z.string().min(1).max(1000) }),
  // Odoo's module and BioTime Cloud log in by e-mail (and company): the e-mail is our user name.
  z.object({ email: z.string().min(1).max(200), password: z.string().min(1).max(1000), company: z.string().max(200).optional() }),
]);

export interface BiotimeAuthDeps {
  store: Store;
  secrets: SecretBox;
  now: () => number;
}

export type BiotimeEnv = { Variables: { actor: string } };

interface Issued {
  token: string;
  row: ApiTokenRow;
  created: boolean;
}

/** The names of derived tokens in Settings: a user's, and one derived from an API token. */
const USER_TOKEN = "BioTime: ";
const TOKEN_TOKEN = "BioTime: token ";

const userPrincipal = (user: { id: number; createdAt: number }) => `user:${user.id}:${user.createdAt}`;

/** DRF's own words, which some connectors show or match. */
const BAD_CREDENTIALS = "Unable to log in with provided credentials.";

export class BiotimeAuth {
  #d: BiotimeAuthDeps;
  #limiter: LoginLimiter;
  #tokenKey: Buffer;
  #jwtKey: Buffer;
  /** Token hash → the user principal it was derived for (checked once). */
  #owners = new Map<string, string>();

  constructor(deps: BiotimeAuthDeps) {
    this.#d = deps;
    this.#limiter = new LoginLimiter({ windowMs: 15 * 60_000, maxPerUser: 5, maxPerAddress: 30, now: deps.now });
    this.#tokenKey = deps.secrets.deriveKey("tm20 biotime token v1");
    this.#jwtKey = deps.secrets.deriveKey("tm20 biotime jwt v1");
  }

  /** POST /api-token-auth/ and /jwt-api-token-auth/. */
  login(kind: "token" | "jwt") {
    return async (c: Context) => {
      const parsed = credentials.safeParse(await bodyOf(c));
      if (!parsed.success) return c.json({ non_field_errors: ['Must include "username" and "password".'] }, 400);
      const name = "username" in parsed.data ? parsed.data.username : parsed.data.email;
      const address = remoteAddress(c) ?? "unknown";
      const decision = this.#limiter.start(name, address);
      if (!decision.ok) return c.json({ detail: `Request was throttled. Expected available in ${Math.ceil(decision.retryAfterMs / 1000)} seconds.` }, 429);
      const issued = await this.#issue(name, parsed.data.password).catch((err: unknown) => {
        decision.attempt.release();
        throw err;
      });
      const at = this.#d.now();
      if (!issued) {
        decision.attempt.failed();
        await this.#d.store.audit({ at, actor: `user:${name}`, action: "biotime.login", target: name, details: { address }, result: "failed: wrong user name or password" });
        return c.json({ non_field_errors: [BAD_CREDENTIALS] }, 400);
      }
      decision.attempt.succeeded();
      // Connectors log in before every sync: the audit log keeps the token's making, not each login.
      if (issued.created) {
        await this.#d.store.audit({ at, actor: `user:${name}`, action: "token.create", target: String(issued.row.id), details: { name: issued.row.name, scope: "read", address }, result: "ok" });
      }
      if (kind === "token") return c.json({ token: issued.token });
      const iat = Math.floor(at / 1000);
      return c.json({ token: signJwt(this.#jwtKey, { username: name, th: issued.row.tokenHash, iat, exp: iat + JWT_LIFETIME_S }) });
    };
  }

  /** Requires `Token <t>`, `JWT <t>` or `Bearer <t>`; answers 401 `{detail}` as DRF does. */
  middleware(): MiddlewareHandler<BiotimeEnv> {
    return async (c, next) => {
      const match = /^(Token|JWT|Bearer)\s+(\S+)$/i.exec(c.req.header("authorization") ?? "");
      const kind = match?.[1]?.toLowerCase();
      const given = match?.[2];
      const refuse = (detail: string) => c.json({ detail }, 401, { "www-authenticate": kind === "jwt" ? 'JWT realm="api"' : "Token" });
      if (!kind || !given) return refuse("Authentication credentials were not provided.");
      let hash = hashToken(given);
      if (kind === "jwt") {
        const checked = verifyJwt(this.#jwtKey, given, Math.floor(this.#d.now() / 1000));
        if (!checked.ok) return refuse(checked.reason === "expired" ? "Signature has expired." : "Error decoding signature.");
        if (typeof checked.claims.th !== "string") return refuse("Error decoding signature.");
        hash = checked.claims.th;
      }
      const row = await this.#d.store.useToken(hash, this.#d.now());
      if (!row) return refuse("Invalid token.");
      // DRF's words for a token whose user was disabled or deleted.
      if (!(await this.#ownerActive(row))) return refuse("User inactive or deleted.");
      c.set("actor", `token:${row.name}`);
      await next();
    };
  }

  /**
   * A user's derived token works only while that user exists and is enabled: it is one of the
   * tokens derived for the user of that name as they are now (a user deleted and made again under
   * the same name is another principal). Tokens not derived for a user (API tokens, or derived
   * from one) pass. Hashes found to be a user's are remembered, so a request costs one lookup.
   */
  async #ownerActive(row: ApiTokenRow): Promise<boolean> {
    if (!row.name.startsWith(USER_TOKEN) || row.name.startsWith(TOKEN_TOKEN)) return true;
    const user = await this.#d.store.admin.userByName(row.name.slice(USER_TOKEN.length));
    if (!user || user.disabled) return false;
    const principal = userPrincipal(user);
    if (this.#owners.get(row.tokenHash) === principal) return true;
    const generations = (await this.#d.store.listTokens()).length;
    for (let generation = 0; generation <= generations; generation++) {
      if (hashToken(this.#derive(principal, generation)) !== row.tokenHash) continue;
      this.#owners.set(row.tokenHash, principal);
      return true;
    }
    return false;
  }

  #derive(principal: string, generation: number): string {
    return TOKEN_PREFIX + createHmac("sha256", this.#tokenKey).update(`${principal}:${generation}`).digest("base64url");
  }

  /** The read token for these credentials (null: they are not valid). */
  async #issue(name: string, password: string): Promise<Issued | null> {
    const now = this.#d.now();
    if (password.startsWith(TOKEN_PREFIX)) {
      const given = await this.#d.store.useToken(hashToken(password), now);
      if (!given) return null;
      // A read token already is what a login gives.
      if (given.scope === "read") return { token: password, row: given, created: false };
      return this.#readToken(`token:${given.id}:${given.createdAt}`, `${TOKEN_TOKEN}${given.name}`);
    }
    const user = await this.#d.store.admin.userByName(name);
    const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyHash()));
    if (!user || !ok || user.disabled) return null;
    return this.#readToken(userPrincipal(user), `${USER_TOKEN}${user.username}`);
  }

  /** The live derived token of `principal`: the first generation not revoked or expired, created when new. */
  async #readToken(principal: string, name: string): Promise<Issued> {
    for (let attempt = 0; ; attempt++) {
      const rows = new Map((await this.#d.store.listTokens()).map((r) => [r.tokenHash, r]));
      for (let generation = 0; generation <= rows.size; generation++) {
        const token = this.#derive(principal, generation);
        const row = rows.get(hashToken(token));
        const now = this.#d.now();
        if (row && row.revokedAt === null && (row.expiresAt === null || row.expiresAt > now)) return { token, row, created: false };
        if (row) continue;
        try {
          return { token, row: await this.#d.store.createToken(name, hashToken(token), now, { scope: "read", expiresAt: null }), created: true };
        } catch (err) {
          // Two logins at once (or two instances of a cluster): the other one created it; look again.
          if (attempt >= 2) throw err;
          break;
        }
      }
    }
  }
}

/** JSON or a form, as DRF's parsers take both; anything else is no credentials. */
async function bodyOf(c: Context): Promise<unknown> {
  const type = c.req.header("content-type") ?? "";
  try {
    if (type.includes("application/x-www-form-urlencoded") || type.includes("multipart/form-data")) return await c.req.parseBody();
    return await c.req.json();
  } catch {
    return null;
  }
}
