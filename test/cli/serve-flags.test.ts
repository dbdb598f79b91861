/**
 * A site keeps one set of `tm20 serve` flags (or one environment file) for every command: each
 * sub-command that opens the store runs with serve's full flag set, taken from the config schema,
 * as flags and as TM20_* variables, single box and cluster; its --help names the flags it uses.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SQL } from "bun";
import { parseArgs } from "../../src/cli/args.ts";
import { SERVE_FLAGS } from "../../src/cli/store-flags.ts";
import { loadServeConfig } from "../../src/config/load.ts";
import { type FieldName, serveFields } from "../../src/config/schema.ts";
import { tm20Binary } from "../helpers/binary.ts";
import { PG_BASE } from "../helpers/postgres.ts";
import { tempDir } from "../helpers/server.ts";

const dir = tempDir("tm20-serve-flags-");
const tag = `${process.pid}_${Date.now().toString(36)}`;
const schemas = { cluster: `t_flags_cluster_${tag}`, clusterEnv: `t_flags_env_${tag}`, export: `t_flags_export_${tag}` };
const sql = new SQL(PG_BASE, { max: 1 });
afterAll(async () => {
  for (const schema of Object.values(schemas)) await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await sql.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Values for the fields whose default is empty; every other field gets its default, valid by definition. */
const SAMPLES: Partial<Record<FieldName, string>> = { tz: "Europe/Berlin", pgUrl: PG_BASE, metricsAllow: "127.0.0.1", redisUrl: "redis://127.0.0.1:6379", terminalOrigins: "http://fw.local", allowedHosts: "tm20.lan,127.0.0.1", trustedProxies: "127.0.0.2", terminalPort: "7790" };

interface Site {
  cluster: boolean;
  dataDir: string;
  pgSchema: string;
}

/** Every serve setting of a site, by field; `--cluster` is the only boolean that changes what the store is. */
function settings(site: Site): Array<[FieldName, string]> {
  return (Object.keys(serveFields) as FieldName[]).flatMap((name): Array<[FieldName, string]> => {
    const field = serveFields[name];
    if (name === "cluster") return site.cluster ? [[name, "true"]] : [];
    if ("boolean" in field) return [[name, "true"]];
    if (name === "dataDir") return [[name, site.dataDir]];
    if (name === "pgSchema") return [[name, site.pgSchema]];
    return [[name, SAMPLES[name] ?? field.default]];
  });
}

const asFlags = (site: Site) => settings(site).flatMap(([name, value]) => ("boolean" in serveFields[name] ? [serveFields[name].flag] : [`${serveFields[name].flag}=${value}`]));
const asEnv = (site: Site) => Object.fromEntries(settings(site).map(([name, value]) => [serveFields[name].env, value]));

async function tm20(args: string[], env: Record<string, string>, stdin?: string) {
  // None of the caller's TM20_* variables leak in: only the site's.
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("TM20_")));
  const proc = Bun.spawn([tm20Binary(), ...args], {
    stdin: stdin === undefined ? "ignore" : new TextEncoder().encode(stdin),
    stdout: "pipe",
    stderr: "pipe",
    env: { ...base, ...env },
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

const csv = join(dir, "people.csv");
writeFileSync(csv, "external_id,name,enrollid\nHR-1,Ann Lee,101\n");
const backupFile = join(dir, "site.backup");

/** What a command prints when it worked, or the one line it refuses with (exit code 2). */
type Outcome = { prints: string } | { refuses: string };
const NO_TERMINAL: Outcome = { refuses: "block: no terminal NOSUCHSN has connected yet" };

/** Each store sub-command, run in this order, and its outcome on a single box and in a cluster. */
const COMMANDS: Array<{ name: string; args: string[]; stdin?: string; box: Outcome; cluster: Outcome }> = [
  { name: "token", args: ["token", "create", "--name", "site"], box: { prints: 'Created API token 1 "site"' }, cluster: { prints: 'Created API token 1 "site"' } },
  { name: "admin", args: ["admin", "create", "--username", "alice"], stdin: "correct-horse-battery\n", box: { prints: "Created admin alice" }, cluster: { prints: "Created admin alice" } },
  // Nothing has connected: the store was opened and asked, and said so.
  { name: "terminal", args: ["terminal", "block", "NOSUCHSN"], box: NO_TERMINAL, cluster: NO_TERMINAL },
  { name: "people", args: ["people", "import", csv], box: { prints: "Applied 1 change." }, cluster: { prints: "Applied 1 change." } },
  { name: "backup", args: ["backup", "--out", backupFile], box: { prints: "Backup written to" }, cluster: { refuses: "backup: a cluster keeps its data in PostgreSQL" } },
  { name: "restore", args: ["restore", backupFile], box: { prints: "Restored" }, cluster: { refuses: "restore: a cluster keeps its data in PostgreSQL" } },
  { name: "export", args: ["export"], box: { prints: "Exported to" }, cluster: { refuses: "export: with --cluster the store is PostgreSQL already" } },
];

test("the full flag set is serve's: every serve flag, each value valid for serve", () => {
  const flags = asFlags({ cluster: true, dataDir: dir, pgSchema: schemas.cluster });
  expect(flags.length).toBe(Object.keys(serveFields).length);
  const config = loadServeConfig(parseArgs(flags, SERVE_FLAGS).flags, {});
  expect(config.cluster).toBe(true);
  expect(config.redisUrl).toBe("redis://127.0.0.1:6379");
});

test("the table covers every sub-command of tm20 --help except serve, simulate and version (which open no store)", async () => {
  const help = (await tm20(["--help"], {})).stdout;
  const names = [...help.matchAll(/^ {2}([a-z]+) {2,}/gm)].map((m) => m[1] ?? "").filter((n) => !["serve", "simulate", "version"].includes(n));
  expect(names.sort()).toEqual(COMMANDS.map((c) => c.name).sort());
});

describe.each([
  ["single box, flags", { cluster: false, dataDir: join(dir, "box"), pgSchema: schemas.export }, "flags"],
  ["cluster, flags", { cluster: true, dataDir: join(dir, "unused-a"), pgSchema: schemas.cluster }, "flags"],
  ["cluster, TM20_* variables", { cluster: true, dataDir: join(dir, "unused-b"), pgSchema: schemas.clusterEnv }, "env"],
] as const)("%s", (_label, site, how) => {
  for (const command of COMMANDS) {
    test(`${command.name}: accepts every serve setting, uses the store ones`, async () => {
      const out = how === "flags" ? await tm20([...command.args, ...asFlags(site)], {}, command.stdin) : await tm20(command.args, asEnv(site), command.stdin);
      expect(out.stderr).not.toContain("unknown flag");
      const outcome = site.cluster ? command.cluster : command.box;
      if ("prints" in outcome) {
        expect(out.stderr).toBe("");
        expect(out.stdout).toContain(outcome.prints);
        expect(out.code).toBe(0);
      } else {
        expect(out.stderr).toStartWith(`tm20: ${outcome.refuses}`);
        expect(out.stderr.trim().split("\n").length).toBe(1);
        expect(out.code).toBe(2);
      }
    });
  }

  test("the store named by the site's settings holds what the commands wrote", async () => {
    if (site.cluster) {
      const rows = await sql.unsafe(`SELECT (SELECT count(*)::int FROM "${site.pgSchema}".api_tokens) AS tokens, (SELECT count(*)::int FROM "${site.pgSchema}".admin_users) AS admins, (SELECT count(*)::int FROM "${site.pgSchema}".people) AS people`);
      expect([...rows]).toEqual([{ tokens: 1, admins: 1, people: 1 }]);
    } else {
      const list = await tm20(["token", "list", "--data-dir", site.dataDir], {});
      expect(list.stdout).toMatch(/^1\tactive\t.*\bsite\t/);
      const exported = await sql.unsafe(`SELECT count(*)::int AS n FROM "${site.pgSchema}".people`);
      expect([...exported]).toEqual([{ n: 1 }]);
    }
  });
});

test("--help names the serve flags each command uses, and says it ignores the others", async () => {
  const uses: Record<string, FieldName[]> = {
    token: ["dataDir", "cluster", "pgUrl", "pgSchema"],
    admin: ["dataDir", "cluster", "pgUrl", "pgSchema"],
    terminal: ["dataDir", "cluster", "pgUrl", "pgSchema"],
    people: ["dataDir", "cluster", "pgUrl", "pgSchema"],
    backup: ["dataDir"],
    restore: ["dataDir"],
    export: ["pgUrl", "pgSchema", "pgTemplates", "dataDir"],
  };
  for (const command of COMMANDS) {
    const help = (await tm20([command.name, "--help"], {})).stdout;
    const section = help.slice(help.indexOf("Flags of tm20 serve it uses"));
    const listed = [...section.matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1]);
    expect(listed).toEqual((uses[command.name] ?? []).map((name) => serveFields[name].flag));
    expect(section).toContain("Every other flag of tm20 serve");
  }
});

test("--terminal-port is a port other than --port (0 for both: each a free one)", () => {
  const load = (args: string[]) => loadServeConfig(parseArgs(args, SERVE_FLAGS).flags, {});
  expect(() => load(["--port", "7788", "--terminal-port", "7788"])).toThrow("--terminal-port: must differ from --port (7788)");
  expect(load(["--port", "7788", "--terminal-port", "7789"]).terminalPort).toBe(7789);
  expect(load(["--port", "0", "--terminal-port", "0"]).terminalPort).toBe(0);
  expect(load(["--port", "7788"]).terminalPort).toBe("");
  expect(() => load(["--terminal-port", "70000"])).toThrow("--terminal-port");
});
