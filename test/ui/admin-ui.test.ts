/**
 * The admin UI in Debian's Chromium against the compiled binary: first admin, login/logout,
 * live feed, settings applied live, approval, CSV export, viewer refusals, CSRF, screenshots.
 * The tests run in order and share one server (each builds on what the previous one made).
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { createHash } from "node:crypto";
import { Database } from "bun:sqlite";
import { readdirSync, readFileSync } from "node:fs";
import { login, openBrowser, screenshots, type TestBrowser } from "../helpers/browser.ts";
import { middayZone } from "../helpers/midday-zone.ts";
import { startTm20, type Tm20Process } from "../helpers/server.ts";
import { connectTerminal } from "../helpers/terminal.ts";

const PASSWORD = "correct horse battery";
const VIEWER_PASSWORD = "viewer password 1";

let srv: Tm20Process;
let browser: TestBrowser;
/** The site's zone until the settings test sets Tokyo: about noon, so the live punch counts as today's. */
const ZONE = middayZone();

beforeAll(async () => {
  srv = await startTm20({ args: ["--tz", ZONE.name] });
  browser = await openBrowser();
});
afterAll(async () => {
  await browser?.close();
  await srv?.stop();
});

const url = (path: string) => `${srv.http}${path}`;
const path = () => new URL(browser.page.url()).pathname;
const csrfOf = async () => (await browser.page.locator('meta[name="csrf-token"]').getAttribute("content")) ?? "";
const rows = <T>(sql: string, ...params: Array<string | number>) => {
  const db = srv.db();
  try {
    return db.query(sql).all(...params) as T[];
  } finally {
    db.close();
  }
};

// Browser steps against a real server; the preload default applies to the first file only.
setDefaultTimeout(60_000);

describe("admin UI", () => {
  test("first start: only the create-first-admin page is served until an admin exists", async () => {
    for (const p of ["/", "/terminals", "/attendance", "/settings", "/login"]) {
      const res = await fetch(url(p), { redirect: "manual" });
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe("/setup");
    }
    const sse = await fetch(url("/live/events"), { headers: { accept: "text/event-stream" } });
    expect(sse.status).toBe(401);

    const { page } = browser;
    await page.goto(url("/"));
    expect(path()).toBe("/setup");
    await screenshots(page, "setup");
    const code = await srv.setupCode();
    await page.getByLabel("Setup code").fill(code);
    await page.getByLabel("User name").fill("admin");
    await page.getByLabel("Password", { exact: true }).fill("short");
    await page.getByLabel("Repeat the password").fill("short");
    await page.getByRole("button", { name: "Create admin account" }).click();
    expect(await page.locator(".field-error").first().textContent()).toBe("use at least 10 characters");

    await page.getByLabel("Setup code").fill(code);
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByLabel("Repeat the password").fill(PASSWORD);
    await page.getByRole("button", { name: "Create admin account" }).click();
    await page.waitForURL(url("/"));
    expect(await page.locator("h1").textContent()).toBe("Dashboard");

    const users = rows<{ username: string; role: string; password_hash: string }>("SELECT username, role, password_hash FROM admin_users");
    expect(users.length).toBe(1);
    expect(users[0]?.username).toBe("admin");
    expect(users[0]?.role).toBe("admin");
    expect(users[0]?.password_hash.startsWith("$argon2id$")).toBe(true);

    const cookie = (await browser.context.cookies()).find((c) => c.name === "tm20_session");
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe("Strict");
    const sessions = rows<{ token_hash: string }>("SELECT token_hash FROM admin_sessions");
    expect(sessions).toEqual([{ token_hash: createHash("sha256").update(cookie?.value ?? "").digest("hex") }]);

    // Setup is closed for good now.
    const again = await fetch(url("/setup"), { redirect: "manual" });
    expect(again.status).toBe(303);
    expect(again.headers.get("location")).toBe("/login");
  });

  test("a punch from a terminal appears in the live feed without a reload", async () => {
    const { page } = browser;
    await page.goto(url("/"));
    await page.locator(".live-live").waitFor({ timeout: 30_000 });
    await page.evaluate(() => {
      (window as unknown as { marker: number }).marker = 42;
    });
    const t = await connectTerminal(srv.ws("/pub/chat"));
    await t.register("LIVE1");
    t.send({ cmd: "senduser", sn: "LIVE1", enrollid: 4242, name: "Ada Lovelace", backupnum: 11, admin: 0, record: "998877" });
    await t.next((m) => m.ret === "senduser");
    const now = ZONE.format(Date.now());
    t.send({ cmd: "sendlog", sn: "LIVE1", count: 1, logindex: 0, record: [{ enrollid: 4242, time: now, mode: 2, inout: 0, event: 0 }] });
    await t.next((m) => m.ret === "sendlog");
    const row = page.locator("[data-feed] tbody tr", { hasText: "Ada Lovelace" });
    // Generous: the push is immediate, but a shared machine may stall the browser for seconds.
    await row.waitFor({ timeout: 15_000 });
    expect(await row.locator("td").allTextContents()).toEqual([now, "Ada Lovelace #4242", "LIVE1", "Card", "In"]);
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
    await page.locator('[data-stat="punches-today"]', { hasText: "1" }).waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-stat="online"]').textContent()).toBe("1");
    t.close();
  });

  test("settings apply to the running server: approval policy and time zone", async () => {
    const { page } = browser;
    await page.goto(url("/settings"));
    await page.getByLabel("Wait for an admin to approve each new terminal").check();
    await page.getByLabel("Time zone").fill("Asia/Tokyo");
    await page.getByRole("button", { name: "Save settings" }).click();
    expect(await page.locator(".flash-ok").textContent()).toBe("Settings saved. They apply now.");
    expect(rows("SELECT key, value FROM settings WHERE key IN ('approval', 'tz') ORDER BY key")).toEqual([
      { key: "approval", value: "approve" },
      { key: "tz", value: "Asia/Tokyo" },
    ]);

    // A new terminal now waits for approval; an admin approves it; its next reg is accepted.
    const t = await connectTerminal(srv.ws("/ws"));
    expect(await t.register("PEND1")).toEqual({ ret: "reg", result: false, reason: "Waiting for approval on the server" });
    await page.goto(url("/terminals?status=pending"));
    const pending = page.locator('tr[data-sn="PEND1"]');
    expect(await pending.locator(".badge").textContent()).toBe("Pending");
    await pending.getByRole("button", { name: "Approve" }).click();
    await page.waitForURL(/\/terminals/);
    expect(await page.locator(".flash-ok").textContent()).toContain("PEND1 approved");
    const before = Math.floor(Date.now() / 1000) * 1000;
    const accepted = await t.register("PEND1");
    const after = Date.now();
    expect(accepted.result).toBe(true);
    // Tokyo's wall clock (UTC+9) at the answer, read between the two looks (a minute read
    // afterwards fails when a minute ends in between).
    const cloudtime = Date.parse(`${String(accepted.cloudtime).replace(" ", "T")}+09:00`);
    expect({ cloudtime, inRange: cloudtime >= before && cloudtime <= after }).toEqual({ cloudtime, inRange: true });
    expect(rows("SELECT approval FROM terminals WHERE sn = 'PEND1'")).toEqual([{ approval: "approved" }]);
    expect(rows("SELECT actor, action, target, result FROM audit_log WHERE action = 'terminal.approve'")).toEqual([
      { actor: "user:admin", action: "terminal.approve", target: "PEND1", result: "ok" },
    ]);
    t.close();
  });

  test("the CSV export holds exactly the filtered rows", async () => {
    const t1 = await connectTerminal(srv.ws());
    expect((await t1.register("CSV1")).result).toBe(false); // new under the approval policy
    const t2 = await connectTerminal(srv.ws());
    await t2.register("CSV2");
    for (const sn of ["CSV1", "CSV2"]) expect((await srv.api(`/api/v1/terminals/${sn}/approve`, { method: "POST" })).status).toBe(200);
    await t1.register("CSV1");
    await t2.register("CSV2");
    t1.send({ cmd: "senduser", sn: "CSV1", enrollid: 501, name: "Hopper, Grace", backupnum: 10, admin: 0, record: "1234" });
    await t1.next((m) => m.ret === "senduser");
    const rec = (enrollid: number, time: string, inout: number) => ({ enrollid, time, mode: 1, inout, event: 0 });
    t1.send({
      cmd: "sendlog", sn: "CSV1", count: 6, logindex: 0,
      record: [
        rec(501, "2026-03-02 08:00:00", 0), rec(502, "2026-03-02 08:05:00", 0), rec(501, "2026-03-02 17:00:00", 1),
        rec(501, "2026-03-03 08:00:00", 0), rec(503, "2026-03-03 09:00:00", 0), rec(502, "2026-03-04 08:00:00", 0),
      ],
    });
    expect((await t1.next((m) => m.ret === "sendlog")).result).toBe(true);
    t2.send({ cmd: "sendlog", sn: "CSV2", count: 1, logindex: 0, record: [rec(501, "2026-03-03 08:30:00", 0)] });
    expect((await t2.next((m) => m.ret === "sendlog")).result).toBe(true);

    const { page } = browser;
    await page.goto(url("/attendance"));
    await page.locator("#f-from").fill("2026-03-02");
    await page.locator("#f-to").fill("2026-03-03");
    // The terminal filter searches as one types (issue 13): the box's list offers the matches.
    await page.locator("#f-sn").pressSequentially("csv");
    await page.waitForFunction(() => document.querySelectorAll("#f-sn-list option").length === 2, undefined, { timeout: 20_000 });
    expect(await page.locator("#f-sn-list option").evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value))).toEqual(["CSV1", "CSV2"]);
    await page.locator("#f-sn").fill("CSV1");
    await page.locator("#f-inout").selectOption("0");
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/from=2026-03-02/);
    expect(await page.locator("table.table tbody tr").count()).toBe(4);
    await screenshots(page, "attendance");

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export CSV" }).click()]);
    const csv = readFileSync((await download.path()) ?? "", "utf8");
    expect(csv.startsWith("\uFEFF")).toBe(true);
    const lines = csv.slice(1).trimEnd().split("\r\n");
    expect(lines[0]).toBe("time,timeZone,enrollid,name,externalId,terminalSn,terminal,mode,modeLabel,inout,inoutLabel,event,eventLabel,id");
    const [{ tz }] = rows<{ tz: string }>("SELECT value AS tz FROM settings WHERE key = 'tz'") as [{ tz: string }];
    const ids = rows<{ id: number }>(
      "SELECT id FROM attendance WHERE sn = 'CSV1' AND inout = 0 AND time >= '2026-03-02' AND time < '2026-03-04' ORDER BY time DESC, id DESC",
    ).map((r) => r.id);
    expect(lines.slice(1)).toEqual([
      `2026-03-03 09:00:00,${tz},503,,,CSV1,CSV1,1,Fingerprint,0,In,0,,${ids[0]}`,
      `2026-03-03 08:00:00,${tz},501,"Hopper, Grace",,CSV1,CSV1,1,Fingerprint,0,In,0,,${ids[1]}`,
      `2026-03-02 08:05:00,${tz},502,,,CSV1,CSV1,1,Fingerprint,0,In,0,,${ids[2]}`,
      `2026-03-02 08:00:00,${tz},501,"Hopper, Grace",,CSV1,CSV1,1,Fingerprint,0,In,0,,${ids[3]}`,
    ]);
    t1.close();
    t2.close();
  });

  test("an admin downloads a backup from Settings: a valid SQLite database holding the site's rows", async () => {
    const { page } = browser;
    await page.goto(url("/settings"));
    await screenshots(page, "settings");
    await page.getByRole("button", { name: "Download backup" }).click();
    // The snapshot is prepared on its own page, a live bar meanwhile; ready, the page offers the file.
    await page.waitForURL(url("/settings/backup/1"));
    const ready = page.getByRole("link", { name: "Download backup" });
    await ready.waitFor({ timeout: 30_000 });
    expect(await page.locator(".job-progress-live").getAttribute("data-status")).toBe("succeeded");
    expect(await page.locator("[data-summary]").textContent()).toMatch(/^Backup ready: \d+\.\d MB, checked with SQLite's integrity_check$/);
    const [download] = await Promise.all([page.waitForEvent("download"), ready.click()]);
    expect(download.suggestedFilename()).toMatch(/^tm20-backup-\d{8}-\d{6}\.db$/);
    const file = (await download.path()) ?? "";
    const backup = new Database(file, { readonly: true });
    try {
      expect(backup.query("PRAGMA integrity_check").all()).toEqual([{ integrity_check: "ok" }]);
      // Last-seen times move on their own; the rest stands still while nothing else happens.
      for (const query of [
        "SELECT * FROM attendance ORDER BY id",
        "SELECT sn, name, location, approval FROM terminals ORDER BY sn",
        "SELECT * FROM people ORDER BY enrollid",
        "SELECT username, role, password_hash FROM admin_users ORDER BY id",
        "SELECT key, value FROM settings ORDER BY key",
      ]) {
        const live = rows(query);
        expect(live.length).toBeGreaterThan(0);
        expect(backup.query(query).all()).toEqual(live);
      }
      expect(backup.query("SELECT count(*) AS n FROM attendance").get()).toEqual({ n: 8 });
    } finally {
      backup.close();
    }
    expect(rows("SELECT actor, action, result FROM audit_log WHERE action = 'backup.download'")).toEqual([{ actor: "user:admin", action: "backup.download", result: "ok" }]);
    expect(readdirSync(srv.dataDir).filter((n) => n.startsWith(".backup-"))).toEqual([]);
  });

  test("a state-changing request without the session's CSRF token is refused", async () => {
    const { page } = browser;
    await page.goto(url("/settings"));
    const token = await csrfOf();
    const before = rows("SELECT id FROM api_tokens").length;
    const missing = await page.request.post(url("/settings/tokens"), { form: { name: "no-csrf" }, maxRedirects: 0 });
    expect(missing.status()).toBe(403);
    const wrong = await page.request.post(url("/settings/tokens"), { form: { name: "wrong-csrf", _csrf: "x".repeat(43) }, maxRedirects: 0 });
    expect(wrong.status()).toBe(403);
    const foreign = await page.request.post(url("/settings/tokens"), { form: { name: "foreign", _csrf: token }, headers: { origin: "http://evil.example" }, maxRedirects: 0 });
    expect(foreign.status()).toBe(403);
    expect(rows("SELECT id FROM api_tokens").length).toBe(before);

    const ok = await page.request.post(url("/settings/tokens"), { form: { name: "payroll", _csrf: token }, maxRedirects: 0 });
    expect(ok.status()).toBe(201);
    const shown = /value="(tm20_[A-Za-z0-9_-]+)"/.exec(await ok.text())?.[1] ?? "";
    expect(rows<{ name: string; token_hash: string }>("SELECT name, token_hash FROM api_tokens WHERE name = 'payroll'")).toEqual([
      { name: "payroll", token_hash: createHash("sha256").update(shown).digest("hex") },
    ]);
    // The token shown once works on the API.
    expect((await fetch(url("/api/v1/terminals"), { headers: { authorization: `Bearer ${shown}` } })).status).toBe(200);
  });

  test("a token is made with the scope and expiry chosen in Settings (read by default); the list shows both", async () => {
    const { page } = browser;
    await page.goto(url("/settings"));
    expect(await page.getByLabel("May").inputValue()).toBe("read");
    await page.getByLabel("New token name").fill("door panel");
    await page.getByLabel("May").selectOption("commands");
    await page.getByLabel("Expires").selectOption("30");
    const before = Date.now();
    await page.getByRole("button", { name: "Create token" }).click();
    const shown = await page.getByLabel("New API token").inputValue();
    const [row] = rows<{ scope: string; expires_at: number; token_hash: string }>("SELECT scope, expires_at, token_hash FROM api_tokens WHERE name = 'door panel'");
    expect(row?.scope).toBe("commands");
    expect(row?.token_hash).toBe(createHash("sha256").update(shown).digest("hex"));
    expect(row?.expires_at).toBeGreaterThanOrEqual(before + 30 * 86_400_000);
    expect(row?.expires_at).toBeLessThanOrEqual(Date.now() + 30 * 86_400_000);
    const cells = await page.locator("tr", { hasText: "door panel" }).locator("td").allTextContents();
    expect(cells.slice(0, 3)).toEqual(["door panel", "commands", "Active"]);
    // What the scope allows holds on the API: reads yes, a backup no.
    expect((await fetch(url("/api/v1/terminals"), { headers: { authorization: `Bearer ${shown}` } })).status).toBe(200);
    expect((await fetch(url("/api/v1/backup"), { headers: { authorization: `Bearer ${shown}` } })).status).toBe(403);
    expect(rows<{ scope: string }>("SELECT scope FROM api_tokens WHERE name = 'payroll'")).toEqual([{ scope: "read" }]);
  });

  test("a viewer sees everything and can change nothing, in the UI or by direct POST", async () => {
    const { page } = browser;
    await page.goto(url("/settings"));
    const addUser = page.getByRole("form", { name: "Add a user" });
    await addUser.getByLabel("User name").fill("viewer1");
    await addUser.getByLabel("Role").selectOption("viewer");
    await addUser.getByLabel("Password").fill(VIEWER_PASSWORD);
    await addUser.getByRole("button", { name: "Add user" }).click();
    expect(await page.locator(".flash-ok").textContent()).toBe("User viewer1 added as viewer.");

    const t = await connectTerminal(srv.ws());
    expect((await t.register("PEND2")).result).toBe(false);

    const viewer = await openBrowser();
    try {
      await login(viewer, srv.http, "viewer1", VIEWER_PASSWORD);
      expect(new URL(viewer.page.url()).pathname).toBe("/");
      await viewer.page.goto(url("/terminals"));
      expect(await viewer.page.locator('tr[data-sn="PEND2"] .badge').textContent()).toBe("Pending");
      expect(await viewer.page.getByRole("button", { name: "Approve" }).count()).toBe(0);
      expect(await viewer.page.getByRole("button", { name: "Block" }).count()).toBe(0);
      await viewer.page.goto(url("/settings"));
      expect(await viewer.page.getByRole("button", { name: /Save|Create|Add|Revoke|Delete/ }).count()).toBe(0);
      expect(await viewer.page.getByLabel("Site name").isDisabled()).toBe(true);

      const token = (await viewer.page.locator('meta[name="csrf-token"]').getAttribute("content")) ?? "";
      const post = (p: string, form: Record<string, string>) => viewer.page.request.post(url(p), { form: { ...form, _csrf: token }, maxRedirects: 0 });
      expect((await post("/terminals/PEND2/approve", {})).status()).toBe(403);
      expect((await post("/terminals/PEND2/edit", { name: "hacked", location: "" })).status()).toBe(403);
      expect((await post("/settings/site", { siteName: "Hacked", tz: "UTC", approval: "open", offlineAlertMinutes: "5", driftAlertSeconds: "60" })).status()).toBe(403);
      expect((await post("/settings/tokens", { name: "viewer-token" })).status()).toBe(403);
      expect((await post("/settings/users", { username: "evil", role: "admin", password: "long enough password" })).status()).toBe(403);
      expect(await viewer.page.getByRole("button", { name: "Download backup" }).count()).toBe(0);
      expect((await post("/settings/backup", {})).status()).toBe(403);
      expect(rows("SELECT approval, name FROM terminals WHERE sn = 'PEND2'")).toEqual([{ approval: "pending", name: null }]);
      expect(rows("SELECT value FROM settings WHERE key = 'approval'")).toEqual([{ value: "approve" }]);
      expect(rows("SELECT username FROM admin_users ORDER BY username")).toEqual([{ username: "admin" }, { username: "viewer1" }]);
      expect(rows("SELECT name FROM api_tokens WHERE name = 'viewer-token'")).toEqual([]);
      expect(viewer.problems).toEqual([]);
    } finally {
      await viewer.close();
      t.close();
    }
  });

  test("logout ends the session; login takes the user back where they were going; failures are rate-limited", async () => {
    const { page } = browser;
    await page.goto(url("/"));
    await page.getByRole("button", { name: "Log out" }).click();
    await page.waitForURL(url("/login"));
    await screenshots(page, "login");
    await page.goto(url("/terminals"));
    expect(path()).toBe("/login");
    await page.getByLabel("User name").fill("admin");
    await page.getByLabel("Password").fill("wrong password!");
    await page.getByRole("button", { name: "Log in" }).click();
    expect(await page.locator(".flash-error").textContent()).toBe("Wrong user name or password.");
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(url("/terminals"));

    // Past five failures for one name, each further try waits longer (1 s, 2 s, 4 s …); then the right password gets in.
    const anon = await openBrowser();
    try {
      const guess = async (password: string) => {
        await anon.page.goto(url("/login"));
        await anon.page.getByLabel("User name").fill("viewer1");
        await anon.page.getByLabel("Password").fill(password);
        await anon.page.getByRole("button", { name: "Log in" }).click();
        return new URL(anon.page.url()).pathname === "/login" ? ((await anon.page.locator(".flash-error").textContent()) ?? "") : "logged in";
      };
      let refusal = "";
      for (let i = 0; i < 12 && !refusal.startsWith("Too many"); i++) refusal = await guess(`guess number ${i}`);
      expect(refusal).toMatch(/^Too many failed logins\. Try again in \d+ s\.$/);
      await Bun.sleep(Number(/in (\d+) s/.exec(refusal)?.[1]) * 1000 + 200);
      expect(await guess(VIEWER_PASSWORD)).toBe("logged in");
    } finally {
      await anon.close();
    }
    const logins = rows<{ result: string }>("SELECT result FROM audit_log WHERE action = 'login' AND target = 'viewer1' ORDER BY id").map((l) => l.result);
    expect(logins.slice(0, 6)).toEqual(["ok", ...Array(5).fill("failed: wrong user name or password")]);
    expect(logins.slice(-2)).toEqual(["failed: rate limited", "ok"]);
  });

  test("every page renders without console errors (screenshots at 1366×768 and 390 px)", async () => {
    browser.problems.length = 0; // the failed logins above were answered 400/429 on purpose
    const t = await connectTerminal(srv.ws());
    await t.register("LIVE1");
    t.send({
      cmd: "sendlog", sn: "LIVE1", count: 3, logindex: 0,
      record: [
        { enrollid: 0, time: "2026-03-05 10:00:00", mode: 0, inout: 0, event: 5 },
        { enrollid: 0, time: "2026-03-05 10:01:00", mode: 0, inout: 0, event: 1 },
        { enrollid: 9, time: "not a time", mode: 1, inout: 0, event: 0 },
      ],
    });
    await t.next((m) => m.ret === "sendlog");
    const { page } = browser;
    const pages: Array<[string, string]> = [
      ["/", "dashboard"],
      ["/terminals", "terminals"],
      ["/terminals/LIVE1", "terminal-detail"],
      ["/door-events", "door-events"],
      ["/quarantine", "quarantine"],
      ["/audit", "audit"],
      ["/settings", "settings"],
      ["/account", "account"],
    ];
    for (const [p, name] of pages) {
      const res = await page.goto(url(p));
      expect(res?.status()).toBe(200);
      await screenshots(page, name);
    }
    expect(await page.goto(url("/door-events")).then(() => page.locator("table.table tbody tr").count())).toBe(2);
    expect(await page.locator(".badge-error", { hasText: "Forced open" }).count()).toBe(1);
    await page.goto(url("/quarantine"));
    expect(await page.locator("table.table tbody tr").count()).toBe(1);
    expect(browser.problems).toEqual([]);
    t.close();
  });
});
