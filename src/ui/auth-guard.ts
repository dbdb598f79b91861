/**
 * Who is asking, and may they: session cookies (the token is stored hashed), the CSRF
 * synchronizer token on every state-changing request, and the admin/viewer split.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { Actor } from "../app/actor.ts";
import { hashToken } from "../auth/tokens.ts";
import type { UiDeps, UiEnv } from "./env.ts";

export const SESSION_COOKIE = "tm20_session";
/** Double-submit token for the forms shown before anyone is logged in (login, first admin). */
export const PRE_SESSION_COOKIE = "tm20_pre";
export const CSRF_FIELD = "_csrf";
export const CSRF_HEADER = "x-csrf-token";

/** A session ends after this long without a request. */
export const SESSION_IDLE_MS = 12 * 3600_000;
/** Extending the expiry is a write; once every few minutes is precise enough. */
const TOUCH_EVERY_MS = 5 * 60_000;

export function randomToken(): string {
  return randomBytes(32).toString("base64url");
}

export function sameToken(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function clientAddress(c: Context<UiEnv>): string {
  return c.env?.requestIP?.(c.req.raw)?.address ?? "unknown";
}

const secure = (c: Context) => new URL(c.req.url).protocol === "https:";

export function setSessionCookie(c: Context, token: string) {
  setCookie(c, SESSION_COOKIE, token, { httpOnly: true, sameSite: "Strict", path: "/", secure: secure(c) });
}

export function clearSessionCookie(c: Context) {
  deleteCookie(c, SESSION_COOKIE, { path: "/" });
}

/** The pre-session token for a login/setup form: reuses the cookie's, or sets a new one. */
export function preSessionToken(c: Context): string {
  const existing = getCookie(c, PRE_SESSION_COOKIE);
  if (existing && existing.length >= 32) return existing;
  const token = randomToken();
  setCookie(c, PRE_SESSION_COOKIE, token, { httpOnly: true, sameSite: "Strict", path: "/", secure: secure(c) });
  return token;
}

/** Form fields of a POST (cached by Hono, so handlers can read them again). */
export async function formOf(c: Context): Promise<Record<string, string>> {
  const type = c.req.header("content-type") ?? "";
  if (!type.includes("application/x-www-form-urlencoded") && !type.includes("multipart/form-data")) return {};
  const body = await c.req.parseBody();
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === "string") out[k] = v;
  return out;
}

/** The token a request carries: the form field, else the header (fetch from islands). */
async function submittedCsrf(c: Context): Promise<string | undefined> {
  return (await formOf(c))[CSRF_FIELD] ?? c.req.header(CSRF_HEADER);
}

/**
 * Browsers send Origin on POST; one naming another site is refused even before the token check,
 * and so is one that is not a URL at all (no browser sends that).
 */
function foreignOrigin(c: Context): boolean {
  const origin = c.req.header("origin");
  if (!origin || origin === "null") return false;
  return !sameHost(origin, c.req.url);
}

/** Whether a client-supplied URL names this request's host; false when it is not a URL. */
export function sameHost(url: string, requestUrl: string): boolean {
  return URL.canParse(url) && new URL(url).host === new URL(requestUrl).host;
}

/** Whether a state-changing request must be refused: a foreign Origin, or not the expected token. */
export async function csrfRefused(c: Context, expected: string | undefined): Promise<boolean> {
  return foreignOrigin(c) || !sameToken(await submittedCsrf(c), expected);
}

export function checkPreSessionCsrf(): MiddlewareHandler<UiEnv> {
  return async function preSessionCsrf(c, next) {
    if (c.req.method !== "POST") return next();
    if (await csrfRefused(c, getCookie(c, PRE_SESSION_COOKIE))) {
      return c.text("This form has expired. Reload the page and try again.", 403);
    }
    return next();
  };
}

/**
 * Loads the session. Until an admin exists every page leads to /setup; without a session, to
 * /login. State-changing requests must carry the session's CSRF token.
 */
export function requireSession(deps: UiDeps): MiddlewareHandler<UiEnv> {
  return async function sessionGuard(c, next) {
    const token = getCookie(c, SESSION_COOKIE);
    const now = deps.now();
    const found = token ? await deps.store.admin.session(hashToken(token), now) : null;
    if (!found) {
      if (token) clearSessionCookie(c);
      const setupNeeded = !(await deps.store.admin.hasUsers());
      if (c.req.method !== "GET" || c.req.header("accept")?.includes("text/event-stream")) {
        return c.text(setupNeeded ? "No admin account exists yet." : "Your session has ended. Log in again.", 401);
      }
      const back = c.req.path === "/" ? "" : `?next=${encodeURIComponent(c.req.path + (new URL(c.req.url).search || ""))}`;
      return c.redirect(setupNeeded ? "/setup" : `/login${back}`, 303);
    }
    if (c.req.method !== "GET" && c.req.method !== "HEAD") {
      if (await csrfRefused(c, found.session.csrfToken)) {
        return c.text("Missing or wrong CSRF token: reload the page and try again.", 403);
      }
    }
    if (now - found.session.lastSeenAt > TOUCH_EVERY_MS) {
      // A store that cannot write (disk full, started read-only) must not lock the admin out of reading.
      await deps.store.admin.touchSession(found.session.tokenHash, now, now + SESSION_IDLE_MS).catch((err: unknown) => deps.log.debug({ err }, "session not touched"));
    }
    c.set("user", found.user);
    c.set("session", found.session);
    return next();
  };
}

/** Viewers read; only admins change things. The buttons are hidden too, but this is the rule. */
export function requireAdmin(): MiddlewareHandler<UiEnv> {
  return async function adminOnly(c, next) {
    if (c.get("user").role !== "admin") return c.text("Viewers cannot change anything: ask an admin.", 403);
    return next();
  };
}

/** The logged-in user, as the use cases take them. */
export function actorOf(c: Context<UiEnv>): Actor {
  return { kind: "user", name: c.get("user").username, address: clientAddress(c) };
}
