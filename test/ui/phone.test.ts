/**
 * The admin UI on a phone (Chromium at 390×844 against the compiled binary): setup and login
 * focus their first field (after a refusal: the refused one, the password), every navigation
 * item (Groups among them) is on screen, "Skip to content" is the first stop of the tab order
 * and moves focus to the content, a terminal's Open door is on the first screen and its progress
 * shows live beside it, a dashboard alert and a person's credentials fit the width, a refused
 * setting keeps what was typed; and a group's terminals chosen in one list: three join at
 * once, then two leave while one joins, membership and audit checked exactly.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { rmSync } from "node:fs";
import { openBrowser, screenshots, type TestBrowser } from "../helpers/browser.ts";
import { startTm20, type Tm20Process, tempDir } from "../helpers/server.ts";
import { connectTerminal, type TestTerminal } from "../helpers/terminal.ts";

setDefaultTimeout(60_000);

const PASSWORD = "phone admin password";
const SNS = ["P1", "P2", "P3", "P4"];
const NAV = ["Dashboard", "Terminals", "Groups", "People", "Attendance", "Timesheets", "Access", "Doors", "Door events", "Quarantine", "Integrations", "Audit log", "Settings"];
const dataDir = tempDir();
let srv: Tm20Process;
let browser: TestBrowser;
const terminals: TestTerminal[] = [];

beforeAll(async () => {
  // The alert test's door event carries a UTC wall-clock time: in the machine's zone (Europe/London
  // in summer, say) it would be over an hour old, outside the alerts' window.
  srv = await startTm20({ dataDir, args: ["--tz", "UTC"] });
  browser = await openBrowser();
  await browser.page.setViewportSize({ width: 390, height: 844 });
  for (const sn of SNS) {
    const t = await connectTerminal(srv.ws("/pub/chat"));
    expect((await t.register(sn)).result).toBe(true);
    terminals.push(t);
  }
});
afterAll(async () => {
  for (const t of terminals) t.close();
  await browser?.close();
  await srv?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const url = (p: string) => `${srv.http}${p}`;
const focusedId = () => browser.page.evaluate(() => document.activeElement?.id ?? null);
const members = () => {
  const db = srv.db();
  try {
    return db.query("SELECT sn FROM terminal_group_members ORDER BY sn").all().map((r) => (r as { sn: string }).sn);
  } finally {
    db.close();
  }
};
const audited = (action: string) => {
  const db = srv.db();
  try {
    return db
      .query("SELECT details FROM audit_log WHERE action = ? ORDER BY id")
      .all(action)
      .map((r) => (JSON.parse((r as { details: string }).details) as { sn: string }).sn);
  } finally {
    db.close();
  }
};

describe("the admin UI at 390×844", () => {
  test("setup focuses the setup code, login the user name", async () => {
    const { page } = browser;
    await page.goto(url("/setup"));
    expect(await focusedId()).toBe("f-code");
    await page.getByLabel("Setup code").fill(await srv.setupCode());
    // A refused field gets the focus back, so the admin types where the message is.
    await page.getByLabel("User name").fill("ops");
    await page.getByLabel("Password", { exact: true }).fill("short");
    await page.getByLabel("Repeat the password").fill("short");
    await page.getByRole("button", { name: "Create admin account" }).click();
    await page.locator("#f-password[aria-invalid=true]").waitFor();
    expect(await focusedId()).toBe("f-password");
    await page.getByLabel("Setup code").fill(await srv.setupCode());
    await page.getByLabel("User name").fill("ops");
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByLabel("Repeat the password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create admin account" }).click();
    await page.waitForURL(url("/"));
    await page.getByRole("button", { name: "Log out" }).click();
    await page.waitForURL(/\/login/);
    expect(await focusedId()).toBe("f-username");
    await page.keyboard.type("ops");
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.locator(".flash-error").waitFor();
    // The user name is kept, so the password is focused to be typed again.
    expect(await focusedId()).toBe("f-password");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(url("/"));
    // The two refusals above are answered 400, which Chromium logs; nothing else went wrong.
    expect(browser.problems).toEqual(Array(2).fill("console: Failed to load resource: the server responded with a status of 400 (Bad Request)"));
    browser.problems.length = 0;
  });

  test("every navigation item is on screen, none scrolled away", async () => {
    const { page } = browser;
    const links = page.locator("nav.sidebar .nav a");
    expect(await links.allInnerTexts()).toEqual(NAV);
    for (const label of NAV) {
      const link = links.filter({ hasText: new RegExp(`^${label}$`) });
      expect(await link.isVisible()).toBe(true);
      const box = await link.boundingBox();
      expect(box).not.toBeNull();
      if (!box) continue;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(390);
      expect(box.y + box.height).toBeLessThanOrEqual(844);
    }
    // Nothing wider than the phone: no sideways scrolling anywhere on the page.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshots(page, "phone-dashboard");
    await page.setViewportSize({ width: 390, height: 844 });
  });

  test("Skip to content is the first tab stop and moves focus to the content", async () => {
    const { page } = browser;
    await page.goto(url("/terminals"));
    await page.keyboard.press("Tab");
    const first = await page.evaluate(() => ({ text: document.activeElement?.textContent?.trim(), href: document.activeElement?.getAttribute("href") }));
    expect(first).toEqual({ text: "Skip to content", href: "#main" });
    const skip = await page.locator(".skip-link").boundingBox();
    expect(skip && skip.y >= 0 && skip.y < 844).toBe(true);
    await page.keyboard.press("Enter");
    expect(await focusedId()).toBe("main");
    // The next Tab goes into the content, not back to the navigation.
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.querySelector("main")?.contains(document.activeElement) ?? false)).toBe(true);
  });

  test("a terminal's Open door is on the first screen", async () => {
    const { page } = browser;
    await page.goto(url("/terminals/P1"));
    const open = page.getByRole("button", { name: "Open door" });
    expect(await open.isVisible()).toBe(true);
    const box = await open.boundingBox();
    expect(box).not.toBeNull();
    expect((box?.y ?? Infinity) + (box?.height ?? 0)).toBeLessThan(844);
    expect((box?.x ?? Infinity) + (box?.width ?? 0)).toBeLessThanOrEqual(390);
  });

  test("Open door's progress shows live beside it, on the first screen: sent, then answered", async () => {
    const { page } = browser;
    await page.goto(url("/terminals/P2"));
    await page.getByRole("button", { name: "Open door" }).click();
    await page.waitForURL(url("/terminals/P2"));
    const progress = page.locator(".flash-ok .command-progress");
    await progress.and(page.locator('[data-status="sent"]')).waitFor({ timeout: 15_000 });
    expect(await progress.locator("[data-words]").textContent()).toBe("sent, waiting for the answer");
    const box = await progress.boundingBox();
    expect(box !== null && box.y + box.height < 844 && box.x + box.width <= 390).toBe(true);
    const p2 = terminals[1];
    await p2?.next((m) => m.cmd === "opendoor");
    p2?.send({ ret: "opendoor", result: true, sn: "P2" });
    await progress.and(page.locator('[data-status="succeeded"]')).waitFor({ timeout: 15_000 });
    expect(await progress.locator("[data-words]").textContent()).toBe("answered: done");
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  });

  test("a dashboard alert fits the phone: its line on screen, nothing scrolled sideways", async () => {
    const { page } = browser;
    await page.goto(url("/"));
    const time = new Date(Date.now() - 10_000).toISOString().slice(0, 19).replace("T", " ");
    terminals[0]?.send({ cmd: "sendlog", sn: "P1", count: 1, logindex: 0, record: [{ enrollid: 0, time, mode: 0, inout: 0, event: 5 }] });
    const line = page.locator('[data-alert="door_forced_open:terminal:P1"]');
    await line.waitFor({ timeout: 20_000 });
    const box = await line.boundingBox();
    expect(box !== null && box.x >= 0 && box.x + box.width <= 390 && box.y + box.height < 844).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  });

  test("a person's credentials: the card and PIN forms fit the phone", async () => {
    const { page } = browser;
    const created = await srv.api("/api/v1/people", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ enrollid: 31, name: "Zoë Phone" }) });
    expect(created.status).toBe(201);
    await page.goto(url("/people/31"));
    await page.getByLabel("Card number").fill("0012345678");
    await page.getByRole("button", { name: "Set card" }).click();
    await page.locator(".flash-ok", { hasText: "Card set." }).waitFor();
    for (const name of ["Set card", "Set PIN"]) {
      const box = await page.getByRole("button", { name }).boundingBox();
      expect(box !== null && box.x >= 0 && box.x + box.width <= 390).toBe(true);
    }
    // The table scrolls inside its own frame (as every wide table on a phone); the frame fits.
    const frame = await page.locator('.table-wrap:has(table[aria-label="Credentials"])').boundingBox();
    expect(frame !== null && frame.x >= 0 && frame.x + frame.width <= 390).toBe(true);
    expect(await page.locator('table[aria-label="Credentials"] tbody tr td:nth-child(2)').first().textContent()).toBe("********78");
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  });

  test("a newly issued QR code reads as one code: on one line, never broken after its TM20-", async () => {
    const { page } = browser;
    await page.goto(url("/people/31"));
    await page.getByRole("button", { name: "Generate a QR code" }).click();
    const code = page.locator("[data-code]");
    await code.waitFor();
    expect(await code.textContent()).toMatch(/^TM20-[A-Za-z0-9_-]{32}$/);
    // One line box per line the text takes: a range over the text has one rect per line.
    const lines = await code.evaluate((el) => {
      const range = document.createRange();
      range.selectNodeContents(el);
      return range.getClientRects().length;
    });
    expect(lines).toBe(1);
    expect(await code.evaluate((el) => getComputedStyle(el).fontFamily)).toContain("monospace");
    const box = await code.boundingBox();
    expect(box !== null && box.x >= 0 && box.x + box.width <= 390).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshots(page, "phone-qr-code");
    await page.setViewportSize({ width: 390, height: 844 });
  });

  test("the door board: each door a card, the first one's Open door on screen without sideways scrolling", async () => {
    const { page } = browser;
    await page.goto(url("/doors"));
    const rows = page.locator("[data-door-board] tbody tr");
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-sn")))).toEqual(SNS);
    const first = rows.first();
    const open = first.getByRole("button", { name: "Open door" });
    expect(await open.isVisible()).toBe(true);
    const box = await open.boundingBox();
    expect(box && { left: box.x >= 0, right: box.x + box.width <= 390, firstScreen: box.y + box.height < 844 }).toEqual({ left: true, right: true, firstScreen: true });
    // Its Since is labelled on the card, as the column's head would say on a wide screen.
    expect(await first.locator("[data-cell=since]").evaluate((td) => getComputedStyle(td, "::before").content)).toBe('"Since "');
    // Neither the page nor the table's own frame scrolls sideways.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const frame = await page.locator("[data-door-board] .table-wrap").evaluate((el) => [el.scrollWidth, el.clientWidth]);
    expect(frame[0]).toBe(frame[1]);
    await screenshots(page, "phone-door-board");
    await page.setViewportSize({ width: 390, height: 844 });
  });

  test("a refused setting names its field and keeps what was typed", async () => {
    const { page } = browser;
    await page.goto(url("/settings"));
    await page.getByLabel("Site name").fill("Phone HQ");
    await page.getByLabel("Time zone").fill("Europe/Parris");
    await page.getByRole("button", { name: "Save settings" }).click();
    await page.waitForURL(url("/settings"));
    expect(await page.locator(".flash-error").textContent()).toBe("Time zone: not a known IANA time zone (e.g. Europe/Paris).");
    expect(await page.getByLabel("Time zone").inputValue()).toBe("Europe/Parris");
    expect(await page.getByLabel("Site name").inputValue()).toBe("Phone HQ");
  });

  test("a group's terminals are chosen in one list: three join, then two leave as one joins", async () => {
    const { page } = browser;
    await page.getByRole("link", { name: "Groups", exact: true }).click();
    await page.waitForURL(url("/groups"));
    expect(await page.locator(".nav a.active").innerText()).toBe("Groups");
    await page.getByLabel("New group name").fill("Lobby");
    await page.getByRole("button", { name: "Create group" }).click();
    await page.locator(".flash-ok", { hasText: "Group Lobby created." }).waitFor();

    await page.getByRole("link", { name: "Terminals of Lobby" }).click();
    await page.waitForURL(/\/groups\/\d+\/terminals$/);
    for (const sn of ["P1", "P2", "P3"]) await page.getByLabel(sn, { exact: true }).check();
    await page.getByRole("button", { name: "Save members" }).click();
    await page.locator(".flash-ok", { hasText: "Lobby: 3 terminals added, 0 terminals removed." }).waitFor();
    expect(members()).toEqual(["P1", "P2", "P3"]);
    expect(audited("groups.add-terminal")).toEqual(["P1", "P2", "P3"]);

    await page.getByRole("link", { name: "Terminals of Lobby" }).click();
    await page.waitForURL(/\/groups\/\d+\/terminals$/);
    expect(await page.locator("input[name=terminal]:checked").evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value))).toEqual(["P1", "P2", "P3"]);
    await page.getByLabel("P1", { exact: true }).uncheck();
    await page.getByLabel("P2", { exact: true }).uncheck();
    await page.getByLabel("P4", { exact: true }).check();
    await page.getByRole("button", { name: "Save members" }).click();
    await page.locator(".flash-ok", { hasText: "Lobby: 1 terminal added, 2 terminals removed." }).waitFor();
    expect(members()).toEqual(["P3", "P4"]);
    expect(audited("groups.add-terminal")).toEqual(["P1", "P2", "P3", "P4"]);
    expect(audited("groups.remove-terminal")).toEqual(["P1", "P2"]);
    expect(await page.locator("tr[data-group=Lobby] td:nth-child(3) a").allInnerTexts()).toEqual(["P3", "P4"]);
    expect(browser.problems).toEqual([]);
  });
});
