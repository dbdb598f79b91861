import type { Context } from "hono";
import type { AddressSource } from "./host-less.ts";

/** The client's address, read from the Bun server that app.fetch(req, server) was given as env. */
export function remoteAddress(c: Context): string | null {
  const server = c.env as Partial<AddressSource> | undefined;
  if (typeof server?.requestIP !== "function") return null;
  return server.requestIP(c.req.raw)?.address ?? null;
}
