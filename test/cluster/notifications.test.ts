/**
 * Alert notifications in a cluster (issue 17): two `tm20 serve --cluster` instances on PostgreSQL
 * and Redis, a real SMTP server (smtp-server) in this process. One instance sends (the holder of
 * the notifier lease), so each alert is e-mailed once; what was told is in the store, so after the
 * whole cluster restarts nothing is e-mailed again, and an alert that ended while it was down
 * (approved with the CLI) is told resolved once the quiet period has passed after the start.
 * Absence is shown by order, never by waiting: the next alert's e-mail arrives with nothing
 * before it.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { type Cluster, startCluster, until } from "../helpers/cluster.ts";
import { startTm20 } from "../helpers/server.ts";
import { type Mail, readMail } from "../helpers/smtp.ts";
import { connectTerminal } from "../helpers/terminal.ts";

const mails: Mail[] = [];
let smtp: SMTPServer;
let c: Cluster;
let args: string[];

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      void readMail(stream, session).then((mail) => {
        mails.push(mail);
        callback();
      }, callback);
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  const smtpPort = (smtp.server.address() as AddressInfo).port;
  const extra = ["--approval", "approve", "--webhook-lease-ms", "3000"];
  c = await startCluster({ instances: 2, args: extra });
  args = ["--cluster", "--pg-url", c.pgUrl, "--redis-url", `redis://127.0.0.1:${c.redis.port}`, ...extra];
  const saved = await c.api(1, "/api/v1/notifications", {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      kinds: ["terminal_pending"], quietSeconds: 2, notifyResolved: true, dailyDigestAt: "", linkBase: "",
      email: { enabled: true, host: "127.0.0.1", port: smtpPort, security: "none", username: "", from: "tm20@example.com", to: ["ops@example.com"] },
      webhook: { enabled: false },
    }),
  });
  expect(saved.status).toBe(200);
}, 120_000);

afterAll(async () => {
  await c?.stop();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

/** A terminal of an unknown serial number: refused, and kept waiting for approval (an alert). */
async function pending(i: number, sn: string) {
  const t = await connectTerminal(c.instances[i]?.ws() ?? "");
  expect((await t.register(sn)).result).toBe(false);
  t.close();
  await t.closed;
}

const subjects = () => mails.map((m) => m.subject);

async function mailed(n: number) {
  await until(`${n} e-mails (have ${JSON.stringify(subjects())})`, () => mails.length >= n, 30_000, 100);
  return subjects();
}

const sent = async () =>
  ((await c.sql`SELECT target, result FROM audit_log WHERE action = 'notification.send' ORDER BY id`) as Array<{ target: string; result: string }>).map((r) => [r.target, r.result]);

/** Every instance stopped (the whole cluster down), then started again on the same data directories. */
async function restartAll(whileDown: () => Promise<void>) {
  for (const instance of c.instances) await instance.stop();
  await whileDown();
  for (const [i, instance] of c.instances.entries()) c.instances[i] = await startTm20({ args, dataDir: instance.dataDir });
}

describe("alert notifications in a cluster", () => {
  test("two instances: each alert is e-mailed once, by the holder of the notifier lease", async () => {
    await pending(0, "PEND1");
    expect(await mailed(1)).toEqual(["[TM20 Server] PEND1 is waiting for approval"]);
    // Had both instances sent, PEND1's second e-mail would have come before PEND2's.
    await pending(1, "PEND2");
    expect(await mailed(2)).toEqual(["[TM20 Server] PEND1 is waiting for approval", "[TM20 Server] PEND2 is waiting for approval"]);
    await until("the second e-mail audited", async () => (await sent()).length >= 2, 20_000, 100);
    expect(await sent()).toEqual([["email", "ok"], ["email", "ok"]]);
    const holders = (await c.sql`SELECT role, holder FROM role_leases`) as Array<{ role: string; holder: string }>;
    expect(holders.map((h) => h.role)).toEqual(["notifier"]);
  }, 60_000);

  test("the whole cluster restarted: PEND1, still waiting, is not e-mailed again; PEND2, approved while it was down, is told resolved", async () => {
    await restartAll(async () => {
      const approved = await c.cli(["terminal", "approve", "PEND2"]);
      expect(approved.code).toBe(0);
    });
    expect(await mailed(3)).toEqual([
      "[TM20 Server] PEND1 is waiting for approval",
      "[TM20 Server] PEND2 is waiting for approval",
      "[TM20 Server] Resolved: PEND2 is waiting for approval",
    ]);
    const approved = await c.api(0, "/api/v1/terminals/PEND1/approve", { method: "POST" });
    expect(approved.status).toBe(200);
    expect(await mailed(4)).toEqual([
      "[TM20 Server] PEND1 is waiting for approval",
      "[TM20 Server] PEND2 is waiting for approval",
      "[TM20 Server] Resolved: PEND2 is waiting for approval",
      "[TM20 Server] Resolved: PEND1 is waiting for approval",
    ]);
    // Audited once sent, and the state saved after that: both may come a moment after the e-mail.
    await until("the last e-mail audited and nothing left to tell", async () => (await sent()).length === 4 && (await c.sql`SELECT alert_id FROM notified_alerts`).length === 0, 20_000, 100);
    expect(await sent()).toEqual(Array.from({ length: 4 }, () => ["email", "ok"]));
  }, 90_000);
});
