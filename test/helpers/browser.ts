/**
 * Debian's Chromium driven by playwright-core, for the admin UI tests: a fresh profile per
 * browser, headless, nothing fetched from the network but the server under test.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";

/** Where scripts/prereqs.sh made sure Chromium is. */
export const CHROMIUM = process.env.TM20_CHROMIUM ?? "/usr/bin/chromium";
export const SCREENSHOTS = resolve(import.meta.dir, "../../test-artifacts/screenshots");

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface TestBrowser {
  context: BrowserContext;
  page: Page;
  /** Every console error and failed request the pages produced (CSP violations show up here). */
  problems: string[];
  close(): Promise<void>;
}

export async function openBrowser(): Promise<TestBrowser> {
  const profile = mkdtempSync(join(tmpdir(), "tm20-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1366, height: 768 },
    acceptDownloads: true,
  });
  const problems: string[] = [];
  const watch = (p: Page) => {
    p.on("console", (m) => {
      if (m.type() === "error") problems.push(`console: ${m.text()}`);
    });
    p.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  };
  context.on("page", watch);
  const page = context.pages()[0] ?? (await context.newPage());
  watch(page);
  return {
    context,
    page,
    problems,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Logs in through the login form of the server at `base` and waits for the dashboard. */
export async function login(b: TestBrowser, base: string, username: string, password: string): Promise<void> {
  await b.page.goto(`${base}/login`);
  await b.page.getByLabel("User name").fill(username);
  await b.page.getByLabel("Password").fill(password);
  await b.page.getByRole("button", { name: "Log in" }).click();
  await b.page.waitForURL(`${base}/`);
}

/** Saves the page at 1366×768 and at a 390 px phone width (full page), then restores the desktop size. */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}-1366.png`) });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}-390.png`), fullPage: true });
  await page.setViewportSize({ width: 1366, height: 768 });
}
