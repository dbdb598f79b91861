/**
 * The Access area in Chromium against the compiled binary (issue 16): an admin builds the rules
 * through the pages — a schedule in the weekly editor (a bad window refused beside its row, then
 * fixed), a level on a terminal, the level on a person's page and their QR code shown once on its
 * printable page, the terminal switched to server mode (with the "Server approval" note) — and the
 * simulator's punches are then decided by the server: the one inside the schedule admitted, the one
 * outside refused, shown refused with the reason in the live feed without a reload and under
 * "Refused only" in Attendance.
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { rmSync } from "node:fs";
import { qrSvg } from "../../src/access/qr.ts";
import { SimulatedTerminal } from "../../src/simulator/terminal.ts";
import { tm20Binary } from "../helpers/binary.ts";
import { login, openBrowser, screenshots, type TestBrowser } from "../helpers/browser.ts";
import { startTm20, type Tm20Process, tempDir } from "../helpers/server.ts";
import { until } from "../helpers/sim.ts";

setDefaultTimeout(120_000);

const PASSWORD = "access admin password";
const dataDir = tempDir();
let srv: Tm20Process;
let browser: TestBrowser;
let door: SimulatedTerminal;

/** The simulated terminal DOOR1: with `records` 1 it uploads person 1's punch at `startTime`, then idles answering commands. */
function door1(records: number, startTime: Date): SimulatedTerminal {
  const t = new SimulatedTerminal({ url: srv.ws("/pub/chat"), sn: "DOOR1", batchSize: 1, rate: 0, records, startTime, regRetryMs: 2000, answerTimeoutMs: 15_000, reconnectMs: 200 });
  t.start();
  return t;
}

beforeAll(async () => {
  const made = Bun.spawnSync([tm20Binary(), "admin", "create", "--username", "ops", "--data-dir", dataDir], { stdin: Buffer.from(`${PASSWORD}\n`), stdout: "pipe", stderr: "pipe" });
  expect(made.exitCode).toBe(0);
  srv = await startTm20({ dataDir, args: ["--tz", "UTC", "--approval", "open"] });
  const person = await srv.api("/api/v1/people", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ enrollid: 1, name: "Ann Archer" }) });
  expect(person.status).toBe(201);
  // The terminal connects once (nothing to upload), so the pages can name it.
  door = door1(0, new Date());
  await until("DOOR1 registered", () => door.stats.registered);
  browser = await openBrowser();
  await login(browser, srv.http, "ops", PASSWORD);
});
afterAll(async () => {
  door?.stop();
  await browser?.close();
  await srv?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const url = (p: string) => `${srv.http}${p}`;
const rows = (query: string) => {
  const db = srv.db();
  try {
    return db.query(query).all();
  } finally {
    db.close();
  }
};

async function flash(text: string) {
  await browser.page.locator(".flash-ok", { hasText: text }).waitFor({ timeout: 15_000 });
}

test("schedule, level, a person's level, server mode, then the simulator's punches admitted and refused as the UI shows", async () => {
  const { page } = browser;
  await page.getByRole("link", { name: "Access", exact: true }).click();
  await page.waitForURL(url("/access/schedules"));
  await page.getByRole("link", { name: "New schedule" }).click();
  await page.getByLabel("Name").fill("Office");
  for (const day of ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]) {
    await page.getByLabel(`${day} window 1 from`).fill("08:00");
    await page.getByLabel(`${day} window 1 to`).fill("18:00");
  }
  // A window that ends before it starts is refused beside its row; what was typed stays.
  await page.getByLabel("Saturday window 1 from").fill("12:00");
  await page.getByLabel("Saturday window 1 to").fill("09:00");
  await page.getByLabel(/Holidays close this schedule/).check();
  await page.getByRole("button", { name: "Add schedule" }).click();
  await page.locator("#f-d6-error").waitFor();
  expect(await page.locator("#f-d6-error").innerText()).toBe("Saturday: window 1: the start (12:00) must be before the end (09:00).");
  expect(await page.locator("[data-form-errors] li").allInnerTexts()).toEqual(["Saturday: window 1: the start (12:00) must be before the end (09:00)."]);
  expect(await page.getByLabel("Wednesday window 1 to").inputValue()).toBe("18:00");
  await screenshots(page, "access-schedule-refused");
  expect(rows("SELECT count(*) AS n FROM access_schedules")).toEqual([{ n: 0 }]);
  await page.getByLabel("Saturday window 1 from").fill("09:00");
  await page.getByLabel("Saturday window 1 to").fill("12:00");
  await page.getByRole("button", { name: "Add schedule" }).click();
  await flash('Added the schedule "Office".');
  expect(await page.locator('tr[data-schedule="Office"] td').nth(1).innerText()).toBe("Mon 08:00–18:00 · Tue 08:00–18:00 · Wed 08:00–18:00 · Thu 08:00–18:00 · Fri 08:00–18:00 · Sat 09:00–12:00");

  await page.getByRole("link", { name: "Levels" }).click();
  await page.getByRole("link", { name: "New level" }).click();
  await page.getByLabel("Name").fill("Front door");
  await page.getByLabel("Schedule").selectOption({ label: "Office" });
  await page.getByLabel("DOOR1").check();
  await page.getByRole("button", { name: "Add level" }).click();
  await flash('Added the level "Front door".');
  expect(await page.locator('tr[data-level="Front door"] td').allInnerTexts()).toEqual(["Front door", "Office", "DOOR1", "Delete"]);

  await page.goto(url("/people/1"));
  await page.getByLabel("Front door").check();
  await page.getByRole("button", { name: "Save levels" }).click();
  await flash("Access levels saved (1).");
  expect(await page.getByLabel("Front door").isChecked()).toBe(true);

  // A QR code is shown once, on the page the POST answers with: drawn as the server draws it, and
  // printed without the menu, the buttons or the message.
  await page.getByRole("button", { name: "Generate a QR code" }).click();
  await flash("QR code issued (shown only now");
  const [issued] = rows("SELECT code FROM access_qr_codes WHERE enrollid = 1") as Array<{ code: string }>;
  const code = issued?.code ?? "none";
  expect(await page.locator("[data-person-qr] path").getAttribute("d")).toBe(/ d="([^"]+)"/.exec(qrSvg(code))?.[1] ?? "none");
  const card = page.getByRole("region", { name: "QR code" });
  expect(await card.locator("dl").innerText()).toBe(`Enroll id\n1\nCode\n${code}`);
  await page.emulateMedia({ media: "print" });
  expect(await Promise.all([".sidebar", ".flash", ".page-header", "[data-person-qr] svg", "[data-code]"].map((s) => page.locator(s).isVisible()))).toEqual([false, false, false, true, true]);
  await page.emulateMedia({ media: "screen" });
  await screenshots(page, "access-person-qr");
  await page.getByRole("link", { name: "Back to the person" }).click();
  await page.waitForURL(url("/people/1"));
  expect(await page.locator("[data-person-qr]").count()).toBe(0);
  expect(await page.content()).not.toContain(code);

  await page.goto(url("/terminals/DOOR1"));
  expect(await page.locator("[data-server-approval-note]").innerText()).toContain("only follows the server's decision when its own menu option Server approval is on");
  await page.getByLabel(/^The server/).check();
  await page.getByRole("button", { name: "Save access mode" }).click();
  await flash("The server now decides this terminal's punches");
  expect(rows("SELECT access_mode FROM terminals WHERE sn = 'DOOR1'")).toEqual([{ access_mode: "server" }]);
  await screenshots(page, "access-terminal-mode");

  // The dashboard stays open while the simulator punches: its feed shows the decisions live.
  await page.goto(url("/"));
  await page.locator(".live-live").waitFor({ timeout: 15_000 });
  door.stop();
  // 2026-12-09 is a Wednesday: Ann at 09:00 is inside Office, at 20:00 outside.
  for (const at of ["2026-12-09T09:00:00Z", "2026-12-09T20:00:00Z"]) {
    door = door1(1, new Date(at));
    await until(`the punch at ${at} acknowledged`, () => door.stats.ackedRecords === 1);
    door.stop();
  }
  expect(rows("SELECT enrollid, time, refused FROM attendance ORDER BY time")).toEqual([
    { enrollid: 1, time: "2026-12-09 09:00:00", refused: null },
    { enrollid: 1, time: "2026-12-09 20:00:00", refused: "outside_schedule" },
  ]);
  const feed = page.locator("[data-feed] tbody tr");
  await until("both punches in the live feed", async () => (await feed.count()) === 2);
  expect(await feed.nth(0).innerText()).toContain("Refused: Outside hours");
  expect(await feed.nth(1).innerText()).not.toContain("Refused");

  await page.getByRole("link", { name: "Attendance", exact: true }).click();
  await page.getByLabel("Refused only").check();
  await page.getByRole("button", { name: "Filter" }).click();
  await page.waitForURL(/refused=1/);
  const listed = page.locator("table.table tbody tr");
  expect(await listed.count()).toBe(1);
  expect(await listed.first().innerText()).toContain("2026-12-09 20:00:00");
  expect(await listed.first().innerText()).toContain("Refused: Outside hours");
  await screenshots(page, "access-refused-only");
  expect(browser.problems).toEqual(["console: Failed to load resource: the server responded with a status of 400 (Bad Request)"]);
});
