/**
 * Visitor passes in Chromium against the compiled binary (issue 16): an admin makes a pass from
 * Access → Passes, lands on its printable page and sees the QR code drawn there (an SVG of the
 * pass's own code); a terminal scanning that code is admitted and the page then shows the pass
 * used up; revoked from the list after the confirm dialog.
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { rmSync } from "node:fs";
import { qrSvg } from "../../src/access/qr.ts";
import { tm20Binary } from "../helpers/binary.ts";
import { login, openBrowser, screenshots, type TestBrowser } from "../helpers/browser.ts";
import { startTm20, type Tm20Process, tempDir } from "../helpers/server.ts";
import { connectTerminal, type TestTerminal } from "../helpers/terminal.ts";

setDefaultTimeout(120_000);

const PASSWORD = "passes admin password";
const dataDir = tempDir();
let srv: Tm20Process;
let browser: TestBrowser;
let gate: TestTerminal;

beforeAll(async () => {
  const made = Bun.spawnSync([tm20Binary(), "admin", "create", "--username", "desk", "--data-dir", dataDir], { stdin: Buffer.from(`${PASSWORD}\n`), stdout: "pipe", stderr: "pipe" });
  expect(made.exitCode).toBe(0);
  srv = await startTm20({ dataDir, args: ["--tz", "UTC", "--approval", "open"] });
  gate = await connectTerminal(srv.ws());
  await gate.register("GATE");
  browser = await openBrowser();
  await login(browser, srv.http, "desk", PASSWORD);
});
afterAll(async () => {
  gate?.close();
  await browser?.close();
  await srv?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const url = (p: string) => `${srv.http}${p}`;
/** Site-local (UTC here) "YYYY-MM-DDTHH:MM", `hours` from now: a datetime-local field's value. */
const field = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString().slice(0, 16);

test("make a pass, see its QR code, admit it at the door, see it used up, revoke it", async () => {
  const { page } = browser;
  await page.getByRole("link", { name: "Access", exact: true }).click();
  await page.getByRole("link", { name: "Passes", exact: true }).click();
  await page.waitForURL(url("/access/passes"));
  await page.getByRole("link", { name: "New pass" }).click();
  await page.getByLabel("Visitor's name").fill("Vera Visitor");
  await page.getByLabel("Valid from").fill(field(-1));
  await page.getByLabel("Valid until").fill(field(2));
  await page.getByRole("group", { name: "Terminals" }).getByLabel("GATE").check();
  await page.getByLabel("Uses", { exact: true }).fill("1");
  await page.getByRole("button", { name: "Make pass" }).click();
  await page.waitForURL(url("/access/passes/1"));
  await page.locator(".flash-ok", { hasText: "Made the pass of Vera Visitor" }).waitFor();

  // The page draws the pass's own code: the same SVG the server renders for it.
  const qr = page.locator("[data-pass-qr] svg");
  await qr.waitFor();
  const box = await qr.boundingBox();
  expect(box?.width).toBe(240);
  const pass = (await (await srv.api("/api/v1/access/passes/1")).json()) as { code: string };
  expect(await page.locator("[data-pass-qr] path").getAttribute("d")).toBe(/ d="([^"]+)"/.exec(qrSvg(pass.code))?.[1] ?? "none");
  const card = page.getByRole("region", { name: "Pass" });
  await expect(card.getByRole("heading", { name: "Vera Visitor" }).isVisible()).resolves.toBe(true);
  expect(await card.locator("dl").innerText()).toBe(`Valid from\n${field(-1).replace("T", " ")}\nValid until\n${field(2).replace("T", " ")}\nDoors\nGATE\nUses\nOne entry`);
  await screenshots(page, "pass-page");

  gate.send({ cmd: "sendqrcode", sn: "GATE", record: pass.code });
  expect(await gate.next((m) => m.ret === "sendqrcode", 10_000)).toEqual({ ret: "sendqrcode", result: true, access: 1, enrollid: 0, username: "Vera Visitor", message: "Welcome Vera Visitor" });
  await page.reload();
  expect(await card.locator(".badge").innerText()).toBe("Used up");
  await expect(card.getByText("1 of 1 used").isVisible()).resolves.toBe(true);

  await page.getByRole("link", { name: "All passes" }).click();
  await page.waitForURL(url("/access/passes"));
  await page.locator('tr[data-pass="Vera Visitor"]').getByRole("button", { name: "Revoke" }).click();
  const dialog = page.locator("dialog.confirm-dialog");
  await dialog.waitFor();
  expect(await dialog.innerText()).toContain("Revoke the pass of Vera Visitor? Its code stops opening doors at once.");
  await dialog.getByRole("button", { name: "Confirm" }).click();
  await page.locator(".flash-ok", { hasText: "Revoked the pass of Vera Visitor." }).waitFor();
  expect(await page.locator('tr[data-pass="Vera Visitor"] .badge').innerText()).toBe("Revoked");
  await screenshots(page, "passes-list");

  gate.send({ cmd: "sendqrcode", sn: "GATE", record: pass.code });
  expect(await gate.next((m) => m.ret === "sendqrcode", 10_000)).toEqual({ ret: "sendqrcode", result: true, access: 0, enrollid: 0, username: "Vera Visitor", message: "Pass revoked" });
  expect(browser.problems).toEqual([]);
});
