/**
 * Every HTTP route's body limit, checked before anything reads the body: without one, a single
 * unauthenticated 60 MB POST to /login grew the server by hundreds of MB. A declared
 * Content-Length over the limit is refused without reading; a chunked body is read up to it.
 */
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { MAX_CSV_BYTES } from "../people-import/csv-source.ts";
import { AppError } from "../lib/app-error.ts";

/** Login, first-run setup, BioTime's token routes and every admin UI form. */
export const SMALL_BODY_BYTES = 64 * 1024;
/** The API's JSON bodies (a person's credentials carry templates and photos of up to 4 MiB). */
export const API_BODY_BYTES = 16 * 1024 * 1024;
/** A CSV import: the file plus its multipart framing (the UI's confirm form carries it again as a field). */
export const UPLOAD_BODY_BYTES = MAX_CSV_BYTES + 256 * 1024;

/** The admin UI's one upload; its session is checked after the body limit, so its limit stays the upload's whoever sends it. */
const UI_UPLOAD_PATH = "/integrations/import/csv";
const API_PREFIX = "/api/v1/";

const limited = (maxSize: number, api: boolean): MiddlewareHandler =>
  bodyLimit({
    maxSize,
    onError: (c) => {
      const message = `request body larger than ${maxSize} bytes`;
      if (api) throw new AppError(413, "payload_too_large", message);
      return c.text(`The request is too large (over ${Math.round(maxSize / 1024)} KiB).`, 413);
    },
  });

const small = limited(SMALL_BODY_BYTES, false);
const uiUpload = limited(UPLOAD_BODY_BYTES, false);
const apiJson = limited(API_BODY_BYTES, true);
/** The API's CSV import takes the file itself as the body. */
const apiUpload = limited(MAX_CSV_BYTES, true);

/** For every route outside /api/v1 (whose limits follow its token check: `apiBodyLimit`). */
export function outerBodyLimit(): MiddlewareHandler {
  return async function outerLimit(c, next) {
    if (c.req.path.startsWith(API_PREFIX)) return next();
    return (c.req.path === UI_UPLOAD_PATH ? uiUpload : small)(c, next);
  };
}

/** /api/v1, after the token check: an unauthenticated caller gets 401 before any body is read. */
export function apiBodyLimit(): MiddlewareHandler {
  return async function apiLimit(c, next) {
    return (c.req.path === `${API_PREFIX}people/import` ? apiUpload : apiJson)(c, next);
  };
}

/** Bun's own cap, above every route's: nothing larger is ever buffered, whatever a route does. */
export const MAX_REQUEST_BODY_BYTES = UPLOAD_BODY_BYTES + 64 * 1024;
