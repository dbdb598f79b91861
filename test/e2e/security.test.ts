/**
 * Issue 15: attacks from a hostile LAN, each performed against a real server and refused.
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { connect } from "node:net";
import { runCli, tm20Binary } from "../helpers/binary.ts";
import { startTm20, tempDir, type Tm20Process } from "../helpers/server.ts";
import { logBarrier } from "../helpers/log-barrier.ts";
import { connectRaw } from "../helpers/raw-ws.ts";
import { connectTerminal } from "../helpers/terminal.ts";

const FIRMWARE_ORIGIN = "http://firmware.local";
// Servers start and stop inside tests on a shared machine; the preload default applies to the first file only.
setDefaultTimeout(30_000);
let srv: Tm20Process;
beforeAll(async () => {
  srv = await startTm20({ args: ["--terminal-origins", `${FIRMWARE_ORIGIN}, null`, "--allowed-hosts", "127.0.0.1,TM20.lan", "--trusted-proxies", "127.0.0.2"] });
});
afterAll(async () => {
  await srv.stop();
});

test("a browser's WebSocket upgrade (with an Origin) on a terminal path is refused 403, logged once per burst; listed origins and terminals pass", async () => {
  for (let i = 0; i < 3; i++) {
    await expect(connectRaw(srv.port, "/pub/chat", { Origin: "http://evil.example" })).rejects.toThrow("no upgrade: HTTP/1.1 403");
  }
  await expect(connectRaw(srv.port, "/", { Origin: "not a url" })).rejects.toThrow("no upgrade: HTTP/1.1 403");
  // The server's log reaches srv.logs through a pipe: read it only once every earlier line is in.
  await logBarrier(srv);
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

/** A login or setup form as a browser gets it: the pre-session cookie and its form token. */
async function preSession(base: string, path: string): Promise<{ cookie: string; csrf: string }> {
  const page = await fetch(`${base}${path}`);
  const cookie = (page.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? "";
  return { cookie, csrf };
}

async function postForm(base: string, path: string, fields: Record<string, string>, form?: { cookie: string; csrf: string }): Promise<Response> {
  const { cookie, csrf } = form ?? (await preSession(base, path));
  return fetch(`${base}${path}`, { method: "POST", redirect: "manual", headers: { cookie, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ _csrf: csrf, ...fields }) });
}

const postSetup = (base: string, fields: Record<string, string>) => postForm(base, "/setup", fields);

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

test("25 parallel wrong passwords against a limit of 5: 5 are checked, 20 refused 429 at once; the real user gets in after a short delay, not 15 min", async () => {
  const form = await preSession(srv.http, "/login");
  const failedBefore = srv.logs.filter((l) => l.msg === "failed admin login").length;
  const burst = await Promise.all(Array.from({ length: 25 }, (_, i) => postForm(srv.http, "/login", { username: "owner", password: `guess ${i}` }, form)));
  const statuses = burst.map((r) => r.status).sort();
  expect(statuses).toEqual([...Array(5).fill(400), ...Array(20).fill(429)]);
  // The log is written asynchronously: each refusal was logged before its answer, so past the barrier all are read.
  const failed = () => srv.logs.filter((l) => l.msg === "failed admin login").length - failedBefore;
  await logBarrier(srv);
  expect(failed()).toBe(5);
  // Right after, even the right password waits (a second); then it gets in.
  const early = await postForm(srv.http, "/login", { username: "owner", password: "long enough password" }, form);
  expect(early.status).toBe(429);
  const started = Date.now();
  let res = early;
  while (res.status === 429 && Date.now() - started < 20_000) {
    await Bun.sleep(250);
    res = await postForm(srv.http, "/login", { username: "owner", password: "long enough password" }, form);
  }
  expect([res.status, res.headers.get("location")]).toEqual([303, "/"]);
});

/** A raw HTTP/1.1 request from a chosen local address (the 127/8 block is all this host's). */
function requestFrom(localAddress: string, port: number, head: string, body = ""): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: "127.0.0.1", localAddress });
    let answer = "";
    socket.on("data", (d) => {
      answer += d.toString("latin1");
    });
    socket.on("end", () => resolve(answer));
    socket.on("error", reject);
    socket.write(`${head}\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  });
}

test("X-Forwarded-For and X-Forwarded-Proto are believed from a listed trusted proxy only: real client address, Secure cookie", async () => {
  const form = await preSession(srv.http, "/login");
  const wrong = new URLSearchParams({ _csrf: form.csrf, username: "nobody", password: "wrong one" }).toString();
  const post = `POST /login HTTP/1.1\r\nCookie: ${form.cookie}\r\nContent-Type: application/x-www-form-urlencoded`;
  await requestFrom("127.0.0.1", srv.port, `${post}\r\nX-Forwarded-For: 10.1.1.1`, wrong);
  await requestFrom("127.0.0.2", srv.port, `${post}\r\nX-Forwarded-For: 6.6.6.6, 10.7.7.7, 127.0.0.2`, wrong);
  const addresses = () => srv.logs.filter((l) => l.msg === "failed admin login" && l.user === "nobody").map((l) => l.address);
  for (let i = 0; i < 100 && addresses().length < 2; i++) await Bun.sleep(50);
  expect(addresses()).toEqual(["127.0.0.1", "10.7.7.7"]);

  const secureCookie = (answer: string) => /^set-cookie: tm20_pre=[^\r]*; Secure/im.test(answer);
  expect(secureCookie(await requestFrom("127.0.0.2", srv.port, "GET /login HTTP/1.1\r\nX-Forwarded-Proto: https"))).toBe(true);
  expect(secureCookie(await requestFrom("127.0.0.1", srv.port, "GET /login HTTP/1.1\r\nX-Forwarded-Proto: https"))).toBe(false);
  expect(secureCookie(await requestFrom("127.0.0.2", srv.port, "GET /login HTTP/1.1"))).toBe(false);
});

test("the store's files and the data directory are their owner's alone (0600 / 0700)", async () => {
  const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);
  expect(mode(srv.dataDir)).toBe("700");
  for (const f of ["tm20.db", "tm20.db-wal", "tm20.db-shm"]) expect([f, mode(join(srv.dataDir, f))]).toEqual([f, "600"]);
});

test("a mistyped --pg-url is refused without printing its password", () => {
  const dataDir = tempDir();
  try {
    const out = runCli(["serve", "--data-dir", dataDir, "--port", "0", "--pg-url", "postgress://exporter:s3cret-Pass@db.lan/att"]);
    expect(out.code).toBe(2);
    expect(out.stderr).toBe('tm20: --pg-url: "postgress://exporter:***@db.lan/att" is invalid (expected postgres://user:password@host:5432/database)\n');
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("the live feed (SSE) ends when its session logs out", async () => {
  const form = await preSession(srv.http, "/login");
  const login = await postForm(srv.http, "/login", { username: "owner", password: "long enough password" }, form);
  expect(login.status).toBe(303);
  const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const feed = await fetch(`${srv.http}/live/events`, { headers: { cookie, accept: "text/event-stream" } });
  expect(feed.status).toBe(200);
  const reader = (feed.body as ReadableStream<Uint8Array>).getReader();
  expect(new TextDecoder().decode((await reader.read()).value)).toContain("event: status");
  const page = await (await fetch(`${srv.http}/`, { headers: { cookie } })).text();
  const csrf = /name="csrf-token" content="([^"]+)"/.exec(page)?.[1] ?? "";
  const logout = await fetch(`${srv.http}/logout`, { method: "POST", redirect: "manual", headers: { cookie, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ _csrf: csrf }) });
  expect([logout.status, logout.headers.get("location")]).toEqual([303, "/login"]);
  const endedAt = Date.now();
  for (;;) {
    const { done } = await reader.read();
    if (done) break;
    expect(Date.now() - endedAt).toBeLessThan(15_000);
  }
});

test("a viewer sees an HR source's URL as its origin only (its path and query may hold a key)", async () => {
  const loginAs = async (username: string, password: string) => {
    const res = await postForm(srv.http, "/login", { username, password });
    expect([username, res.status]).toEqual([username, 303]);
    const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const csrf = /name="csrf-token" content="([^"]+)"/.exec(await (await fetch(`${srv.http}/`, { headers: { cookie } })).text())?.[1] ?? "";
    return { cookie, csrf };
  };
  const admin = await loginAs("owner", "long enough password");
  const secretPath = "/api/v1/employees?api_key=Hr-Secret-8812";
  const created = await fetch(`${srv.http}/integrations/import/sources`, {
    method: "POST",
    redirect: "manual",
    headers: { cookie: admin.cookie, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ _csrf: admin.csrf, name: "HR", url: `https://hr.example${secretPath}`, map_external_id: "id", map_name: "name", map_enrollid: "badge" }),
  });
  expect(created.status).toBe(303);
  const sourcePage = created.headers.get("location") ?? "";
  expect(sourcePage).toMatch(/^\/integrations\/import\/sources\/\d+$/);
  const asAdmin = await (await fetch(`${srv.http}${sourcePage}`, { headers: { cookie: admin.cookie } })).text();
  expect(asAdmin).toContain("Hr-Secret-8812");

  const made = Bun.spawn([tm20Binary(), "admin", "create", "--username", "watcher", "--role", "viewer", "--data-dir", srv.dataDir], { stdin: new Blob(["viewer password 1\n"]), stdout: "pipe", stderr: "pipe" });
  expect(await made.exited).toBe(0);
  const viewer = await loginAs("watcher", "viewer password 1");
  for (const path of [sourcePage, "/integrations/import"]) {
    const html = await (await fetch(`${srv.http}${path}`, { headers: { cookie: viewer.cookie } })).text();
    expect([path, html.includes("https://hr.example/…"), html.includes("Hr-Secret-8812"), html.includes("/api/v1/employees")]).toEqual([path, true, false, false]);
  }
});
