/**
 * The admin UI's Integrations area in Chromium against the compiled binary, with the PostgreSQL
 * export on (a schema of this run's own on the shared PostgreSQL) and a real local HTTP server
 * that is both the webhook receiver and an HR system's JSON API: a destination created in the
 * UI whose status moves as punches are delivered (failures, a dead letter and its retry), secrets
 * never shown back, a CSV import checked (bad lines by number) then applied, a saved HR source
 * run with a dry run, and a viewer refused every change. The tests run in order on one server;
 * the last one starts its own, whose PostgreSQL is unreachable.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { rmSync } from "node:fs";
import type { Server } from "bun";
import { SiteClock, systemTimeZone } from "../../src/protocol/index.ts";
import { tm20Binary } from "../helpers/binary.ts";
import { login, openBrowser, screenshots, type TestBrowser } from "../helpers/browser.ts";
import { closedPort, pgScratch } from "../helpers/postgres.ts";
import { startTm20, type Tm20Process, tempDir } from "../helpers/server.ts";
import { connectTerminal, type TestTerminal } from "../helpers/terminal.ts";

const PASSWORD = "integrations admin";
const VIEWER_PASSWORD = "integrations viewer";
const TOKEN = "bearer-secret-7f3a9c";
const HMAC = "hmac-secret-0123456789";
const HR_KEY = "hr-api-key-5d2e8b";

const dataDir = tempDir();
const pg = pgScratch("intui");
let srv: Tm20Process;
let browser: TestBrowser;
let terminal: TestTerminal;

/** The receiver answers with this status; every request it gets is kept. */
let answer = 200;
const received: Array<{ status: number; headers: Headers; body: { batch_id: string; records: Array<{ id: string; enrollid: number; time: string }> } }> = [];
/** The HR system: two pages of people behind an API key, then an empty page. */
const HR_PAGES: Record<string, unknown> = {
  "1": { data: [{ emp: { no: "E1", full_name: "Alice Smith" } }, { emp: { no: "E7", full_name: "Grace Green" } }] },
  "2": { data: [] },
};
let receiver: Server<undefined>;
/** While set, the HR system answers 503. */
let hrDown = false;

function cli(args: string[], stdin: string, dir = dataDir) {
  const proc = Bun.spawnSync([tm20Binary(), "admin", ...args, "--data-dir", dir], { stdin: Buffer.from(stdin), stdout: "pipe", stderr: "pipe" });
  return proc.exitCode;
}

beforeAll(async () => {
  receiver = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const u = new URL(req.url);
      if (u.pathname === "/hr") {
        if (hrDown) return new Response("maintenance", { status: 503 });
        if (req.headers.get("x-api-key") !== HR_KEY) return new Response("no key", { status: 401 });
        return Response.json(HR_PAGES[u.searchParams.get("page") ?? ""] ?? { data: [] });
      }
      received.push({ status: answer, headers: req.headers, body: (await req.json()) as (typeof received)[number]["body"] });
      return new Response(answer === 200 ? "ok" : "nope", { status: answer });
    },
  });
  expect(cli(["create", "--username", "admin"], `${PASSWORD}\n`)).toBe(0);
  expect(cli(["create", "--username", "viewer", "--role", "viewer"], `${VIEWER_PASSWORD}\n`)).toBe(0);
  srv = await startTm20({
    dataDir,
    args: ["--pg-url", pg.url, "--pg-schema", pg.schema],
    env: { TM20_WEBHOOK_RETRY_BASE_MS: "200", TM20_WEBHOOK_RETRY_MAX_MS: "400" },
  });
  browser = await openBrowser();
  terminal = await connectTerminal(srv.ws("/pub/chat"));
  expect((await terminal.register("HOOK1")).result).toBe(true);
});
afterAll(async () => {
  terminal?.close();
  await browser?.close();
  await srv?.stop();
  receiver?.stop(true);
  await pg.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

const url = (p: string) => `${srv.http}${p}`;
const rows = <T>(sql: string) => {
  const db = srv.db();
  try {
    return db.query(sql).all() as T[];
  } finally {
    db.close();
  }
};
const clock = new SiteClock(systemTimeZone());
let minute = 0;
async function punch(enrollid: number) {
  const time = clock.format(Date.UTC(2026, 4, 4, 8, minute++));
  terminal.send({ cmd: "sendlog", sn: "HOOK1", count: 1, logindex: minute, record: [{ enrollid, time, mode: 1, inout: 0, event: 0 }] });
  await terminal.next((m) => m.ret === "sendlog" && m.logindex === minute);
}

/** Reloads the page until `selector` holds `text` (the status pages are plain HTML). */
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

// Browser steps against a real server; the preload default applies to the first file only.
setDefaultTimeout(90_000);

describe("admin UI: integrations", () => {
  test("the PostgreSQL export's state: target without its password, backlog per table", async () => {
    await login(browser, srv.http, "admin", PASSWORD);
    await punch(11);
    const { page } = browser;
    await page.goto(url("/integrations"));
    await reloadUntil(browser, '[data-panel="export"] [data-stream="attendance"] td:nth-child(3)', "1");
    expect(await page.locator("[data-export-state]").getAttribute("data-export-state")).toBe("ok");
    expect(await page.locator('[data-stream="attendance"] [data-backlog]').textContent()).toBe("0");
    expect(await page.locator('[data-panel="export"] dd.mono').textContent()).toBe(`postgres://postgres@127.0.0.1:5432/test schema ${pg.schema}`);
    const exported = (await pg.sql.unsafe(`SELECT enrollid FROM "${pg.schema}".attendance`)) as Array<{ enrollid: number }>;
    expect(exported.map((r) => Number(r.enrollid))).toEqual([11]);
    await screenshots(page, "integrations");
  });

  test("a webhook destination made in the UI: its status moves as punches fail, are delivered, and are dead-lettered and retried", async () => {
    const { page } = browser;
    answer = 503;
    await page.goto(url("/integrations"));
    await page.getByRole("link", { name: "Add destination" }).click();
    const form = page.getByRole("form", { name: "New destination" });
    await form.getByLabel("Name", { exact: true }).fill("Payroll");
    await form.getByLabel("URL", { exact: true }).fill("ftp://payroll.example/hook");
    await form.getByLabel("Bearer token (Authorization: Bearer …)").check();
    await form.getByLabel("Token or header value").fill(TOKEN);
    await form.getByLabel("Signing secret (HMAC-SHA256)").fill(HMAC);
    await screenshots(page, "webhook-new");
    await form.getByRole("button", { name: "Add destination" }).click();
    // A bad field: the form comes back with what was typed (secrets excepted) and the reason.
    expect(await page.locator('[role="alert"]').textContent()).toBe("URL: expected an http:// or https:// URL");
    expect(await form.getByLabel("Name", { exact: true }).inputValue()).toBe("Payroll");
    expect(await form.getByLabel("Token or header value").inputValue()).toBe("");
    await form.getByLabel("URL", { exact: true }).fill(`http://127.0.0.1:${receiver.port}/hook`);
    await form.getByLabel("Token or header value").fill(TOKEN);
    await form.getByLabel("Signing secret (HMAC-SHA256)").fill(HMAC);
    await form.getByRole("button", { name: "Add destination" }).click();
    await page.waitForURL(/\/integrations\/webhooks\/\d+$/);
    expect(await page.locator(".flash-ok").textContent()).toBe("Destination Payroll added.");
    const id = Number(page.url().split("/").pop());
    const html = await page.content();
    expect(html).not.toContain(TOKEN);
    expect(html).not.toContain(HMAC);
    expect(await page.locator('[data-panel="status"] [data-backlog]').textContent()).toBe("0");

    // The receiver fails: the punches wait, the error shows.
    await punch(21);
    await punch(22);
    await reloadUntil(browser, '[data-panel="status"] [data-last-error]', /^HTTP 503: nope/);
    expect(await page.locator('[data-panel="status"] [data-backlog]').textContent()).toBe("2");
    expect(await page.locator('[data-panel="status"] [data-delivered]').textContent()).toBe("0");
    // It recovers: delivered, nothing waiting, a last success.
    answer = 200;
    await reloadUntil(browser, '[data-panel="status"] [data-delivered]', "2");
    expect(await page.locator('[data-panel="status"] [data-backlog]').textContent()).toBe("0");
    expect(await page.locator('[data-panel="status"] [data-last-success]').textContent()).not.toBe("never");
    const accepted = received.filter((r) => r.status === 200);
    expect(accepted.flatMap((r) => r.body.records.map((x) => x.enrollid))).toEqual([21, 22]);
    expect(received.filter((r) => r.status === 503).length).toBeGreaterThan(0);
    for (const r of received) {
      expect(r.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
      expect(r.headers.get("x-tm20-signature")).toMatch(/^sha256=[0-9a-f]{64}$/);
    }

    // The receiver refuses a batch outright (422): it becomes a dead letter at once; a retry from the UI delivers it.
    answer = 422;
    await punch(23);
    await reloadUntil(browser, '[data-panel="dead-letters"] .tab-count', "1");
    expect(await page.locator('[data-panel="dead-letters"] tbody tr').count()).toBe(1);
    expect(await page.locator('[data-panel="status"] [data-backlog]').textContent()).toBe("0");
    await screenshots(page, "webhook");
    answer = 200;
    await page.locator('[data-panel="dead-letters"] tbody tr').getByRole("button", { name: "Retry" }).click();
    expect(await page.locator(".flash-ok").textContent()).toBe("Batch delivered (1 record).");
    expect(await page.locator('[data-panel="dead-letters"] .tab-count').textContent()).toBe("0");
    expect(received.at(-1)?.body.records.map((r) => r.enrollid)).toEqual([23]);
    expect(received.at(-1)?.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);

    // Edited without touching the secrets: they are kept.
    const sealed = rows<{ auth_sealed: string; hmac_sealed: string }>(`SELECT auth_sealed, hmac_sealed FROM webhooks WHERE id = ${id}`);
    const edit = page.getByRole("form", { name: "Change destination" });
    await edit.getByLabel("Name", { exact: true }).fill("Payroll (HQ)");
    await edit.getByRole("button", { name: "Save destination" }).click();
    expect(await page.locator(".flash-ok").textContent()).toBe("Destination saved.");
    expect(rows(`SELECT name, auth_header, auth_sealed, hmac_sealed FROM webhooks WHERE id = ${id}`)).toEqual([
      { name: "Payroll (HQ)", auth_header: "Authorization", ...sealed[0] },
    ]);

    await page.goto(url("/integrations"));
    const row = page.locator('tr[data-webhook="Payroll (HQ)"]');
    // Delivered by the outbox; the retried dead letter is counted with the dead letters.
    expect(await row.locator("[data-delivered]").textContent()).toBe("2");
    expect(await row.locator("[data-backlog]").textContent()).toBe("0");
    expect(rows("SELECT action, target, actor, result FROM audit_log WHERE action LIKE 'webhook.%' ORDER BY id")).toEqual([
      { action: "webhook.create", target: String(id), actor: "user:admin", result: "ok" },
      { action: "webhook.dead-letter.retry", target: `${id}/1`, actor: "user:admin", result: "ok" },
      { action: "webhook.update", target: String(id), actor: "user:admin", result: "ok" },
    ]);
    // The one refused form (400) is the only thing the browser complained about.
    expect(browser.problems).toEqual(["console: Failed to load resource: the server responded with a status of 400 (Bad Request)"]);
  });

  test("a CSV upload: the dry run names each bad line, applying creates exactly the good rows", async () => {
    const { page } = browser;
    const csv = [
      "external_id,name,enrollid",
      "E1,Alice Adams,",
      "E2,Bob Brown,",
      ",Nobody,",
      "E4,,",
      "E5,Eve Evans,abc",
      "E1,Alice Again,",
      "E6,Frank Fox,6006",
    ].join("\n");
    await page.goto(url("/people"));
    await page.getByRole("link", { name: "Import from HR" }).click();
    await page.getByLabel("CSV file", { exact: true }).setInputFiles({ name: "people.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
    await screenshots(page, "import");
    await page.getByRole("button", { name: "Check the file (dry run)" }).click();
    expect(await page.locator("h1").textContent()).toBe("CSV import: dry run");
    const errors = page.locator('[data-plan="errors"] tbody tr');
    expect(await errors.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-line")))).toEqual(["4", "5", "6", "7"]);
    expect(await errors.nth(3).locator("td").nth(2).textContent()).toBe('external id "E1" appears again (first at 2)');
    expect(await page.locator('[data-plan="creates"] tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-external-id")))).toEqual(["E1", "E2", "E6"]);
    expect(rows("SELECT external_id FROM people WHERE external_id IS NOT NULL")).toEqual([]);
    await screenshots(page, "import-dry-run");

    await page.getByRole("button", { name: "Apply these changes" }).click();
    expect(await page.locator("h1").textContent()).toBe("CSV import: done");
    expect(await page.locator("[data-applied]").textContent()).toBe("Applied 3 of 3 changes.");
    expect(await page.locator('[data-plan="errors"] tbody tr').count()).toBe(4);
    expect(rows("SELECT external_id, name, enrollid FROM people WHERE external_id IS NOT NULL ORDER BY external_id")).toEqual([
      { external_id: "E1", name: "Alice Adams", enrollid: 1 },
      { external_id: "E2", name: "Bob Brown", enrollid: 2 },
      { external_id: "E6", name: "Frank Fox", enrollid: 6006 },
    ]);
    expect(rows("SELECT actor, target, result FROM audit_log WHERE action = 'people.import'")).toEqual([{ actor: "user:admin", target: "csv", result: "ok" }]);
  });

  test("a saved HR JSON source: configured once, dry run, then applied (update, create, disable the missing)", async () => {
    const { page } = browser;
    await page.goto(url("/integrations/import"));
    await page.getByRole("link", { name: "Add source" }).click();
    const form = page.getByRole("form", { name: "Source settings" });
    await form.getByLabel("Name", { exact: true }).fill("HR");
    await form.getByLabel("URL", { exact: true }).fill(`http://127.0.0.1:${receiver.port}/hr`);
    await form.getByLabel("Send a header").check();
    await form.getByLabel("Header name").fill("X-Api-Key");
    await form.getByLabel("Header value").fill(HR_KEY);
    await form.getByLabel("Where the list is in each page").fill("data");
    await form.getByLabel("external_id").fill("emp.no");
    await form.getByLabel("name", { exact: true }).fill("emp.full_name");
    await form.getByLabel("Page numbers (?page=1, 2, … until an empty page)").check();
    await form.getByLabel("Disable people missing from the source").check();
    await form.getByRole("button", { name: "Add source" }).click();
    expect(await page.locator(".flash-ok").textContent()).toBe("Source HR saved. Try a dry run.");
    expect(await page.content()).not.toContain(HR_KEY);
    await screenshots(page, "import-source");

    // The HR system is down: the dry run says so and changes nothing.
    hrDown = true;
    await page.getByRole("button", { name: "Dry run" }).click();
    expect(await page.locator(".flash-error").textContent()).toBe("The source could not be read: page 1: HTTP 503");
    expect(rows("SELECT last_run_at, last_result FROM people_import_sources")).toEqual([{ last_run_at: null, last_result: null }]);
    hrDown = false;

    await page.getByRole("button", { name: "Dry run" }).click();
    expect(await page.locator("h1").textContent()).toBe("HR: dry run");
    const ids = (kind: string) => page.locator(`[data-plan="${kind}"] tbody tr`).evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-external-id")));
    expect(await ids("creates")).toEqual(["E7"]);
    expect(await ids("updates")).toEqual(["E1"]);
    expect(await ids("disables")).toEqual(["E2", "E6"]);
    expect(await page.locator('[data-plan="updates"] .change-list').textContent()).toBe("name: Alice Adams → Alice Smith");
    await screenshots(page, "import-source-dry-run");
    // Down again when the change is applied: the source is read again, the failure is the last run's result.
    hrDown = true;
    await page.getByRole("button", { name: "Apply these changes" }).click();
    expect(await page.locator(".flash-error").textContent()).toBe("The source could not be read: page 1: HTTP 503");
    expect(rows("SELECT last_result FROM people_import_sources")).toEqual([{ last_result: "failed: page 1: HTTP 503" }]);
    hrDown = false;
    await page.getByRole("button", { name: "Dry run" }).click();
    await page.getByRole("button", { name: "Apply these changes" }).click();
    expect(await page.locator("[data-applied]").textContent()).toBe("Applied 4 of 4 changes.");
    expect(rows("SELECT external_id, name, enabled FROM people WHERE external_id IS NOT NULL ORDER BY external_id")).toEqual([
      { external_id: "E1", name: "Alice Smith", enabled: 1 },
      { external_id: "E2", name: "Bob Brown", enabled: 0 },
      { external_id: "E6", name: "Frank Fox", enabled: 0 },
      { external_id: "E7", name: "Grace Green", enabled: 1 },
    ]);
    expect(rows("SELECT last_result FROM people_import_sources")).toEqual([{ last_result: "1 created, 1 updated, 2 disabled, 0 unchanged, 0 bad entries" }]);
    expect(rows("SELECT action, target, result FROM audit_log WHERE action IN ('import-source.create', 'people.import') ORDER BY id")).toEqual([
      { action: "people.import", target: "csv", result: "ok" },
      { action: "import-source.create", target: "1", result: "ok" },
      { action: "people.import", target: "source:1", result: "failed: page 1: HTTP 503" },
      { action: "people.import", target: "source:1", result: "ok" },
    ]);
  });

  test("a viewer sees the integrations and can change none of them, in the UI or by direct POST", async () => {
    const viewer = await openBrowser();
    try {
      await login(viewer, srv.http, "viewer", VIEWER_PASSWORD);
      const { page } = viewer;
      await page.goto(url("/integrations"));
      expect(await page.locator('tr[data-webhook="Payroll (HQ)"] [data-delivered]').textContent()).toBe("2");
      expect(await page.getByRole("link", { name: "Add destination" }).count()).toBe(0);
      await page.goto(url("/integrations/webhooks/1?status=delivered"));
      expect(await page.getByRole("button").filter({ hasText: /Save|Delete|Retry|Add/ }).count()).toBe(0);
      expect(await page.getByRole("form", { name: "Change destination" }).getByLabel("Name", { exact: true }).isDisabled()).toBe(true);
      await page.goto(url("/integrations/import"));
      expect(await page.getByLabel("CSV file", { exact: true }).count()).toBe(0);
      expect(await page.getByRole("link", { name: "Add source" }).count()).toBe(0);
      await page.goto(url("/integrations/import/sources/1"));
      expect(await page.getByRole("button").filter({ hasText: /Save|Delete|Dry run/ }).count()).toBe(0);

      const token = (await page.locator('meta[name="csrf-token"]').getAttribute("content")) ?? "";
      const post = async (p: string, form: Record<string, string>) => (await page.request.post(url(p), { form: { ...form, _csrf: token }, maxRedirects: 0 })).status();
      const before = rows("SELECT COUNT(*) AS n FROM audit_log");
      expect(await post("/integrations/webhooks", { name: "evil", url: "http://evil.example/", auth: "none", event: "attendance", batch_size: "10", timeout_s: "5", enabled: "on" })).toBe(403);
      expect(await post("/integrations/webhooks/1", { name: "renamed", url: "http://evil.example/", auth: "keep", event: "attendance", batch_size: "10", timeout_s: "5" })).toBe(403);
      expect(await post("/integrations/webhooks/1/delete", {})).toBe(403);
      expect(await post("/integrations/webhooks/1/dead-letters/1/retry", {})).toBe(403);
      expect(await post("/integrations/import/csv", { mode: "apply", csv: "external_id,name\nX1,Mallory" })).toBe(403);
      expect(await post("/integrations/import/sources", { name: "evil", url: "http://evil.example/" })).toBe(403);
      expect(await post("/integrations/import/sources/1/run", { mode: "apply" })).toBe(403);
      expect(await post("/integrations/import/sources/1/delete", {})).toBe(403);
      expect(rows("SELECT COUNT(*) AS n FROM audit_log")).toEqual(before);
      expect(rows("SELECT name FROM webhooks")).toEqual([{ name: "Payroll (HQ)" }]);
      expect(rows("SELECT name FROM people_import_sources")).toEqual([{ name: "HR" }]);
      expect(rows("SELECT COUNT(*) AS n FROM people WHERE external_id = 'X1'")).toEqual([{ n: 0 }]);
      expect(viewer.problems).toEqual([]);
    } finally {
      await viewer.close();
    }
  });

  test("integration changes without the session's CSRF token are refused", async () => {
    const { page } = browser;
    await page.goto(url("/integrations"));
    const missing = await page.request.post(url("/integrations/webhooks/1/delete"), { form: {}, maxRedirects: 0 });
    expect(missing.status()).toBe(403);
    const wrong = await page.request.post(url("/integrations/import/sources/1/delete"), { form: { _csrf: "x".repeat(43) }, maxRedirects: 0 });
    expect(wrong.status()).toBe(403);
    expect(rows("SELECT COUNT(*) AS n FROM webhooks")).toEqual([{ n: 1 }]);
    expect(rows("SELECT COUNT(*) AS n FROM people_import_sources")).toEqual([{ n: 1 }]);
  });

  test("an admin deletes the destination and the source, after confirming", async () => {
    const { page } = browser;
    await page.goto(url("/integrations/webhooks/1"));
    await page.getByRole("button", { name: "Delete" }).click();
    await page.locator("dialog.confirm-dialog").getByRole("button", { name: "Confirm" }).click();
    await page.waitForURL(url("/integrations"));
    expect(await page.locator(".flash-ok").textContent()).toBe("Destination Payroll (HQ) deleted.");
    await page.goto(url("/integrations/import/sources/1"));
    await page.getByRole("button", { name: "Delete" }).click();
    await page.locator("dialog.confirm-dialog").getByRole("button", { name: "Confirm" }).click();
    await page.waitForURL(url("/integrations/import"));
    expect(await page.locator(".flash-ok").textContent()).toBe("Source HR deleted.");
    expect(rows("SELECT COUNT(*) AS n FROM webhooks")).toEqual([{ n: 0 }]);
    expect(rows("SELECT COUNT(*) AS n FROM webhook_dead_letters")).toEqual([{ n: 0 }]);
    expect(rows("SELECT COUNT(*) AS n FROM people_import_sources")).toEqual([{ n: 0 }]);
    expect(rows("SELECT action, target FROM audit_log WHERE action IN ('webhook.delete', 'import-source.delete') ORDER BY id")).toEqual([
      { action: "webhook.delete", target: "1" },
      { action: "import-source.delete", target: "1" },
    ]);
  });
});

describe("admin UI: integrations, PostgreSQL unreachable", () => {
  test("the export shows Failing, the error, the password masked, and the backlog growing while punches are stored", async () => {
    const dir = tempDir();
    expect(cli(["create", "--username", "admin"], `${PASSWORD}\n`, dir)).toBe(0);
    const down = await startTm20({ dataDir: dir, args: ["--pg-url", `postgres://postgres:pg-password-9q@127.0.0.1:${closedPort()}/test`] });
    const b = await openBrowser();
    const t = await connectTerminal(down.ws("/pub/chat"));
    try {
      expect((await t.register("DOWN1")).result).toBe(true);
      for (let i = 0; i < 3; i++) {
        t.send({ cmd: "sendlog", sn: "DOWN1", count: 1, logindex: i, record: [{ enrollid: 40 + i, time: `2026-05-04 09:0${i}:00`, mode: 1, inout: 0, event: 0 }] });
        expect((await t.next((m) => m.ret === "sendlog" && m.logindex === i)).result).toBe(true);
      }
      await b.page.goto(`${down.http}/login`);
      await b.page.getByLabel("User name").fill("admin");
      await b.page.getByLabel("Password").fill(PASSWORD);
      await b.page.getByRole("button", { name: "Log in" }).click();
      await b.page.waitForURL(`${down.http}/`);
      await b.page.goto(`${down.http}/integrations`);
      await reloadUntil(b, '[data-panel="export"] [data-stream="attendance"] [data-backlog]', "3");
      expect(await b.page.locator("[data-export-state]").getAttribute("data-export-state")).toBe("failing");
      const panel = (await b.page.locator('[data-panel="export"]').textContent()) ?? "";
      expect(panel).toContain("postgres://postgres:***@127.0.0.1:");
      expect(panel).not.toContain("pg-password-9q");
      expect(await b.page.locator('[data-panel="export"] .tone-error').textContent()).not.toBe("");
      await screenshots(b.page, "integrations-export-failing");
    } finally {
      t.close();
      await b.close();
      await down.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
