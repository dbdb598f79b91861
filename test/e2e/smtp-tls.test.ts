/**
 * Notification e-mail over an encrypted connection (issue 17: TLS/STARTTLS), against real local
 * SMTP servers (smtp-server) with a certificate the tests make and the binary is told to trust
 * (NODE_EXTRA_CA_CERTS): "starttls" upgrades the connection before it logs in and sends, "tls"
 * speaks TLS from the first byte, and "starttls" to a server that offers no STARTTLS sends
 * nothing in the clear: the test e-mail is refused with the reason.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SMTPServer, type SMTPServerOptions } from "smtp-server";
import { createToken, startTm20, type Tm20Process, tempDir } from "../helpers/server.ts";
import { type Mail, readMail } from "../helpers/smtp.ts";

const SMTP_PASSWORD = "Tls-Smtp-Passw0rd-41";

interface Received extends Mail {
  /** Whether the session was encrypted when the message came. */
  secure: boolean;
}
const received: Array<Received & { server: string }> = [];
const logins: Array<{ server: string; secure: boolean }> = [];
const servers: SMTPServer[] = [];
const ports: Record<string, number> = {};
let certDir: string;
let dataDir: string;
let server: Tm20Process;

async function listen(name: string, options: SMTPServerOptions): Promise<void> {
  const smtp = new SMTPServer({
    ...options,
    authOptional: false,
    logger: false,
    onAuth(auth, session, callback) {
      logins.push({ server: name, secure: session.secure });
      if (auth.username === "tm20" && auth.password === SMTP_PASSWORD) callback(null, { user: "tm20" });
      else callback(new Error("535 invalid login"));
    },
    onData(stream, session, callback) {
      void readMail(stream, session).then((mail) => {
        received.push({ ...mail, secure: session.secure, server: name });
        callback();
      }, callback);
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  ports[name] = (smtp.server.address() as AddressInfo).port;
  servers.push(smtp);
}

const settings = (port: number, security: "starttls" | "tls") => ({
  kinds: ["terminal_offline"],
  quietSeconds: 60,
  notifyResolved: false,
  dailyDigestAt: "",
  linkBase: "",
  email: { enabled: true, host: "127.0.0.1", port, security, username: "tm20", password: SMTP_PASSWORD, from: "tm20@example.com", to: ["ops@example.com"] },
  webhook: { enabled: false },
});

async function testEmail(port: number, security: "starttls" | "tls"): Promise<{ status: number; body: unknown }> {
  const saved = await server.api("/api/v1/notifications", { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(settings(port, security)) });
  expect(saved.status).toBe(200);
  const res = await server.api("/api/v1/notifications/test-email", { method: "POST" });
  return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
  certDir = mkdtempSync(join(tmpdir(), "tm20-smtp-tls-"));
  const made = Bun.spawnSync(
    ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", join(certDir, "key.pem"), "-out", join(certDir, "cert.pem")],
    { stdout: "pipe", stderr: "pipe" },
  );
  expect(made.exitCode).toBe(0);
  const key = readFileSync(join(certDir, "key.pem"));
  const cert = readFileSync(join(certDir, "cert.pem"));
  // Offers STARTTLS; logging in before it is refused, so a client that skipped it could not pass.
  await listen("starttls", { key, cert, secure: false, allowInsecureAuth: false });
  await listen("tls", { key, cert, secure: true });
  await listen("plain", { secure: false, allowInsecureAuth: true, disabledCommands: ["STARTTLS"] });
  dataDir = tempDir("tm20-smtp-tls-");
  createToken(dataDir, "setup");
  server = await startTm20({ dataDir, args: ["--tz", "UTC"], env: { NODE_EXTRA_CA_CERTS: join(certDir, "cert.pem") } });
});

afterAll(async () => {
  await server?.stop();
  for (const smtp of servers) await new Promise<void>((resolve) => smtp.close(() => resolve()));
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(certDir, { recursive: true, force: true });
});

describe("notification e-mail over TLS", () => {
  test("STARTTLS: the connection is upgraded before the login and the message", async () => {
    expect(await testEmail(ports.starttls ?? 0, "starttls")).toEqual({ status: 200, body: { sent: true, to: ["ops@example.com"] } });
    expect(logins).toEqual([{ server: "starttls", secure: true }]);
    expect(received.map((m) => [m.server, m.secure, m.subject, m.to])).toEqual([["starttls", true, "[TM20 Server] Test e-mail", ["ops@example.com"]]]);
  });

  test("TLS from the start (port 465 style)", async () => {
    expect(await testEmail(ports.tls ?? 0, "tls")).toEqual({ status: 200, body: { sent: true, to: ["ops@example.com"] } });
    expect(logins.at(-1)).toEqual({ server: "tls", secure: true });
    expect(received.at(-1)?.server).toBe("tls");
    expect(received.at(-1)?.secure).toBe(true);
  });

  test("STARTTLS required: a server that does not offer it gets neither the password nor the message", async () => {
    const before = { logins: logins.length, received: received.length };
    const answer = await testEmail(ports.plain ?? 0, "starttls");
    expect(answer.status).toBe(502);
    expect((answer.body as { code: string }).code).toBe("smtp_failed");
    expect((answer.body as { message: string }).message).toStartWith("the test e-mail was not sent: ");
    expect(answer.body).not.toMatchObject({ message: expect.stringContaining(SMTP_PASSWORD) });
    expect({ logins: logins.length, received: received.length }).toEqual(before);
  });
});
