/**
 * An HTTP/1.0 request without a Host header (HAProxy's `option httpchk GET /health`, and many
 * other health checkers) reaches Bun with a relative `req.url`: Hono cannot route it and
 * `new URL(req.url)` throws, so the check failed with a 500 and the load balancer took every
 * instance out. Such a request gets this server's own address as its origin.
 */

/** The client's address, as Bun's server gives it for the request it received. */
export interface AddressSource {
  requestIP(req: Request): { address: string } | null;
}

/**
 * The request with an absolute URL, and an env whose `requestIP` still answers for it (Bun knows
 * the client's address only for the request object it created).
 */
export function withOrigin(req: Request, server: AddressSource, origin: string): { req: Request; env: AddressSource } {
  if (URL.canParse(req.url)) return { req, env: server };
  const absolute = new Request(new URL(req.url, origin), req);
  return { req: absolute, env: { requestIP: () => server.requestIP(req) } };
}
