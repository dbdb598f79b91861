/**
 * The rest of issue 17's daily work in Chromium against the compiled binary, at phone width
 * (390×844) and on a desktop (1366×768) (phone.test.ts has the navigation, Open door answered,
 * credentials and groups at phone width): the
 * first run's Terminals page and dashboard, an Open door the terminal never answers followed
 * live to "timed out", a push's job bar moving live on its page and the job in /jobs, the
 * command history's filter, a CSV import of 2,000 people followed on a live bar to its result,
 * and a person's attendance found by name without accents and downloaded as CSV from its page.
 * Every step fits the width: nothing scrolls sideways.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync, rmSync } from "node:fs";
import { openBrowser, type TestBrowser } from "../helpers/browser.ts";
import { startTm20, type Tm20Process, tempDir } from "../helpers/server.ts";
import { connectTerminal, type TestTerminal } from "../helpers/terminal.ts";

setDefaultTimeout(60_000);

const PASSWORD = "daily work password";
/** The whole walk in its own server and browser at one viewport. */
function dailyWork(WIDTH: number, HEIGHT: number) {
  describe(`daily work at ${WIDTH}×${HEIGHT}`, () => {
    const dataDir = tempDir();
    let srv: Tm20Process;
    let browser: TestBrowser;
    const terminals: TestTerminal[] = [];

    beforeAll(async () => {
      // A terminal's answer is waited for 2 s, so "timed out" is seen within the test.
      srv = await startTm20({ dataDir, args: ["--tz", "UTC", "--command-timeout", "2"] });
      browser = await openBrowser();
      await browser.page.setViewportSize({ width: WIDTH, height: HEIGHT });
    });
    afterAll(async () => {
      for (const t of terminals) t.close();
      await browser?.close();
      await srv?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    const url = (p: string) => `${srv.http}${p}`;
    const noSideways = async () => expect(await browser.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(WIDTH);
    /** The element's box lies within the width, and on the first screen when `firstScreen`. */
    async function fits(selector: string, firstScreen = true) {
      const box = await browser.page.locator(selector).first().boundingBox();
      expect(box).not.toBeNull();
      if (!box) return;
      expect([box.x >= 0, box.x + box.width <= WIDTH]).toEqual([true, true]);
      if (firstScreen) expect(box.y + box.height).toBeLessThanOrEqual(HEIGHT);
    }
    async function online(sn: string): Promise<TestTerminal> {
      const t = await connectTerminal(srv.ws("/pub/chat"));
      expect((await t.register(sn)).result).toBe(true);
      terminals.push(t);
      return t;
    }
    const post = (path: string, body: unknown, method = "POST") => srv.api(path, { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

    test("first run: the dashboard says there is no terminal yet, the Terminals page names this server's address", async () => {
      const { page } = browser;
      await page.goto(url("/setup"));
      await page.getByLabel("Setup code").fill(await srv.setupCode());
      await page.getByLabel("User name").fill("ops");
      await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
      await page.getByLabel("Repeat the password").fill(PASSWORD);
      await page.getByRole("button", { name: "Create admin account" }).click();
      await page.waitForURL(url("/"));
      const clear = page.locator(".all-clear");
      expect(await clear.textContent()).toStartWith("No terminals yet.");
      expect(await clear.locator("a").getAttribute("href")).toBe("/terminals");
      await fits(".all-clear");
      await noSideways();
      await page.goto(url("/terminals"));
      const port = new URL(srv.http).port;
      expect(await page.locator("[data-terminal-url]").allTextContents()).toEqual([`ws://127.0.0.1:${port}/`]);
      await fits("[data-terminal-url]");
      await noSideways();
    });

    test("Open door that the terminal never answers: queued, sent, then timed out, live on the first screen", async () => {
      const { page } = browser;
      const mute = await online("MUTE1");
      await page.goto(url("/terminals/MUTE1"));
      await page.getByRole("button", { name: "Open door" }).click();
      await page.waitForURL(url("/terminals/MUTE1"));
      const progress = page.locator(".flash-ok .command-progress");
      await mute.next((m) => m.cmd === "opendoor", 10_000);
      await progress.and(page.locator('[data-status="timed_out"]')).waitFor({ timeout: 15_000 });
      expect(await progress.locator("[data-words]").textContent()).toBe("timed out: no answer");
      expect(await progress.locator(".step-done").allTextContents()).toEqual(["queued", "sent"]);
      await fits(".flash-ok .command-progress");
      await noSideways();
    });

    test("the command history's filter keeps the admin's own Open door in view", async () => {
      const { page } = browser;
      const t = await online("HIST1");
      expect((await post("/api/v1/terminals/HIST1/commands", { command: "opendoor" })).status).toBe(201);
      const sent = await t.next((m) => m.cmd === "opendoor", 10_000);
      expect(sent.cmd).toBe("opendoor");
      t.send({ ret: "opendoor", result: true, sn: "HIST1" });
      await page.goto(url("/terminals/HIST1"));
      await page.getByLabel("Show", { exact: true }).selectOption("admin");
      await page.getByRole("button", { name: "Show", exact: true }).click();
      await page.waitForURL(/commands=admin/);
      expect(await page.locator("tr[data-command]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-command")))).toEqual(["opendoor"]);
      await fits("#f-commands", false);
      await noSideways();
    });

    test("a push from the person page: its job bar runs to the end live, and /jobs lists it by name", async () => {
      const { page } = browser;
      const t = await online("DESK1");
      expect((await post("/api/v1/people", { enrollid: 41, name: "Jürgen Groß", externalId: "P-41" })).status).toBe(201);
      expect((await post("/api/v1/people/41/credentials/11", { data: "41414141" }, "PUT")).status).toBe(200);
      await page.goto(url("/people/41"));
      await page.getByLabel("DESK1", { exact: true }).check();
      await page.getByRole("button", { name: "Push / resync" }).click();
      await page.waitForURL(/\/jobs\/\d+$/);
      const jobPath = new URL(page.url()).pathname;
      expect(await page.locator(".job-progress-live .badge").textContent()).toBe("running");
      await fits("progress.job-progress");
      // Answer each of the push's commands as the terminal would.
      const total = await page.locator("progress.job-progress").evaluate((p) => (p as HTMLProgressElement).max);
      expect(total).toBeGreaterThan(0);
      for (let answered = 0; answered < total; answered++) {
        const cmd = await t.next((m) => m.cmd === "setuserinfo" || m.cmd === "setusername", 10_000);
        t.send({ ret: cmd.cmd, result: true, sn: "DESK1" });
      }
      await page.locator('.job-progress-live[data-status="succeeded"]').waitFor({ timeout: 15_000 });
      const [value, max] = await page.locator("progress.job-progress").evaluate((p) => [(p as HTMLProgressElement).value, (p as HTMLProgressElement).max]);
      expect(value).toBe(max);
      await noSideways();
      await page.getByRole("link", { name: "« All jobs" }).click();
      await page.waitForURL(url("/jobs"));
      const row = page.locator(`tr[data-job="${jobPath.split("/").at(-1)}"]`);
      expect(await row.locator("td").first().textContent()).toBe("Push Jürgen Groß to DESK1");
      expect(await row.locator("td").nth(1).textContent()).toBe("succeeded");
      await noSideways();
    });

    test("a CSV import of 2,000 people applied from the page: a live bar, then the result", async () => {
      const { page } = browser;
      const csv = ["external_id,name", ...Array.from({ length: 2000 }, (_, i) => `HR${i + 1},Imported ${i + 1}`)].join("\n");
      await page.goto(url("/integrations/import"));
      await page.getByLabel("CSV file", { exact: true }).setInputFiles({ name: "people.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
      await page.getByRole("button", { name: "Check the file (dry run)" }).click();
      expect(await page.locator("h1").textContent()).toBe("CSV import: dry run");
      await page.getByRole("button", { name: "Apply these changes" }).click();
      await page.waitForURL(/\/integrations\/import\/runs\/1$/);
      expect(await page.locator("h1").textContent()).toBe("CSV import: running");
      await fits("progress.job-progress");
      // The bar moves without a reload: some people saved, not yet all.
      await page.waitForFunction(() => {
        const bar = document.querySelector<HTMLProgressElement>("progress.job-progress");
        return bar !== null && bar.value > 0 && bar.value < 2000 && document.querySelector("h1")?.textContent === "CSV import: running";
      }, undefined, { timeout: 30_000 });
      // At the end the page reloads into the import's result.
      await page.locator("h1", { hasText: "CSV import: done" }).waitFor({ timeout: 60_000 });
      expect(await page.locator("[data-applied]").textContent()).toBe("Applied 2000 of 2000 changes.");
      expect(await page.locator("progress.job-progress").evaluate((p) => [(p as HTMLProgressElement).value, (p as HTMLProgressElement).max])).toEqual([2000, 2000]);
      expect(await page.locator("[data-summary]").first().textContent()).toBe("2000 created, 0 updated, 0 disabled, 0 unchanged, 0 bad entries");
      await noSideways();
    });

    test("the attendance of a person found by name without accents, and its CSV: Export CSV on screen, BOM, name and payroll number", async () => {
      const { page } = browser;
      const desk = await online("DESK2");
      desk.send({ cmd: "sendlog", sn: "DESK2", count: 2, logindex: 0, record: [
        { enrollid: 41, time: "2026-03-02 08:00:00", mode: 1, inout: 0, event: 0 },
        { enrollid: 42, time: "2026-03-02 08:01:00", mode: 1, inout: 0, event: 0 },
      ] });
      expect((await desk.next((m) => m.ret === "sendlog")).result).toBe(true);
      await page.goto(url("/attendance?from=2026-03-02&to=2026-03-02"));
      await page.getByLabel("Person (name or enroll id)").fill("jurgen");
      await page.getByRole("button", { name: "Filter" }).click();
      await page.waitForURL(/person=jurgen/);
      expect(await page.locator("main table tbody tr").count()).toBe(1);
      const link = page.getByRole("link", { name: "Export CSV" });
      const box = await link.boundingBox();
      expect(box !== null && box.x >= 0 && box.x + box.width <= WIDTH).toBe(true);
      const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
      const lines = readFileSync(await download.path(), "utf8").split("\r\n");
      expect(lines[0]).toBe("\uFEFFtime,timeZone,enrollid,name,externalId,terminalSn,terminal,mode,modeLabel,inout,inoutLabel,event,eventLabel,id");
      expect(lines[1]?.startsWith("2026-03-02 08:00:00,UTC,41,Jürgen Groß,P-41,DESK2,DESK2,1,")).toBe(true);
      expect(lines.filter((l) => l !== "").length).toBe(2);
      await noSideways();
      expect(browser.problems).toEqual([]);
    });
  });
}

dailyWork(390, 844);
dailyWork(1366, 768);
