/**
 * Doors in Chromium against the compiled binary (issue 16): the door board shows a forced-open
 * door live, without a reload, and opens a door from its row; it tells of a terminal first seen
 * after it was opened, without a reload; a terminal's door settings go to a
 * simulated terminal as setdevlock (only the fields changed) and come back through getdevlock.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { rmSync } from "node:fs";
import { SimDevice } from "../../src/simulator/device.ts";
import { tm20Binary } from "../helpers/binary.ts";
import { login, openBrowser, type TestBrowser } from "../helpers/browser.ts";
import { startTm20, type Tm20Process, tempDir } from "../helpers/server.ts";
import { registered, startSim, until } from "../helpers/sim.ts";
import { connectTerminal, type TestTerminal } from "../helpers/terminal.ts";

const PASSWORD = "doors password 1";
let srv: Tm20Process;
let browser: TestBrowser;
let dataDir: string;
const terminals: TestTerminal[] = [];

setDefaultTimeout(90_000);

beforeAll(async () => {
  dataDir = tempDir("tm20-ui-doors-");
  const made = Bun.spawnSync([tm20Binary(), "admin", "create", "--username", "ops", "--data-dir", dataDir], { stdin: Buffer.from(`${PASSWORD}\n`), stdout: "pipe", stderr: "pipe" });
  expect(made.exitCode).toBe(0);
  srv = await startTm20({ dataDir, args: ["--tz", "UTC", "--approval", "open"] });
  browser = await openBrowser();
  await login(browser, srv.http, "ops", PASSWORD);
});

afterAll(async () => {
  for (const t of terminals) t.close();
  await browser?.close();
  await srv?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const siteTime = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace("T", " ");

async function terminal(sn: string): Promise<TestTerminal> {
  const t = await connectTerminal(srv.ws());
  expect((await t.register(sn, { modelname: "test" })).result).toBe(true);
  terminals.push(t);
  return t;
}

describe("door board", () => {
  test("a forced-open door appears on the board without a reload; Open door queues opendoor for that terminal", async () => {
    const gate = await terminal("GATE1");
    await terminal("GATE2");
    const closedAt = Date.now() - 60_000;
    gate.send({ cmd: "sendlog", sn: "GATE1", count: 1, logindex: 0, record: [{ enrollid: 0, time: siteTime(closedAt), mode: 0, inout: 0, event: 0 }] });
    expect((await gate.next((m) => m.ret === "sendlog")).result).toBe(true);

    const { page } = browser;
    await page.goto(`${srv.http}/doors`);
    const state = (sn: string) => page.locator(`tr[data-sn="${sn}"] [data-cell="state"]`);
    expect(await state("GATE1").innerText()).toBe("Closed");
    expect(await state("GATE2").innerText()).toBe("No door event yet");
    expect(await page.locator('tr[data-sn="GATE1"] [data-cell="online"]').innerText()).toBe("Online");
    await page.locator('[data-door-board][data-live="live"]').waitFor();
    const marker = await page.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
      return true;
    });
    expect(marker).toBe(true);

    const forcedAt = Date.now() - 5_000;
    gate.send({ cmd: "sendlog", sn: "GATE1", count: 1, logindex: 1, record: [{ enrollid: 0, time: siteTime(forcedAt), mode: 0, inout: 0, event: 5 }] });
    expect((await gate.next((m) => m.ret === "sendlog")).result).toBe(true);
    await page.locator('tr[data-sn="GATE1"] [data-cell="state"][data-state="forced_open"]').waitFor({ timeout: 20_000 });
    expect(await state("GATE1").innerText()).toBe("Forced open");
    expect(await page.locator('tr[data-sn="GATE1"] [data-cell="since"]').innerText()).toBe(siteTime(Math.floor(forcedAt / 1000) * 1000));
    expect(await state("GATE2").innerText()).toBe("No door event yet");
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);

    // Going offline shows too.
    terminals.find((t) => t !== gate)?.close();
    await until("GATE2 offline on the board", async () => (await page.locator('tr[data-sn="GATE2"] [data-cell="online"]').innerText()) === "Offline", 30_000);

    // Open door from the board: one urgent opendoor, answered by the terminal, back on the board.
    await page.locator('tr[data-sn="GATE1"]').getByRole("button", { name: "Open door" }).click();
    const frame = await gate.next((m) => m.cmd === "opendoor");
    expect(frame).toEqual({ cmd: "opendoor", sn: "GATE1" });
    await page.waitForURL(/\/doors\?$/);
    expect(await page.locator(".flash-ok").innerText()).toStartWith("Open door GATE1: command #");
    // Its progress under the message, live: sent (the terminal has it), then answered.
    const progress = page.locator(".flash-ok .command-progress");
    await progress.and(page.locator('[data-status="sent"]')).waitFor({ timeout: 15_000 });
    expect(await progress.locator(".command-progress-label").textContent()).toMatch(/^Open door GATE1 #\d+:$/);
    gate.send({ ret: "opendoor", result: true, sn: "GATE1" });
    await progress.and(page.locator('[data-status="succeeded"]')).waitFor({ timeout: 15_000 });
    expect(await progress.locator("[data-words]").textContent()).toBe("answered: done");
  });

  test("search narrows the board; a page holds 50 doors and the next page follows", async () => {
    const { page } = browser;
    await page.goto(`${srv.http}/doors?q=gate2`);
    expect(await page.locator("tr[data-sn]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-sn")))).toEqual(["GATE2"]);
    const more = Array.from({ length: 49 }, (_, i) => `P${String(i).padStart(2, "0")}`);
    for (const sn of more) (await terminal(sn)).close();
    await page.goto(`${srv.http}/doors`);
    const sns = () => page.locator("tr[data-sn]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-sn")));
    expect(await sns()).toEqual(["GATE1", "GATE2", ...more.slice(0, 48)]);
    await page.getByRole("link", { name: "Next page »" }).click();
    expect(await sns()).toEqual(["P48"]);
  });

  test("a terminal first seen after the board was opened is told without a reload, linked to the board searched for it; one seen before is not", async () => {
    const { page } = browser;
    await page.goto(`${srv.http}/doors?q=gate1`);
    await page.locator('[data-door-board][data-live="live"]').waitFor();
    await page.evaluate(() => {
      (window as unknown as { notReloaded: boolean }).notReloaded = true;
    });
    const notice = page.locator("[data-new-terminals]");
    expect(await notice.isHidden()).toBe(true);
    // Known before the page was read, off this page: coming back is not new.
    (await terminal("P00")).close();
    await terminal("NEWDOOR");
    await notice.waitFor({ state: "visible", timeout: 20_000 });
    expect(await notice.innerText()).toBe("New since this page was opened: NEWDOOR. Reload to see them on the board.");
    expect(await notice.locator("a").evaluateAll((links) => links.map((a) => a.getAttribute("href")))).toEqual(["/doors?q=NEWDOOR", "/doors?q=gate1"]);
    expect(await page.locator("tr[data-sn]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-sn")))).toEqual(["GATE1"]);
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    await notice.getByRole("link", { name: "NEWDOOR" }).click();
    await page.waitForURL(/\/doors\?q=NEWDOOR$/);
    expect(await page.locator("tr[data-sn]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-sn")))).toEqual(["NEWDOOR"]);
    expect(await page.locator("[data-new-terminals]").isHidden()).toBe(true);
  });
});

describe("door settings", () => {
  test("the form sends setdevlock with the fields changed only, and shows what getdevlock answers", async () => {
    const device = new SimDevice();
    const sim = startSim(srv.ws(), "LOCK1", { device });
    try {
      await registered(sim);
      const { page } = browser;
      await page.goto(`${srv.http}/terminals/LOCK1`);
      expect(await page.locator("[data-door-settings-read]").innerText()).toBe("Not read from the terminal yet.");
      await page.getByLabel("Open delay (seconds the lock stays released)").fill("9");
      await page.getByLabel("Door sensor", { exact: true }).selectOption({ label: "Normally closed (NC)" });
      await page.getByRole("button", { name: "Save door settings" }).click();
      expect(await page.locator(".flash-ok").innerText()).toStartWith("Door settings: command #");
      await until("getdevlock answered", () => device.received.some((m) => m.cmd === "getdevlock"));
      expect(device.received.filter((m) => m.cmd === "setdevlock")).toEqual([{ cmd: "setdevlock", sn: "LOCK1", opendelay: 9, doorsensor: 1 }]);
      await until("the settings read back", async () => {
        await page.goto(`${srv.http}/terminals/LOCK1`);
        return (await page.locator("[data-door-settings-read]").innerText()).startsWith("As the terminal reported them at ");
      });
      expect(await page.getByLabel("Open delay (seconds the lock stays released)").inputValue()).toBe("9");
      expect(await page.getByLabel("Door sensor", { exact: true }).inputValue()).toBe("1");
      // Saved again unchanged: nothing is sent.
      await page.getByRole("button", { name: "Save door settings" }).click();
      expect(await page.locator(".flash-ok").innerText()).toBe("Nothing changed: the door settings are as the terminal last reported them.");
      // One field changed: only it goes.
      await page.getByLabel("Tamper alarm").selectOption({ label: "On" });
      await page.getByRole("button", { name: "Save door settings" }).click();
      await until("the second setdevlock", () => device.received.filter((m) => m.cmd === "setdevlock").length === 2);
      expect(device.received.filter((m) => m.cmd === "setdevlock")[1]).toEqual({ cmd: "setdevlock", sn: "LOCK1", tamper: 1 });
    } finally {
      sim.stop();
    }
  });
});

describe("who is inside", () => {
  test("a terminal marked as a site entrance on its page: a punch there shows on /presence without a reload; the muster list prints it", async () => {
    const entry = await terminal("ENTRY1");
    const made = await srv.api("/api/v1/people", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ enrollid: 31, name: "Zoe Quinn", admin: 0, enabled: true, validFrom: null, validTo: null, externalId: null }) });
    expect(made.status).toBe(201);
    const { page } = browser;
    await page.goto(`${srv.http}/terminals/ENTRY1`);
    await page.getByLabel(/^Site entrance/).check();
    await page.getByRole("button", { name: "Save", exact: true }).click();
    expect(await page.locator(".flash-ok").innerText()).toBe("Saved.");
    expect(await page.getByLabel(/^Site entrance/).isChecked()).toBe(true);

    await page.goto(`${srv.http}/presence`);
    expect(await page.locator("[data-presence]").getAttribute("data-count")).toBe("0");
    await page.locator('body[data-live="live"]').waitFor();
    const at = siteTime(Date.now() - 2_000);
    entry.send({ cmd: "sendlog", sn: "ENTRY1", count: 1, logindex: 0, record: [{ enrollid: 31, time: at, mode: 1, inout: 0, event: 0 }] });
    expect((await entry.next((m) => m.ret === "sendlog")).result).toBe(true);
    await page.locator('[data-presence][data-count="1"]').waitFor({ timeout: 20_000 });
    expect(await page.locator("[data-presence] tbody tr").evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll("td")].map((td) => td.textContent)))).toEqual([["Zoe Quinn", "31", at, "ENTRY1"]]);

    await page.goto(`${srv.http}/presence/muster`);
    await page.emulateMedia({ media: "print" });
    expect(await page.locator(".print-bar").isVisible()).toBe(false);
    expect(await page.locator("[data-muster] tbody tr").evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll("td")].map((td) => td.textContent)))).toEqual([["Zoe Quinn", "31", at, "ENTRY1", "☐"]]);
    expect(await page.locator(".sheet-head p").innerText()).toStartWith("1 person inside at ");
    await page.emulateMedia({ media: "screen" });
  });
});
