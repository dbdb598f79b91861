/**
 * A large import applied from the admin UI (in-process server, real SQLite): past 100 entries a
 * CSV file or a saved HR source runs in the background and the admin lands on its page with a
 * live bar, whose poll counts the changes saved up to the end and then gives the import's summary;
 * the page then shows the same result a small import shows at once, and the import is audited
 * once. 100 entries still answer at once.
 */
import { afterEach, beforeEach, expect, test } from "bun:test";
import type { Server } from "bun";
import { buildApp, type InProcessApp } from "../helpers/app.ts";

let app: InProcessApp;
beforeEach(async () => {
  app = await buildApp();
});
afterEach(() => app.stop());

const csv = (n: number) => ["external_id,name", ...Array.from({ length: n }, (_, i) => `E${i + 1},Person ${i + 1}`)].join("\n");
const propsOf = (html: string) => JSON.parse((/data-island="live-job" data-props="([^"]*)"/.exec(html)?.[1] ?? "null").replaceAll("&quot;", '"')) as { status: string; poll: string; reloadWhenDone: boolean } | null;

interface Progress {
  status: string;
  done: number;
  total: number;
  summary: string;
  detail: string;
}

test("101 entries: applied in the background, followed by the bar's poll to the end, then the result page", async () => {
  const res = await app.form("/integrations/import/csv", { csv: csv(101), mode: "apply" });
  expect([res.status, res.headers.get("location")]).toEqual([303, "/integrations/import/runs/1"]);

  const seen: Progress[] = [];
  for (let i = 0; i < 400; i++) {
    const poll = await app.page("/integrations/import/runs/1.json");
    expect(poll.status).toBe(200);
    const p = (await poll.json()) as Progress;
    seen.push(p);
    if (p.status !== "running") break;
    await Bun.sleep(5);
  }
  const last = seen.at(-1);
  expect(last).toMatchObject({ status: "succeeded", done: 101, total: 101, summary: "101 created, 0 updated, 0 disabled, 0 unchanged, 0 bad entries", detail: "101 of 101 changes saved" });
  // Every count the bar was given is one the import had reached: never more than the total, never going back.
  const done = seen.map((p) => p.done);
  expect(done.every((d, i) => d <= 101 && (i === 0 || d >= (done[i - 1] ?? 0)))).toBe(true);

  const html = await (await app.page("/integrations/import/runs/1")).text();
  expect(html).toContain("<title>CSV import: done");
  expect(/<p data-applied="true">([^<]*)<\/p>/.exec(html)?.[1]).toBe("Applied 101 of 101 changes.");
  expect(propsOf(html)).toMatchObject({ status: "succeeded", poll: "/integrations/import/runs/1.json", reloadWhenDone: true });
  expect((await app.store.people.all()).length).toBe(101);
  const audits = (await app.store.auditLog({ limit: 10 })).items.filter((e) => e.action === "people.import").map((e) => [e.actor, e.target, e.result]);
  expect(audits).toEqual([["user:admin", "csv", "ok"]]);

  expect((await app.page("/integrations/import/runs/2.json")).status).toBe(404);
  expect((await app.page("/integrations/import/runs/2")).status).toBe(404);
});

test("100 entries: applied at once, the result in the answer", async () => {
  const res = await app.form("/integrations/import/csv", { csv: csv(100), mode: "apply" });
  expect(res.status).toBe(200);
  const html = await res.text();
  expect(html).toContain("<title>CSV import: done");
  expect(/<p data-applied="true">([^<]*)<\/p>/.exec(html)?.[1]).toBe("Applied 100 of 100 changes.");
  expect((await app.page("/integrations/import/runs/1.json")).status).toBe(404);
});

test("a saved HR source of 150 people: read at once, applied in the background, its page named after the source", async () => {
  const hr: Server<undefined> = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: () => Response.json({ data: Array.from({ length: 150 }, (_, i) => ({ no: `S${i + 1}`, full_name: `Staff ${i + 1}` })) }),
  });
  try {
    const source = { name: "Payroll HR", url: `http://127.0.0.1:${hr.port}/people`, mapping: { items: "data", fields: { external_id: "no", name: "full_name" } }, paging: { type: "none" }, disableMissing: false };
    expect((await app.api("POST", "/import-sources", source)).status).toBe(201);
    const res = await app.form("/integrations/import/sources/1/run", { mode: "apply" });
    expect([res.status, res.headers.get("location")]).toEqual([303, "/integrations/import/runs/1"]);
    let last: Progress | null = null;
    for (let i = 0; i < 400 && last?.status !== "succeeded"; i++) {
      last = (await (await app.page("/integrations/import/runs/1.json")).json()) as Progress;
      if (last.status === "running") await Bun.sleep(5);
    }
    expect(last).toMatchObject({ status: "succeeded", done: 150, total: 150, summary: "150 created, 0 updated, 0 disabled, 0 unchanged, 0 bad entries" });
    const html = await (await app.page("/integrations/import/runs/1")).text();
    expect(html).toContain("<title>Payroll HR: done");
    expect(html).toContain('<p class="subtitle"><a href="/integrations/import/sources/1">Payroll HR</a></p>');
    expect(/<p data-applied="true">([^<]*)<\/p>/.exec(html)?.[1]).toBe("Applied 150 of 150 changes.");
    const row = await app.store.importSources.get(1);
    expect(row?.lastResult).toBe("150 created, 0 updated, 0 disabled, 0 unchanged, 0 bad entries");
    const audits = (await app.store.auditLog({ limit: 10 })).items.filter((e) => e.action === "people.import").map((e) => [e.actor, e.target, e.result]);
    expect(audits).toEqual([["user:admin", "source:1", "ok"]]);
  } finally {
    hr.stop(true);
  }
});
