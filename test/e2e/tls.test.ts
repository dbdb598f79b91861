/**
 * Issue 15: --tls-cert/--tls-key serve HTTPS and WSS on the port, with HSTS and Secure cookies
 * (a self-signed certificate made by openssl here).
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { startTm20, tempDir, type Tm20Process } from "../helpers/server.ts";

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
