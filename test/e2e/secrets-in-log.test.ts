/**
 * Issue 15: a session full of secrets leaves none of them in the server's log (stdout) or on its
 * standard error: admin passwords, API tokens, PostgreSQL and Redis URL passwords, webhook
 * secrets, the SMTP password of the alert e-mails, and credential data (PINs, cards) pushed through
 * the API to a terminal.
 */
import { afterAll, expect, test } from "bun:test";
import { SQL } from "bun";
import { createToken, startTm20, type Tm20Process } from "../helpers/server.ts";
import { connectTerminal } from "../helpers/terminal.ts";
import { PG_BASE } from "../helpers/postgres.ts";

const SECRETS = {
  adminPassword: "Adm1n-Secret-Passw0rd",
  wrongPassword: "Wr0ng-Guess-Secret",
  pgPassword: "Pg-Secret-9471",
  redisPassword: "Redis-Secret-3318",
  webhookBearer: "Bearer-Secret-7720",
  webhookHmac: "Hmac-Secret-0123456789",
  webhookHeader: "Header-Secret-5566",
  webhookUrlPassword: "Url-Secret-4411",
  smtpPassword: "Smtp-Secret-6602",
  pin: "918273",
  card: "5566778899",
};
const schema = `t_secrets_${process.pid}`;
let srv: Tm20Process | undefined;
afterAll(async () => {
  await srv?.stop();
  const sql = new SQL(PG_BASE, { max: 1 });
  await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await sql.close();
});

test("no secret of a busy session appears in the server's log or standard error", async () => {
  const pgUrl = new URL(PG_BASE);
  pgUrl.password = SECRETS.pgPassword;
  srv = await startTm20({ args: ["--pg-url", pgUrl.href, "--pg-schema", schema, "--redis-url", `redis://:${SECRETS.redisPassword}@127.0.0.1:6379`] });
  const s = srv;

  // The first admin, then a wrong and a right login.
  const setupPage = await fetch(`${s.http}/setup`);
  const cookie = (setupPage.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await setupPage.text())?.[1] ?? "";
  const form = (fields: Record<string, string>) => ({ method: "POST", redirect: "manual" as const, headers: { cookie, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ _csrf: csrf, ...fields }) });
  const code = await s.setupCode();
  expect((await fetch(`${s.http}/setup`, form({ code, username: "boss", password: SECRETS.adminPassword, confirm: SECRETS.adminPassword }))).status).toBe(303);
  expect((await fetch(`${s.http}/login`, form({ username: "boss", password: SECRETS.wrongPassword }))).status).toBe(400);
  expect((await fetch(`${s.http}/login`, form({ username: "boss", password: SECRETS.adminPassword }))).status).toBe(303);

  // An API token at work: a webhook with every kind of secret, whose deliveries fail (logged).
  const token = createToken(s.dataDir, "secrets");
  const api = (path: string, body: unknown) => fetch(`${s.http}/api/v1${path}`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) });
  const hook = await api("/webhooks", {
    name: "payroll",
    url: `http://hook:${SECRETS.webhookUrlPassword}@127.0.0.1:9/in`,
    bearer_token: SECRETS.webhookBearer,
    hmac_secret: SECRETS.webhookHmac,
    start: "beginning",
  });
  expect(hook.status).toBe(201);
  const header = await api("/webhooks", { name: "hr", url: "http://127.0.0.1:9/hr", auth_header: { name: "X-Api-Key", value: SECRETS.webhookHeader } });
  expect(header.status).toBe(201);

  // Alert e-mail through an SMTP server that is not there: the test e-mail fails, with the reason.
  const smtp = await fetch(`${s.http}/api/v1/notifications`, {
    method: "PUT",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({
      kinds: ["terminal_offline"], quietSeconds: 0, notifyResolved: true, dailyDigestAt: "", linkBase: "",
      email: { enabled: true, host: "127.0.0.1", port: 9, security: "none", username: "alerts", password: SECRETS.smtpPassword, from: "tm20@example.com", to: ["ops@example.com"] },
      webhook: { enabled: false },
    }),
  });
  expect(smtp.status).toBe(200);
  expect((await api("/notifications/test-email", {})).status).toBe(502);

  // A person with a PIN and a card, pushed to a terminal that answers.
  const t = await connectTerminal(s.ws());
  await t.register("SECRET1");
  const person = await api("/people", { enrollid: 77, name: "Grace", credentials: [{ backupnum: 10, data: SECRETS.pin }, { backupnum: 11, data: SECRETS.card }] });
  expect(person.status).toBe(201);
  expect((await api("/people/push", { enrollids: [77], terminals: ["SECRET1"] })).status).toBeLessThan(300);
  // The terminal answers every command it gets, as a real one would.
  let answered = 0;
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && !t.received.slice(answered).some((m) => m.cmd === "setuserinfo" && m.backupnum === 11)) {
    for (const m of t.received.slice(answered)) {
      if (typeof m.cmd === "string") t.send({ ret: m.cmd, sn: "SECRET1", result: true, ...(m.enrollid !== undefined ? { enrollid: m.enrollid, backupnum: m.backupnum } : {}) });
    }
    answered = t.received.length;
    await Bun.sleep(100);
  }
  const commands = t.received.filter((m) => m.cmd === "setuserinfo").map((m) => [m.backupnum, m.record]);
  expect(commands).toContainEqual([10, SECRETS.pin]);
  t.send({ cmd: "sendlog", sn: "SECRET1", count: 1, logindex: 0, record: [{ enrollid: 77, time: "2026-04-01 08:00:00", mode: 0, inout: 0, event: 0 }] });
  await t.next((m) => m.ret === "sendlog");
  // Deliveries to the closed port fail and are logged; the export runs.
  await s.waitForLog(/webhook/i, 20_000).catch(() => undefined);
  await Bun.sleep(1500);
  t.close();

  const output = `${s.logs.map((l) => JSON.stringify(l)).join("\n")}\n${s.stderr()}`;
  const found = Object.entries(SECRETS).filter(([, secret]) => output.includes(secret)).map(([name]) => name);
  expect(found).toEqual([]);
  expect(output.includes(token)).toBe(false);
  // The session did happen: the log is not simply empty.
  expect(s.logs.some((l) => l.msg === "failed admin login")).toBe(true);
  expect(s.logs.some((l) => l.sn === "SECRET1")).toBe(true);
}, 60_000);
