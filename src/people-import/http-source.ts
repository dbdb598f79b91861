/**
 * An HR system's JSON API as import entries: a URL, where the list sits in each page, which item
 * field feeds which person field (dot paths), and how to walk the pages. Credentials for the
 * source travel in `headers` with the request and are not kept.
 */
import { z } from "zod";
import { AppError } from "../lib/app-error.ts";
import { sourceError } from "./errors.ts";
import type { ImportEntry } from "./plan.ts";
import type { ImportField } from "./record.ts";

const FIELDS = ["external_id", "name", "enrollid", "enabled", "admin", "valid_from", "valid_to"] as const satisfies readonly ImportField[];
const path = z.string().max(200).regex(/^[A-Za-z0-9_$-]*(\.[A-Za-z0-9_$-]+)*$/, "a dot path such as data.items");

export const httpSource = z.strictObject({
  url: z.string().url().refine((u) => /^https?:\/\//i.test(u), "expected an http:// or https:// URL"),
  headers: z.record(z.string().regex(/^[A-Za-z0-9-]{1,100}$/), z.string().max(4000).refine((v) => !/[\r\n]/.test(v))).default({}),
  /** Where the array of people is in each page ("" when the page is the array). */
  items: path.default(""),
  /** Person field → dot path inside an item. Unmapped fields default to their own name. */
  mapping: z.partialRecord(z.enum(FIELDS), path).default({}),
  paging: z
    .discriminatedUnion("type", [
      z.strictObject({ type: z.literal("none") }),
      /** ?page=1,2,… until a page comes back empty. */
      z.strictObject({ type: z.literal("page"), param: z.string().default("page"), start: z.number().int().min(0).default(1), size_param: z.string().optional(), size: z.number().int().min(1).max(10_000).optional() }),
      /** ?offset=0,size,2·size,… until a short page. */
      z.strictObject({ type: z.literal("offset"), param: z.string().default("offset"), size_param: z.string().default("limit"), size: z.number().int().min(1).max(10_000).default(100) }),
      /** The next page's URL is in each page at `path`; absent or null on the last. */
      z.strictObject({ type: z.literal("next"), path }),
    ])
    .default({ type: "none" }),
  max_pages: z.number().int().min(1).max(100_000).default(1000),
  timeout_ms: z.number().int().min(100).max(120_000).default(30_000),
});
export type HttpSource = z.infer<typeof httpSource>;

function at(value: unknown, dotPath: string): unknown {
  if (dotPath === "") return value;
  let v = value;
  for (const key of dotPath.split(".")) v = v !== null && typeof v === "object" ? (v as Record<string, unknown>)[key] : undefined;
  return v;
}

export async function httpEntries(source: HttpSource, fetchPage: typeof fetch = fetch): Promise<ImportEntry[]> {
  const entries: ImportEntry[] = [];
  let url: string | null = source.url;
  const paging = source.paging;
  for (let page = 1; url !== null; page++) {
    if (page > source.max_pages) throw sourceError(`more than ${source.max_pages} pages (max_pages)`);
    const target = new URL(url);
    if (paging.type === "page") {
      target.searchParams.set(paging.param, String(paging.start + page - 1));
      if (paging.size_param && paging.size) target.searchParams.set(paging.size_param, String(paging.size));
    } else if (paging.type === "offset") {
      target.searchParams.set(paging.param, String((page - 1) * paging.size));
      target.searchParams.set(paging.size_param, String(paging.size));
    }
    let body: unknown;
    try {
      const res = await fetchSameOrigin(target, source, fetchPage, page);
      if (!res.ok) throw sourceError(`page ${page}: HTTP ${res.status}`);
      body = await res.json();
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw sourceError(`page ${page}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const items = at(body, source.items);
    if (!Array.isArray(items)) throw sourceError(`page ${page}: no array at ${JSON.stringify(source.items || "(the page)")}`);
    items.forEach((item, i) => {
      const data: Record<string, unknown> = {};
      for (const field of FIELDS) {
        const v = at(item, source.mapping[field] ?? field);
        if (v !== undefined) data[field] = v;
      }
      entries.push({ origin: `page ${page} item ${i + 1}`, data });
    });
    if (paging.type === "none") url = null;
    else if (paging.type === "page") url = items.length === 0 ? null : source.url;
    else if (paging.type === "offset") url = items.length < paging.size ? null : source.url;
    else {
      const next = at(body, paging.path);
      url = typeof next === "string" && next !== "" ? sameOrigin(new URL(next, target), source, `page ${page}'s next link`).href : null;
    }
  }
  return entries;
}

const MAX_REDIRECTS = 5;

/**
 * The saved headers usually carry the HR system's key, so they go to the source URL's own origin
 * only: a `next` link or a redirect naming another origin is refused, never followed with them.
 */
function sameOrigin(url: URL, source: HttpSource, what: string): URL {
  const origin = new URL(source.url).origin;
  if (url.origin !== origin) throw sourceError(`${what} leads to ${url.origin}, not the source's ${origin}: refused, the source's headers are sent to its own origin only`);
  return url;
}

/** fetch with redirects followed by hand, each checked by `sameOrigin` before the headers go. */
async function fetchSameOrigin(target: URL, source: HttpSource, fetchPage: typeof fetch, page: number): Promise<Response> {
  const signal = AbortSignal.timeout(source.timeout_ms);
  let url = target;
  for (let hop = 0; ; hop++) {
    const res = await fetchPage(url.href, { headers: { accept: "application/json", ...source.headers }, redirect: "manual", signal });
    const location = res.headers.get("location");
    if (res.status < 300 || res.status > 399 || location === null) return res;
    if (hop === MAX_REDIRECTS) throw sourceError(`page ${page}: more than ${MAX_REDIRECTS} redirects`);
    await res.body?.cancel();
    url = sameOrigin(new URL(location, url), source, `page ${page}'s redirect`);
  }
}
