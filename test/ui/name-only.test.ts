/**
 * Name-only users (issue 17) in Chromium against the compiled binary and two simulated terminals:
 * one whose firmware takes a user by name alone (`setusername`), one that refuses it. A person
 * without credentials pushed to the first ends up in its user list by name, the job says so, and a
 * second push sends nothing; the second refuses, the job and the person page say so in words, and
 * it is not asked again (the import's dry run names it too), even after a restart, until it registers
 * with other firmware. A person's details saved land back on their page, saying where the change goes.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { rmSync } from "node:fs";
import { SimDevice } from "../../src/simulator/device.ts";
import type { SimulatedTerminal } from "../../src/simulator/terminal.ts";
import { tm20Binary } from "../helpers/binary.ts";
import { login, openBrowser, type TestBrowser } from "../helpers/browser.ts";
import { startTm20, type Tm20Process, tempDir } from "../helpers/server.ts";
import { commandsReceived, registered, startSim, until } from "../helpers/sim.ts";

const PASSWORD = "name-only password";
let srv: Tm20Process;
let browser: TestBrowser;
let dataDir: string;
const takes = new SimDevice();
const refuses = new SimDevice({ nameOnlyUsers: false });
let names: SimulatedTerminal;
let oldFirmware: SimulatedTerminal;

setDefaultTimeout(120_000);

async function api(method: string, path: string, body?: unknown) {
  const res = await srv.api(`/api/v1${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const jobDone = (id: unknown) =>
  until(`job ${String(id)}`, async () => {
    const { json } = await api("GET", `/jobs/${String(id)}`);
    return json.status !== "running" ? json : undefined;
  });

const text = async (selector: string) => ((await browser.page.locator(selector).textContent()) ?? "").replace(/\s+/g, " ").trim();

beforeAll(async () => {
  dataDir = tempDir("tm20-ui-names-");
  const made = Bun.spawnSync([tm20Binary(), "admin", "create", "--username", "ops", "--data-dir", dataDir], { stdin: Buffer.from(`${PASSWORD}\n`), stdout: "pipe", stderr: "pipe" });
  expect(made.exitCode).toBe(0);
  srv = await startTm20({ dataDir, args: ["--tz", "UTC", "--approval", "open"] });
  names = startSim(srv.ws(), "NAMES", { device: takes });
  oldFirmware = startSim(srv.ws(), "OLDFW", { device: refuses });
  await registered(names);
  await registered(oldFirmware);
  expect((await api("POST", "/people", { enrollid: 5, name: "Ada Lovelace" })).status).toBe(201);
  expect((await api("POST", "/people", { enrollid: 6, name: "Bob", credentials: [{ backupnum: 11, data: "445566" }] })).status).toBe(201);
  for (let id = 101; id <= 160; id++) expect((await api("POST", "/people", { enrollid: id, name: `Temp ${id}` })).status).toBe(201);
  browser = await openBrowser();
  await login(browser, srv.http, "ops", PASSWORD);
});

afterAll(async () => {
  names?.stop();
  oldFirmware?.stop();
  await browser?.close();
  await srv?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function pushFromPersonPage(enrollid: number, sn: string) {
  const { page } = browser;
  await page.goto(`${srv.http}/people/${enrollid}`);
  await page.getByLabel(sn, { exact: true }).check();
  await page.getByRole("button", { name: "Push / resync" }).click();
}

describe("name-only users", () => {
  test("a person without credentials reaches a terminal that takes names; a second push sends nothing", async () => {
    const { page } = browser;
    await pushFromPersonPage(5, "NAMES");
    await page.waitForURL(/\/jobs\/\d+$/);
    const jobId = Number(page.url().split("/").at(-1));
    await page.locator('.job-progress-live[data-status="succeeded"]').waitFor({ timeout: 30_000 });
    await page.reload();
    expect(await text("[data-name-only-sent]")).toBe(
      "Sent by name only: 1 person (enroll id 5) to 1 terminal. They have no card, PIN, fingerprint or face, so they are listed on the terminal but cannot verify there until they have one.",
    );
    expect(await page.locator("[data-without-credential], [data-name-only-refused]").count()).toBe(0);
    expect(commandsReceived(names, "setusername")).toEqual([{ cmd: "setusername", sn: "NAMES", count: 1, record: [{ enrollid: 5, name: "Ada Lovelace" }] }]);
    expect(takes.users.get(5)).toEqual({ name: "Ada Lovelace", admin: 0, enabled: true, credentials: new Map() });
    expect((await api("GET", `/jobs/${jobId}`)).json).toMatchObject({
      status: "succeeded",
      detail: null,
      nameOnly: { sent: { count: 1, enrollids: [5], terminals: 1 }, refused: { count: 0, enrollids: [], terminals: [], frames: 0 }, open: 0, partial: false },
    });

    await pushFromPersonPage(5, "NAMES");
    await page.waitForURL(`${srv.http}/people/5`);
    expect(await text(".flash-ok")).toBe("The terminals already hold this person.");
    expect(commandsReceived(names, "setusername").length).toBe(1);
  });

  test("everyone pushed: the card goes as setuserinfo, 60 names as frames of 50 and 10, the one already there not again", async () => {
    const push = await api("POST", "/people/push", { terminals: ["NAMES"] });
    expect(push.status).toBe(202);
    const done = await jobDone(push.json.id);
    expect(done).toMatchObject({ status: "succeeded", progress: { total: 3, succeeded: 3 }, nameOnly: { sent: { count: 60, terminals: 1 }, open: 0 } });
    const frames = commandsReceived(names, "setusername");
    expect(frames.map((f) => [f.count, (f.record as Array<{ enrollid: number }>).map((r) => r.enrollid)])).toEqual([
      [1, [5]],
      [50, Array.from({ length: 50 }, (_, i) => 101 + i)],
      [10, Array.from({ length: 10 }, (_, i) => 151 + i)],
    ]);
    expect(commandsReceived(names, "setuserinfo").map((f) => [f.enrollid, f.backupnum, f.record])).toEqual([[6, 11, "445566"]]);
    expect([...takes.users.keys()].sort((a, b) => a - b)).toEqual([5, 6, ...Array.from({ length: 60 }, (_, i) => 101 + i)]);
    expect(takes.users.get(160)?.name).toBe("Temp 160");

    const again = await api("POST", "/people/push", { terminals: ["NAMES"] });
    expect(again.json).toMatchObject({ status: "succeeded", progress: { total: 0 }, detail: null, nameOnly: null });
  });

  test("a terminal that refuses names: the job and the person page say so, and it is not asked again", async () => {
    const { page } = browser;
    await pushFromPersonPage(5, "OLDFW");
    await page.waitForURL(/\/jobs\/\d+$/);
    await page.locator('.job-progress-live[data-status="failed"]').waitFor({ timeout: 30_000 });
    await page.reload();
    expect(await text("[data-name-only-refused]")).toBe("OLDFW does not take name-only users: 1 person was not sent there (enroll id 5). Give them a card or PIN on their page, then push again.");
    expect(refuses.users.has(5)).toBe(false);
    expect(commandsReceived(oldFirmware, "setusername").length).toBe(1);
    const jobId = page.url().split("/").at(-1) ?? "";
    expect(await text("[data-summary]")).toBe("OLDFW does not take name-only users: 1 person not sent");
    await page.goto(`${srv.http}/jobs`);
    expect(await text(`tr[data-job="${jobId}"] td:nth-child(3)`)).toBe("OLDFW does not take name-only users: 1 person not sent");

    await pushFromPersonPage(5, "OLDFW");
    await page.waitForURL(`${srv.http}/people/5`);
    expect(await text(".flash-error")).toBe(
      "Nothing was sent: this person has no card, PIN, fingerprint or face, and OLDFW does not take name-only users. Set a card or PIN under Credentials, then push again.",
    );
    expect(commandsReceived(oldFirmware, "setusername").length).toBe(1);

    // Pushed to both: the name goes nowhere new (NAMES holds it), OLDFW is named in the job.
    const both = await api("POST", "/people/push", { enrollids: [5], terminals: ["NAMES", "OLDFW"] });
    expect(both.json).toMatchObject({ status: "succeeded", progress: { total: 0 }, detail: { withoutCredential: { count: 1, enrollids: [5], terminals: ["OLDFW"] } } });
    await page.goto(`${srv.http}/jobs/${String(both.json.id)}`);
    expect(await text("[data-without-credential]")).toBe(
      "1 person has no card, PIN, fingerprint or face, and OLDFW does not take name-only users, so nothing was sent there for them (enroll id 5). Give them a card or PIN on their page, then push again.",
    );
    expect(await text(".job-progress-live .badge")).toBe("nothing sent");
  });

  test("the import's dry run: new people go to NAMES by name only, and OLDFW is named as taking none", async () => {
    const { page } = browser;
    await page.goto(`${srv.http}/integrations/import`);
    await page.locator("#f-file").setInputFiles({ name: "people.csv", mimeType: "text/csv", buffer: Buffer.from("external_id,name\nX1,Mallory\n") });
    await page.getByLabel("NAMES", { exact: true }).check();
    await page.getByLabel("OLDFW", { exact: true }).check();
    await page.getByRole("button", { name: "Check the file (dry run)" }).click();
    await page.waitForURL(`${srv.http}/integrations/import/csv`);
    expect(await text("form p.muted")).toBe(
      "New people have no card, PIN, fingerprint or face yet (an import brings none), so they are sent to NAMES by name only: listed there, they cannot verify until each has a card or PIN (set on their page). A terminal that does not take name-only users gets nothing, and the job says so. OLDFW does not take name-only users, so new people are not sent there until each has a card or PIN (set on their page).",
    );
  });
});

describe("saving a person's details", () => {
  test("lands back on the person's page, saying how many terminals the change goes to", async () => {
    const { page } = browser;
    await page.goto(`${srv.http}/people/6`);
    await page.getByLabel("Name", { exact: true }).fill("Bob Baker");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.waitForURL(`${srv.http}/people/6`);
    expect(await text(".flash-ok")).toBe("Saved. Sending to 1 terminal holding this person. See the update");
    expect(await page.locator(".flash-ok a").getAttribute("href")).toMatch(/^\/jobs\/\d+$/);
    await until("Bob renamed on NAMES", () => takes.users.get(6)?.name === "Bob Baker");

    // A name-only person renamed: the new name goes as setusername again.
    await page.goto(`${srv.http}/people/5`);
    await page.getByLabel("Name", { exact: true }).fill("Ada King");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.waitForURL(`${srv.http}/people/5`);
    expect(await text(".flash-ok")).toBe("Saved. Sending to 1 terminal holding this person. See the update");
    await until("Ada renamed on NAMES", () => takes.users.get(5)?.name === "Ada King");
    expect(commandsReceived(names, "setusername").at(-1)).toEqual({ cmd: "setusername", sn: "NAMES", count: 1, record: [{ enrollid: 5, name: "Ada King" }] });

    // A date the terminals are not sent: saved, nothing to send, still on the page.
    await page.goto(`${srv.http}/people/6`);
    await page.getByLabel("Valid to").fill("2030-12-31");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.waitForURL(`${srv.http}/people/6`);
    expect(await text(".flash-ok")).toBe("Saved.");
    expect(await page.locator(".flash-ok a").count()).toBe(0);
  });
});

describe("after a restart", () => {
  test("OLDFW's refusal is kept: a push sends it no names; registered with other firmware, it is asked again", async () => {
    names.stop();
    oldFirmware.stop();
    await srv.stop();
    srv = await startTm20({ dataDir, args: ["--tz", "UTC", "--approval", "open"] });
    oldFirmware = startSim(srv.ws(), "OLDFW", { device: refuses });
    await registered(oldFirmware);
    const push = await api("POST", "/people/push", { enrollids: [5], terminals: ["OLDFW"] });
    expect(push.json).toMatchObject({ status: "succeeded", progress: { total: 0 }, detail: { withoutCredential: { count: 1, enrollids: [5], terminals: ["OLDFW"] } } });
    // The unit's only name frame is still the one it refused before the restart.
    expect(commandsReceived(oldFirmware, "setusername")).toEqual([{ cmd: "setusername", sn: "OLDFW", count: 1, record: [{ enrollid: 5, name: "Ada Lovelace" }] }]);

    // The same unit with new firmware: it may take names now, so it is asked.
    oldFirmware.stop();
    const upgraded = new SimDevice({ firmware: "sim-2.0" });
    oldFirmware = startSim(srv.ws(), "OLDFW", { device: upgraded });
    await registered(oldFirmware);
    const again = await api("POST", "/people/push", { enrollids: [5], terminals: ["OLDFW"] });
    expect(await jobDone(again.json.id)).toMatchObject({ status: "succeeded", detail: null, nameOnly: { sent: { count: 1, enrollids: [5], terminals: 1 }, refused: { count: 0 } } });
    expect(commandsReceived(oldFirmware, "setusername")).toEqual([{ cmd: "setusername", sn: "OLDFW", count: 1, record: [{ enrollid: 5, name: "Ada King" }] }]);
    expect(upgraded.users.get(5)?.name).toBe("Ada King");
  });
});
