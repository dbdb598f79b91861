/**
 * A terminal's command history (in-process server, real SQLite): 20 a page with a cursor, and a
 * filter that keeps the admin's own Open door in view when a job queued many commands after it.
 */
import { afterEach, beforeEach, expect, test } from "bun:test";
import { buildApp, type InProcessApp } from "../helpers/app.ts";

const T0 = Date.UTC(2026, 2, 1, 9);
let app: InProcessApp;

beforeEach(async () => {
  app = await buildApp();
  await app.store.write([
    { type: "terminal-seen", sn: "T1", at: T0, sessionId: "s-T1", remoteAddr: "10.0.0.66", cpusn: "CPU-T1", devinfo: null, approvalIfNew: "approved", online: false },
  ]);
});
afterEach(() => app.stop());

/** The history's rows as [id, command, by], and the link to the next page. */
async function history(query: string): Promise<{ rows: string[][]; next: string | null; html: string }> {
  const html = await (await app.page(`/terminals/T1${query}`)).text();
  const table = /<table class="table" data-commands="">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? "";
  const rows = [...table.matchAll(/<tr data-command="[^"]*">([\s\S]*?)<\/tr>/g)].map((m) => {
    const cells = [...(m[1] ?? "").matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((td) => (td[1] ?? "").replace(/<[^>]+>/g, "").trim());
    return [cells[0] ?? "", cells[1] ?? "", cells[3] ?? ""];
  });
  const next = /<a href="\/terminals\/T1\?([^"]+)" rel="next">/.exec(html)?.[1]?.replaceAll("&amp;", "&") ?? null;
  return { rows, next, html };
}

test("the admin's Open door apart from a push's 25 commands; 20 a page with a cursor", async () => {
  const door = await app.form("/terminals/T1/commands", { action: "opendoor" });
  expect(door.status).toBe(303);
  for (let id = 1; id <= 25; id++) {
    expect((await app.api("POST", "/people", { enrollid: id, name: `P${id}`, credentials: [{ backupnum: 11, data: String(1000 + id) }] })).status).toBe(201);
  }
  expect((await app.api("POST", "/people/push", { terminals: ["T1"] })).status).toBe(202);
  const total = (await app.store.commands.list({ sn: "T1", limit: 100 })).items.length;
  expect(total).toBeGreaterThanOrEqual(26);

  const all = await history("");
  expect(all.rows.length).toBe(20);
  expect(all.rows.map((r) => r[1])).not.toContain("opendoor");
  expect(all.html).toContain('<option value="all" selected="">All</option>');

  const mine = await history("?commands=admin");
  expect(mine.rows).toEqual([["1", "opendoor", "admin"]]);
  expect(mine.next).toBeNull();
  expect(mine.html).toContain('<option value="admin" selected="">Admin&#39;s commands</option>');

  // The server's own, paged: every job command once, the Open door never.
  const seen: string[] = [];
  let query: string | null = "commands=server";
  for (let pages = 0; query !== null && pages < 5; pages++) {
    const p = await history(`?${query}`);
    expect(p.rows.length).toBeLessThanOrEqual(20);
    seen.push(...p.rows.map((r) => r[0] ?? ""));
    if (p.next !== null) expect(p.next).toStartWith("commands=server&cursor=");
    query = p.next;
  }
  expect(seen.length).toBe(total - 1);
  expect(new Set(seen).size).toBe(total - 1);
  expect(seen).not.toContain("1");

  // An unknown filter shows all; an edited cursor the first page.
  expect((await history("?commands=nonsense")).rows.length).toBe(20);
  expect((await history("?commands=admin&cursor=nonsense")).rows).toEqual([["1", "opendoor", "admin"]]);
});
