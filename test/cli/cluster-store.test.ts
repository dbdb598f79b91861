/**
 * Every sub-command that touches the store, against a cluster's PostgreSQL store: the same store
 * flags as `serve` (`--cluster --pg-url … --pg-schema …`, or TM20_* variables), and the effect
 * checked where it matters: in PostgreSQL and on a running `serve --cluster` instance.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tm20Binary } from "../helpers/binary.ts";
import { type Cluster, startCluster } from "../helpers/cluster.ts";
import { PG_BASE } from "../helpers/postgres.ts";
import { startTm20, tempDir } from "../helpers/server.ts";
import { connectTerminal } from "../helpers/terminal.ts";

let c: Cluster;
const dir = tempDir("tm20-cli-pg-");
/** The cluster's store named by --pg-schema (the instance was given the same schema in its URL). */
let storeFlags: string[];

beforeAll(async () => {
  c = await startCluster({ instances: 1, args: ["--approval", "approve"] });
  storeFlags = ["--cluster", "--pg-url", PG_BASE, "--pg-schema", c.schema];
}, 120_000);

afterAll(async () => {
  await c?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function tm20(args: string[], options: { env?: Record<string, string>; stdin?: string } = {}) {
  const proc = Bun.spawn([tm20Binary(), ...args], {
    stdin: options.stdin === undefined ? "ignore" : new TextEncoder().encode(options.stdin),
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, TM20_DATA_DIR: join(dir, "not-used"), ...options.env },
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

describe("sub-commands on the cluster's PostgreSQL store", () => {
  test("token create/list/revoke: the token authenticates on the serve --cluster instance until revoked", async () => {
    const made = await tm20(["token", "create", "--name", "payroll", ...storeFlags]);
    expect(made.code).toBe(0);
    const token = made.stdout.trim().split("\n").pop() ?? "";
    expect(token).toMatch(/^tm20_/);
    const [row] = (await c.sql`SELECT id::int AS id, name, revoked_at FROM api_tokens WHERE name = 'payroll'`) as Array<{ id: number; name: string; revoked_at: unknown }>;
    expect(row?.revoked_at).toBeNull();
    const stats = await fetch(`${c.instances[0]?.http}/api/v1/stats`, bearer(token));
    expect(stats.status).toBe(200);

    const list = await tm20(["token", "list", ...storeFlags]);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain("payroll");
    expect(list.stdout).not.toContain(token);

    expect((await tm20(["token", "revoke", String(row?.id), ...storeFlags])).code).toBe(0);
    expect((await fetch(`${c.instances[0]?.http}/api/v1/stats`, bearer(token))).status).toBe(401);
  });

  test("serve --cluster --pg-schema creates its schema; a token made by the CLI with the same flags authenticates there", async () => {
    const schema = `${c.schema}_own`;
    const flags = ["--cluster", "--pg-url", PG_BASE, "--pg-schema", schema];
    // Its own Redis database number: presence keys are not per schema.
    const instance = await startTm20({ args: [...flags, "--redis-url", `redis://127.0.0.1:${c.redis.port}/3`] });
    try {
      expect(await c.sql`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = ${schema} AND table_name = 'attendance'`).toEqual([{ n: 1 }]);
      const made = await tm20(["token", "create", "--name", "own-schema", ...flags]);
      expect(made.code).toBe(0);
      const token = made.stdout.trim().split("\n").pop() ?? "";
      expect((await fetch(`${instance.http}/api/v1/stats`, bearer(token))).status).toBe(200);
      // The other schema's instance does not know it.
      expect((await fetch(`${c.instances[0]?.http}/api/v1/stats`, bearer(token))).status).toBe(401);
    } finally {
      await instance.stop();
      await c.sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  });

  test("TM20_CLUSTER, TM20_PG_URL and TM20_PG_SCHEMA alone name the same store", async () => {
    const env = { TM20_CLUSTER: "true", TM20_PG_URL: PG_BASE, TM20_PG_SCHEMA: c.schema };
    const made = await tm20(["token", "create", "--name", "from-env"], { env });
    expect(made.code).toBe(0);
    const token = made.stdout.trim().split("\n").pop() ?? "";
    expect((await fetch(`${c.instances[0]?.http}/api/v1/stats`, bearer(token))).status).toBe(200);
    expect((await c.sql`SELECT name FROM api_tokens WHERE name = 'from-env'`).length).toBe(1);
  });

  test("admin create/passwd/list: the instance's UI accepts the password set by the CLI", async () => {
    const login = async (password: string) => {
      const csrf = "y".repeat(40);
      const res = await fetch(`${c.instances[0]?.http}/login`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie: `tm20_pre=${csrf}` },
        body: new URLSearchParams({ _csrf: csrf, username: "cli-admin", password, next: "/" }),
      });
      return res.status === 303 && (res.headers.get("set-cookie") ?? "").includes("tm20_session=");
    };
    expect((await tm20(["admin", "create", "--username", "cli-admin", "--role", "admin", ...storeFlags], { stdin: "first-password-1\n" })).code).toBe(0);
    expect(await login("first-password-1")).toBe(true);
    expect((await tm20(["admin", "passwd", "--username", "cli-admin", ...storeFlags], { stdin: "second-password-2\n" })).code).toBe(0);
    expect(await login("first-password-1")).toBe(false);
    expect(await login("second-password-2")).toBe(true);
    const list = await tm20(["admin", "list", ...storeFlags]);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain("cli-admin");
    expect(await c.sql`SELECT username, role FROM admin_users WHERE username = 'cli-admin'`).toEqual([{ username: "cli-admin", role: "admin" }]);
  });

  test("people import: a dry run changes nothing; the import is in PostgreSQL and on the instance's API", async () => {
    const csv = join(dir, "people.csv");
    writeFileSync(csv, "external_id,name,enrollid\nHR-1,Ann Lee,101\nHR-2,Bob Stone,102\nHR-3,Cy Young,103\n");
    const dry = await tm20(["people", "import", csv, "--dry-run", ...storeFlags]);
    expect(dry.code).toBe(0);
    expect(await c.sql`SELECT count(*)::int AS n FROM people WHERE external_id LIKE 'HR-%'`).toEqual([{ n: 0 }]);
    const run = await tm20(["people", "import", csv, ...storeFlags]);
    expect(run.code).toBe(0);
    expect(await c.sql`SELECT enrollid::int AS enrollid, name, external_id FROM people WHERE external_id LIKE 'HR-%' ORDER BY enrollid`).toEqual([
      { enrollid: 101, name: "Ann Lee", external_id: "HR-1" },
      { enrollid: 102, name: "Bob Stone", external_id: "HR-2" },
      { enrollid: 103, name: "Cy Young", external_id: "HR-3" },
    ]);
    const res = await c.api(0, "/api/v1/people?q=HR-");
    const body = (await res.json()) as { items: Array<{ enrollid: number }> };
    expect(body.items.map((p) => p.enrollid)).toEqual([101, 102, 103]);
  });

  test("timesheets rebuild: the CLI computes a day from the cluster's punches; the instance's API shows it", async () => {
    const post = (path: string, body: unknown) => c.api(0, path, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });
    expect((await post("/api/v1/shifts", { name: "Day", start: "09:00", end: "17:00" })).status).toBe(201);
    expect((await post("/api/v1/people", { enrollid: 55, name: "Dee" })).status).toBe(201);
    expect((await post("/api/v1/schedules", { shiftId: 1, enrollid: 55, weekdays: [1, 2, 3, 4, 5], from: "2026-11-02", to: "2026-11-02" })).status).toBe(201);
    // Let the instance finish what the schedule queued, then store punches it never hears of (no commit event).
    await Bun.sleep(1500);
    for (const time of ["2026-11-02 08:58:00", "2026-11-02 16:30:00"]) {
      await c.sql`INSERT INTO attendance (sn, enrollid, time, ts, mode, inout, event, received_at) VALUES ('CLI1', 55, ${time}, ${Date.parse(`${time.replace(" ", "T")}Z`)}, 1, 0, 0, 0)`;
    }
    const run = await tm20(["timesheets", "rebuild", "--from", "2026-11-02", "--to", "2026-11-02", "--tz", "UTC", ...storeFlags]);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
    expect(run.stdout).toMatch(/^Rebuilt \d+ daily results from 2026-11-02 to 2026-11-02 in /);
    const res = await c.api(0, "/api/v1/timesheets/days?from=2026-11-02&to=2026-11-02&enrollid=55");
    const [day] = ((await res.json()) as { items: Array<Record<string, unknown>> }).items;
    // 09:00 (work counts from the start) to 16:30: 450 worked, 30 early.
    expect(day).toMatchObject({ date: "2026-11-02", enrollid: 55, status: "present", workedMinutes: 450, earlyLeaveMinutes: 30, lateMinutes: 0 });
  });

  test("terminal list/approve: a terminal pending on the instance is approved by the CLI and accepted at its next reg", async () => {
    const url = c.instances[0]?.ws() ?? "";
    const first = await connectTerminal(url);
    expect((await first.register("CLIPG1")).result).toBe(false);
    first.close();
    const list = await tm20(["terminal", "list", ...storeFlags]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/CLIPG1.*pending/);
    expect((await tm20(["terminal", "approve", "CLIPG1", ...storeFlags])).code).toBe(0);
    expect(await c.sql`SELECT approval FROM terminals WHERE sn = 'CLIPG1'`).toEqual([{ approval: "approved" }]);
    const again = await connectTerminal(url);
    expect((await again.register("CLIPG1")).result).toBe(true);
    again.close();
    expect((await tm20(["terminal", "block", "CLIPG1", ...storeFlags])).code).toBe(0);
    expect(await c.sql`SELECT approval FROM terminals WHERE sn = 'CLIPG1'`).toEqual([{ approval: "blocked" }]);
  });

  test("export, backup and restore do not apply to a cluster: exit 2 with the reason on one line", async () => {
    const cases: Array<[string[], string]> = [
      [["export", ...storeFlags], "PostgreSQL already"],
      [["backup", "--out", join(dir, "x.db"), ...storeFlags], "pg_dump"],
      [["restore", join(dir, "x.db"), ...storeFlags], "pg_restore"],
    ];
    for (const [args, reason] of cases) {
      const out = await tm20(args);
      expect(out.code).toBe(2);
      const lines = out.stderr.trim().split("\n");
      expect(lines.length).toBe(1);
      expect(lines[0]).toContain(reason);
    }
  });

  test("backup of a cluster as README says: pg_dump of the schema, pg_restore after the schema is gone; tm20 reads it and ids continue", async () => {
    const schema = `${c.schema}_bk`;
    const flags = ["--cluster", "--pg-url", PG_BASE, "--pg-schema", schema];
    const dump = join(dir, "tm20.dump");
    const sh = (argv: string[]) => {
      const p = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe" });
      if (p.exitCode !== 0) throw new Error(`${argv[0]}: ${p.stderr.toString()}`);
    };
    try {
      expect((await tm20(["token", "create", "--name", "before-backup", ...flags])).code).toBe(0);
      sh(["pg_dump", "--format=custom", `--schema=${schema}`, `--file=${dump}`, PG_BASE]);
      await c.sql.unsafe(`DROP SCHEMA "${schema}" CASCADE`);
      sh(["pg_restore", "--clean", "--if-exists", "--single-transaction", `--dbname=${PG_BASE}`, dump]);
      expect((await tm20(["token", "list", ...flags])).stdout).toContain("before-backup");
      expect((await tm20(["token", "create", "--name", "after-restore", ...flags])).code).toBe(0);
      expect(await c.sql.unsafe(`SELECT id::int AS id, name FROM "${schema}".api_tokens ORDER BY id`)).toEqual([
        { id: 1, name: "before-backup" },
        { id: 2, name: "after-restore" },
      ]);
    } finally {
      await c.sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
  });
});
