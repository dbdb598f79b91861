/**
 * The UI at the scale the server is sold for (issue 13), in-process on SQLite: 5,000 terminals,
 * every one offline (a site-wide power cut) and all in one group, written straight into the store.
 * Every page that could list them all stays small, the alerts are one summary line with a link,
 * the terminal filter is a search box whose suggestions come from a JSON search, and a group's
 * tick list is paged and saves only the terminals it showed.
 */
import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { importOptions } from "../../src/ui/pages/import-parts.tsx";
import { buildApp, type InProcessApp } from "../helpers/app.ts";

const NOW = Date.UTC(2026, 2, 4, 10, 0, 0);
const TERMINALS = 5000;
/** The bound for any page at 20,000 terminals; 5,000 must be well inside it. */
const PAGE_LIMIT = 200_000;
const sn = (i: number) => `S${String(i).padStart(5, "0")}`;
let app: InProcessApp;

beforeAll(async () => {
  app = await buildApp(() => NOW);
  const db = new Database(join(app.dataDir, "tm20.db"));
  db.run("PRAGMA busy_timeout = 10000");
  const lastSeen = NOW - 3 * 3_600_000;
  db.transaction(() => {
    const terminal = db.prepare("INSERT INTO terminals (sn, name, location, approval, online, first_seen, last_seen) VALUES (?, ?, ?, 'approved', 0, ?, ?)");
    for (let i = 0; i < TERMINALS; i++) terminal.run(sn(i), `Gate ${i}`, `Building ${i % 50}`, lastSeen, lastSeen);
    db.run(`INSERT INTO terminal_groups (id, name, sync, created_at, updated_at) VALUES (1, 'Everywhere', 0, ${NOW}, ${NOW})`);
    const member = db.prepare("INSERT INTO terminal_group_members (group_id, sn, added_at) VALUES (1, ?, ?)");
    for (let i = 0; i < TERMINALS; i++) member.run(sn(i), NOW);
  })();
  db.close();
});

afterAll(async () => {
  await app?.stop();
});

async function html(path: string): Promise<string> {
  const res = await app.page(path);
  expect(res.status).toBe(200);
  return res.text();
}

describe("5,000 offline terminals", () => {
  test("every page that could list them all stays under 200 KB", async () => {
    for (const path of ["/", "/terminals", "/terminals?status=offline", "/attendance", "/door-events", "/groups", "/groups/1/terminals", "/groups/1/terminals?q=Gate%2049", "/timesheets/rules", "/integrations/import", "/integrations/webhooks/new"]) {
      const bytes = new TextEncoder().encode(await html(path)).length;
      expect({ path, small: bytes < PAGE_LIMIT }).toEqual({ path, small: true });
    }
  });

  test("the alerts are one summary line linking the offline list: dashboard and API", async () => {
    const page = await html("/");
    expect(page).toContain("5000 terminals offline");
    expect(page).toContain('href="/terminals?status=offline"');
    // The summary names five terminals, once in the HTML and once in the island's props.
    expect(page.match(/offline for 3 h/g)?.length).toBe(10);
    const body = (await (await app.api("GET", "/alerts")).json()) as { items: Array<{ id: string; title: string; count: number; href: string; message: string }> };
    const offline = body.items.filter((a) => a.id.startsWith("terminal_offline"));
    expect(offline.map(({ id, title, count, href }) => ({ id, title, count, href }))).toEqual([{ id: "terminal_offline:*", title: "5000 terminals offline", count: 5000, href: "/terminals?status=offline" }]);
    expect(offline[0]?.message.endsWith("; and 4995 more.")).toBe(true);
  });

  test("the records' terminal filter is a search box, not a <select> of every terminal", async () => {
    for (const path of ["/attendance", "/door-events"]) {
      const page = await html(path);
      expect(page).toContain('<input id="f-sn" type="search" name="sn" maxlength="64" placeholder="All terminals" autocomplete="off" list="f-sn-list" data-suggest="/terminals/search.json"/>');
      expect(page).not.toContain('<option value="S0');
    }
    expect(await html("/attendance?sn=S00042")).toContain('name="sn" value="S00042"');
  });

  test("the search endpoint answers the few terminals matching what is typed", async () => {
    const res = await app.page("/terminals/search.json?q=Gate%20499");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      items: [
        { value: "S00499", label: "Gate 499 (S00499)" },
        ...[0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((d) => ({ value: `S0499${d}`, label: `Gate 499${d} (S0499${d})` })),
      ],
    });
    const all = (await (await app.page("/terminals/search.json?q=")).json()) as { items: unknown[] };
    expect(all.items.length).toBe(20);
    expect((await app.request("/terminals/search.json?q=S")).status).toBe(303); // to the login page: no session, no search
  });

  test("the people import's terminals are typed, not 5,000 checkboxes; spaces and commas both separate them", async () => {
    const page = await html("/integrations/import");
    expect(page).toContain('<textarea id="f-push-to" name="push_to" rows="2" maxlength="10000">');
    expect(page).not.toContain('type="checkbox" name="push_to"');
    const form = new FormData();
    form.append("push_to", " S00001, S00002\nS00003,,");
    expect(importOptions(form).pushTo).toEqual(["S00001", "S00002", "S00003"]);
  });

  test("a person's page asks for serial numbers: no checkbox or option per terminal", async () => {
    expect((await app.api("POST", "/people", { enrollid: 42, name: "Ann Lee" })).status).toBe(201);
    const page = await html("/people/42");
    expect(new TextEncoder().encode(page).length).toBeLessThan(PAGE_LIMIT);
    expect(page).toContain('<textarea id="f-push-sn" name="sn" rows="2" maxlength="10000">');
    expect(page).toContain('<input id="f-pull-sn" type="search" name="sn" maxlength="64" placeholder="serial number" required="" autocomplete="off" list="f-pull-sn-list" data-suggest="/terminals/search.json"/>');
    expect(page).not.toContain('<option value="S0');
  });

  test("a webhook's terminals are typed, not 5,000 checkboxes", async () => {
    const page = await html("/integrations/webhooks/new");
    expect(page).toContain('<textarea id="f-sn" name="sn" rows="2" maxlength="10000">');
    expect(page).not.toContain('type="checkbox" name="sn"');
  });

  test("the timesheet rules list the terminals 50 a page, searched", async () => {
    expect((await html("/timesheets/rules")).match(/data-terminal="/g)?.length).toBe(50);
    expect((await html("/timesheets/rules?q=Gate%204999")).match(/data-terminal="/g)?.length).toBe(1);
  });

  test("the groups list names 20 members and links the rest", async () => {
    const page = await html("/groups");
    expect(page).toContain('<a href="/groups/1/terminals">and 4980 more</a>');
    expect(page.match(/href="\/terminals\/S0/g)?.length).toBe(20);
  });

  test("a group's tick list shows 100 terminals a page and saves only those it showed", async () => {
    const page = await html("/groups/1/terminals");
    expect(page.match(/name="terminal"/g)?.length).toBe(100);
    expect(page.match(/name="shown"/g)?.length).toBe(100);
    expect(page).toContain('rel="next"');
    // S00000 and S00001 unticked on the first page: they leave, the other 4,998 stay.
    const shown = Array.from({ length: 100 }, (_, i) => sn(i));
    const res = await app.form("/groups/1/terminals", [...shown.map((s): [string, string] => ["shown", s]), ...shown.slice(2).map((s): [string, string] => ["terminal", s])]);
    expect(res.status).toBe(303);
    const group = await app.store.people.getGroup(1);
    expect(group?.members.length).toBe(TERMINALS - 2);
    expect(group?.members.includes("S00000")).toBe(false);
    expect(group?.members.includes("S04999")).toBe(true);
  });
});
