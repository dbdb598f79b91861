/**
 * GET /metrics for Prometheus. An API token is required (Prometheus sends one with
 * `authorization: {credentials: …}`), except from the addresses in --metrics-allow.
 */
import { Hono } from "hono";
import type { AllowList } from "../lib/ip-allow-list.ts";
import { EXPOSITION_CONTENT_TYPE } from "../obs/metrics.ts";
import type { Store } from "../store/contract.ts";
import { bearerAuth, type TokenEnv } from "./middleware/bearer-auth.ts";
import { remoteAddress } from "./remote-address.ts";

export interface MetricsRouteDeps {
  render: () => string;
  allow: AllowList;
  store: Store;
  now: () => number;
}

export function metricsRoute(deps: MetricsRouteDeps) {
  const app = new Hono<TokenEnv>();
  const requireToken = bearerAuth(deps.store, deps.now);
  app.get(
    "/",
    async function allowListedOrToken(c, next) {
      const address = remoteAddress(c);
      if (address !== null && deps.allow(address)) return next();
      return requireToken(c, next);
    },
    (c) => c.body(deps.render(), 200, { "content-type": EXPOSITION_CONTENT_TYPE, "cache-control": "no-store" }),
  );
  return app;
}
