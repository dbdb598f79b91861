/**
 * The HR source's saved headers (usually its API key) reach the source's own origin only: a `next`
 * link or a redirect to another origin is refused by name before anything is sent there (issue 15).
 */
import { afterEach, expect, test } from "bun:test";
import { httpEntries, httpSource } from "../../src/people-import/http-source.ts";

const servers: Array<ReturnType<typeof Bun.serve>> = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.stop(true);
});

/** A server that records every request's path and Authorization header. */
function recorder(handler: (url: URL) => Response) {
  const seen: Array<{ path: string; auth: string | null }> = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(req) {
      const url = new URL(req.url);
      seen.push({ path: url.pathname + url.search, auth: req.headers.get("authorization") });
      return handler(url);
    },
  });
  servers.push(server);
  return { seen, base: `http://127.0.0.1:${server.port}` };
}

const KEY = { Authorization: "Token hr-secret" };

test("same-origin redirects and next links are followed with the headers", async () => {
  const hr = recorder((url) => {
    if (url.pathname === "/old") return new Response(null, { status: 301, headers: { location: "/staff" } });
    if (url.pathname === "/staff") return Response.json({ items: [{ external_id: "A" }], next: "/staff2" });
    return Response.json({ items: [{ external_id: "B" }], next: null });
  });
  const source = httpSource.parse({ url: `${hr.base}/old`, headers: KEY, items: "items", paging: { type: "next", path: "next" } });
  const entries = await httpEntries(source);
  expect(entries.map((e) => (e.data as { external_id?: unknown }).external_id)).toEqual(["A", "B"]);
  expect(hr.seen).toEqual([
    { path: "/old", auth: "Token hr-secret" },
    { path: "/staff", auth: "Token hr-secret" },
    { path: "/staff2", auth: "Token hr-secret" },
  ]);
});

test("a next link to another origin is refused; that origin receives nothing", async () => {
  const evil = recorder(() => Response.json({ items: [] }));
  const hr = recorder(() => Response.json({ items: [{ external_id: "A" }], next: `${evil.base}/steal` }));
  const source = httpSource.parse({ url: `${hr.base}/staff`, headers: KEY, items: "items", paging: { type: "next", path: "next" } });
  const err = await httpEntries(source).then(() => null, (e: unknown) => e);
  expect(err).toMatchObject({ code: "bad_source", status: 400 });
  expect((err as Error).message).toBe(`page 1's next link leads to ${evil.base}, not the source's ${hr.base}: refused, the source's headers are sent to its own origin only`);
  expect(evil.seen).toEqual([]);
  expect(hr.seen).toHaveLength(1);
});

test("a redirect to another origin is refused; that origin receives nothing", async () => {
  const evil = recorder(() => Response.json({ items: [] }));
  const hr = recorder(() => new Response(null, { status: 302, headers: { location: `${evil.base}/steal` } }));
  const source = httpSource.parse({ url: `${hr.base}/staff`, headers: KEY, items: "items" });
  const err = await httpEntries(source).then(() => null, (e: unknown) => e);
  expect((err as Error).message).toBe(`page 1's redirect leads to ${evil.base}, not the source's ${hr.base}: refused, the source's headers are sent to its own origin only`);
  expect(evil.seen).toEqual([]);
});

test("a redirect loop on the source's origin ends after 5 hops", async () => {
  const hr = recorder(() => new Response(null, { status: 302, headers: { location: "/again" } }));
  const source = httpSource.parse({ url: `${hr.base}/staff`, headers: KEY, items: "items" });
  const err = await httpEntries(source).then(() => null, (e: unknown) => e);
  expect((err as Error).message).toBe("page 1: more than 5 redirects");
  expect(hr.seen).toHaveLength(6);
});
