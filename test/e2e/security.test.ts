/**
 * Issue 15: attacks from a hostile LAN, each performed against a real server and refused.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync, rmSync } from "node:fs";
import { tm20Binary } from "../helpers/binary.ts";
import { startTm20, tempDir, type Tm20Process } from "../helpers/server.ts";
import { connectRaw } from "../helpers/raw-ws.ts";
import { connectTerminal } from "../helpers/terminal.ts";

const FIRMWARE_ORIGIN = "http://firmware.local";
let srv: Tm20Process;
beforeAll(async () => {
  srv = await startTm20({ args: ["--terminal-origins", `${FIRMWARE_ORIGIN}, null`, "--allowed-hosts", "127.0.0.1,TM20.lan"] });
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

/** GET then POST /setup as a browser would: the pre-session cookie and its form token. */
async function postSetup(base: string, fields: Record<string, string>): Promise<Response> {
  const page = await fetch(`${base}/setup`);
  const cookie = (page.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? "";
  return fetch(`${base}/setup`, { method: "POST", redirect: "manual", headers: { cookie, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ _csrf: csrf, ...fields }) });
}

test("first-run setup needs the one-time code the server printed at start (log and stderr); without it no admin is made", async () => {
  const code = await srv.setupCode();
  expect(code).toMatch(/^[A-Z2-9]{4}(-[A-Z2-9]{4}){3}$/);
  expect(srv.stderr()).toContain(code);
  const admin = { username: "intruder", password: "long enough password", confirm: "long enough password" };
  const users = () => {
    const db = srv.db();
    try {
      return db.query("SELECT username FROM admin_users").all();
    } finally {
      db.close();
    }
  };
  expect((await postSetup(srv.http, admin)).status).toBe(403);
  expect((await postSetup(srv.http, { ...admin, code: "AAAA-BBBB-CCCC-DDDD" })).status).toBe(403);
  expect(users()).toEqual([]);
  const made = await postSetup(srv.http, { ...admin, username: "owner", code: code.toLowerCase().replaceAll("-", " ") });
  expect([made.status, made.headers.get("location")]).toEqual([303, "/"]);
  expect(users()).toEqual([{ username: "owner" }]);
});

test("an admin made with `tm20 admin create` makes the setup code unnecessary: none is printed", async () => {
  const dataDir = tempDir();
  const create = Bun.spawn([tm20Binary(), "admin", "create", "--username", "ops", "--data-dir", dataDir], { stdin: new Blob(["correct horse battery\n"]), stdout: "pipe", stderr: "pipe" });
  expect(await create.exited).toBe(0);
  const other = await startTm20({ dataDir });
  try {
    await other.waitForLog("TM20 Server listening");
    expect(other.logs.filter((l) => "setupCode" in l || /setup code/.test(String(l.msg)))).toEqual([]);
    expect(other.stderr()).not.toContain("setup code");
  } finally {
    await other.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("with --allowed-hosts, a request naming another host (DNS rebinding) is refused 421; /health stays open", async () => {
  const asHost = (path: string, host: string) => fetch(`${srv.http}${path}`, { headers: { host }, redirect: "manual" });
  const rebound = await asHost("/login", "evil.example:7788");
  expect(rebound.status).toBe(421);
  expect(await rebound.json()).toEqual({ code: "unknown_host", message: "this server does not answer to that host name (--allowed-hosts)" });
  expect((await asHost("/api/v1/terminals", "evil.example")).status).toBe(421);
  expect((await asHost("/login", "tm20.lan:7788")).status).toBe(200);
  expect((await asHost("/health", "evil.example")).status).toBe(200);
});
