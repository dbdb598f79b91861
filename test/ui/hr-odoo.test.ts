/**
 * The admin UI's HR systems tab with an Odoo destination, in Chromium against the compiled binary
 * and a local Odoo before 19 (helpers/fake-odoo.ts, XML-RPC only): added in the form with its
 * database, login, employee field and a terminal whose in/out key is trusted, connection tested,
 * punches paired into attendances across midnight, an out with nothing open counted as a missing
 * check-in; the API key never shown back, the settings shown again in the edit form.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { rmSync } from "node:fs";
import { tm20Binary } from "../helpers/binary.ts";
import { login, openBrowser, type TestBrowser } from "../helpers/browser.ts";
import { type FakeOdoo, startFakeOdoo } from "../helpers/fake-odoo.ts";
import { startTm20, type Tm20Process, tempDir } from "../helpers/server.ts";
import { connectTerminal, type TestTerminal } from "../helpers/terminal.ts";

const PASSWORD = "odoo systems admin";
const dataDir = tempDir();
let odoo: FakeOdoo;
let srv: Tm20Process;
let browser: TestBrowser;
let terminal: TestTerminal;

beforeAll(async () => {
  odoo = await startFakeOdoo({ json2: false, employees: [{ name: "Ann Lee", pin: "3001" }, { name: "Bo Ek", pin: "3002" }] });
  const created = Bun.spawnSync([tm20Binary(), "admin", "create", "--username", "admin", "--data-dir", dataDir], { stdin: Buffer.from(`${PASSWORD}\n`), stdout: "pipe", stderr: "pipe" });
  expect(created.exitCode).toBe(0);
  srv = await startTm20({ dataDir, args: ["--tz", "UTC"] });
  for (const [enrollid, externalId] of [[1, "3001"], [2, "3002"]] as const) {
    const res = await srv.api("/api/v1/people", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ enrollid, name: `P${enrollid}`, externalId }) });
    expect(res.status).toBe(201);
  }
  browser = await openBrowser();
  terminal = await connectTerminal(srv.ws("/ws"));
  expect((await terminal.register("ODOO-T")).result).toBe(true);
});
afterAll(async () => {
  terminal?.close();
  await browser?.close();
  await srv?.stop();
  await odoo?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function reloadUntil(b: TestBrowser, selector: string, text: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const shown = (await b.page.locator(selector).first().textContent()) ?? "";
    if (shown === text) return;
    if (Date.now() > deadline) throw new Error(`${selector} shows ${JSON.stringify(shown)}, not ${text}`);
    await Bun.sleep(200);
    await b.page.reload();
  }
}

setDefaultTimeout(90_000);

describe("admin UI: an Odoo destination", () => {
  test("added in the form, tested, punches paired into attendances, a missing check-in counted", async () => {
    await login(browser, srv.http, "admin", PASSWORD);
    const { page } = browser;
    await page.goto(`${srv.http}/integrations/hr`);
    await page.getByRole("link", { name: "Add Odoo" }).click();
    const form = page.getByRole("form", { name: "New HR destination" });
    await form.getByLabel("Name", { exact: true }).fill("Odoo HQ");
    await form.getByLabel("URL", { exact: true }).fill(odoo.url);
    await form.getByLabel("API key").fill(odoo.apiKey);
    await form.getByLabel("API", { exact: true }).selectOption("xmlrpc");
    await form.getByLabel("Database").fill(odoo.database);
    await form.getByLabel("Login").fill(odoo.login);
    await form.getByLabel("Odoo employee field").fill("pin");
    await form.getByLabel("Per terminal").fill("ODOO-T=trust");
    await form.getByRole("button", { name: "Add destination" }).click();
    expect(await page.locator(".flash-ok").textContent()).toBe("Destination Odoo HQ added.");
    expect(await page.content()).not.toContain(odoo.apiKey);

    await page.getByRole("button", { name: "Test connection" }).click();
    expect(await page.locator(".flash-ok").textContent()).toBe("Connection works: signed in over XML-RPC; 2 active employees have a pin; attendances readable.");

    const record = [
      { enrollid: 1, time: "2026-05-04 22:00:00", mode: 1, inout: 0, event: 0 },
      { enrollid: 2, time: "2026-05-04 22:30:00", mode: 1, inout: 1, event: 0 },
      { enrollid: 1, time: "2026-05-05 06:00:00", mode: 1, inout: 1, event: 0 },
    ];
    terminal.send({ cmd: "sendlog", sn: "ODOO-T", count: record.length, logindex: 1, record });
    expect(await terminal.next((m) => m.ret === "sendlog")).toMatchObject({ result: true });
    await reloadUntil(browser, '[data-panel="status"] [data-delivered]', "2");
    expect(await page.locator('[data-skipped="missingCheckIn"]').textContent()).toBe("1");
    expect(await page.locator('[data-skipped="outOfOrder"]').textContent()).toBe("0");
    expect(await page.locator("[data-last-skip]").textContent()).toBe("3002 at 2026-05-04 22:30:00: a check-out with no open attendance in Odoo (missing check-in): nothing created");
    expect(odoo.attendancesOf("Ann Lee")).toEqual([["2026-05-04 22:00:00", "2026-05-05 06:00:00"]]);
    expect(odoo.attendancesOf("Bo Ek")).toEqual([]);

    // The edit form shows the settings again, never the key.
    const edit = page.getByRole("form", { name: "Change HR destination" });
    expect(await edit.getByLabel("Per terminal").inputValue()).toBe("ODOO-T=trust");
    expect(await edit.getByLabel("Odoo employee field").inputValue()).toBe("pin");
    expect(await edit.getByLabel("API key").inputValue()).toBe("");
  });
});
