/**
 * Issue 15 in Chromium against the compiled binary: a terminal's raised admin level with a new PIN
 * is held, shown as an alert on the dashboard and on People → Held changes with the sn and address
 * it came from; the keypad setting set to "hold" holds a new person too; the admin approves one
 * and rejects the other with the page's buttons.
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
let door: TestTerminal;

setDefaultTimeout(60_000);

const senduser = async (frame: Record<string, unknown>) => {
  door.send({ cmd: "senduser", sn: "DOOR1", ...frame });
  expect(await door.next((m) => m.ret === "senduser")).toMatchObject({ result: true });
};

beforeAll(async () => {
  const created = Bun.spawnSync([tm20Binary(), "admin", "create", "--username", "ops", "--data-dir", dataDir], { stdin: Buffer.from(`${PASSWORD}\n`) });
  expect(created.exitCode).toBe(0);
  srv = await startTm20({ dataDir, args: ["--approval", "open"] });
  browser = await openBrowser();
  const person = await srv.api("/api/v1/people", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ enrollid: 7, name: "Gus", admin: 0, credentials: [{ backupnum: 10, data: "1234" }] }),
  });
  expect(person.status).toBe(201);
  door = await connectTerminal(srv.ws());
  expect(await door.register("DOOR1")).toMatchObject({ result: true });
  await senduser({ enrollid: 7, admin: 2, backupnum: 10, record: "9999" });
});
afterAll(async () => {
  door?.close();
  await browser?.close();
  await srv?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("held changes in the admin UI", () => {
  test("listed with the terminal and address, approved and rejected from the page; the keypad setting holds new people", async () => {
    const { page } = browser;
    const url = (p: string) => `${srv.http}${p}`;
    await login(browser, srv.http, "ops", PASSWORD);
    const alert = page.locator(".alert", { hasText: "waits for approval" });
    expect(await alert.locator("a").textContent()).toBe("A change from a terminal waits for approval");
    expect(await alert.locator("a").getAttribute("href")).toBe("/people/held");

    // Keypad enrolments held from now on.
    await page.goto(url("/settings"));
    await page.getByLabel("Hold them until an admin approves").check();
    await page.getByRole("button", { name: "Save settings" }).click();
    await page.waitForURL(url("/settings"));
    expect(await page.getByLabel("Hold them until an admin approves").isChecked()).toBe(true);
    await senduser({ enrollid: 30, name: "Newcomer", admin: 0, backupnum: 0, record: "tpl-30" });

    await page.goto(url("/people"));
    expect(await page.locator("[data-held-count]").getAttribute("data-held-count")).toBe("2");
    expect(await page.locator("tr[data-enrollid]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-enrollid")))).toEqual(["7"]);
    await page.locator("[data-held-count]").click();
    await page.waitForURL(url("/people/held"));
    const rows = page.locator("tr[data-held-id]");
    expect(await rows.evaluateAll((trs) => trs.map((r) => r.getAttribute("data-held-id")))).toEqual(["1", "2"]);
    const cells = async (id: string) => (await page.locator(`tr[data-held-id="${id}"] td`).allInnerTexts()).slice(1, 4).map((t) => t.replace(/\s+/g, " ").trim());
    expect(await cells("1")).toEqual(["Gus #7", "User → Super user New PIN **** Admin level raised Replaces a stored credential", "DOOR1 127.0.0.1 keypad"]);
    expect(await cells("2")).toEqual(['Newcomer #30', 'New person "Newcomer", User, with Fingerprint 1 New person', "DOOR1 127.0.0.1 keypad"]);
    await screenshots(page, "held-changes");

    await page.locator('tr[data-held-id="2"]').getByRole("button", { name: "Approve" }).click();
    await page.waitForURL(url("/people/held"));
    expect(await page.locator(".flash-ok").textContent()).toBe("Change for #30 approved.");
    await page.locator('tr[data-held-id="1"]').getByRole("button", { name: "Reject" }).click();
    await page.waitForURL(url("/people/held"));
    expect(await page.locator(".flash-ok").textContent()).toBe("Change for #7 rejected; the terminal it came from keeps its own copy.");
    expect(await page.locator(".empty-title").textContent()).toBe("Nothing waits for approval");

    const db = srv.db();
    expect(db.query("SELECT enrollid, name, admin FROM people ORDER BY enrollid").all()).toEqual([
      { enrollid: 7, name: "Gus", admin: 0 },
      { enrollid: 30, name: "Newcomer", admin: 0 },
    ]);
    expect(db.query("SELECT enrollid, backupnum, data FROM credentials ORDER BY enrollid, backupnum").all()).toEqual([
      { enrollid: 7, backupnum: 10, data: "1234" },
      { enrollid: 30, backupnum: 0, data: "tpl-30" },
    ]);
    expect(db.query("SELECT actor, action, target FROM audit_log WHERE action LIKE 'people.held.%' OR action = 'settings.update' ORDER BY id").all()).toEqual([
      { actor: "user:ops", action: "settings.update", target: "site" },
      { actor: "user:ops", action: "people.held.approve", target: "person:30" },
      { actor: "user:ops", action: "people.held.reject", target: "person:7" },
    ]);
    db.close();
  });
});
