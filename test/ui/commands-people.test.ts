/**
 * The admin UI's commands and people pages in Chromium against the compiled binary: the first
 * admin made with `tm20 admin create`, "open door" reaching a terminal, confirmation before a
 * reboot, and a person created, pushed to a terminal (job progress) and deleted. The command and
 * the job are followed live on their pages (no reload); a saved name lands back on the person.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { rmSync } from "node:fs";
import { SiteClock, systemTimeZone } from "../../src/protocol/index.ts";
import { tm20Binary } from "../helpers/binary.ts";
import { openBrowser, screenshots, type TestBrowser } from "../helpers/browser.ts";
import { startTm20, type Tm20Process, tempDir } from "../helpers/server.ts";
import { connectTerminal, type TestTerminal } from "../helpers/terminal.ts";

const PASSWORD = "operator password";
/** A 1×1 JPEG. */
const TINY_JPEG =
  "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAAMCAgICAgMCAgIDAwMDBAYEBAQEBAgGBgUGCQgKCgkICQkKDA8MCgsOCwkJDRENDg8QEBEQCgwSExIQEw8QEBD/yQALCAABAAEBAREA/8wABgAQEAX/2gAIAQEAAD8A0s8g/9k=";
const dataDir = tempDir();
let srv: Tm20Process;
let browser: TestBrowser;
let terminal: TestTerminal;
/** Every command the terminal received, in order. */
const commands: string[] = [];
let responder: ReturnType<typeof setInterval>;

function admin(args: string[], stdin: string) {
  const proc = Bun.spawnSync([tm20Binary(), "admin", ...args, "--data-dir", dataDir], { stdin: Buffer.from(stdin), stdout: "pipe", stderr: "pipe" });
  return { code: proc.exitCode, stdout: proc.stdout.toString(), stderr: proc.stderr.toString() };
}

beforeAll(async () => {
  expect(admin(["create", "--username", "ops"], "short\n")).toMatchObject({ code: 2, stderr: "tm20: password: use at least 10 characters\n" });
  const created = admin(["create", "--username", "ops"], `${PASSWORD}\n`);
  expect(created.code).toBe(0);
  expect(created.stdout).toContain("Created admin ops.");
  expect(admin(["list"], "").stdout).toMatch(/^1\tops\tadmin\tactive\tlast login never\n$/);

  srv = await startTm20({ dataDir });
  browser = await openBrowser();
  terminal = await connectTerminal(srv.ws("/pub/chat"));
  expect((await terminal.register("DOOR1")).result).toBe(true);
  // A terminal that answers every command it is sent (reboot never answers, as on real units).
  const answered = new Set<Record<string, unknown>>();
  const clock = new SiteClock(systemTimeZone());
  responder = setInterval(() => {
    for (const m of terminal.received) {
      if (answered.has(m) || typeof m.cmd !== "string") continue;
      answered.add(m);
      commands.push(m.cmd);
      if (m.cmd === "reboot") continue;
      terminal.send({ ret: m.cmd, result: true, sn: "DOOR1", ...(m.cmd === "gettime" ? { time: clock.format(Date.now()) } : {}) });
    }
  }, 20);
});
afterAll(async () => {
  clearInterval(responder);
  terminal?.close();
  await browser?.close();
  await srv?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const url = (p: string) => `${srv.http}${p}`;

async function waitFor(check: () => boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; terminal got ${JSON.stringify(commands)}`);
    await Bun.sleep(20);
  }
}

// Browser steps against a real server; the preload default applies to the first file only.
setDefaultTimeout(60_000);

describe("admin UI: commands and people", () => {
  test("an admin made by `tm20 admin create` logs in (no first-admin page)", async () => {
    const res = await fetch(url("/"), { redirect: "manual" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/login");
    const { page } = browser;
    await page.goto(url("/login"));
    await page.getByLabel("User name").fill("ops");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(url("/"));
  });

  test('"open door" reaches the terminal, and the history shows it succeeded', async () => {
    const { page } = browser;
    await page.goto(url("/terminals/DOOR1"));
    const before = commands.filter((c) => c === "opendoor").length;
    await page.getByRole("button", { name: "Open door" }).click();
    // The form posts back to the page it is on: the URL is no sign the new page is in, its flash is.
    await page.locator(".flash-ok").waitFor();
    // The page is not loaded again from here on: the flash follows the command live.
    await page.evaluate(() => Object.assign(window, { stillThisPage: true }));
    const id = /#(\d+)/.exec((await page.locator(".flash-ok").textContent()) ?? "")?.[1] ?? "";
    expect(await page.locator(".flash-ok").textContent()).toStartWith(`Open door: command #${id} queued, ahead of anything else for this terminal.`);
    const progress = page.locator(`.flash-ok .command-progress[data-command-id="${id}"]`);
    await progress.and(page.locator('[data-status="succeeded"]')).waitFor({ timeout: 15_000 });
    expect(await progress.locator("[data-words]").textContent()).toBe("answered: done");
    expect(await progress.locator(".step-done").allTextContents()).toEqual(["queued", "sent", "answered"]);
    expect(await page.evaluate(() => "stillThisPage" in window)).toBe(true);
    await waitFor(() => commands.filter((c) => c === "opendoor").length === before + 1, 5000, "opendoor");
    await page.reload();
    const row = page.locator('[data-commands] tr[data-command="opendoor"]');
    expect(await row.locator(".badge").textContent()).toBe("succeeded");
    expect(await row.locator("td").nth(3).textContent()).toBe("ops");
  });

  test("a person is created, pushed to a terminal with progress, and deleted", async () => {
    const { page } = browser;
    await page.goto(url("/people"));
    await screenshots(page, "people-empty");
    await page.getByRole("link", { name: "Add person" }).click();
    await page.getByLabel("Enroll id").fill("77");
    await page.getByLabel("Name", { exact: true }).fill("Grace Hopper");
    await page.getByLabel("External id").fill("HR-0077");
    await page.getByRole("button", { name: "Add person" }).click();
    await page.waitForURL(url("/people/77"));
    expect(await page.locator(".flash-ok").textContent()).toBe("Person added.");
    const db = srv.db();
    expect(db.query("SELECT enrollid, name, enabled, external_id FROM people").all()).toEqual([{ enrollid: 77, name: "Grace Hopper", enabled: 1, external_id: "HR-0077" }]);
    db.close();
    // Credentials come from terminals or the API; the page shows them, the photo as a thumbnail.
    for (const [backupnum, data] of [[10, "4321"], [50, TINY_JPEG]] as const) {
      const res = await srv.api(`/api/v1/people/77/credentials/${backupnum}`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ data }) });
      expect(res.status).toBeLessThan(300);
    }
    await page.reload();
    const cells = (n: number) => page.locator(`table[aria-label="Credentials"] tbody tr td:nth-child(${n})`).allTextContents();
    expect([await cells(1), await cells(2)]).toEqual([
      ["PIN", ""],
      ["****", `Stored (${TINY_JPEG.length} characters)`],
    ]);
    // A card set from the page: shown masked, never in full.
    await page.getByLabel("Card number").fill("0012345678");
    await page.getByRole("button", { name: "Set card" }).click();
    await page.waitForURL(url("/people/77"));
    expect(await page.locator(".flash-ok").textContent()).toBe("Card set.");
    expect([await cells(1), await cells(2)]).toEqual([
      ["PIN", "Card", ""],
      ["****", "********78", `Stored (${TINY_JPEG.length} characters)`],
    ]);
    expect(await page.content()).not.toContain("0012345678");
    expect(await page.locator('[aria-label="Credentials"] img.thumb').getAttribute("src")).toBe("/people/77/photo");
    const photo = await page.request.get(url("/people/77/photo"));
    expect(photo.headers()["content-type"]).toBe("image/jpeg");
    expect(Buffer.from(await photo.body()).equals(Buffer.from(TINY_JPEG, "base64"))).toBe(true);
    expect(await page.locator("img.thumb-large").evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(1);
    expect((await page.request.get(url("/people/78/photo"))).status()).toBe(404);

    await page.getByLabel("DOOR1").check();
    await page.getByRole("button", { name: "Push / resync" }).click();
    await page.waitForURL(/\/jobs\/\d+$/);
    await page.evaluate(() => Object.assign(window, { stillThisPage: true }));
    expect(await page.locator("progress.job-progress").count()).toBe(1);
    expect(await page.locator(".nav a.active").textContent()).toBe("People");
    // The bar and the counts move without a reload.
    await page.locator('.job-progress-live[data-status="succeeded"]').waitFor({ timeout: 15_000 });
    expect(await page.locator(".job-progress-live .badge").textContent()).toBe("succeeded");
    expect(await page.locator("[data-summary]").textContent()).toBe("All 3 commands succeeded");
    expect(await page.locator("progress.job-progress").evaluate((p) => [(p as HTMLProgressElement).value, (p as HTMLProgressElement).max])).toEqual([3, 3]);
    expect(await page.locator("[data-progress-text]").textContent()).toBe("3 of 3 commands done · 3 succeeded · 0 failed · 0 expired or cancelled");
    expect(await page.evaluate(() => "stillThisPage" in window)).toBe(true);
    await screenshots(page, "job");
    expect(commands.filter((c) => c === "setuserinfo").length).toBe(3);

    // A name saved lands back on the person's page, with a link to the update of the terminals.
    await page.goto(url("/people/77"));
    await page.getByLabel("Name", { exact: true }).fill("Grace B. Hopper");
    await page.getByRole("button", { name: "Save" , exact: true }).click();
    await page.waitForURL(url("/people/77"));
    expect(await page.locator(".flash-ok").textContent()).toBe("Saved. Sending to 1 terminal holding this person. See the update");
    const update = await page.locator(".flash-ok a").getAttribute("href");
    expect(update).toMatch(/^\/jobs\/\d+$/);
    await page.goto(url(update ?? ""));
    await page.locator('.job-progress-live[data-status="succeeded"]').waitFor({ timeout: 15_000 });
    expect(await page.title()).toBe("Push Grace B. Hopper to DOOR1 · TM20 Server");

    await page.goto(url("/people?q=hopper"));
    expect(await page.locator("table.table tbody tr").count()).toBe(1);
    expect(await page.locator("table.table tbody tr img.thumb-small").getAttribute("src")).toBe("/people/77/photo");
    await screenshots(page, "people");
    await page.goto(url("/people/77"));
    expect(await page.locator('[aria-label="Terminals holding this person"]').textContent()).toContain("DOOR1");
    await screenshots(page, "person");
    await page.getByRole("button", { name: "Delete" }).click();
    await page.locator("dialog.confirm-dialog").getByRole("button", { name: "Confirm" }).click();
    // Back on the People list (the person's page is gone); DOOR1 holds the person, so the delete is carried to it as a job, linked.
    await page.waitForURL(url("/people"));
    expect(await page.locator(".flash-ok").textContent()).toBe("Deleted Grace B. Hopper (enroll id 77). Removing from 1 terminal. See the removal");
    expect(await page.locator(".flash-ok a").getAttribute("href")).toMatch(/^\/jobs\/\d+$/);
    const after = srv.db();
    expect(after.query("SELECT enrollid FROM people").all()).toEqual([]);
    expect(after.query("SELECT actor, action, target FROM audit_log WHERE action IN ('people.create', 'people.push', 'people.delete') AND actor = 'user:ops' ORDER BY id").all()).toEqual([
      { actor: "user:ops", action: "people.create", target: "person:77" },
      { actor: "user:ops", action: "people.push", target: "person:77" },
      // The new name carried to DOOR1.
      { actor: "user:ops", action: "people.push", target: "person:77" },
      { actor: "user:ops", action: "people.delete", target: "person:77" },
      { actor: "user:ops", action: "people.push", target: "person:77" },
    ]);
    after.close();
  });

  // Last: after a reboot the engine sends nothing more to the unit for a while.
  test("a reboot asks for confirmation first; cancel sends nothing", async () => {
    const { page } = browser;
    await page.goto(url("/terminals/DOOR1"));
    await page.getByRole("button", { name: "Reboot" }).click();
    const dialog = page.locator("dialog.confirm-dialog");
    expect(await dialog.isVisible()).toBe(true);
    expect(await dialog.locator("p").textContent()).toBe("Reboot this terminal? It is offline for about a minute.");
    await screenshots(page, "confirm-dialog");
    await page.keyboard.press("Escape");
    expect(await dialog.isVisible()).toBe(false);
    await Bun.sleep(300);
    expect(commands).not.toContain("reboot");

    await page.getByRole("button", { name: "Reboot" }).click();
    await dialog.getByRole("button", { name: "Confirm" }).click();
    // A screenshot taken while the page is replaced fails: wait for the new page's flash.
    await page.locator(".flash-ok", { hasText: /^Reboot: command #\d+ queued/ }).waitFor();
    await waitFor(() => commands.includes("reboot"), 5000, "reboot");
    await screenshots(page, "terminal-commands");
    expect(browser.problems).toEqual([]);
  });
});
