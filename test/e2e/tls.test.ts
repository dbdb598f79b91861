/**
 * Issue 15: --tls-cert/--tls-key serve HTTPS and WSS on the port, with HSTS and Secure cookies
 * (a self-signed certificate made by openssl here), and --terminal-port's plain listener for
 * terminals beside them.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { simRecord } from "../../src/simulator/terminal.ts";
import { connectRaw } from "../helpers/raw-ws.ts";
import { startTm20, tempDir, type Tm20Process } from "../helpers/server.ts";
import { connectTerminal } from "../helpers/terminal.ts";

const certDir = tempDir("tm20-tls-");
// Servers start and stop inside tests on a shared machine; the preload default applies to the first file only.
setDefaultTimeout(30_000);
let srv: Tm20Process;
beforeAll(async () => {
  const made = Bun.spawnSync(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-keyout", join(certDir, "key.pem"), "-out", join(certDir, "cert.pem")], { stderr: "pipe" });
  if (made.exitCode !== 0) throw new Error(`openssl: ${made.stderr.toString()}`);
  srv = await startTm20({ args: ["--tls-cert", join(certDir, "cert.pem"), "--tls-key", join(certDir, "key.pem")] });
});
afterAll(async () => {
  await srv?.stop();
  rmSync(certDir, { recursive: true, force: true });
});

const insecure = { tls: { rejectUnauthorized: false } };

test("HTTPS: pages come with HSTS and Secure cookies; plain HTTP on the port gets no page", async () => {
  const res = await fetch(`https://127.0.0.1:${srv.port}/setup`, insecure);
  expect(res.status).toBe(200);
  expect(res.headers.get("strict-transport-security")).toBe("max-age=31536000");
  expect(res.headers.get("set-cookie")).toMatch(/^tm20_pre=[^;]+;.*\bSecure\b/);
  const health = await fetch(`https://127.0.0.1:${srv.port}/health`, insecure);
  expect(health.status).toBe(200);
  const plain = await fetch(`http://127.0.0.1:${srv.port}/health`).then((r) => r.status, () => "refused");
  expect(plain).not.toBe(200);
});

test("WSS: a terminal registers over TLS", async () => {
  // Bun's WebSocket takes client options (tls) as its second argument; the DOM-typed constructor does not say so.
  const ws = new WebSocket(`wss://127.0.0.1:${srv.port}/pub/chat`, insecure as never);
  const frames: Array<Record<string, unknown>> = [];
  ws.onmessage = (e) => frames.push(JSON.parse(String(e.data)) as Record<string, unknown>);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  ws.send(JSON.stringify({ cmd: "reg", sn: "TLS1", devinfo: { modelname: "tm20" } }));
  const deadline = Date.now() + 10_000;
  while (!frames.some((f) => f.ret === "reg") && Date.now() < deadline) await Bun.sleep(20);
  expect(frames.find((f) => f.ret === "reg")).toMatchObject({ ret: "reg", result: true });
  ws.close();
});

test("a missing certificate or key is a usage error naming the flag", async () => {
  const both = await startTm20({ args: ["--tls-cert", join(certDir, "cert.pem")] }).then(() => "started", (err: Error) => err.message);
  expect(both).toContain("--tls-cert and --tls-key: give both");
  const missing = await startTm20({ args: ["--tls-cert", join(certDir, "nope.pem"), "--tls-key", join(certDir, "key.pem")] }).then(() => "started", (err: Error) => err.message);
  expect(missing).toContain("--tls-cert: cannot read");
});

describe("--terminal-port: a plain listener for terminals beside an HTTPS-only UI", () => {
  let both: Tm20Process;
  let terminalPort: number;
  beforeAll(async () => {
    both = await startTm20({
      args: ["--tls-cert", join(certDir, "cert.pem"), "--tls-key", join(certDir, "key.pem"), "--terminal-port", "0", "--max-connections-per-address", "2"],
    });
    terminalPort = Number((await both.waitForLog("TM20 Server listening")).terminalPort);
    expect(terminalPort).toBeGreaterThan(0);
    expect(terminalPort).not.toBe(both.port);
  });
  afterAll(async () => {
    await both?.stop();
  });

  test("a terminal registers and uploads over plain ws:// on the terminal port; its records are stored", async () => {
    const t = await connectTerminal(`ws://127.0.0.1:${terminalPort}/pub/chat`);
    expect(await t.register("PLAIN1")).toMatchObject({ ret: "reg", result: true });
    const record = Array.from({ length: 40 }, (_, i) => simRecord(i, new Date("2026-04-01T07:00:00Z")));
    t.send({ cmd: "sendlog", sn: "PLAIN1", count: 40, logindex: 0, record });
    expect(await t.next((m) => m.ret === "sendlog", 10_000)).toMatchObject({ result: true, count: 40, logindex: 0 });
    const db = both.db();
    expect(db.query("SELECT count(*) AS n FROM attendance WHERE sn = 'PLAIN1'").get()).toEqual({ n: 40 });
    db.close();
    t.close();
    await t.closed;
  });

  test("every plain HTTP request on the terminal port is refused 426; the UI and API answer over HTTPS on the main port", async () => {
    const plain = `http://127.0.0.1:${terminalPort}`;
    const refusals = await Promise.all([
      fetch(`${plain}/login`),
      fetch(`${plain}/login`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "username=a&password=b" }),
      fetch(`${plain}/health`),
      fetch(`${plain}/api/v1/terminals`),
      fetch(`${plain}/`),
    ]);
    expect(refusals.map((r) => r.status)).toEqual([426, 426, 426, 426, 426]);
    expect(refusals[0]?.headers.get("set-cookie")).toBeNull();
    expect(await refusals[0]?.text()).toBe(`This port takes terminal WebSocket connections only; the admin UI and API are on port ${both.port} (https).\n`);
    // A WebSocket upgrade on the API's paths is no terminal either.
    await expect(connectRaw(terminalPort, "/api/v1/terminals", {})).rejects.toThrow("no upgrade: HTTP/1.1 426");

    const login = await fetch(`https://127.0.0.1:${both.port}/login`, insecure);
    expect(login.status).toBe(200);
    expect(await login.text()).toContain('name="password"');
    expect((await fetch(`https://127.0.0.1:${both.port}/health`, insecure)).status).toBe(200);
    // The main port is TLS only.
    expect(await fetch(`http://127.0.0.1:${both.port}/login`).then((r) => r.status, () => "refused")).not.toBe(200);
  });

  test("the terminal port goes through the same gateway: browsers refused, connections per address counted across both ports", async () => {
    await expect(connectRaw(terminalPort, "/pub/chat", { Origin: "http://evil.example" })).rejects.toThrow("no upgrade: HTTP/1.1 403");
    const plain = await connectTerminal(`ws://127.0.0.1:${terminalPort}/pub/chat`);
    const secure = new WebSocket(`wss://127.0.0.1:${both.port}/pub/chat`, insecure as never);
    await new Promise((resolve, reject) => {
      secure.onopen = resolve;
      secure.onerror = reject;
    });
    // Two held from 127.0.0.1 (--max-connections-per-address 2), one on each port: a third is refused on either.
    await expect(connectRaw(terminalPort, "/pub/chat", {})).rejects.toThrow("no upgrade: HTTP/1.1 503");
    plain.close();
    secure.close();
  });
});
