import type { Context } from "hono";
import type { Logger } from "pino";
import { AppError } from "../lib/app-error.ts";

/**
 * The API's one translation of a failure: an AppError the caller can act on is `{code, message}`
 * with its status; anything else (a fault of ours) is logged and answered 500 without details.
 */
export function errorResponse(err: unknown, c: Context, log: Logger): Response {
  if (err instanceof AppError && err.exposed) return c.json({ code: err.code, message: err.message }, err.status);
  log.error({ err, path: c.req.path }, "request failed");
  return c.json({ code: "internal", message: "internal error" }, 500);
}
