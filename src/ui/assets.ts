/**
 * The browser bundle, embedded as text (scripts/build-web.ts writes web/dist first) and served
 * under content-hashed names with immutable caching: a new build is a new URL.
 */
import { createHash } from "node:crypto";
import js from "../../web/dist/app.js" with { type: "text" };
import css from "../../web/dist/app.css" with { type: "text" };

function hashed(name: string, ext: string, body: string) {
  const hash = createHash("sha256").update(body).digest("hex").slice(0, 12);
  return { path: `/assets/${name}.${hash}.${ext}`, body };
}

const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#2f6fed"/><text x="16" y="21" font-family="Arial,sans-serif" font-size="13" font-weight="700" fill="#fff" text-anchor="middle">TM</text></svg>`;

const bundle = { js: hashed("app", "js", js), css: hashed("app", "css", css), icon: hashed("favicon", "svg", FAVICON) };

export const assetUrls = { js: bundle.js.path, css: bundle.css.path, icon: bundle.icon.path };

const byPath = new Map<string, { body: string; type: string }>([
  [bundle.js.path, { body: bundle.js.body, type: "text/javascript; charset=utf-8" }],
  [bundle.css.path, { body: bundle.css.body, type: "text/css; charset=utf-8" }],
  [bundle.icon.path, { body: bundle.icon.body, type: "image/svg+xml" }],
]);

export function assetResponse(path: string): Response | null {
  const asset = byPath.get(path);
  if (!asset) return null;
  return new Response(asset.body, {
    headers: { "content-type": asset.type, "cache-control": "public, max-age=31536000, immutable" },
  });
}
