/**
 * The admin UI's HR systems tab in Chromium against the compiled binary and a local ERPNext
 * (helpers/fake-erpnext.ts): an ERPNext destination added in the form, its connection tested,
 * refused punches counted per reason with ERPNext's words, a failing punch kept as a dead letter
 * showing ERPNext's message and delivered by its Retry button; the API secret never shown back;
 * a viewer sees the status but no change.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { rmSync } from "node:fs";
import { tm20Binary } from "../helpers/binary.ts";
import { login, openBrowser, type TestBrowser } from "../helpers/browser.ts";
import { fakeErpnext } from "../helpers/fake-erpnext.ts";
import { startTm20, type Tm20Process, tempDir } from "../helpers/server.ts";
import { connectTerminal, type TestTerminal } from "../helpers/terminal.ts";

const PASSWORD = "hr systems admin";
const VIEWER_PASSWORD = "hr systems viewer";
const KEY = "ui-api-key-1f2e";
const SECRET = "ui-api-secret-9a8b7c";

const dataDir = tempDir();
const failing = new Set(["2002"]);
const erp = fakeErpnext({
  apiKey: KEY,
  apiSecret: SECRET,
  shiftTypes: ["Day Shift"],
  failing,
  employees: [
    { name: "HR-EMP-00001", deviceId: "2001", status: "Active" },
    { name: "HR-EMP-00002", deviceId: "2002", status: "Active" },
  ],
});
let srv: Tm20Process;
let browser: TestBrowser;
let terminal: TestTerminal;

function cli(args: string[], stdin: string) {
  return Bun.spawnSync([tm20Binary(), "admin", ...args, "--data-dir", dataDir], { stdin: Buffer.from(stdin), stdout: "pipe", stderr: "pipe" }).exitCode;
}

beforeAll(async () => {
  expect(cli(["create", "--username", "admin"], `${PASSWORD}\n`)).toBe(0);
  expect(cli(["create", "--username", "viewer", "--role", "viewer"], `${VIEWER_PASSWORD}\n`)).toBe(0);
  srv = await startTm20({ dataDir, env: { TM20_WEBHOOK_RETRY_BASE_MS: "100", TM20_WEBHOOK_RETRY_MAX_MS: "200" } });
  for (const [enrollid, externalId] of [[1, "2001"], [2, "2002"], [3, "2003"]] as const) {
    const res = await srv.api("/api/v1/people", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ enrollid, name: `P${enrollid}`, externalId }) });
    expect(res.status).toBe(201);
  }
  browser = await openBrowser();
  terminal = await connectTerminal(srv.ws("/pub/chat"));
  expect((await terminal.register("HR1")).result).toBe(true);
});
afterAll(async () => {
  terminal?.close();
  await browser?.close();
  await srv?.stop();
  erp.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

let logindex = 0;
async function punch(enrollid: number, time: string) {
  logindex++;
  terminal.send({ cmd: "sendlog", sn: "HR1", count: 1, logindex, record: [{ enrollid, time, mode: 1, inout: 0, event: 0 }] });
  await terminal.next((m) => m.ret === "sendlog" && m.logindex === logindex);
}

async function reloadUntil(b: TestBrowser, selector: string, text: string | RegExp, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const shown = (await b.page.locator(selector).first().textContent()) ?? "";
    if (typeof text === "string" ? shown === text : text.test(shown)) return;
    if (Date.now() > deadline) throw new Error(`${selector} shows ${JSON.stringify(shown)}, not ${text}`);
    await Bun.sleep(200);
    await b.page.reload();
  }
}

setDefaultTimeout(90_000);

describe("admin UI: HR systems", () => {
  test("add ERPNext, test the connection, see refusals counted and a dead letter with ERPNext's message, retry it", async () => {
    await login(browser, srv.http, "admin", PASSWORD);
    const { page } = browser;
    await page.goto(`${srv.http}/integrations`);
    await page.getByRole("link", { name: "HR systems" }).click();
    expect(await page.getByText("No HR systems").count()).toBe(1);
    await page.getByRole("link", { name: "Add ERPNext / Frappe HRMS" }).click();
    const form = page.getByRole("form", { name: "New HR destination" });
    await form.getByLabel("Name", { exact: true }).fill("ERPNext HQ");
    await form.getByLabel("URL", { exact: true }).fill(erp.url);
    await form.getByLabel("API key").fill(KEY);
    await form.getByLabel("API secret").fill(SECRET);
    await form.getByLabel("Shift types").fill("Day Shift");
    await form.getByLabel("Give up after (attempts)").fill("2");
    await form.getByRole("button", { name: "Add destination" }).click();
    expect(await page.locator(".flash-ok").textContent()).toBe("Destination ERPNext HQ added.");
    expect(await page.content()).not.toContain(SECRET);

    await page.getByRole("button", { name: "Test connection" }).click();
    expect(await page.locator(".flash-ok").textContent()).toBe("Connection works: signed in as hr-sync@example.com; shift types found: Day Shift");

    await punch(1, "2026-05-04 08:00:00");
    // A scan of nobody enrolled: counted on its own line, never sent.
    await punch(99999999, "2026-05-04 08:00:30");
    await punch(3, "2026-05-04 08:01:00");
    await punch(2, "2026-05-04 08:02:00");
    await reloadUntil(browser, '[data-panel="status"] [data-delivered]', "1");
    await reloadUntil(browser, '[data-panel="dead-letters"] [data-letter-error]', "HTTP 500: (2013, 'Lost connection to MySQL server during query')");
    expect(await page.locator('[data-skipped="unknownEmployee"]').textContent()).toBe("1");
    expect(await page.locator('[data-skipped="duplicate"]').textContent()).toBe("0");
    expect(await page.locator('[data-skipped="notAPerson"]').textContent()).toBe("1");
    expect(await page.locator('dt:has(+ [data-skipped="notAPerson"])').textContent()).toBe("Skipped: not a person (a scan of nobody enrolled)");
    expect(erp.checkinCalls().some((c) => String(c.body?.employee_field_value).includes("99999999"))).toBe(false);
    expect(await page.locator("[data-last-skip]").textContent()).toBe("2003 at 2026-05-04 08:01:00: No Employee found for the given employee field value. 'attendance_device_id': 2003");
    expect(await page.locator('[data-panel="dead-letters"] tbody tr td').first().textContent()).toContain("2002 at 2026-05-04 08:02:00");

    failing.delete("2002");
    await page.locator('[data-panel="dead-letters"] tbody tr').getByRole("button", { name: "Retry" }).click();
    expect(await page.locator(".flash-ok").textContent()).toBe("Punch delivered.");
    expect(erp.checkins.map((c) => [c.employee, c.time])).toEqual([
      ["HR-EMP-00001", "2026-05-04 08:00:00"],
      ["HR-EMP-00002", "2026-05-04 08:02:00"],
    ]);
    expect(await page.locator('[data-panel="dead-letters"]').getByText("No dead letters").count()).toBe(1);

    // The list shows it too.
    await page.getByRole("link", { name: "HR systems" }).first().click();
    const row = page.locator('[data-hr-destination="ERPNext HQ"]');
    expect(await row.locator("[data-delivered]").textContent()).toBe("1");
    expect(await row.locator("[data-skipped]").textContent()).toBe("2");
    expect(await row.locator("[data-dead-letters]").textContent()).toBe("0");
  });

  test("a viewer sees the status, not the buttons", async () => {
    await browser.page.context().clearCookies();
    await login(browser, srv.http, "viewer", VIEWER_PASSWORD);
    const { page } = browser;
    await page.goto(`${srv.http}/integrations/hr`);
    expect(await page.getByRole("link", { name: "Add ERPNext / Frappe HRMS" }).count()).toBe(0);
    await page.getByRole("link", { name: "ERPNext HQ" }).click();
    expect(await page.getByRole("button", { name: "Test connection" }).count()).toBe(0);
    expect(await page.locator('[data-panel="status"] [data-delivered]').textContent()).toBe("1");
    const res = await page.request.post(`${srv.http}/integrations/hr/1/test`, { maxRedirects: 0 });
    expect(res.status()).toBeGreaterThanOrEqual(400);
  });
});
