/**
 * Alert notifications end to end (issue 17): the real binary, a real SMTP server (smtp-server)
 * and a webhook receiver in this process. A terminal that goes and stays away is e-mailed once,
 * after the quiet period, and told resolved when it is back; one that flaps is never e-mailed;
 * a failed e-mail is audited and sent again; the webhook destinations subscribed to `alert` get
 * the same news, signed.
 */
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import { rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { SMTPServer } from "smtp-server";
import { createToken, startTm20, type Tm20Process, tempDir } from "../helpers/server.ts";
import { type Mail, readMail } from "../helpers/smtp.ts";
import { connectTerminal, type TestTerminal } from "../helpers/terminal.ts";

const SMTP_PASSWORD = "Smtp-Secret-Passw0rd-77";
const HMAC = "alert-hmac-secret-0123456789";

const mails: Mail[] = [];
const logins: Array<{ username: string; password: string }> = [];
/** The next this many messages are refused with a temporary error. */
let refuseNext = 0;
const hooks: Array<{ headers: Headers; body: string }> = [];

let smtp: SMTPServer;
let smtpPort: number;
let receiver: ReturnType<typeof Bun.serve>;
let server: Tm20Process;
let dataDir: string;

async function until<T>(get: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const got = await get();
    if (got !== undefined) return got;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms; mails: ${JSON.stringify(mails.map((m) => m.subject))}`);
    await Bun.sleep(200);
  }
}

const siteTime = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace("T", " ");
const json = (body: unknown) => ({ method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

const SETTINGS = {
  kinds: ["terminal_offline", "door_forced_open"],
  quietSeconds: 3,
  notifyResolved: true,
  dailyDigestAt: "",
  linkBase: "https://tm20.example.com",
  email: { enabled: true, host: "127.0.0.1", port: 0, security: "none", username: "tm20", password: SMTP_PASSWORD, from: "tm20@example.com", to: ["ops@example.com", "it@example.com"] },
  webhook: { enabled: true },
};

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onAuth(auth, _session, callback) {
      logins.push({ username: auth.username ?? "", password: auth.password ?? "" });
      if (auth.username === "tm20" && auth.password === SMTP_PASSWORD) callback(null, { user: "tm20" });
      else callback(new Error("535 invalid login"));
    },
    onData(stream, session, callback) {
      void readMail(stream, session).then((mail) => {
        if (refuseNext > 0) {
          refuseNext--;
          const err = Object.assign(new Error("try again later"), { responseCode: 451 });
          callback(err);
          return;
        }
        mails.push(mail);
        callback();
      }, callback);
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  smtpPort = (smtp.server.address() as AddressInfo).port;
  receiver = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      hooks.push({ headers: req.headers, body: await req.text() });
      return new Response("ok");
    },
  });
  dataDir = tempDir("tm20-notify-");
  createToken(dataDir, "setup");
  const db = new Database(join(dataDir, "tm20.db"));
  db.run("INSERT INTO settings (key, value, updated_at) VALUES ('offline_alert_minutes', '0', 0)");
  db.close();
  server = await startTm20({ dataDir, args: ["--tz", "UTC"] });
});

afterAll(async () => {
  await server?.stop();
  receiver?.stop(true);
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  rmSync(dataDir, { recursive: true, force: true });
});

async function online(sn: string): Promise<TestTerminal> {
  const t = await connectTerminal(server.ws());
  expect((await t.register(sn, { modelname: "test" })).result).toBe(true);
  return t;
}

async function gone(t: TestTerminal) {
  t.close();
  await t.closed;
}

const auditRows = () => {
  const db = server.db();
  try {
    return db.query("SELECT actor, action, target, details, result FROM audit_log WHERE action LIKE 'notification%' ORDER BY id").all() as Array<{ actor: string; action: string; target: string; details: string; result: string }>;
  } finally {
    db.close();
  }
};

describe("notifications", () => {
  test("settings: saved whole, validated, the SMTP password never shown back; admin scope only", async () => {
    const defaults = (await (await server.api("/api/v1/notifications")).json()) as { quietSeconds: number; email: { enabled: boolean; passwordSet: boolean } };
    expect(defaults.quietSeconds).toBe(300);
    expect(defaults.email).toMatchObject({ enabled: false, passwordSet: false });
    const bad = await server.api("/api/v1/notifications", json({ ...SETTINGS, email: { ...SETTINGS.email, port: smtpPort, to: ["not an address"] } }));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { code: string; message: string }).message).toContain("not an e-mail address");
    const saved = await server.api("/api/v1/notifications", json({ ...SETTINGS, email: { ...SETTINGS.email, port: smtpPort } }));
    expect(saved.status).toBe(200);
    const text = await saved.text();
    expect(text).not.toContain(SMTP_PASSWORD);
    expect((JSON.parse(text) as { email: { passwordSet: boolean; port: number } }).email).toMatchObject({ passwordSet: true, port: smtpPort });
    const again = await server.api("/api/v1/notifications");
    expect(await again.text()).toBe(text);
    const reader = createToken(dataDir, "reader", "read");
    expect((await fetch(`${server.http}/api/v1/notifications`, { headers: { authorization: `Bearer ${reader}` } })).status).toBe(403);
    const audit = auditRows().filter((r) => r.action === "notifications.update");
    expect(audit.length).toBe(1);
    expect(audit[0]?.details).not.toContain(SMTP_PASSWORD);
    expect(JSON.parse(audit[0]?.details ?? "{}").changed).toContain("email.password");
  });

  test("send test e-mail: one message, logged in with the stored password, audited", async () => {
    const res = await server.api("/api/v1/notifications/test-email", { method: "POST" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sent: true, to: ["ops@example.com", "it@example.com"] });
    expect(mails.map((m) => [m.subject, m.from, m.to])).toEqual([["[TM20 Server] Test e-mail", "tm20@example.com", ["ops@example.com", "it@example.com"]]]);
    expect(logins).toEqual([{ username: "tm20", password: SMTP_PASSWORD }]);
    expect(auditRows().filter((r) => r.action === "notifications.test_email").map((r) => [r.actor, r.target, r.result])).toEqual([["token:test", "email", "ok"]]);
  });

  test("offline past the quiet period: one e-mail and one signed alert event; a flapping terminal: none; back: resolved", async () => {
    mails.length = 0;
    const created = await server.api("/api/v1/webhooks", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "chat", url: `http://127.0.0.1:${receiver.port}/alerts`, event_types: ["alert"], hmac_secret: HMAC }),
    });
    expect(created.status).toBe(201);
    const webhookId = ((await created.json()) as { id: number }).id;

    const flap = await online("FLAP1");
    const stays = await online("GONE2");
    await gone(flap);
    await gone(stays);
    // FLAP1 is back within the quiet period (3 s); GONE2 stays away.
    await Bun.sleep(1000);
    const flapBack = await online("FLAP1");

    const mail = await until(() => mails.find((m) => m.subject.includes("GONE2")), "the offline e-mail");
    expect(mail.subject).toBe("[TM20 Server] GONE2 offline for under a minute");
    expect(mail.to).toEqual(["ops@example.com", "it@example.com"]);
    expect(mail.text).toContain("ERROR: GONE2 offline for under a minute\n");
    expect(mail.text).toContain("  https://tm20.example.com/terminals/GONE2\n");
    expect(mail.text).toContain("(UTC)");
    const hook = await until(() => hooks.find((h) => h.body.includes("GONE2")), "the alert event");
    expect(hook.headers.get("x-tm20-event")).toBe("alert");
    expect(hook.headers.get("x-tm20-signature")).toBe(`sha256=${createHmac("sha256", HMAC).update(hook.body).digest("hex")}`);
    const event = JSON.parse(hook.body) as { event: string; id: string; site: string; subject: string; raised: Array<{ id: string; kind: string; href: string }>; resolved: unknown[]; digest: unknown };
    expect(event).toMatchObject({ event: "alert", site: "TM20 Server", subject: mail.subject, resolved: [], digest: null });
    expect(event.raised.map((a) => [a.id, a.kind, a.href])).toEqual([["terminal_offline:terminal:GONE2", "terminal_offline", "/terminals/GONE2"]]);
    expect(hook.headers.get("x-tm20-event-id")).toBe(event.id);

    // Quiet for the flapping one: a few more ticks bring nothing about it.
    await Bun.sleep(5000);
    expect(mails.filter((m) => m.subject.includes("FLAP1") || m.text.includes("FLAP1"))).toEqual([]);
    expect(mails.length).toBe(1);

    const sent = auditRows().filter((r) => r.action === "notification.send");
    expect(sent.map((r) => r.target).sort()).toEqual(["email", `webhook:${webhookId}`]);
    expect(sent.every((r) => r.actor === "system" && r.result === "ok")).toBe(true);
    expect(JSON.parse(sent[0]?.details ?? "{}").alerts).toEqual(["terminal_offline:terminal:GONE2"]);

    const back = await online("GONE2");
    const alerts = async () => ((await (await server.api("/api/v1/alerts")).json()) as { items: Array<{ kind: string }> }).items;
    await until(async () => ((await alerts()).length === 0 ? true : undefined), "no alerts once every terminal is back");
    const resolved = await until(() => mails.find((m) => m.subject.startsWith("[TM20 Server] Resolved")), "the resolved e-mail");
    expect(resolved.subject).toBe("[TM20 Server] Resolved: GONE2 offline for under a minute");
    expect(resolved.text).toContain("OK: GONE2 offline for under a minute\n");
    expect(mails.length).toBe(2);
    await gone(back);
    await gone(flapBack);
  }, 60_000);
});

describe("notifications that fail", () => {
  test("an e-mail the server refuses is audited as failed and sent again", async () => {
    // Everyone offline from the previous test is told about too: turn offline off for this one.
    expect((await server.api("/api/v1/notifications", json({ ...SETTINGS, kinds: ["door_forced_open"], email: { ...SETTINGS.email, port: smtpPort, password: undefined } }))).status).toBe(200);
    mails.length = 0;
    refuseNext = 1;
    const t = await online("DOOR2");
    t.send({ cmd: "sendlog", sn: "DOOR2", count: 1, logindex: 0, record: [{ enrollid: 0, time: siteTime(Date.now() - 5000), mode: 0, inout: 0, event: 5 }] });
    expect((await t.next((m) => m.ret === "sendlog")).result).toBe(true);
    const failed = await until(() => auditRows().find((r) => r.target === "email" && r.result.startsWith("failed")), "the failed attempt", 20_000);
    expect(failed.result).toContain("try again later");
    expect(JSON.parse(failed.details).retry).toBe(true);
    const mail = await until(() => mails.find((m) => m.subject.includes("DOOR2")), "the retried e-mail", 30_000);
    expect(mail.subject).toBe("[TM20 Server] DOOR2: door forced open");
    const attempts = auditRows().filter((r) => r.target === "email" && r.action === "notification.send" && JSON.parse(r.details).alerts.includes("door_forced_open:terminal:DOOR2"));
    expect(attempts.map((r) => [JSON.parse(r.details).attempt, r.result.slice(0, 6)])).toEqual([[1, "failed"], [2, "ok"]]);
    expect(logins.every((l) => l.password === SMTP_PASSWORD)).toBe(true);
    await gone(t);
  }, 60_000);
});
