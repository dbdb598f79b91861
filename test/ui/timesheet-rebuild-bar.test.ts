/**
 * Timesheets → Rebuild's live bar in Chromium against the binary (issue 17): two people imported,
 * the admin rebuilds November from the page; the job island follows
 * `/timesheets/rebuild/progress.json` to the end and shows the summary, with no console errors.
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { rmSync } from "node:fs";
import { tm20Binary } from "../helpers/binary.ts";
import { login, openBrowser, type TestBrowser } from "../helpers/browser.ts";
import { startTm20, type Tm20Process, tempDir } from "../helpers/server.ts";

setDefaultTimeout(120_000);
const PASSWORD = "rebuild admin password";
const dataDir = tempDir();
let srv: Tm20Process;
let browser: TestBrowser;

beforeAll(async () => {
  const proc = Bun.spawnSync([tm20Binary(), "admin", "create", "--username", "ops", "--data-dir", dataDir], { stdin: Buffer.from(`${PASSWORD}\n`), stdout: "pipe", stderr: "pipe" });
  expect(proc.exitCode).toBe(0);
  srv = await startTm20({ dataDir });
  const csv = ["Employee ID;Full Name;Enrollid", "E-1;Ann;1", "E-2;Bob;2"].join("\n");
  expect((await srv.api("/api/v1/people/import", { method: "POST", headers: { "content-type": "text/csv" }, body: csv })).status).toBe(200);
  browser = await openBrowser();
  await login(browser, srv.http, "ops", PASSWORD);
});
afterAll(async () => {
  await browser?.close();
  await srv?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test("a rebuild started from the page: the bar runs to the end and says what it rebuilt", async () => {
  const page = browser.page;
  await page.goto(`${srv.http}/timesheets/rebuild`);
  expect(await page.locator(".job-progress-live").count()).toBe(0);
  await page.getByLabel("From").fill("2026-11-01");
  await page.getByLabel("To (inclusive)").fill("2026-11-30");
  await page.getByRole("button", { name: "Rebuild" }).click();
  await page.locator(".flash-ok", { hasText: "Rebuilding 2026-11-01 to 2026-11-30" }).waitFor({ timeout: 10_000 });
  const bar = page.locator('.job-progress-live[data-status="succeeded"]');
  await bar.waitFor({ timeout: 60_000 });
  expect(await bar.locator("[data-summary]").textContent()).toMatch(/^Rebuilt 30 days for 2 people, 2026-11-01 to 2026-11-30, in \d+\.\d s$/);
  expect(await bar.locator("[data-progress-text]").textContent()).toBe("60 of 60 person-days done · 60 results stored");
  expect(await bar.locator("progress").getAttribute("value")).toBe("60");
  expect(browser.problems).toEqual([]);
});
