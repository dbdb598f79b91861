/**
 * The dashboard's alerts in Chromium (issue 17): the same model as GET /api/v1/alerts, kept live;
 * a site with no terminals says so instead of "every approved terminal is online". Settings →
 * Notifications saves the SMTP settings and sends a test e-mail to a real SMTP server.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { ALERT_KINDS } from "../../src/alerts/model.ts";
import { tm20Binary } from "../helpers/binary.ts";
import { login, openBrowser, screenshots, type TestBrowser } from "../helpers/browser.ts";
import { startTm20, type Tm20Process, tempDir } from "../helpers/server.ts";
import { connectTerminal } from "../helpers/terminal.ts";

const PASSWORD = "alerts password 1";
let srv: Tm20Process;
let browser: TestBrowser;
let dataDir: string;

setDefaultTimeout(60_000);

beforeAll(async () => {
  dataDir = tempDir("tm20-ui-alerts-");
  const made = Bun.spawnSync([tm20Binary(), "admin", "create", "--username", "ops", "--data-dir", dataDir], { stdin: Buffer.from(`${PASSWORD}\n`), stdout: "pipe", stderr: "pipe" });
  expect(made.exitCode).toBe(0);
  srv = await startTm20({ dataDir, args: ["--tz", "UTC", "--approval", "open"] });
  browser = await openBrowser();
  await login(browser, srv.http, "ops", PASSWORD);
});

afterAll(async () => {
  await browser?.close();
  await srv?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const siteTime = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace("T", " ");

describe("dashboard alerts", () => {
  test("with no terminals the dashboard says so and where to start", async () => {
    const { page } = browser;
    await page.goto(`${srv.http}/`);
    const text = await page.locator(".all-clear").textContent();
    expect(text).toStartWith("No terminals yet.");
    expect(text).not.toContain("every approved terminal is online");
    expect(await page.locator(".all-clear a").getAttribute("href")).toBe("/terminals");
  });

  test("a forced-open door appears live, worded as the API words it", async () => {
    const { page } = browser;
    await page.goto(`${srv.http}/`);
    await page.locator(".live-live").waitFor();
    expect(await page.locator(".all-clear").count()).toBe(1);
    const t = await connectTerminal(srv.ws());
    expect((await t.register("DOOR9", { modelname: "test" })).result).toBe(true);
    t.send({ cmd: "sendlog", sn: "DOOR9", count: 1, logindex: 0, record: [{ enrollid: 0, time: siteTime(Date.now() - 10_000), mode: 0, inout: 0, event: 5 }] });
    expect((await t.next((m) => m.ret === "sendlog")).result).toBe(true);
    const line = page.locator('[data-alert="door_forced_open:terminal:DOOR9"]');
    await line.waitFor({ timeout: 20_000 });
    const api = (await (await srv.api("/api/v1/alerts")).json()) as { items: Array<{ id: string; title: string; message: string; href: string }> };
    const same = api.items.find((a) => a.id === "door_forced_open:terminal:DOOR9");
    expect(await line.locator("a").textContent()).toBe(same?.title ?? "missing in the API");
    expect(await line.locator("a").getAttribute("href")).toBe("/door-events?sn=DOOR9");
    // The message says how long ago ("under a minute ago"), which may have moved on between the two reads.
    expect(await line.locator(".alert-message").textContent()).toStartWith("Reported by the terminal ");
    expect(same?.message).toStartWith("Reported by the terminal ");
    expect(await page.locator(".alerts li").count()).toBe(api.items.length);
    await screenshots(page, "dashboard-alerts");
    expect(browser.problems).toEqual([]);
    t.close();
  });
});

describe("Settings → Notifications", () => {
  test("an admin saves the SMTP settings and sends a test e-mail; the password is not shown back", async () => {
    const subjects: string[] = [];
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS", "AUTH"],
      logger: false,
      onData(stream, _session, callback) {
        let raw = "";
        stream.on("data", (c: Buffer) => {
          raw += c.toString("utf8");
        });
        stream.on("end", () => {
          subjects.push(/^subject: (.*)$/im.exec(raw)?.[1] ?? "");
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
    try {
      const port = (smtp.server.address() as AddressInfo).port;
      const { page } = browser;
      await page.goto(`${srv.http}/settings`);
      const panel = page.locator('section[aria-labelledby="notifications-h"]');
      await panel.getByLabel("Send e-mail").check();
      await panel.getByLabel("SMTP server").fill("127.0.0.1");
      await panel.getByLabel("SMTP port").fill(String(port));
      await panel.getByLabel("Encryption").selectOption("none");
      await panel.getByLabel("SMTP password").fill("ui-smtp-secret-1");
      await panel.getByLabel("From", { exact: true }).fill("tm20@example.com");
      await panel.getByLabel("To (comma-separated)").fill("ops@example.com, it@example.com");
      await panel.getByLabel("Quiet period (seconds)").fill("120");
      await panel.getByLabel("Tamper alarm").uncheck();
      await panel.getByRole("button", { name: "Save notifications" }).click();
      await page.waitForURL(`${srv.http}/settings`);
      expect(await page.locator(".flash").first().textContent()).toContain("Notification settings saved.");
      const saved = (await (await srv.api("/api/v1/notifications")).json()) as { quietSeconds: number; kinds: string[]; email: Record<string, unknown> };
      expect(saved.quietSeconds).toBe(120);
      expect(saved.kinds).not.toContain("tamper");
      expect(saved.kinds).toEqual(ALERT_KINDS.filter((k) => k !== "tamper"));
      expect(saved.email).toEqual({ enabled: true, host: "127.0.0.1", port, security: "none", username: "", from: "tm20@example.com", to: ["ops@example.com", "it@example.com"], passwordSet: true });
      expect(await panel.getByLabel("SMTP password").inputValue()).toBe("");
      expect(await page.content()).not.toContain("ui-smtp-secret-1");
      await panel.getByRole("button", { name: "Send test e-mail" }).click();
      await page.waitForURL(`${srv.http}/settings`);
      expect(await page.locator(".flash").first().textContent()).toContain("Test e-mail sent to ops@example.com, it@example.com.");
      expect(subjects).toEqual(["[TM20 Server] Test e-mail"]);
      await screenshots(page, "settings-notifications");
      expect(browser.problems).toEqual([]);
    } finally {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    }
  });
});
