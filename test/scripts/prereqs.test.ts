/**
 * scripts/prereqs.sh decides what the test suite needs and whether it can get it. Each case runs
 * the real script with a PATH of its own: a few real harmless tools, and stand-ins for id, sudo,
 * apt-get, pg_lsclusters, pg_ctlcluster, psql and the programs looked for. The stand-ins only
 * record how they were called, so nothing is ever installed, started or removed on this machine.
 */
import { afterAll, expect, test } from "bun:test";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort } from "../helpers/cluster.ts";
import { PG_BASE } from "../helpers/postgres.ts";

const root = resolve(import.meta.dir, "../..");
const work = mkdtempSync(join(tmpdir(), "tm20-prereqs-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const BASH = Bun.which("bash") ?? "/bin/bash";
/** Real tools the script may use that change nothing. */
const REAL = ["bash", "sh", "env", "true", "chmod", "mktemp", "tail", "rm", "sleep"];

interface Machine {
  uid?: number;
  /** Programs present; each a stand-in that does nothing. */
  programs?: string[];
  /** apt-get present: "ok" installs the stand-in of each package it is asked for, "fail" fails like a missing package. */
  apt?: "ok" | "fail";
  /** Password-less sudo present. */
  sudo?: boolean;
  /** A local PostgreSQL cluster "15 main" on this port, down, that pg_ctlcluster starts. */
  pgCluster?: number;
  /** psql present, failing with this message. */
  psqlFails?: string;
  chromium?: "present" | "absent";
  /** python3 with requests importable (the default), or without it. */
  python?: "requests" | "no-requests";
  pgUrl?: string;
  /** TM20_TEST_REDIS; redis-server's stand-in "starts" it (the test then listens there). */
  redisAddr?: string;
}

let n = 0;
function machine(m: Machine) {
  const dir = join(work, `m${n++}`);
  const bin = join(dir, "bin");
  const log = join(dir, "calls.log");
  mkdirSync(bin, { recursive: true });
  const tool = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  const record = (name: string) => `echo "${name} $*" >>"${log}"`;
  for (const name of REAL) {
    const real = Bun.which(name);
    if (real) symlinkSync(real, join(bin, name));
  }
  tool("id", `echo ${m.uid ?? 0}`);
  tool("python3", m.python === "no-requests" ? "exit 1" : "exit 0");
  for (const program of m.programs ?? []) tool(program, program === "redis-server" ? `${record("redis-server")}\n: >"${dir}/redis-started"` : "exit 0");
  const chromium = join(dir, "chromium");
  if (m.chromium !== "absent") {
    writeFileSync(chromium, "#!/bin/sh\n");
    chmodSync(chromium, 0o755);
  }
  if (m.apt) {
    const install = `for p in "$@"; do case "$p" in chromium) printf '#!/bin/sh\\n' >"${chromium}"; chmod +x "${chromium}";; python3-requests) printf '#!/bin/sh\\n' >"${bin}/python3"; chmod +x "${bin}/python3";; -*|install) ;; *) printf '#!/bin/sh\\n' >"${bin}/$p"; chmod +x "${bin}/$p";; esac; done`;
    const fail = 'for p in "$@"; do last="$p"; done; echo "E: Unable to locate package $last"; exit 100';
    tool("apt-get", `${record("apt-get")}\n[ "$3" = install ] || exit 0\nshift 3\n${m.apt === "fail" ? fail : install}`);
  }
  if (m.sudo) tool("sudo", `${record("sudo")}\n[ "$1" = -n ] && shift\nexec "$@"`);
  if (m.pgCluster !== undefined) {
    tool("pg_lsclusters", `echo "15 main ${m.pgCluster} down postgres /var/lib/postgresql/15/main /var/log/x.log"`);
    // "Starting" it is leaving a note the test answers by listening on the port.
    tool("pg_ctlcluster", `${record("pg_ctlcluster")}\n: >"${dir}/started"`);
  }
  if (m.psqlFails) tool("psql", `echo 'psql: error: ${m.psqlFails}' >&2\necho 'second line' >&2\nexit 2`);
  return {
    dir,
    bin,
    env: { PATH: bin, HOME: dir, TMPDIR: dir, TM20_CHROMIUM: chromium, TM20_TEST_PG: m.pgUrl ?? PG_BASE, TM20_TEST_REDIS: m.redisAddr ?? "127.0.0.1:6379" },
    calls: () => (existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : []),
  };
}

async function prereqs(mc: ReturnType<typeof machine>) {
  const proc = Bun.spawn([BASH, "scripts/prereqs.sh"], { cwd: root, env: mc.env, stdout: "pipe", stderr: "pipe" });
  // Plays the PostgreSQL that pg_ctlcluster "starts", and the Redis that redis-server "starts".
  type Listener = { stop(closeActiveConnections?: boolean): void };
  const listeners: Record<string, Listener | null> = { started: null, "redis-started": null };
  const ports: Record<string, number> = { started: Number(new URL(mc.env.TM20_TEST_PG).port), "redis-started": Number(mc.env.TM20_TEST_REDIS.split(":")[1]) };
  const watch = setInterval(() => {
    for (const note of Object.keys(listeners)) {
      if (!listeners[note] && existsSync(join(mc.dir, note))) listeners[note] = Bun.listen({ hostname: "127.0.0.1", port: ports[note] ?? 0, socket: { data() {} } });
    }
  }, 50);
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearInterval(watch);
  for (const listener of Object.values(listeners)) listener?.stop(true);
  return { code, stdout, stderr };
}

const ALL = ["redis-server", "haproxy"];
const downPg = () => `postgres://postgres@127.0.0.1:${freePort()}/test`;

test("everything there: ready, nothing installed", async () => {
  const mc = machine({ programs: ALL, apt: "ok" });
  const out = await prereqs(mc);
  expect(out.stderr).toBe("");
  expect(out.stdout).toBe("prereqs: ready (PostgreSQL at 127.0.0.1:5432, Redis at 127.0.0.1:6379, Chromium, HAProxy, python3-requests)\n");
  expect(out.code).toBe(0);
  expect(mc.calls()).toEqual([]);
});

test("haproxy missing and no apt-get: one line naming it and the command that installs it", async () => {
  const out = await prereqs(machine({ programs: ["redis-server"] }));
  expect(out.stdout).toBe("");
  expect(out.stderr).toBe("prereqs: cannot run the tests: missing haproxy — run: apt-get install -y haproxy\n");
  expect(out.code).toBe(1);
});

test("not root and no sudo: nothing is installed; the line says sudo", async () => {
  const mc = machine({ uid: 1000, programs: ["redis-server"], apt: "ok" });
  const out = await prereqs(mc);
  expect(out.stderr).toBe("prereqs: cannot run the tests: missing haproxy — run: sudo apt-get install -y haproxy\n");
  expect(out.code).toBe(1);
  expect(mc.calls()).toEqual([]);
});

test("root with apt-get: installs what is missing in one apt-get call, then is ready", async () => {
  const mc = machine({ programs: [], apt: "ok" });
  const out = await prereqs(mc);
  expect(out.stderr).toBe("");
  expect(out.stdout).toStartWith("prereqs: installing redis-server haproxy (apt-get)\n");
  expect(out.stdout).toContain("prereqs: ready");
  expect(out.code).toBe(0);
  expect(mc.calls()).toEqual(["apt-get -o DPkg::Lock::Timeout=600 update -q", "apt-get -o DPkg::Lock::Timeout=600 install -y -q redis-server haproxy"]);
});

test("password-less sudo: the install goes through sudo", async () => {
  const mc = machine({ uid: 1000, programs: ["redis-server"], apt: "ok", sudo: true });
  const out = await prereqs(mc);
  expect(out.stderr).toBe("");
  expect(out.code).toBe(0);
  expect(mc.calls()).toEqual([
    "sudo -n true",
    "sudo -n env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -q",
    "apt-get -o DPkg::Lock::Timeout=600 update -q",
    "sudo -n env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q haproxy",
    "apt-get -o DPkg::Lock::Timeout=600 install -y -q haproxy",
  ]);
});

test("apt-get fails: one line with apt-get's last word, before any test", async () => {
  const out = await prereqs(machine({ programs: ["redis-server"], apt: "fail" }));
  expect(out.stderr).toBe(
    "prereqs: cannot run the tests: apt-get could not install haproxy (E: Unable to locate package haproxy); missing haproxy — run: apt-get install -y haproxy\n",
  );
  expect(out.code).toBe(1);
});

test("python3 without requests: Debian's python3-requests is installed", async () => {
  const mc = machine({ programs: ALL, apt: "ok", python: "no-requests" });
  const out = await prereqs(mc);
  expect(out.stderr).toBe("");
  expect(out.stdout).toStartWith("prereqs: installing python3-requests (apt-get)\n");
  expect(out.code).toBe(0);
  expect(mc.calls()).toEqual(["apt-get -o DPkg::Lock::Timeout=600 update -q", "apt-get -o DPkg::Lock::Timeout=600 install -y -q python3-requests"]);
});

test("Chromium looked for elsewhere (TM20_CHROMIUM) and not there: named, not installed", async () => {
  const mc = machine({ programs: ALL, apt: "ok", chromium: "absent" });
  const out = await prereqs(mc);
  expect(out.stderr).toBe(`prereqs: cannot run the tests: no Chromium at TM20_CHROMIUM=${mc.env.TM20_CHROMIUM}\n`);
  expect(out.code).toBe(1);
  expect(mc.calls()).toEqual([]);
});

test("PostgreSQL installed but down: started with pg_ctlcluster, then ready", async () => {
  const port = freePort();
  const mc = machine({ programs: ALL, pgCluster: port, pgUrl: `postgres://postgres@127.0.0.1:${port}/test` });
  const out = await prereqs(mc);
  expect(out.stderr).toBe("");
  expect(out.stdout).toBe(`prereqs: starting PostgreSQL 15/main\nprereqs: ready (PostgreSQL at 127.0.0.1:${port}, Redis at 127.0.0.1:6379, Chromium, HAProxy, python3-requests)\n`);
  expect(out.code).toBe(0);
  expect(mc.calls()).toEqual(["pg_ctlcluster --skip-systemctl-redirect 15 main start"]);
});

test("Redis down: a throw-away one started (no root needed), then ready", async () => {
  const addr = `127.0.0.1:${freePort()}`;
  const mc = machine({ uid: 1000, programs: ALL, redisAddr: addr });
  const out = await prereqs(mc);
  expect(out.stderr).toBe("");
  expect(out.stdout).toBe(`prereqs: starting Redis at ${addr}\nprereqs: ready (PostgreSQL at 127.0.0.1:5432, Redis at ${addr}, Chromium, HAProxy, python3-requests)\n`);
  expect(out.code).toBe(0);
  const port = addr.split(":")[1];
  expect(mc.calls()).toEqual([`redis-server --daemonize yes --bind 127.0.0.1 --port ${port} --save  --appendonly no --dir ${mc.dir} --logfile ${mc.dir}/tm20-test-redis.log`]);
});

test("PostgreSQL down and not root: the line names the command that starts it", async () => {
  const port = freePort();
  const mc = machine({ uid: 1000, programs: ALL, pgCluster: port, pgUrl: `postgres://postgres@127.0.0.1:${port}/test` });
  const out = await prereqs(mc);
  expect(out.stderr).toBe("prereqs: cannot run the tests: PostgreSQL 15/main is down — run: sudo pg_ctlcluster 15 main start\n");
  expect(out.code).toBe(1);
  expect(mc.calls()).toEqual([]);
});

test("no PostgreSQL and haproxy missing: one line for both", async () => {
  const mc = machine({ programs: ["redis-server"], pgUrl: downPg() });
  const out = await prereqs(mc);
  const port = new URL(mc.env.TM20_TEST_PG).port;
  expect(out.stderr).toBe(`prereqs: cannot run the tests: missing haproxy; no PostgreSQL at 127.0.0.1:${port} (README.md: Quick start) — run: apt-get install -y haproxy postgresql\n`);
  expect(out.code).toBe(1);
});

test("PostgreSQL up but refusing the tests' login: psql's reason", async () => {
  const out = await prereqs(machine({ programs: ALL, psqlFails: 'FATAL:  database "test" does not exist' }));
  expect(out.stderr).toBe(`prereqs: cannot run the tests: PostgreSQL refuses ${PG_BASE}: psql: error: FATAL:  database "test" does not exist (README.md: Quick start)\n`);
  expect(out.code).toBe(1);
});

test("npm test stops at the prerequisites: the one line, and nothing after it runs", async () => {
  // In a copy of the project's npm setup whose install.sh only says that it ran: npm test must never
  // get as far as installing into the real checkout.
  const mc = machine({ programs: ["redis-server"] });
  const project = join(mc.dir, "project");
  mkdirSync(join(project, "scripts"), { recursive: true });
  for (const file of ["package.json", ".npmrc", "scripts/prereqs.sh"]) copyFileSync(join(root, file), join(project, file));
  writeFileSync(join(project, "install.sh"), 'echo "install.sh ran"; exit 1\n');
  for (const name of ["node", "npm"]) symlinkSync(Bun.which(name) ?? name, join(mc.bin, name));
  const proc = Bun.spawn(["npm", "test"], { cwd: project, env: mc.env, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  expect(stderr).toStartWith("prereqs: cannot run the tests: missing haproxy — run: apt-get install -y haproxy\n");
  expect(`${stdout}${stderr}`).not.toContain("install.sh ran");
  expect(code).toBe(1);
});
