/**
 * Behind a load balancer or TLS proxy every request comes from the proxy's address, so the login
 * limiter would put all users behind one address, and the session cookie would never be Secure.
 * For a peer listed in `--trusted-proxies` (only those: anyone else could write the headers),
 * X-Forwarded-For names the client and `X-Forwarded-Proto: https` makes the request https.
 */
import type { AllowList } from "../lib/ip-allow-list.ts";
import type { AddressSource } from "./host-less.ts";

const ADDRESS = /^[0-9A-Fa-f:.]{2,45}$/;

/**
 * The client in X-Forwarded-For: the rightmost entry that is not a trusted proxy (entries left of
 * it were written by the client itself). Null when the header holds nothing usable.
 */
export function forwardedClient(header: string | null, trusted: AllowList): string | null {
  if (!header) return null;
  const hops = header.split(",").map((h) => h.trim()).slice(-32);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] ?? "";
    if (!ADDRESS.test(hop)) return null;
    if (!trusted(hop) || i === 0) return hop;
  }
  return null;
}

/** The request as its client sent it, when it came through a trusted proxy; otherwise unchanged. */
export function throughTrustedProxy(req: Request, env: AddressSource, trusted: AllowList | null): { req: Request; env: AddressSource } {
  if (trusted === null) return { req, env };
  const peer = env.requestIP(req)?.address;
  if (!peer || !trusted(peer)) return { req, env };
  const client = forwardedClient(req.headers.get("x-forwarded-for"), trusted) ?? peer;
  const https = req.headers.get("x-forwarded-proto")?.trim().toLowerCase() === "https";
  const url = new URL(req.url);
  const forwarded = https && url.protocol === "http:" ? new Request(url.href.replace(/^http:/, "https:"), req) : req;
  return { req: forwarded, env: { requestIP: () => ({ address: client }) } };
}
