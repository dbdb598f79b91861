/**
 * Issue 15 in Chromium against the compiled binary: other hardware registering under a known sn
 * is an alert on the dashboard and on the terminal's page, and the admin's "Replaced hardware"
 * (confirmed, with the session's CSRF token) makes it the terminal's identity.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { rmSync } from "node:fs";
import { tm20Binary } from "../helpers/binary.ts";
import { login, openBrowser, screenshots, type TestBrowser } from "../helpers/browser.ts";
import { startTm20, type Tm20Process, tempDir } from "../helpers/server.ts";
import { connectTerminal, type TestTerminal } from "../helpers/terminal.ts";

const PASSWORD = "operator password";
const dataDir = tempDir();
let srv: Tm20Process;
let browser: TestBrowser;
const sockets: TestTerminal[] = [];

setDefaultTimeout(60_000);

beforeAll(async () => {
  const created = Bun.spawnSync([tm20Binary(), "admin", "create", "--username", "ops", "--data-dir", dataDir], { stdin: Buffer.from(`${PASSWORD}\n`) });
  expect(created.exitCode).toBe(0);
  srv = await startTm20({ dataDir, args: ["--approval", "open"] });
  browser = await openBrowser();
  for (const cpusn of ["CPU-REAL", "CPU-NEW"]) {
    const t = await connectTerminal(srv.ws());
    sockets.push(t);
    t.send({ cmd: "reg", sn: "DOOR1", cpusn, devinfo: { modelname: "tfs30", mac: "00-01-F5-02-7D-5F" } });
    expect(await t.next((m) => m.ret === "reg")).toMatchObject({ result: true });
  }
});
afterAll(async () => {
  for (const t of sockets) t.close();
  await browser?.close();
  await srv?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("hardware identity in the admin UI", () => {
  test("the dashboard and the terminal's page show the mismatch; Replaced hardware accepts it", async () => {
    const { page } = browser;
    const url = (p: string) => `${srv.http}${p}`;
    await login(browser, srv.http, "ops", PASSWORD);
    expect(await page.locator(".alert a").allTextContents()).toEqual(["Other hardware registered as DOOR1"]);
    expect(await page.locator(".alert a").getAttribute("href")).toBe("/terminals/DOOR1");
    expect(await page.locator(".alert .alert-message").textContent()).toMatch(/^From 127\.0\.0\.1, (under a minute|1 min) ago \(cpusn CPU-NEW, MAC 00-01-F5-02-7D-5F\)\. If the unit was replaced/);

    await page.goto(url("/terminals/DOOR1"));
    const notice = await page.locator('p.alert[role="alert"]').textContent();
    expect(notice).toContain("from 127.0.0.1: cpusn CPU-NEW, MAC 00-01-F5-02-7D-5F.");
    expect(notice).toContain("Since new terminals are let in without approval, so is it.");
    expect(await page.locator('[aria-label="Hardware identity"] dd').allTextContents()).toEqual(["CPU-REAL", "00-01-F5-02-7D-5F"]);
    await screenshots(page, "terminal-identity");
    await page.getByRole("button", { name: "Replaced hardware" }).click();
    await page.locator("dialog.confirm-dialog").getByRole("button", { name: "Confirm" }).click();
    // The form posts back to the page it is on: its flash, not the URL, shows the new page is in.
    await page.locator(".flash-ok").waitFor();
    expect(await page.locator(".flash-ok").textContent()).toBe("DOOR1: the new hardware is accepted; the terminal is checked against it from its next registration.");
    expect(await page.locator('[aria-label="Hardware identity"] dd').allTextContents()).toEqual(["CPU-NEW", "00-01-F5-02-7D-5F"]);
    expect(await page.getByRole("button", { name: "Replaced hardware" }).count()).toBe(0);
    expect(await page.locator('p.alert[role="alert"]').count()).toBe(0);

    const db = srv.db();
    expect(db.query("SELECT actor, action, target FROM audit_log WHERE action = 'terminal.replace-hardware'").all()).toEqual([
      { actor: "user:ops", action: "terminal.replace-hardware", target: "DOOR1" },
    ]);
    db.close();
    // The dashboard's snapshot is shared for a couple of seconds.
    await Bun.sleep(2100);
    await page.goto(url("/"));
    expect(await page.locator(".alert").count()).toBe(0);
  });
});
