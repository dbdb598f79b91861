/**
 * The Timesheets area in Chromium against the compiled binary (issue 14): build a schedule through
 * the UI (department, shift with a lunch window, weekday schedule, the person put in the
 * department from their page), punches sent by a test terminal (one with a photo), the person's
 * month with hand-worked minutes and the photo enlarged, a missed punch added from a day and the
 * day changed (marked manual), the summary downloaded and read, and a leave type changed in its row.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync, rmSync } from "node:fs";
import { tm20Binary } from "../helpers/binary.ts";
import { login, openBrowser, screenshots, type TestBrowser } from "../helpers/browser.ts";
import { middayZone } from "../helpers/midday-zone.ts";
import { startTm20, type Tm20Process, tempDir } from "../helpers/server.ts";
import { connectTerminal } from "../helpers/terminal.ts";

setDefaultTimeout(120_000);

const PASSWORD = "timesheet admin password";
/** A 1×1 PNG: the photo the face terminal sends with the first punch. */
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
const dataDir = tempDir();
let srv: Tm20Process;
let browser: TestBrowser;

/**
 * The site's zone: about noon as the run starts, so the Today page and the punch sent to it stay
 * on one date (in UTC, a run near midnight would see the page on one day and its punch on the next).
 */
const ZONE = middayZone();
/** "YYYY-MM-DD" of a UTC midnight (dates are counted in whole UTC days below). */
const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/**
 * The Monday at least a week before the site's today: its week is over. Its
 * Tuesday must be in the same month, as the month page shows both: a Monday that ends a month
 * (2026-11-30, seen on 2026-12-07) moves a week earlier.
 */
const MONDAY = (() => {
  const d = new Date(Date.parse(`${ZONE.format(Date.now()).slice(0, 10)}T00:00:00Z`) - 7 * 86_400_000);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  if (new Date(d.getTime() + 86_400_000).getUTCMonth() !== d.getUTCMonth()) d.setUTCDate(d.getUTCDate() - 7);
  return dateOf(d.getTime());
})();
const TUESDAY = dateOf(Date.parse(`${MONDAY}T00:00:00Z`) + 86_400_000);
const SCHEDULE_FROM = dateOf(Date.parse(`${MONDAY}T00:00:00Z`) - 7 * 86_400_000);
const MONTH = MONDAY.slice(0, 7);
const url = (p: string) => `${srv.http}${p}`;

beforeAll(async () => {
  const made = Bun.spawnSync([tm20Binary(), "admin", "create", "--username", "ops", "--data-dir", dataDir], { stdin: Buffer.from(`${PASSWORD}\n`), stdout: "pipe", stderr: "pipe" });
  expect(made.exitCode).toBe(0);
  srv = await startTm20({ dataDir, args: ["--tz", ZONE.name, "--approval", "open"] });
  const person = await srv.api("/api/v1/people", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ enrollid: 7, name: "Ann Archer" }) });
  expect(person.status).toBe(201);
  browser = await openBrowser();
  await login(browser, srv.http, "ops", PASSWORD);
});

afterAll(async () => {
  await browser?.close();
  await srv?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function flashOk(text: string) {
  await browser.page.locator(".flash-ok", { hasText: text }).waitFor({ timeout: 10_000 });
}

describe("Timesheets in the browser", () => {
  test("a schedule built through the UI: department, shift, weekday schedule, the person's department", async () => {
    const page = browser.page;
    await page.goto(url("/timesheets"));
    await page.getByRole("link", { name: "Departments" }).click();
    await page.getByLabel("New department").fill("Packing");
    await page.getByRole("button", { name: "Add department" }).click();
    await flashOk("Department Packing added.");

    await page.getByRole("link", { name: "Shifts" }).click();
    await page.getByLabel("Name", { exact: true }).fill("Day");
    await page.getByLabel("Start", { exact: true }).fill("09:00");
    await page.getByLabel("End", { exact: true }).fill("17:00");
    await page.getByLabel("Break 1 start").fill("12:00");
    await page.getByLabel("Break 1 end").fill("13:00");
    await page.getByLabel("Late grace (minutes)").fill("5");
    await page.getByRole("button", { name: "Add shift" }).click();
    await flashOk("Shift Day added.");
    expect(await page.locator('tr[data-shift="Day"] td').nth(1).textContent()).toBe("09:00–17:00 · breaks 12:00–13:00 · grace 5 min late, 0 min early");

    await page.getByRole("link", { name: "Schedules" }).click();
    await page.getByLabel("Department", { exact: true }).selectOption({ label: "Packing" });
    await page.getByLabel("From", { exact: true }).fill(SCHEDULE_FROM);
    await page.getByLabel("Shift", { exact: true }).selectOption({ label: "Day" });
    await page.getByRole("button", { name: "Add schedule" }).click();
    await flashOk("Schedule added");
    expect(await page.locator("tr[data-schedule] td").nth(1).textContent()).toBe("Day on Mon, Tue, Wed, Thu, Fri");

    await page.goto(url("/people/7"));
    await page.getByLabel("Department", { exact: true }).selectOption({ label: "Packing" });
    await page.getByLabel("From", { exact: true }).fill(SCHEDULE_FROM);
    await page.getByRole("button", { name: "Set department" }).click();
    await flashOk("Department set from");
    expect(await page.locator("[data-current-department]").textContent()).toBe("Packing");
    await screenshots(page, "timesheets-person");
  });

  test("punches from a terminal: the month shows the minutes and the photo beside its punch", async () => {
    const t = await connectTerminal(srv.ws());
    expect((await t.register("FACE7")).result).toBe(true);
    t.send({
      cmd: "sendlog", sn: "FACE7", count: 4, logindex: 0,
      record: [
        { enrollid: 7, time: `${MONDAY} 08:58:00`, mode: 8, inout: 0, event: 0, image: PNG }, // from 09:00 (early arrival not counted)
        { enrollid: 7, time: `${MONDAY} 17:05:00`, mode: 8, inout: 1, event: 0 }, // to 17:05, less the 60-minute lunch: 425
        { enrollid: 7, time: `${TUESDAY} 09:20:00`, mode: 8, inout: 0, event: 0 }, // late 20 (beyond the 5 of grace)
        { enrollid: 7, time: `${TUESDAY} 17:00:00`, mode: 8, inout: 1, event: 0 }, // 09:20–17:00 less lunch: 400
      ],
    });
    expect((await t.next((m) => m.ret === "sendlog")).result).toBe(true);
    t.close();

    const page = browser.page;
    const cell = (date: string) => page.locator(`td[data-date="${date}"]`);
    // The results are computed a moment after the commit: look until they are there.
    for (let i = 0; i < 50; i++) {
      await page.goto(url(`/timesheets/people/7?month=${MONTH}`));
      if ((await cell(TUESDAY).locator('[data-figure="worked"]').count()) > 0) break;
      await page.waitForTimeout(200);
    }
    expect(await cell(MONDAY).locator('[data-figure="worked"]').textContent()).toBe("7:05");
    expect(await cell(MONDAY).locator(".badge").first().textContent()).toBe("Present");
    expect(await cell(TUESDAY).locator('[data-figure="late"]').textContent()).toBe("0:20");
    expect(await cell(TUESDAY).locator('[data-figure="worked"]').textContent()).toBe("6:40");
    expect(await cell(TUESDAY).locator(".badge").first().textContent()).toBe("Late");

    await cell(MONDAY).locator("a.punch-photo").click();
    const enlarged = page.locator("dialog.photo-dialog img");
    await enlarged.waitFor({ state: "visible" });
    expect(await enlarged.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBe(1);
    await screenshots(page, "timesheets-month");
    await page.getByRole("button", { name: "Close" }).click();
  });

  test("Today follows a punch live: the first in appears without a reload", async () => {
    const page = browser.page;
    await page.goto(url("/timesheets"));
    await page.locator(".live-inline.live-live").waitFor({ timeout: 10_000 });
    const row = page.locator('tr[data-enrollid="7"]');
    expect(await row.locator("td").nth(4).textContent()).toBe("—");
    const now = ZONE.format(Date.now());
    const t = await connectTerminal(srv.ws());
    expect((await t.register("FACE7")).result).toBe(true);
    t.send({ cmd: "sendlog", sn: "FACE7", count: 1, logindex: 1, record: [{ enrollid: 7, time: now, mode: 8, inout: 0, event: 0 }] });
    expect((await t.next((m) => m.ret === "sendlog")).result).toBe(true);
    t.close();
    await page.locator('tr[data-enrollid="7"] td', { hasText: now.slice(11, 16) }).waitFor({ timeout: 10_000 });
    expect(await row.locator("td").nth(4).textContent()).toBe(now.slice(11, 16));
    await screenshots(page, "timesheets-today");
  });

  test("a missed punch added from a day changes the day, marked manual", async () => {
    await browser.page.goto(url(`/timesheets/people/7?month=${MONTH}`));
    const page = browser.page;
    await page.locator(`td[data-date="${TUESDAY}"] a.cal-date`).click();
    await page.waitForURL(url(`/timesheets/people/7/days/${TUESDAY}`));
    await page.getByLabel("Time", { exact: true }).fill("09:00");
    await page.getByLabel("In or out").selectOption({ label: "In" });
    await page.getByLabel("Reason", { exact: true }).fill("Badge left at home");
    await page.getByRole("button", { name: "Add punch" }).click();
    await flashOk(`Punch ${TUESDAY} 09:00:00 added (manual).`);
    // The page looks again by itself once the day is recomputed.
    await page.locator('section[aria-label="Result"] .badge', { hasText: "Present" }).waitFor({ timeout: 10_000 });
    expect(await page.locator('section[aria-label="Result"] [data-figure="worked"]').textContent()).toBe("7:00");
    expect(await page.locator('section[aria-label="Result"] .manual-mark').first().textContent()).toBe("manual");
    expect(await page.locator("tr[data-correction] td").nth(1).textContent()).toBe("Badge left at home");
    await screenshots(page, "timesheets-day");

    await page.getByRole("link", { name: "Month", exact: true }).click();
    const tuesday = page.locator(`td[data-date="${TUESDAY}"]`);
    expect(await tuesday.locator(".manual-mark").textContent()).toBe("manual");
    expect(await tuesday.locator('[data-figure="worked"]').textContent()).toBe("7:00");
  });

  test("the summary of the two days, downloaded as CSV: the person's totals", async () => {
    const page = browser.page;
    await page.goto(url("/timesheets/summary"));
    await page.getByLabel("From", { exact: true }).fill(MONDAY);
    await page.getByLabel("To (inclusive)").fill(TUESDAY);
    await page.getByRole("button", { name: "Show" }).click();
    expect(await page.locator('tr[data-enrollid="7"] [data-col="worked"]').textContent()).toBe("14:05");
    await screenshots(page, "timesheets-summary");
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Summary CSV" }).click()]);
    expect(download.suggestedFilename()).toBe(`timesheet-summary-${MONDAY}-${TUESDAY}.csv`);
    const text = readFileSync((await download.path()) ?? "", "utf8");
    expect(text.startsWith("\uFEFF")).toBe(true);
    const [header = [], ...rows] = text.slice(1).trim().split("\r\n").map((r) => r.split(","));
    const col = (name: string) => header.indexOf(name);
    expect(rows.map((r) => [r[col("Enroll ID")], r[col("Name")], r[col("Department")], r[col("Days worked")], r[col("Worked minutes")], r[col("Late count")], r[col("Manual days")]])).toEqual([
      ["7", "Ann Archer", "Packing", "2", "845", "0", "1"],
    ]);
    expect(browser.problems).toEqual([]);
  });

  test("the monthly sheet prints one person per page, without the buttons", async () => {
    const page = browser.page;
    await page.goto(url(`/timesheets/print?month=${MONTH}&enrollid=7`));
    await page.emulateMedia({ media: "print" });
    const sheet = page.locator("article.sheet");
    expect(await sheet.count()).toBe(1);
    expect(await page.locator(".print-bar").evaluate((el) => getComputedStyle(el).display)).toBe("none");
    expect(await sheet.locator("dd[data-total='Worked']").textContent()).toBe("14:05");
    expect(await sheet.locator("tbody tr").count()).toBeGreaterThanOrEqual(2);
    // The corrected Tuesday is marked manual on paper too.
    const cells = (day: string) => sheet.locator("tbody tr", { hasText: day }).locator("td").allTextContents();
    expect((await cells(`Tue ${TUESDAY.slice(8)}`)).slice(0, 2)).toEqual([`Tue ${TUESDAY.slice(8)}`, "Present (manual)"]);
    expect((await cells(`Mon ${MONDAY.slice(8)}`)).slice(0, 2)).toEqual([`Mon ${MONDAY.slice(8)}`, "Present"]);
    await page.emulateMedia({ media: "screen" });
    // On a phone the sheet's table scrolls in its sheet; the page itself stays as wide as the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(390);
    expect(await sheet.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    await page.setViewportSize({ width: 1366, height: 768 });
    expect(browser.problems).toEqual([]);
  });

  test("a leave type renamed and flagged in its row; a refused change comes back as typed", async () => {
    const page = browser.page;
    const stored = async () => ((await (await srv.api("/api/v1/leave-types")).json()) as { items: unknown[] }).items;
    await page.goto(url("/timesheets/leave-types"));
    await page.getByLabel("Name", { exact: true }).fill("Trainig");
    await page.getByRole("button", { name: "Add leave type" }).click();
    await flashOk("Leave type Trainig added.");
    const nameOf = (type: string) => page.locator(`tr[data-leave-type="${type}"]`).getByLabel("Leave type name");
    await nameOf("Trainig").fill("Training");
    await page.getByLabel("Trainig is paid").uncheck();
    await page.getByLabel("Trainig counts as worked").check();
    await page.getByRole("button", { name: "Save Trainig" }).click();
    await flashOk("Training: unpaid, counts as worked time.");
    expect(await stored()).toEqual([{ id: 1, name: "Training", paid: false, countsAsWorked: true }]);
    expect(await page.locator('tr[data-leave-type="Training"] td').count()).toBe(4);

    // Enter in the name field submits the row's form too; a blank name is refused and the row keeps what was typed.
    await page.getByLabel("Training is paid").check();
    await page.getByLabel("Training counts as worked").uncheck();
    await nameOf("Training").fill("  ");
    await nameOf("Training").press("Enter");
    await page.locator(".flash-error", { hasText: "Leave type name: fill this in" }).waitFor({ timeout: 10_000 });
    expect(await nameOf("Training").inputValue()).toBe("  ");
    expect(await page.getByLabel("Training is paid").isChecked()).toBe(true);
    expect(await page.getByLabel("Training counts as worked").isChecked()).toBe(false);
    expect(await stored()).toEqual([{ id: 1, name: "Training", paid: false, countsAsWorked: true }]);
    expect(browser.problems).toEqual([]);
  });
});
