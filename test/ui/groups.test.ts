/**
 * Terminal groups in the admin UI (Chromium against the compiled binary): create, rename, sync
 * on, a terminal added from its page receiving the group's people (a job), resync, removal,
 * sync off, delete; every step audited; many terminals joining and leaving at once from the group's
 * page, searched; a viewer changes nothing; an admin sets a user's password.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { Database } from "bun:sqlite";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { tm20Binary } from "../helpers/binary.ts";
import { login, openBrowser, screenshots, type TestBrowser } from "../helpers/browser.ts";
import { startTm20, type Tm20Process, tempDir } from "../helpers/server.ts";
import { connectTerminal, type TestTerminal } from "../helpers/terminal.ts";

const PASSWORD = "group admin password";
const VIEWER_PASSWORD = "group viewer password";
const dataDir = tempDir();
let srv: Tm20Process;
let browser: TestBrowser;
const terminals: TestTerminal[] = [];
/** Every command each terminal received, in order: "G2 setuserinfo 5". */
const commands: string[] = [];
let responder: ReturnType<typeof setInterval>;

function admin(args: string[], stdin: string) {
  const proc = Bun.spawnSync([tm20Binary(), "admin", ...args, "--data-dir", dataDir], { stdin: Buffer.from(stdin), stdout: "pipe", stderr: "pipe" });
  expect(proc.exitCode).toBe(0);
}

beforeAll(async () => {
  admin(["create", "--username", "ops"], `${PASSWORD}\n`);
  admin(["create", "--username", "watcher", "--role", "viewer"], `${VIEWER_PASSWORD}\n`);
  srv = await startTm20({ dataDir });
  browser = await openBrowser();
  for (const sn of ["G1", "G2"]) {
    const t = await connectTerminal(srv.ws("/pub/chat"));
    expect((await t.register(sn)).result).toBe(true);
    terminals.push(t);
  }
  // G1 holds person 5 (enrolled on its keypad).
  const g1 = terminals[0] as TestTerminal;
  g1.send({ cmd: "senduser", sn: "G1", enrollid: 5, name: "Ada", backupnum: 11, admin: 0, record: "445566" });
  expect(await g1.next((m) => m.ret === "senduser")).toMatchObject({ result: true });
  // Both answer every command they are sent.
  const answered = new Set<Record<string, unknown>>();
  responder = setInterval(() => {
    terminals.forEach((t, i) => {
      const sn = `G${i + 1}`;
      for (const m of t.received) {
        if (answered.has(m) || typeof m.cmd !== "string") continue;
        answered.add(m);
        commands.push(`${sn} ${m.cmd}${typeof m.enrollid === "number" ? ` ${m.enrollid}` : ""}`);
        t.send({ ret: m.cmd, result: true, sn });
      }
    });
  }, 20);
});
afterAll(async () => {
  clearInterval(responder);
  for (const t of terminals) t.close();
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
const groupRows = () => rows("SELECT id, name, sync FROM terminal_groups ORDER BY id");
const memberRows = () => rows("SELECT group_id, sn FROM terminal_group_members ORDER BY sn");

/** Waits for the page after a form post (often the same URL) to show this message. */
async function flash(page: TestBrowser["page"], kind: "ok" | "error", text: string) {
  await page.locator(`.flash-${kind}`, { hasText: text }).waitFor({ timeout: 10_000 });
  expect(await page.locator(`.flash-${kind}`).textContent()).toBe(text);
}

// Browser steps against a real server; the preload default applies to the first file only.
setDefaultTimeout(60_000);

describe("admin UI: terminal groups", () => {
  test("create, rename and turn sync on from the Groups page", async () => {
    const { page } = browser;
    await login(browser, srv.http, "ops", PASSWORD);
    await page.goto(url("/terminals"));
    await page.locator("main").getByRole("link", { name: "Groups" }).click();
    await page.waitForURL(url("/groups"));
    expect(await page.locator(".empty-title").textContent()).toBe("No groups yet");

    const create = page.getByRole("form", { name: "Create a group" });
    await create.getByLabel("New group name").fill("Lobby");
    await create.getByRole("button", { name: "Create group" }).click();
    await flash(page, "ok", "Group Lobby created.");
    expect(groupRows()).toEqual([{ id: 1, name: "Lobby", sync: 0 }]);

    // A second group with the same name is refused.
    await create.getByLabel("New group name").fill("Lobby ");
    await create.getByRole("button", { name: "Create group" }).click();
    await flash(page, "error", "A group named Lobby already exists.");

    const row = page.locator('tr[data-group="Lobby"]');
    // A name of spaces is refused in the field's own name, and the field keeps what was typed.
    await row.getByLabel("Group name").fill("   ");
    await row.getByRole("button", { name: "Rename" }).click();
    await flash(page, "error", "Group name: give the group a name.");
    // The page's script puts the typed value back: it has run once the page has loaded.
    await page.waitForLoadState("load");
    expect(await row.getByLabel("Group name").inputValue()).toBe("   ");
    expect(groupRows()).toEqual([{ id: 1, name: "Lobby", sync: 0 }]);
    await row.getByLabel("Group name").fill("Main lobby");
    await row.getByRole("button", { name: "Rename" }).click();
    await flash(page, "ok", "Group renamed to Main lobby.");
    await page.locator('tr[data-group="Main lobby"]').getByRole("button", { name: "Turn sync on" }).click();
    await flash(page, "ok", "Sync is on for Main lobby: new enrolments go to every member. Resync to bring the members in line now.");
    expect(groupRows()).toEqual([{ id: 1, name: "Main lobby", sync: 1 }]);
    expect(await page.locator('tr[data-group="Main lobby"] .badge').textContent()).toBe("On");
  });

  test("terminals join from their page; joining a synced group sends the group's people", async () => {
    const { page } = browser;
    await page.goto(url("/terminals/G1"));
    const join = page.getByRole("form", { name: "Add to a group" });
    await join.getByLabel("Add to group").selectOption({ label: "Main lobby (sync)" });
    await join.getByRole("button", { name: "Add" }).click();
    // The first member: the group has nobody G1 lacks, so its job sends nothing.
    await page.waitForURL(/\/jobs\/\d+$/);
    await flash(page, "ok", "G1 joined Main lobby; sending it the group's people.");
    await page.locator(".badge", { hasText: "succeeded" }).waitFor({ timeout: 15_000 });
    expect(await page.locator(".job-progress + p").textContent()).toStartWith("0 of 0 commands done");
    await page.goto(url("/terminals/G1"));
    const mine = page.locator('[aria-label="Groups of this terminal"] li');
    expect(await mine.locator("a").allTextContents()).toEqual(["Main lobby"]);
    expect(await mine.locator(".badge").allTextContents()).toEqual(["sync"]);
    expect(await mine.getByRole("button").allTextContents()).toEqual(["Remove"]);

    await page.goto(url("/terminals/G2"));
    await page.getByRole("form", { name: "Add to a group" }).getByRole("button", { name: "Add" }).click();
    await page.waitForURL(/\/jobs\/\d+$/);
    await flash(page, "ok", "G2 joined Main lobby; sending it the group's people.");
    expect(await page.locator(".nav a.active").textContent()).toBe("Terminals");
    await page.locator(".badge", { hasText: "succeeded" }).waitFor({ timeout: 15_000 });
    expect(commands.filter((c) => c.startsWith("G2 setuserinfo"))).toEqual(["G2 setuserinfo 5"]);
    expect(memberRows()).toEqual([{ group_id: 1, sn: "G1" }, { group_id: 1, sn: "G2" }]);

    await page.goto(url("/groups"));
    expect(await page.locator('tr[data-group="Main lobby"] td').nth(2).locator("a").allTextContents()).toEqual(["G1", "G2"]);
    await screenshots(page, "groups");
    await page.getByRole("button", { name: "Resync" }).click();
    await page.waitForURL(/\/jobs\/\d+$/);
    await flash(page, "ok", "Resync of Main lobby started.");
    // Both members hold person 5 already: nothing to send.
    await page.locator(".badge", { hasText: "succeeded" }).waitFor({ timeout: 15_000 });
    expect(await page.locator(".job-progress + p").textContent()).toStartWith("0 of 0 commands done");
  });

  test("a terminal leaves, sync goes off, the group is deleted; every change is audited", async () => {
    const { page } = browser;
    await page.goto(url("/terminals/G2"));
    await screenshots(page, "terminal-groups");
    await page.locator('[aria-label="Groups of this terminal"]').getByRole("button", { name: "Remove" }).click();
    await page.locator("dialog.confirm-dialog").getByRole("button", { name: "Confirm" }).click();
    await page.waitForURL(url("/terminals/G2"));
    await flash(page, "ok", "G2 left the group.");
    expect(memberRows()).toEqual([{ group_id: 1, sn: "G1" }]);

    await page.goto(url("/groups"));
    await page.getByRole("button", { name: "Turn sync off" }).click();
    await flash(page, "ok", "Sync is off for Main lobby.");
    expect(groupRows()).toEqual([{ id: 1, name: "Main lobby", sync: 0 }]);
    await page.getByRole("button", { name: "Delete" }).click();
    await page.locator("dialog.confirm-dialog").getByRole("button", { name: "Confirm" }).click();
    await page.waitForURL(url("/groups"));
    await flash(page, "ok", "Group deleted.");
    expect(groupRows()).toEqual([]);
    expect(memberRows()).toEqual([]);
    expect(rows("SELECT actor, action, target, details FROM audit_log WHERE action LIKE 'groups.%' ORDER BY id")).toEqual([
      { actor: "user:ops", action: "groups.create", target: "group:1", details: '{"name":"Lobby","sync":false}' },
      { actor: "user:ops", action: "groups.update", target: "group:1", details: '{"name":"Main lobby"}' },
      { actor: "user:ops", action: "groups.update", target: "group:1", details: '{"sync":true}' },
      { actor: "user:ops", action: "groups.add-terminal", target: "group:1", details: '{"sn":"G1"}' },
      { actor: "user:ops", action: "groups.add-terminal", target: "group:1", details: '{"sn":"G2"}' },
      { actor: "user:ops", action: "groups.remove-terminal", target: "group:1", details: '{"sn":"G2"}' },
      { actor: "user:ops", action: "groups.update", target: "group:1", details: '{"sync":false}' },
      { actor: "user:ops", action: "groups.delete", target: "group:1", details: null },
    ]);
    expect(browser.problems).toEqual([]);
  });

  test("the terminal list is searched, and paged 100 at a time", async () => {
    // What 150 terminals' registrations leave, written beside the running server (WAL).
    const db = new Database(join(dataDir, "tm20.db"));
    try {
      db.run("PRAGMA busy_timeout = 5000");
      const insert = db.prepare("INSERT INTO terminals (sn, name, location, approval, first_seen, last_seen) VALUES (?, ?, ?, 'approved', ?, ?)");
      for (let i = 0; i < 150; i++) insert.run(`P${String(i).padStart(3, "0")}`, `Gate ${i}`, i % 2 === 0 ? "Hall A" : "Hall B", Date.now(), Date.now());
    } finally {
      db.close();
    }
    const { page } = browser;
    await page.goto(url("/terminals"));
    const sns = () => page.locator("tr[data-sn]").evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-sn")));
    expect(await sns()).toEqual(["G1", "G2", ...Array.from({ length: 98 }, (_, i) => `P${String(i).padStart(3, "0")}`)]);
    expect(await page.locator(".tabs .tab-count").first().textContent()).toBe("152");
    expect(await page.locator(".pager .muted").textContent()).toBe("100 rows on this page");
    await page.getByRole("link", { name: "Next page »" }).click();
    expect(await sns()).toEqual(Array.from({ length: 52 }, (_, i) => `P${String(i + 98).padStart(3, "0")}`));
    expect(await page.locator(".pager .muted").textContent()).toBe("52 rows on this page");
    await page.getByLabel("Search").fill("hall b");
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(/q=hall\+b/);
    expect(await sns()).toEqual(Array.from({ length: 75 }, (_, i) => `P${String(2 * i + 1).padStart(3, "0")}`));
    expect(await page.locator(".pager").count()).toBe(0);
    await page.getByRole("link", { name: /^Offline/ }).click();
    expect(new URL(page.url()).search).toBe("?status=offline&q=hall+b");
    expect((await sns()).length).toBe(75);
  });

  test("many terminals join and leave at once from the group's page, a page of the list at a time", async () => {
    const { page } = browser;
    await page.goto(url("/groups"));
    await page.getByLabel("New group name").fill("Halls");
    await page.getByRole("button", { name: "Create group" }).click();
    await flash(page, "ok", "Group Halls created.");
    const id = (groupRows() as Array<{ id: number; name: string }>).find((g) => g.name === "Halls")?.id;
    const members = () => (memberRows() as Array<{ group_id: number; sn: string }>).filter((m) => m.group_id === id).map((m) => m.sn);
    await page.getByRole("link", { name: "Terminals of Halls" }).click();
    await page.waitForURL(/\/groups\/\d+\/terminals$/);
    const box = (i: number) => page.getByLabel(`Gate ${i} (P00${i})`, { exact: true });
    for (const i of [0, 1, 2, 3]) await box(i).check();
    await page.getByRole("button", { name: "Save members" }).click();
    await flash(page, "ok", "Halls: 4 terminals added, 0 terminals removed.");
    expect(members()).toEqual(["P000", "P001", "P002", "P003"]);

    // Searched down to Hall B: two leave and one joins; the members the search hides stay.
    await page.getByRole("link", { name: "Terminals of Halls" }).click();
    await page.getByLabel("Search").fill("hall b");
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(/q=hall\+b/);
    expect(await page.locator("input[name=terminal]:checked").evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value))).toEqual(["P001", "P003"]);
    await box(1).uncheck();
    await box(3).uncheck();
    await box(5).check();
    await page.getByRole("button", { name: "Save members" }).click();
    await flash(page, "ok", "Halls: 1 terminal added, 2 terminals removed.");
    expect(members()).toEqual(["P000", "P002", "P005"]);
    await page.goto(url("/groups"));
    await page.getByRole("button", { name: "Delete" }).click();
    await page.locator("dialog.confirm-dialog").getByRole("button", { name: "Confirm" }).click();
    await flash(page, "ok", "Group deleted.");
    expect(groupRows()).toEqual([]);
    expect(browser.problems).toEqual([]);
  });

  test("a viewer sees groups and changes nothing; an admin sets the viewer's password from Settings", async () => {
    const { page } = browser;
    await page.goto(url("/groups"));
    const create = page.getByRole("form", { name: "Create a group" });
    await create.getByLabel("New group name").fill("Canteen");
    await create.getByRole("button", { name: "Create group" }).click();
    await flash(page, "ok", "Group Canteen created.");
    await page.goto(url("/terminals/G1"));
    await page.getByRole("form", { name: "Add to a group" }).getByRole("button", { name: "Add" }).click();
    await page.waitForURL(url("/terminals/G1"));
    await flash(page, "ok", "G1 is in Canteen.");

    const viewer = await openBrowser();
    try {
      await login(viewer, srv.http, "watcher", VIEWER_PASSWORD);
      await viewer.page.goto(url("/groups"));
      expect(await viewer.page.locator('tr[data-group="Canteen"] td').first().textContent()).toBe("Canteen");
      expect(await viewer.page.getByRole("button").allTextContents()).toEqual(["Log out"]);
      await viewer.page.goto(url("/terminals/G1"));
      expect(await viewer.page.locator('[aria-label="Groups of this terminal"] li a').allTextContents()).toEqual(["Canteen"]);
      expect(await viewer.page.getByRole("form", { name: "Add to a group" }).count()).toBe(0);
      const token = (await viewer.page.locator('meta[name="csrf-token"]').getAttribute("content")) ?? "";
      const post = (p: string, form: Record<string, string> = {}) => viewer.page.request.post(url(p), { form: { ...form, _csrf: token }, maxRedirects: 0 });
      expect((await post("/groups", { name: "Evil" })).status()).toBe(403);
      const [canteen] = groupRows() as Array<{ id: number }>;
      const id = String(canteen?.id);
      expect((await post(`/groups/${id}`, { sync: "on" })).status()).toBe(403);
      expect((await post(`/groups/${id}/delete`)).status()).toBe(403);
      expect((await post("/terminals/G2/groups", { group: id })).status()).toBe(403);
      expect((await post(`/terminals/G1/groups/${id}/leave`)).status()).toBe(403);
      expect(groupRows()).toEqual([{ id: canteen?.id, name: "Canteen", sync: 0 }]);
      expect(memberRows()).toEqual([{ group_id: canteen?.id, sn: "G1" }]);
      expect(viewer.problems).toEqual([]);

      // Admin users are managed in the UI: an admin sets the viewer's password, which ends their session.
      await page.goto(url("/settings"));
      const reset = page.getByRole("form", { name: "Set a user's password" });
      expect(await reset.getByLabel("Set the password of").locator("option").allTextContents()).toEqual(["watcher"]);
      await reset.getByLabel("New password").fill("a brand new password");
      await reset.getByRole("button", { name: "Set password" }).click();
      await flash(page, "ok", "Password of watcher set; their sessions ended.");
      await viewer.page.goto(url("/groups"));
      expect(new URL(viewer.page.url()).pathname).toBe("/login");
      await login(viewer, srv.http, "watcher", "a brand new password");
      expect(rows("SELECT actor, action, target, details FROM audit_log WHERE action = 'user.update'")).toEqual([
        { actor: "user:ops", action: "user.update", target: "watcher", details: '{"password":"reset"}' },
      ]);
    } finally {
      await viewer.close();
    }
  });
});
