/**
 * People import from HR: CSV through the API and the CLI, and a paged JSON API. Bad rows are
 * reported with their line; the good ones are applied; a dry run changes nothing.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseCsv } from "../../src/people-import/csv.ts";
import { runCli } from "../helpers/binary.ts";
import { startTm20, type Tm20Process, tempDir } from "../helpers/server.ts";

let cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

// Line 1 header; line 4's quoted name spans two lines, so the next row starts on line 6.
const CSV = [
  "Employee ID;Full Name;Enrollid;Active;Valid From;Department",
  "E-1;Ada Lovelace;;yes;2026-01-01;R&D",
  "E-2;Grace Hopper (renamed);;;;Ops",
  'E-3;"Hopper, ""Amazing""',
  'Grace";120;1;;Ops',
  "E-4;;;;;Ops",
  "E-5;Alan Turing;abc;;;Ops",
  "E-1;Ada again;;;;R&D",
  "E-6;Edsger Dijkstra;;maybe;;Ops",
  "E-7;Barbara Liskov;;;2026-13-40;Ops",
  "",
  "E-8;Ken Thompson;130;no;;Ops",
].join("\r\n");

async function api(srv: Tm20Process, method: string, path: string, body?: string, type = "application/json") {
  const res = await srv.api(path, { method, ...(body === undefined ? {} : { body, headers: { "content-type": type } }) });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

function people(srv: Tm20Process) {
  const db = srv.db();
  try {
    return db.query("SELECT enrollid, name, enabled, external_id, valid_from FROM people ORDER BY enrollid").all() as Array<Record<string, unknown>>;
  } finally {
    db.close();
  }
}

const EXPECTED_ERRORS = [
  { line: 6, external_id: "E-4", message: "name: is empty" },
  { line: 7, external_id: "E-5", message: "enrollid: must be a number" },
  { line: 8, external_id: "E-1", message: 'external id "E-1" appears again (first at 2)' },
  { line: 9, external_id: "E-6", message: "enabled: must be one of yes/no, true/false, 1/0, active/inactive" },
  { line: 10, external_id: "E-7", message: "valid_from: 2026-13-40 is not a date" },
];

describe("CSV parsing", () => {
  test("quoted separators, doubled quotes, line breaks inside quotes, BOM, CRLF: rows keep their first line", () => {
    const rows = parseCsv('\ufeffa,b\r\n"x, y","say ""hi"""\n"multi\nline",2\n\n3,4');
    expect(rows).toEqual([
      { line: 1, fields: ["a", "b"] },
      { line: 2, fields: ["x, y", 'say "hi"'] },
      { line: 3, fields: ["multi\nline", "2"] },
      { line: 6, fields: ["3", "4"] },
    ]);
  });
});

describe("people import", () => {
  test("API upload: dry run changes nothing; apply creates/updates/disables the good rows, reports each bad one by line", async () => {
    const srv = await startTm20();
    cleanup.push(() => srv.stop());
    // Already known: E-2 (to be renamed), E-OLD (gone from HR), and a locally enrolled person (never touched).
    for (const p of [
      { enrollid: 7, name: "Grace Hopper", externalId: "E-2" },
      { enrollid: 8, name: "Old Timer", externalId: "E-OLD" },
      { enrollid: 9, name: "Local Only" },
    ]) {
      expect((await api(srv, "POST", "/api/v1/people", JSON.stringify(p))).status).toBe(201);
    }
    const before = people(srv);

    const dry = await api(srv, "POST", "/api/v1/people/import?dry_run=true&disable_missing=true", CSV, "text/csv");
    expect(dry.status).toBe(200);
    expect(dry.json.dry_run).toBe(true);
    expect(dry.json.summary).toEqual({ creates: 3, updates: 1, disables: 1, unchanged: 0, errors: 5 });
    expect(dry.json.errors).toEqual(EXPECTED_ERRORS);
    expect(dry.json.creates).toEqual([
      { enrollid: 10, external_id: "E-1", line: 2, name: "Ada Lovelace", changes: {} },
      { enrollid: 120, external_id: "E-3", line: 4, name: 'Hopper, "Amazing" Grace', changes: {} },
      { enrollid: 130, external_id: "E-8", line: 12, name: "Ken Thompson", changes: {} },
    ]);
    expect(dry.json.updates).toEqual([{ enrollid: 7, external_id: "E-2", line: 3, name: "Grace Hopper (renamed)", changes: { name: ["Grace Hopper", "Grace Hopper (renamed)"] } }]);
    expect(dry.json.disables).toEqual([{ enrollid: 8, external_id: "E-OLD", line: null, name: "Old Timer", changes: { enabled: [true, false] } }]);
    expect(people(srv)).toEqual(before);

    const applied = await api(srv, "POST", "/api/v1/people/import?disable_missing=true", CSV, "text/csv");
    expect(applied.status).toBe(200);
    expect(applied.json.applied).toBe(5);
    expect(applied.json.failed).toEqual([]);
    expect(applied.json.errors).toEqual(EXPECTED_ERRORS);
    expect(people(srv)).toEqual([
      { enrollid: 7, name: "Grace Hopper (renamed)", enabled: 1, external_id: "E-2", valid_from: null },
      { enrollid: 8, name: "Old Timer", enabled: 0, external_id: "E-OLD", valid_from: null },
      { enrollid: 9, name: "Local Only", enabled: 1, external_id: null, valid_from: null },
      { enrollid: 10, name: "Ada Lovelace", enabled: 1, external_id: "E-1", valid_from: "2026-01-01" },
      { enrollid: 120, name: 'Hopper, "Amazing" Grace', enabled: 1, external_id: "E-3", valid_from: null },
      { enrollid: 130, name: "Ken Thompson", enabled: 0, external_id: "E-8", valid_from: null },
    ]);

    // Importing the same file again: nothing left to do but the same bad lines.
    const again = await api(srv, "POST", "/api/v1/people/import?disable_missing=true", CSV, "text/csv");
    expect(again.json.summary).toEqual({ creates: 0, updates: 0, disables: 0, unchanged: 4, errors: 5 });

    const noHeader = await api(srv, "POST", "/api/v1/people/import", "E-1;Ada\n", "text/csv");
    expect(noHeader.status).toBe(400);
    expect(noHeader.json.code).toBe("bad_source");
    expect((await api(srv, "POST", "/api/v1/people/import?dry_run=perhaps", CSV, "text/csv")).status).toBe(400);

    const db = srv.db();
    const audits = db.query("SELECT action, target, result FROM audit_log WHERE action = 'people.import' ORDER BY id").all();
    db.close();
    expect(audits).toEqual([
      { action: "people.import", target: "csv", result: "ok" },
      { action: "people.import", target: "csv", result: "ok" },
    ]);
  });

  test("HTTP JSON source: pages walked, fields mapped, people created; a failing source changes nothing", async () => {
    const staff = Array.from({ length: 7 }, (_, i) => ({ ref: { code: `HR-${i + 1}` }, display: `Person ${i + 1}`, status: i === 6 ? "inactive" : "active" }));
    let pagesServed = 0;
    let auth = "";
    const hr = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch(req) {
        const url = new URL(req.url);
        if (url.pathname === "/broken") return new Response("no", { status: 502 });
        auth = req.headers.get("authorization") ?? "";
        pagesServed++;
        const page = Number(url.searchParams.get("p"));
        const size = Number(url.searchParams.get("per"));
        return Response.json({ data: { staff: staff.slice((page - 1) * size, page * size) } });
      },
    });
    cleanup.push(() => hr.stop(true));
    const srv = await startTm20();
    cleanup.push(() => srv.stop());
    const source = {
      url: `http://127.0.0.1:${hr.port}/staff`,
      headers: { Authorization: "Bearer hr-secret" },
      items: "data.staff",
      mapping: { external_id: "ref.code", name: "display", enabled: "status" },
      paging: { type: "page", param: "p", start: 1, size_param: "per", size: 3 },
    };
    const res = await api(srv, "POST", "/api/v1/people/import/http", JSON.stringify({ source }));
    expect(res.status).toBe(200);
    expect(res.json.summary).toEqual({ creates: 7, updates: 0, disables: 0, unchanged: 0, errors: 0 });
    expect(res.json.creates[4]).toMatchObject({ external_id: "HR-5", line: "page 2 item 2" });
    expect(pagesServed).toBe(4);
    expect(auth).toBe("Bearer hr-secret");
    const rows = people(srv);
    expect(rows.map((p) => p.external_id)).toEqual(["HR-1", "HR-2", "HR-3", "HR-4", "HR-5", "HR-6", "HR-7"]);
    expect(rows.map((p) => p.enabled)).toEqual([1, 1, 1, 1, 1, 1, 0]);

    const broken = await api(srv, "POST", "/api/v1/people/import/http", JSON.stringify({ source: { ...source, url: `http://127.0.0.1:${hr.port}/broken` }, disable_missing: true }));
    expect(broken.status).toBe(400);
    expect(broken.json.message).toContain("HTTP 502");
    expect(people(srv)).toEqual(rows);
  });

  test("tm20 people import FILE: --dry-run prints the plan, then the good lines are applied and bad ones named", () => {
    const dataDir = tempDir();
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const file = join(dataDir, "people.csv");
    writeFileSync(file, CSV);
    const dry = runCli(["people", "import", file, "--dry-run", "--data-dir", dataDir]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("line 6: ");
    expect(dry.stdout).toContain('line 8: external id "E-1" appears again (first at 2)');
    expect(dry.stdout).toContain("4 to create, 0 to update, 0 to disable, 0 unchanged, 5 bad lines");
    expect(dry.stdout).toContain("create 1 E-1 Ada Lovelace");
    const run = runCli(["people", "import", file, "--data-dir", dataDir]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("Applied 4 changes.");
    const again = runCli(["people", "import", file, "--data-dir", dataDir, "--dry-run"]);
    expect(again.stdout).toContain("0 to create, 0 to update, 0 to disable, 4 unchanged, 5 bad lines");
    const missing = runCli(["people", "import", join(dataDir, "nope.csv"), "--data-dir", dataDir]);
    expect(missing.code).toBe(2);
  });

  test("tm20 people import FILE: one change and one bad line are counted in the singular", () => {
    const dataDir = tempDir();
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const file = join(dataDir, "people.csv");
    writeFileSync(file, "external_id,name,enrollid\nHR-1,Ann Lee,101\nHR-2,,102\n");
    const run = runCli(["people", "import", file, "--data-dir", dataDir]);
    expect(run.stdout).toBe("line 3: name: is empty\n1 to create, 0 to update, 0 to disable, 0 unchanged, 1 bad line\nApplied 1 change.\n");
    expect(run.code).toBe(1);
  });
});
