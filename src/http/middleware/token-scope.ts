/**
 * What each /api/v1 route asks of a token's scope, in one table so that a new route is
 * admin-only until someone decides otherwise: reads need `read`; queuing commands needs
 * `commands`; everything else (and backups, webhooks, HR destinations, notification settings, tokens, admin users, HR sources, people's
 * credentials, visitor passes and the changes terminals sent that wait for approval, even to read) needs `admin`.
 */
import type { MiddlewareHandler } from "hono";
import { scopeAllows } from "../../auth/tokens.ts";
import type { TokenScope } from "../../store/schema.ts";
import { AppError } from "../../lib/app-error.ts";
import type { TokenEnv } from "./bearer-auth.ts";

/** Paths (under /api/v1) that need `admin` whatever the method. */
const ADMIN_ONLY = [
  /^\/backup(\/|$)/, /^\/webhooks(\/|$)/, /^\/notifications(\/|$)/, /^\/hr-destinations(\/|$)/, /^\/tokens(\/|$)/, /^\/people\/[^/]+\/credentials(\/|$)/,
  // Who may log in to the admin UI; HR sources, whose URLs often carry an API key.
  /^\/users(\/|$)/, /^\/import-sources(\/|$)/,
  // Which hardware may speak for a terminal.
  /^\/terminals\/[^/]+\/replaced-hardware(\/|$)/,
  // Changes terminals sent that wait for approval: they carry people's credentials and admin levels.
  /^\/held-changes(\/|$)/,
  // A person's QR code is a credential: it opens doors.
  /^\/people\/[^/]+\/qr-code(\/|$)/,
  // A pass carries its code, which opens doors: reading one is handing out a key.
  /^\/access\/passes(\/|$)/,
];

/** State changes open to a `commands` token. */
const COMMAND_ROUTES = [/^\/terminals\/[^/]+\/commands\/?$/, /^\/terminals\/[^/]+\/fetch-logs\/?$/, /^\/commands\/[^/]+\/cancel\/?$/];

/**
 * Commands that change who a terminal lets in (credentials, admin levels, wiping its users, the
 * door's time zones, holidays, per-person locks and lock settings such as anti-passback): admin only.
 */
const PERSON_COMMANDS: ReadonlySet<string> = new Set([
  "setuserinfo", "deleteuser", "enableuser", "cleanuser", "cleanadmin", "initsys",
  "setuserlock", "deleteuserlock", "cleanuserlock", "setdevlock", "setholiday",
]);

/** The scope a request needs; `command` is the command a POST …/commands queues, when known. */
export function scopeFor(method: string, path: string, command?: string): TokenScope {
  if (ADMIN_ONLY.some((p) => p.test(path))) return "admin";
  if (method === "GET" || method === "HEAD") return "read";
  if (method === "POST" && COMMAND_ROUTES.some((p) => p.test(path))) {
    return command !== undefined && PERSON_COMMANDS.has(command) ? "admin" : "commands";
  }
  return "admin";
}

/** Behind bearerAuth, mounted at `mount`: refuses a token whose scope does not cover the route (403 insufficient_scope). */
export function tokenScope(mount: string): MiddlewareHandler<TokenEnv> {
  return async function requireScope(c, next) {
    const path = c.req.path.slice(mount.length) || "/";
    let need = scopeFor(c.req.method, path);
    if (need === "commands" && /\/commands\/?$/.test(path)) {
      // Hono keeps the parsed body, so the route reads the same one again.
      const body: unknown = await c.req.json().catch(() => null);
      const command = body !== null && typeof body === "object" && "command" in body ? body.command : undefined;
      need = scopeFor(c.req.method, path, typeof command === "string" ? command : undefined);
    }
    const have = c.get("scope");
    if (!scopeAllows(have, need)) {
      throw new AppError(403, "insufficient_scope", `this needs a token with the ${need} scope; this token's scope is ${have}`);
    }
    await next();
  };
}
