/**
 * The optional list of Host names the UI and API answer to. A page on another site can make a
 * LAN browser resolve its own name to this server (DNS rebinding) and then read the answers as
 * same-origin; such a request still names the attacker's host, and is refused.
 */
import type { MiddlewareHandler } from "hono";

/** A host as compared: lower case, without IPv6 brackets. */
const hostKey = (host: string) => host.toLowerCase().replace(/^\[(.*)\]$/, "$1");

/** Empty list: every host is allowed. /health stays open to load balancers that check by address. */
export function allowedHosts(hosts: ReadonlySet<string>): MiddlewareHandler {
  const allowed = new Set([...hosts].map(hostKey));
  return async function hostCheck(c, next) {
    if (allowed.size === 0 || c.req.path === "/health") return next();
    if (allowed.has(hostKey(new URL(c.req.url).hostname))) return next();
    return c.json({ code: "unknown_host", message: "this server does not answer to that host name (--allowed-hosts)" }, 421);
  };
}
