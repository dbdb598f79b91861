/**
 * Alert e-mail encryption against real SMTP servers (issue 17): STARTTLS (required: a server that
 * does not offer it is refused, not used in the clear) and TLS from the start, with a certificate
 * made by openssl here that the server is told to trust (NODE_EXTRA_CA_CERTS), as a site would
 * with its own CA.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { SMTPServer, type SMTPServerOptions } from "smtp-server";
import { startTm20, type Tm20Process, tempDir } from "../helpers/server.ts";

const certDir = tempDir("tm20-smtp-tls-");
const received: Array<{ port: number; secure: boolean; subject: string }> = [];
const servers: SMTPServer[] = [];
let srv: Tm20Process;

async function smtpServer(options: SMTPServerOptions): Promise<number> {
  let port = 0;
  const server = new SMTPServer({
    authOptional: true,
    logger: false,
    ...options,
    onData(stream, session, callback) {
      let raw = "";
      stream.on("data", (c: Buffer) => {
        raw += c.toString("utf8");
      });
      stream.on("end", () => {
        received.push({ port, secure: session.secure, subject: /^subject: (.*)$/im.exec(raw)?.[1] ?? "" });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push(server);
  port = (server.server.address() as AddressInfo).port;
  return port;
}

const settings = (port: number, security: string) => ({
  kinds: [], quietSeconds: 300, notifyResolved: true, dailyDigestAt: "", linkBase: "",
  email: { enabled: true, host: "127.0.0.1", port, security, username: "", from: "tm20@example.com", to: ["ops@example.com"] },
  webhook: { enabled: false },
});

async function testEmail(port: number, security: string): Promise<{ status: number; body: { code?: string; message?: string; sent?: boolean } }> {
  const saved = await srv.api("/api/v1/notifications", { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(settings(port, security)) });
  expect(saved.status).toBe(200);
  const res = await srv.api("/api/v1/notifications/test-email", { method: "POST" });
  return { status: res.status, body: (await res.json()) as { code?: string; message?: string; sent?: boolean } };
}

let starttlsPort: number;
let tlsPort: number;
let plainPort: number;

beforeAll(async () => {
  const made = Bun.spawnSync(
    ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", join(certDir, "key.pem"), "-out", join(certDir, "cert.pem")],
    { stderr: "pipe" },
  );
  if (made.exitCode !== 0) throw new Error(`openssl: ${made.stderr.toString()}`);
  const key = readFileSync(join(certDir, "key.pem"));
  const cert = readFileSync(join(certDir, "cert.pem"));
  starttlsPort = await smtpServer({ key, cert });
  tlsPort = await smtpServer({ secure: true, key, cert });
  plainPort = await smtpServer({ disabledCommands: ["STARTTLS"] });
  srv = await startTm20({ env: { NODE_EXTRA_CA_CERTS: join(certDir, "cert.pem") } });
});

afterAll(async () => {
  await srv?.stop();
  for (const s of servers) await new Promise<void>((resolve) => s.close(() => resolve()));
  rmSync(certDir, { recursive: true, force: true });
});

test("STARTTLS: the message goes over the upgraded, verified connection", async () => {
  const res = await testEmail(starttlsPort, "starttls");
  expect(res).toEqual({ status: 200, body: { sent: true, to: ["ops@example.com"] } } as never);
  expect(received).toEqual([{ port: starttlsPort, secure: true, subject: "[TM20 Server] Test e-mail" }]);
});

test("TLS from the start (port 465 style)", async () => {
  received.length = 0;
  const res = await testEmail(tlsPort, "tls");
  expect(res.status).toBe(200);
  expect(received).toEqual([{ port: tlsPort, secure: true, subject: "[TM20 Server] Test e-mail" }]);
});

test("STARTTLS required: a server that does not offer it gets nothing, and the admin is told why", async () => {
  received.length = 0;
  const res = await testEmail(plainPort, "starttls");
  expect(res.status).toBe(502);
  expect(res.body.code).toBe("smtp_failed");
  expect(res.body.message).toStartWith("the test e-mail was not sent: ");
  expect(res.body.message).toContain("STARTTLS");
  expect(received).toEqual([]);
  // "none" is for a relay on the LAN: the same server takes it in the clear.
  const clear = await testEmail(plainPort, "none");
  expect(clear.status).toBe(200);
  expect(received).toEqual([{ port: plainPort, secure: false, subject: "[TM20 Server] Test e-mail" }]);
});
