/**
 * /jobs and a job's page (in-process server, real SQLite): jobs newest first named in words with
 * their people and terminals, a one-line result, paged with a cursor; a job's page links back.
 */
import { afterEach, beforeEach, expect, test } from "bun:test";
import { buildApp, type InProcessApp } from "../helpers/app.ts";

const T0 = Date.UTC(2026, 2, 1, 9);
let app: InProcessApp;

beforeEach(async () => {
  app = await buildApp();
  await app.store.write(
    ["T1", "T2", "T3"].map((sn) => ({ type: "terminal-seen" as const, sn, at: T0, sessionId: `s-${sn}`, remoteAddr: "10.0.0.66", cpusn: `CPU-${sn}`, devinfo: null, approvalIfNew: "approved" as const, online: false })),
  );
  expect((await app.api("POST", "/people", { enrollid: 3, name: "Ann Archer" })).status).toBe(201);
  expect((await app.form("/people/3/credentials/11", { card: "12345678" })).status).toBe(303);
});
afterEach(() => app.stop());

/** The Jobs table's rows as [title, link, status, result]. */
async function jobRows(path = "/jobs"): Promise<{ rows: string[][]; html: string }> {
  const html = await (await app.page(path)).text();
  const table = /<table class="table" data-jobs="">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? "";
  const text = (s: string | undefined) => (s ?? "").replace(/<[^>]+>/g, "").trim();
  const rows = [...table.matchAll(/<tr data-job="\d+">([\s\S]*?)<\/tr>/g)].map((m) => {
    const cells = [...(m[1] ?? "").matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((td) => td[1]);
    return [text(cells[0]), /href="([^"]+)"/.exec(cells[0] ?? "")?.[1] ?? "", text(cells[1]), text(cells[2])];
  });
  return { rows, html };
}

test("jobs listed newest first with readable names and results; a job's page links back", async () => {
  const push = (await (await app.api("POST", "/people/push", { enrollids: [3], terminals: ["T1", "T2", "T3"] })).json()) as { id: number };
  const pull = await app.form("/terminals/T2/commands", { action: "pull" });
  expect(pull.headers.get("location")).toBe("/jobs/2");
  expect((await app.api("POST", "/terminals/T1/fetch-logs", {})).status).toBe(202);

  const { rows } = await jobRows();
  expect(rows).toEqual([
    ["Fetch missed logs from T1", "/jobs/3", "running", "0 of 1 command done"],
    ["Import people from T2", "/jobs/2", "running", "0 of 1 command done"],
    ["Push Ann Archer to 3 terminals", `/jobs/${push.id}`, "running", "0 of 3 commands done"],
  ]);

  const job = await (await app.page(`/jobs/${push.id}`)).text();
  expect(job).toContain("<title>Push Ann Archer to 3 terminals");
  expect(job).toContain('<a href="/jobs">« All jobs</a>');
  expect(job).toContain('<a href="/people/3">Ann Archer</a>');
  expect(job).toContain('<strong data-summary="">0 of 3 commands done</strong>');
  const pulled = await (await app.page("/jobs/2")).text();
  expect(pulled).toContain('<a href="/terminals/T2">T2</a>');

  // Cancelled commands finish the job as failed, and the list says how many did not succeed.
  for (const c of (await app.store.commands.list({ jobId: push.id, limit: 10 })).items) {
    expect((await app.api("POST", `/commands/${c.id}/cancel`)).status).toBe(200);
  }
  expect((await jobRows()).rows[2]).toEqual(["Push Ann Archer to 3 terminals", `/jobs/${push.id}`, "failed", "3 of 3 commands did not succeed"]);

  expect((await app.page("/jobs/999")).status).toBe(404);
  // The way in: the Terminals page's header.
  expect(await (await app.page("/terminals")).text()).toMatch(/<a class="btn btn-plain" href="\/jobs">\s*Jobs\s*<\/a>/);
});

test("jobs page with a cursor: 50 a page, the older ones on the next", async () => {
  for (let i = 0; i < 52; i++) expect((await app.api("POST", "/terminals/T1/fetch-logs", {})).status).toBe(202);
  const first = await jobRows();
  expect(first.rows.length).toBe(50);
  expect(first.rows[0]?.[1]).toBe("/jobs/52");
  expect(first.rows[49]?.[1]).toBe("/jobs/3");
  const next = /href="\/jobs\?(cursor=[^"]+)" rel="next"/.exec(first.html)?.[1];
  expect(next).toBeDefined();
  const second = await jobRows(`/jobs?${(next ?? "").replaceAll("&amp;", "&")}`);
  expect(second.rows.map((r) => r[1])).toEqual(["/jobs/2", "/jobs/1"]);
  expect(second.html).not.toContain('rel="next"');
  // An edited cursor shows the first page rather than an error.
  expect((await jobRows("/jobs?cursor=nonsense")).rows.length).toBe(50);
});
