/**
 * A TM20 cluster on loopback for tests and the benchmark: N `tm20 serve --cluster` instances on
 * the shared PostgreSQL (a schema of this run's own, reached through a relay the caller can cut),
 * a redis-server of its own on a free port (never the machine's shared one; it can be stopped and
 * started again) unless the caller hands one in (two sites on one Redis), and HAProxy running
 * docs/haproxy.cfg as shipped (only the listen address and the server list are replaced) under a
 * limit of 20,000 open files, plus a stats listener in a file of its own. Every instance's data
 * directory holds the same secret.key, as the README tells operators, so a secret sealed on one
 * instance opens on all.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { SQL, type Subprocess } from "bun";
import { SECRET_KEY_FILE } from "../../src/auth/secret-box.ts";
import { tm20Binary } from "./binary.ts";
import { PG_BASE } from "./postgres.ts";
import { type Tm20Process, startTm20, tempDir } from "./server.ts";
import { TcpRelay } from "./tcp-relay.ts";
import { connectTerminal, type TestTerminal } from "./terminal.ts";

const HAPROXY_CFG = resolve(import.meta.dir, "../../docs/haproxy.cfg");

export interface ClusterOptions {
  instances?: number;
  /** Extra `tm20 serve` flags for every instance. */
  args?: string[];
  /** A running Redis to share with another cluster (left running by stop()); else one of its own. */
  redis?: RedisServer;
}

export interface Cluster {
  instances: Tm20Process[];
  /** The load balancer, as terminals and browsers reach it. */
  lb: { http: string; ws: string };
  /** What the instances are given (through the relay). */
  pgUrl: string;
  schema: string;
  /** Direct connection to the cluster's schema, for assertions (never through the relay). */
  sql: SQL;
  /** Between the instances and PostgreSQL: cut() is PostgreSQL going away, restore() its return. */
  pg: TcpRelay;
  redis: { port: number; stop(): Promise<void>; start(): Promise<void> };
  /** The site's namespace in Redis: `--redis-prefix` when given, else what the README says it defaults to. */
  redisPrefix: string;
  /** An API token valid on every instance (the store is shared). */
  token: string;
  /** A request to instance `i`'s API with the token. */
  api(i: number, path: string, init?: RequestInit): Promise<Response>;
  /** Runs a sub-command against the cluster's store (`--cluster --pg-url`), stdin optional. */
  cli(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  /** The cookie of an admin UI session on instance `i` (the admin is made once, with the CLI). */
  uiSession(i: number): Promise<string>;
  /** HAProxy's view of each instance: "UP", "DOWN", "DOWN 1/2", … */
  lbStates(): Promise<string[]>;
  /** Resolves once HAProxy has every instance up. */
  waitForLb(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export function freePort(): number {
  const s = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = s.port;
  s.stop(true);
  return port;
}

/** Polls until `check` is true; the error names what was awaited. */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000, everyMs = 50): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await Bun.sleep(everyMs);
  }
}

export type RedisServer = ReturnType<typeof redisServer>;

/** The open-file limit HAProxy runs under: docs/haproxy.cfg must start within a common default. */
export const HAPROXY_FD_LIMIT = 20_000;

/** A redis-server of its own on `port` (not started yet). */
export function redisServer(port: number) {
  let proc: Subprocess | null = null;
  const ping = () => Bun.spawnSync(["redis-cli", "-p", String(port), "ping"], { stderr: "ignore" }).stdout.toString().trim() === "PONG";
  return {
    port,
    /** The running server's process id (the benchmark reads its CPU time), 0 when stopped. */
    get pid() {
      return proc?.pid ?? 0;
    },
    async start() {
      proc = Bun.spawn(["redis-server", "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdout: "ignore", stderr: "ignore" });
      await until("redis-server to answer PING", ping, 10_000);
    },
    async stop() {
      proc?.kill("SIGKILL");
      await proc?.exited;
      proc = null;
    },
  };
}

/**
 * docs/haproxy.cfg with this cluster's listen address and servers, nothing else changed; the
 * benchmark alone also changes the balance algorithm and the connection limit.
 */
export function haproxyConfig(lbPort: number, ports: number[], tune: { balance?: "source" | "roundrobin"; maxconn?: number } = {}): string {
  const lines = readFileSync(HAPROXY_CFG, "utf8").split("\n");
  const out: string[] = [];
  for (const line of lines) {
    if (/^\s*bind\s/.test(line)) out.push(`    bind 127.0.0.1:${lbPort}`);
    else if (tune.maxconn && /^\s*maxconn\s/.test(line)) out.push(`    maxconn ${tune.maxconn}`);
    else if (tune.balance && /^\s*balance\s/.test(line)) out.push(`    balance ${tune.balance}`);
    else if (/^\s*server\s/.test(line)) {
      if (!out.some((l) => /^\s*server\s/.test(l))) out.push(...ports.map((p, i) => `    server tm20-${i} 127.0.0.1:${p} check`));
    } else out.push(line);
  }
  return out.join("\n");
}

/** A second configuration file for HAProxy: a stats listener (CSV at /stats;csv) that tells which servers it has up. */
function haproxyStats(statsPort: number): string {
  return ["listen stats", `    bind 127.0.0.1:${statsPort}`, "    stats enable", "    stats uri /stats", ""].join("\n");
}

/** HAProxy with `files` (in order), in the foreground, under the open-file limit of HAPROXY_FD_LIMIT. */
export function spawnHaproxy(files: string[], args: string[] = []) {
  const haproxy = ["haproxy", ...files.flatMap((f) => ["-f", f]), ...args].map((a) => `'${a}'`).join(" ");
  return Bun.spawn(["sh", "-c", `ulimit -n ${HAPROXY_FD_LIMIT} && exec ${haproxy}`], { stdout: "ignore", stderr: "pipe" });
}

/** A hand-driven terminal on instance `i` (not through HAProxy) that answers keep-alive probes itself. */
export async function terminalOn(c: Cluster, i: number, sn: string): Promise<TestTerminal> {
  const instance = c.instances[i];
  if (!instance) throw new Error(`no instance ${i}`);
  const t = await connectTerminal(instance.ws());
  t.ws.addEventListener("message", (ev) => {
    const m = JSON.parse(String(ev.data)) as Record<string, unknown>;
    if (m.cmd === "gettime") t.send({ ret: "gettime", sn, result: true, time: "2026-03-01 08:00:00" });
  });
  const answer = await t.register(sn);
  if (answer.result !== true) throw new Error(`${sn} was not registered on instance ${i}: ${JSON.stringify(answer)}`);
  return t;
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const n = options.instances ?? 3;
  const schema = `tm20_cluster_${process.pid}_${Date.now().toString(36)}`;
  const dir = tempDir("tm20-cluster-");
  const directUrl = `${PG_BASE}?search_path=${schema}`;
  const sql = new SQL(directUrl, { max: 4 });
  await sql.unsafe(`CREATE SCHEMA ${schema}`);
  const pgTarget = new URL(PG_BASE);
  const pg = new TcpRelay({ host: pgTarget.hostname, port: Number(pgTarget.port || 5432) });
  const relayed = new URL(PG_BASE);
  relayed.port = String(pg.port);
  const pgUrl = `${relayed.toString()}?search_path=${schema}`;
  const ownRedis = options.redis === undefined;
  const redis = options.redis ?? redisServer(freePort());
  if (ownRedis) await redis.start();

  const instances: Tm20Process[] = [];
  let haproxy: Subprocess<"ignore", "ignore", "pipe"> | null = null;
  let haproxyFailed: string | null = null;
  const stop = async () => {
    const lb = haproxy;
    haproxy = null;
    lb?.kill();
    // A test that froze an instance (SIGSTOP) and failed before thawing it must not hang here.
    for (const t of instances) t.proc.kill("SIGCONT");
    await Promise.all(instances.map((t) => t.stop().catch(() => 0)));
    if (ownRedis) await redis.stop();
    pg.stop();
    await sql.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
    await sql.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const args = ["--cluster", "--pg-url", pgUrl, "--redis-url", `redis://127.0.0.1:${redis.port}`, ...(options.args ?? [])];
    const prefixFlag = args.indexOf("--redis-prefix");
    const redisPrefix = prefixFlag >= 0 ? (args[prefixFlag + 1] ?? "") : `tm20:${pgTarget.pathname.slice(1)}/${schema}`;
    const key = `${randomBytes(32).toString("base64")}\n`;
    // One after the other: the first one creates the schema's tables.
    for (let i = 0; i < n; i++) {
      const dataDir = join(dir, `instance-${i}`);
      mkdirSync(dataDir);
      writeFileSync(join(dataDir, SECRET_KEY_FILE), key, { mode: 0o600 });
      instances.push(await startTm20({ args, dataDir }));
    }
    const lbPort = freePort();
    const cfg = join(dir, "haproxy.cfg");
    const statsCfg = join(dir, "haproxy-stats.cfg");
    const statsPort = freePort();
    writeFileSync(cfg, haproxyConfig(lbPort, instances.map((t) => t.port)));
    writeFileSync(statsCfg, haproxyStats(statsPort));
    const lb = spawnHaproxy([cfg, statsCfg], ["-db"]);
    haproxy = lb;
    void lb.exited.then(async (code) => {
      if (haproxy === lb) haproxyFailed = `haproxy exited with ${code}: ${await new Response(lb.stderr).text()}`;
    });
    // Not through the relay, and not spawnSync: the relay lives on this process's event loop.
    const cli = async (cliArgs: string[], stdin?: string) => {
      const proc = Bun.spawn([tm20Binary(), ...cliArgs, "--cluster", "--pg-url", directUrl], {
        stdin: stdin === undefined ? "ignore" : new TextEncoder().encode(stdin),
        stdout: "pipe",
        stderr: "pipe",
      });
      const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
      return { code, stdout, stderr };
    };
    const created = await cli(["token", "create", "--name", "cluster-test"]);
    if (created.code !== 0) throw new Error(`token create failed: ${created.stderr}`);
    const token = created.stdout.trim().split("\n").pop() ?? "";
    const entry = { http: `http://127.0.0.1:${lbPort}`, ws: `ws://127.0.0.1:${lbPort}/pub/chat` };
    const lbStates = async () => {
      if (haproxyFailed) throw new Error(haproxyFailed);
      const csv = await (await fetch(`http://127.0.0.1:${statsPort}/stats;csv`)).text();
      const rows = csv.split("\n").map((line) => line.split(","));
      const status = rows[0]?.indexOf("status") ?? -1;
      return rows.filter((r) => r[0] === "tm20_instances" && r[1]?.startsWith("tm20-")).map((r) => r[status] ?? "");
    };
    const waitForLb = (timeoutMs = 30_000) =>
      until(
        "HAProxy to have every instance up",
        async () => {
          // Refused while HAProxy is starting.
          const states = await lbStates().catch((err: unknown) => {
            if (haproxyFailed) throw err;
            return [];
          });
          return states.filter((st) => st === "UP").length === n;
        },
        timeoutMs,
        200,
      );
    await waitForLb();
    let adminMade: Promise<void> | null = null;
    const uiSession = async (i: number) => {
      const password = "cluster-test-password";
      adminMade ??= cli(["admin", "create", "--username", "ops"], `${password}\n`).then((made) => {
        if (made.code !== 0) throw new Error(`admin create failed: ${made.stderr}`);
      });
      await adminMade;
      const csrf = "x".repeat(40);
      const res = await fetch(`${instances[i]?.http}/login`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie: `tm20_pre=${csrf}` },
        body: new URLSearchParams({ _csrf: csrf, username: "ops", password, next: "/" }),
      });
      const session = /tm20_session=([^;]+)/.exec(res.headers.get("set-cookie") ?? "")?.[1];
      if (res.status !== 303 || !session) throw new Error(`login on instance ${i} failed: ${res.status}`);
      return `tm20_session=${session}`;
    };
    return {
      instances,
      lb: entry,
      pgUrl,
      schema,
      sql,
      pg,
      redis,
      redisPrefix,
      token,
      api: (i, path, init) => {
        const headers = new Headers(init?.headers);
        headers.set("authorization", `Bearer ${token}`);
        const instance = instances[i];
        if (!instance) throw new Error(`no instance ${i}`);
        return fetch(`${instance.http}${path}`, { ...init, headers });
      },
      cli,
      uiSession,
      lbStates,
      waitForLb,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
