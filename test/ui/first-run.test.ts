/**
 * First run (compiled binary, Chromium): with no terminal yet, the Terminals page names this
 * server's real port and address as a terminal wants them (`ws://ADDRESS:PORT/`), not a fixed
 * 7788; and the machine's LAN addresses are listed IPv4 outside the machine first.
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { rmSync } from "node:fs";
import type { NetworkInterfaceInfo } from "node:os";
import { terminalUrls } from "../../src/ui/terminal-urls.ts";
import { openBrowser, type TestBrowser } from "../helpers/browser.ts";
import { startTm20, type Tm20Process, tempDir } from "../helpers/server.ts";

setDefaultTimeout(60_000);

const PASSWORD = "first run admin password";
const dataDir = tempDir();
let srv: Tm20Process;
let browser: TestBrowser;

beforeAll(async () => {
  // The test helper listens on 127.0.0.1 with a free port: the hint must name exactly that.
  srv = await startTm20({ dataDir });
  browser = await openBrowser();
});
afterAll(async () => {
  await browser?.close();
  await srv?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test("the empty Terminals page shows this server's real port and address", async () => {
  const { page } = browser;
  await page.goto(`${srv.http}/setup`);
  await page.getByLabel("Setup code").fill(await srv.setupCode());
  await page.getByLabel("User name").fill("ops");
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Repeat the password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create admin account" }).click();
  await page.waitForURL(`${srv.http}/`);
  await page.goto(`${srv.http}/terminals`);
  const port = new URL(srv.http).port;
  expect(port).not.toBe("7788");
  expect(await page.locator("[data-terminal-url]").allTextContents()).toEqual([`ws://127.0.0.1:${port}/`]);
  expect(await page.locator(".empty-text").textContent()).not.toContain("7788");
});

test("on every address: IPv4 outside the machine first, loopback last, IPv6 left out; wss with TLS", () => {
  const nic = (address: string, family: "IPv4" | "IPv6", internal: boolean): NetworkInterfaceInfo =>
    family === "IPv4" ? { address, family, internal, netmask: "", mac: "", cidr: null } : { address, family, internal, netmask: "", mac: "", cidr: null, scopeid: 0 };
  const interfaces = {
    lo: [nic("127.0.0.1", "IPv4", true), nic("::1", "IPv6", true)],
    eth0: [nic("192.168.1.20", "IPv4", false), nic("fe80::1", "IPv6", false)],
    wlan0: [nic("10.0.0.7", "IPv4", false)],
  };
  expect(terminalUrls({ port: 9000, tls: false, host: "0.0.0.0" }, interfaces)).toEqual(["ws://192.168.1.20:9000/", "ws://10.0.0.7:9000/", "ws://127.0.0.1:9000/"]);
  expect(terminalUrls({ port: 9443, tls: true, host: "192.168.1.20" }, interfaces)).toEqual(["wss://192.168.1.20:9443/"]);
});
