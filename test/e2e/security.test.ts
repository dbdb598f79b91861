/**
 * Issue 15: attacks from a hostile LAN, each performed against a real server and refused.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { startTm20, type Tm20Process } from "../helpers/server.ts";
import { connectRaw } from "../helpers/raw-ws.ts";
import { connectTerminal } from "../helpers/terminal.ts";

const FIRMWARE_ORIGIN = "http://firmware.local";
let srv: Tm20Process;
beforeAll(async () => {
  srv = await startTm20({ args: ["--terminal-origins", `${FIRMWARE_ORIGIN}, null`] });
});
afterAll(async () => {
  await srv.stop();
});

test("a browser's WebSocket upgrade (with an Origin) on a terminal path is refused 403, logged once per burst; listed origins and terminals pass", async () => {
  for (let i = 0; i < 3; i++) {
    await expect(connectRaw(srv.port, "/pub/chat", { Origin: "http://evil.example" })).rejects.toThrow("no upgrade: HTTP/1.1 403");
  }
  await expect(connectRaw(srv.port, "/", { Origin: "not a url" })).rejects.toThrow("no upgrade: HTTP/1.1 403");
  const refusals = srv.logs.filter((l) => String(l.msg).startsWith("terminal connection refused: a browser's upgrade"));
  expect(refusals.map((l) => [l.level, l.origin, l.refused])).toEqual([[40, "http://evil.example", 1]]);

  const listed = await connectRaw(srv.port, "/pub/chat", { Origin: FIRMWARE_ORIGIN });
  listed.destroy();
  const nullOrigin = await connectRaw(srv.port, "/pub/chat", { Origin: "null" });
  nullOrigin.destroy();
  const t = await connectTerminal(srv.ws());
  await t.register("ORIGIN1");
  t.close();
  const metrics = await (await srv.api("/metrics")).text();
  expect(metrics).toMatch(/tm20_connections_refused_total\{reason="origin"\} 4\b/);
});

test("a malformed Origin on an HTTP route is a clean 4xx, never a 500", async () => {
  for (const path of ["/login", "/setup"]) {
    const res = await fetch(`${srv.http}${path}`, { method: "POST", headers: { origin: "http://[bad", "content-type": "application/x-www-form-urlencoded" }, body: "a=1", redirect: "manual" });
    expect([path, res.status]).toEqual([path, 403]);
  }
  expect(srv.logs.filter((l) => Number(l.level) >= 50)).toEqual([]);
});

/** Resident memory of the server process, from /proc. */
function rssBytes(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  return Number(kb) * 1024;
}

test("a 60 MB POST to an unauthenticated route is refused 413 without the process growing by tens of MB, chunked or not", async () => {
  const before = rssBytes(srv.proc.pid);
  const big = new Uint8Array(60 * 1024 * 1024).fill(0x61);
  const declared = await fetch(`${srv.http}/login`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: big });
  expect(declared.status).toBe(413);
  // A chunked body declares no length: it is read only up to the limit.
  const chunk = new Uint8Array(1024 * 1024).fill(0x61);
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent++ >= 60) controller.close();
      else controller.enqueue(chunk);
    },
  });
  const chunked = await fetch(`${srv.http}/api-token-auth/`, { method: "POST", headers: { "content-type": "application/json" }, body: stream }).catch((err: unknown) => err);
  if (chunked instanceof Response) expect(chunked.status).toBe(413);
  const setup = await fetch(`${srv.http}/setup`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: big.subarray(0, 65 * 1024) });
  expect(setup.status).toBe(413);
  expect(rssBytes(srv.proc.pid) - before).toBeLessThan(20 * 1024 * 1024);
});

test("API bodies: over the limit is 413 {code:payload_too_large}; unauthenticated callers get 401 before any body is read", async () => {
  const tooBig = new Uint8Array(17 * 1024 * 1024).fill(0x20);
  const api = await srv.api("/api/v1/webhooks", { method: "POST", headers: { "content-type": "application/json" }, body: tooBig });
  expect(api.status).toBe(413);
  expect(await api.json()).toEqual({ code: "payload_too_large", message: `request body larger than ${16 * 1024 * 1024} bytes` });
  const anonymous = await fetch(`${srv.http}/api/v1/webhooks`, { method: "POST", headers: { "content-type": "application/json" }, body: tooBig });
  expect(anonymous.status).toBe(401);
  // Below the limit, the route reads the body as before.
  const small = await srv.api("/api/v1/webhooks", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
  expect(small.status).toBe(400);
});
