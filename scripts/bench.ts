/**
 * The benchmark: `./node_modules/.bin/bun scripts/bench.ts [--quick] [--bin PATH] [--only a,b]`.
 *
 * Runs the compiled binary and `tm20 simulate` as separate processes on this machine (they share
 * its cores, as they would share a small server with nothing) and prints what BENCHMARKS.md
 * records: terminals held, acknowledged records/s, messages/s, answer latency, memory per idle
 * terminal, start-up time, and API query and admin UI page times on a store of 1,000,000
 * attendance rows; `pg` and `cluster` (issue 7, below) run the PostgreSQL store and three
 * instances behind HAProxy; `timesheets` (issue 14) a month's rebuild, the pure rules and then with
 * the SQLite store, no binary; `timesheets-ingest` the throughput load with the daily results kept
 * current and without (`--timesheet-updates on|off`); `timesheets-visible` how soon a late-uploaded
 * punch's day shows through the API, with no load, normal load and the latency load; `access-latency` (issue 16) the latency load
 * with half the terminals in server mode (the server decides each punch) and half not, at once;
 * `ui-scale` (issue 13) page and live-event sizes with 20,000 offline terminals;
 * `command-throughput` (issue 16) the access tables sent to many doors at once (`--doors N`).
 * Everything targets 127.0.0.1, uses free ports and temp directories, and stops by itself.
 */
import { Database } from "bun:sqlite";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { SQL, type Subprocess } from "bun";
import { freePort, haproxyConfig, redisServer, until } from "../test/helpers/cluster.ts";
import { connectTerminal } from "../test/helpers/terminal.ts";
import { serialOf } from "../src/simulator/run.ts";
import { USERLOCKS_PER_FRAME } from "../src/protocol/index.ts";
import { ACCESS_PEOPLE, benchLevels, benchPerson, benchSchedules, decideBench } from "./bench-access.ts";
import { describeTimesheetBench, describeTimesheetStoreBench, timesheetsBench, timesheetsStoreBench } from "./bench-timesheets.ts";

const root = resolve(import.meta.dir, "..");
const args = process.argv.slice(2);
const quick = args.includes("--quick");
const flagValue = (name: string) => {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
};
const only = flagValue("--only")?.split(",");
const scratch = mkdtempSync(join(tmpdir(), "tm20-bench-"));

interface Scale {
  holdTerminals: number;
  holdSeconds: number;
  throughputTerminals: number;
  throughputBatch: number;
  throughputSeconds: number;
  latencyTerminals: number;
  latencySeconds: number;
  rows: number;
  startups: number;
  queryRuns: number;
}

const scale: Scale = quick
  ? { holdTerminals: 2000, holdSeconds: 15, throughputTerminals: 200, throughputBatch: 50, throughputSeconds: 10, latencyTerminals: 1000, latencySeconds: 15, rows: 200_000, startups: 3, queryRuns: 10 }
  : { holdTerminals: 10_000, holdSeconds: 30, throughputTerminals: 200, throughputBatch: 50, throughputSeconds: 60, latencyTerminals: 1000, latencySeconds: 60, rows: 1_000_000, startups: 7, queryRuns: 30 };

// ---------------------------------------------------------------- processes

function buildBinary(): string {
  const given = flagValue("--bin");
  if (given) return resolve(given);
  const out = join(scratch, "tm20");
  const proc = Bun.spawnSync([process.execPath, "scripts/build.ts"], { cwd: root, env: { ...process.env, TM20_BUILD_OUT: out }, stdout: "pipe", stderr: "pipe" });
  if (proc.exitCode !== 0) throw new Error(`build failed:\n${proc.stdout.toString()}${proc.stderr.toString()}`);
  return out;
}

interface Server {
  proc: Subprocess<"ignore", "pipe", "pipe">;
  port: number;
  pid: number;
  stop(): Promise<number>;
}

/** Starts `tm20 serve` on a free port; its log is drained (a full pipe would stall the server). */
async function startServer(bin: string, dataDir: string, extra: string[] = []): Promise<Server> {
  // Every simulated terminal connects from 127.0.0.1: the per-address limit (64 by default) would cap them.
  const proc = Bun.spawn([bin, "serve", "--port", "0", "--host", "127.0.0.1", "--data-dir", dataDir, "--max-connections-per-address", "1000000", ...extra], {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, TM20_LOG_LEVEL: "info" },
  });
  const port = await new Promise<number>((resolvePort, reject) => {
    let buffer = "";
    let found = false;
    void (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of proc.stdout) {
        if (found) continue;
        buffer += decoder.decode(chunk, { stream: true });
        const m = /"port":(\d+).*"msg":"TM20 Server listening"/.exec(buffer);
        if (m) {
          found = true;
          buffer = "";
          resolvePort(Number(m[1]));
        }
      }
    })();
    void (async () => {
      for await (const _ of proc.stderr) {
        // drained
      }
    })();
    void proc.exited.then((code) => reject(new Error(`tm20 serve exited with ${code}`)));
  });
  return {
    proc,
    port,
    pid: proc.pid,
    async stop() {
      proc.kill("SIGTERM");
      return proc.exited;
    },
  };
}

interface SimSummary {
  terminals: number;
  registered: number;
  sent: number;
  acknowledged: number;
  failures: number;
  timeouts: number;
  reconnects: number;
  seconds: number;
  acknowledged_per_second: number;
  latency_ms: { p50: number; p95: number; p99: number; max: number };
  /** CPU the simulator process used (user + system), so a run can tell it from the server's. */
  cpu_seconds: number;
}

async function simulate(bin: string, port: number, flags: string[]): Promise<SimSummary> {
  const proc = Bun.spawn([bin, "simulate", "--url", `ws://127.0.0.1:${port}`, "--json", ...flags], { stdout: "pipe", stderr: "pipe" });
  const [, out, err] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  const line = out.trim().split("\n").pop() ?? "";
  const cpu = proc.resourceUsage()?.cpuTime;
  try {
    return { ...(JSON.parse(line) as Omit<SimSummary, "cpu_seconds">), cpu_seconds: round(Number((cpu?.user ?? 0n) + (cpu?.system ?? 0n)) / 1e6) };
  } catch {
    throw new Error(`simulate gave no summary: ${out}${err}`);
  }
}

// ---------------------------------------------------------------- measurements

function rssKiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(m?.[1] ?? 0);
}

/** CPU seconds (user + system) a process has used. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function metrics(port: number, token: string): Promise<Map<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const i = line.lastIndexOf(" ");
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

/** p-th percentile of the server's latency histogram, interpolated inside its bucket as Prometheus does. */
function histogramQuantile(m: Map<string, number>, name: string, q: number): number {
  const buckets = [...m.entries()]
    .filter(([k]) => k.startsWith(`${name}_bucket{le="`))
    .map(([k, v]) => ({ le: k.includes('"+Inf"') ? Infinity : Number(/le="([^"]+)"/.exec(k)?.[1]), n: v }))
    .sort((a, b) => a.le - b.le);
  const total = buckets[buckets.length - 1]?.n ?? 0;
  if (total === 0) return 0;
  const rank = q * total;
  let prevLe = 0;
  let prevN = 0;
  for (const b of buckets) {
    if (b.n >= rank) {
      if (b.le === Infinity) return prevLe;
      return prevLe + ((b.le - prevLe) * (rank - prevN)) / Math.max(1, b.n - prevN);
    }
    prevLe = b.le;
    prevN = b.n;
  }
  return prevLe;
}

function token(bin: string, dataDir: string, storeFlags: string[] = []): string {
  const proc = Bun.spawnSync([bin, "token", "create", "--name", "bench", "--data-dir", dataDir, ...storeFlags], { stdout: "pipe", stderr: "pipe" });
  if (proc.exitCode !== 0) throw new Error(`token create failed: ${proc.stderr.toString()}`);
  return proc.stdout.toString().trim().split("\n").pop() ?? "";
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] ?? 0;
};
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? 0;
};
const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

const results: Record<string, unknown> = {};
const lines: string[] = [];
const report = (text: string) => {
  lines.push(text);
  console.log(text);
};

// ---------------------------------------------------------------- scenarios

async function holdScenario(bin: string) {
  const dir = join(scratch, "hold");
  const tok = token(bin, dir);
  const srv = await startServer(bin, dir);
  await Bun.sleep(1000);
  const idleRss = rssKiB(srv.pid);
  const idleHeap = (await metrics(srv.port, tok)).get("tm20_process_heap_bytes") ?? 0;
  const n = scale.holdTerminals;
  // One record each (so every terminal has been through the write path), then idle until the end.
  const sim = simulate(bin, srv.port, ["--terminals", String(n), "--batch", "1", "--rate", "0.0001", "--duration", String(scale.holdSeconds), "--connect-rate", "2000", "--prefix", "HOLD", "--grace", "5"]);
  let registered = 0;
  let heldRss = 0;
  let heldHeap = 0;
  const trend: number[] = [];
  const deadline = performance.now() + scale.holdSeconds * 1000;
  while (performance.now() < deadline - 2000) {
    await Bun.sleep(1000);
    const m = await metrics(srv.port, tok);
    registered = m.get("tm20_terminals_registered") ?? 0;
    if (registered === n) {
      heldRss = rssKiB(srv.pid);
      heldHeap = m.get("tm20_process_heap_bytes") ?? 0;
      trend.push(heldRss);
    }
  }
  const m = await metrics(srv.port, tok);
  const summary = await sim;
  await srv.stop();
  const perTerminal = heldRss > 0 ? ((heldRss - idleRss) * 1024) / n : NaN;
  results.hold = { terminals: n, registered_at_peak: registered, connections: m.get("tm20_connections_active"), idle_rss_kib: idleRss, held_rss_kib: heldRss, rss_trend_kib: trend, idle_heap_bytes: idleHeap, held_heap_bytes: heldHeap, bytes_per_terminal: Math.round(perTerminal), simulate: summary };
  report(`hold: ${n} terminals, registered and held ${registered} (simulator: ${summary.registered} registered at the end, ${summary.reconnects} reconnects)`);
  report(`hold: RSS ${idleRss} KiB idle → ${heldRss} KiB with ${n} idle registered terminals = ${round(perTerminal / 1024, 2)} KiB per terminal (JS heap ${round(idleHeap / 1048576)} → ${round(heldHeap / 1048576)} MiB; RSS samples while held, KiB: ${trend.join(" ")})`);
}

async function throughputScenario(bin: string) {
  const dir = join(scratch, "throughput");
  const tok = token(bin, dir);
  const srv = await startServer(bin, dir);
  const before = await metrics(srv.port, tok);
  const cpu0 = cpuSeconds(srv.pid);
  const summary = await simulate(bin, srv.port, [
    "--terminals", String(scale.throughputTerminals), "--batch", String(scale.throughputBatch), "--rate", "0",
    "--duration", String(scale.throughputSeconds), "--prefix", "TP", "--grace", "10",
  ]);
  const after = await metrics(srv.port, tok);
  const cpu = cpuSeconds(srv.pid) - cpu0;
  const rss = rssKiB(srv.pid);
  await srv.stop();
  const db = new Database(join(dir, "tm20.db"), { readonly: true });
  const stored = (db.query("SELECT count(*) AS n FROM attendance").get() as { n: number }).n;
  db.close();
  const messages = (k: string) => (after.get(`tm20_messages_total{direction="${k}"}`) ?? 0) - (before.get(`tm20_messages_total{direction="${k}"}`) ?? 0);
  const msgPerSec = (messages("in") + messages("out")) / summary.seconds;
  const commits = (after.get("tm20_commit_batch_records_count") ?? 0) - (before.get("tm20_commit_batch_records_count") ?? 0);
  results.throughput = { simulate: summary, stored, messages_per_second: Math.round(msgPerSec), commits, server_cpu_seconds: round(cpu), server_rss_kib: rss };
  report(`throughput: ${scale.throughputTerminals} terminals × batches of ${scale.throughputBatch}, as fast as acknowledged, ${scale.throughputSeconds} s`);
  report(`throughput: ${summary.acknowledged} acknowledged (${summary.acknowledged_per_second}/s), ${stored} rows stored, ${summary.failures} result:false, ${summary.timeouts} time-outs`);
  report(`throughput: ${Math.round(msgPerSec)} messages/s, ${commits} commits (${round(summary.acknowledged / Math.max(1, commits), 0)} records each), latency p50 ${summary.latency_ms.p50} / p95 ${summary.latency_ms.p95} / p99 ${summary.latency_ms.p99} ms, server CPU ${round(cpu)} s of ${summary.seconds} s`);
}

async function latencyScenario(bin: string) {
  const dir = join(scratch, "latency");
  const tok = token(bin, dir);
  const srv = await startServer(bin, dir);
  const running = simulate(bin, srv.port, [
    "--terminals", String(scale.latencyTerminals), "--batch", "10", "--rate", "1", "--duration", String(scale.latencySeconds), "--prefix", "LAT", "--grace", "10",
  ]);
  // The first seconds are a registration storm; steady state is measured from the server's histogram after it.
  const warmupSeconds = Math.round(scale.latencySeconds / 6);
  await Bun.sleep(warmupSeconds * 1000);
  const warm = await metrics(srv.port, tok);
  const summary = await running;
  const m = await metrics(srv.port, tok);
  await srv.stop();
  const steady = new Map([...m].map(([k, v]) => [k, v - (warm.get(k) ?? 0)]));
  const q = (from: Map<string, number>, p: number) => round(histogramQuantile(from, "tm20_latency_seconds", p) * 1000, 2);
  const server = { p50: q(m, 0.5), p95: q(m, 0.95), p99: q(m, 0.99) };
  const steadyServer = { p50: q(steady, 0.5), p95: q(steady, 0.95), p99: q(steady, 0.99), answers: steady.get("tm20_latency_seconds_count") ?? 0 };
  const commitMs = (p: number) => round(histogramQuantile(steady, "tm20_commit_duration_seconds", p) * 1000, 2);
  const commits = { p50: commitMs(0.5), p99: commitMs(0.99), count: steady.get("tm20_commit_duration_seconds_count") ?? 0, max_lag_ms: round((m.get("tm20_event_loop_lag_seconds") ?? 0) * 1000) };
  results.latency = { simulate: summary, server_histogram_ms: server, steady_state_after_s: warmupSeconds, steady_server_histogram_ms: steadyServer, steady_commits_ms: commits };
  report(`latency: ${scale.latencyTerminals} terminals × one batch of 10 per second, ${scale.latencySeconds} s: ${summary.acknowledged} acknowledged (${summary.acknowledged_per_second}/s), ${summary.failures} result:false`);
  report(`latency: at the terminal (whole run, registration storm included) p50 ${summary.latency_ms.p50} / p95 ${summary.latency_ms.p95} / p99 ${summary.latency_ms.p99} / max ${summary.latency_ms.max} ms; server histogram p50 ${server.p50} / p95 ${server.p95} / p99 ${server.p99} ms`);
  report(`latency: steady state after the first ${warmupSeconds} s (${steadyServer.answers} answers), server histogram p50 ${steadyServer.p50} / p95 ${steadyServer.p95} / p99 ${steadyServer.p99} ms; ${commits.count} commits, p50 ${commits.p50} / p99 ${commits.p99} ms each`);
}

/**
 * Seeds a migrated store with what years of a 500-terminal site leave: `rows` attendance rows,
 * a tenth as many door events, the terminals, 5,000 people with credentials (photos for some),
 * groups, quarantined records, audit entries and a command history. Straight SQL, one transaction.
 */
function seed(bin: string, dir: string, rows: number): string {
  const tok = token(bin, dir); // creates and migrates the store
  const db = new Database(join(dir, "tm20.db"));
  db.run("PRAGMA journal_mode = WAL");
  db.run("PRAGMA synchronous = OFF");
  const start = Date.UTC(2025, 0, 1);
  const year = 365 * 86_400_000;
  const terminals = 500;
  const people = 5000;
  const sn = (i: number) => `T${String(i % terminals).padStart(5, "0")}`;
  const wall = (ts: number) => new Date(ts).toISOString().slice(0, 19).replace("T", " ");
  db.run("BEGIN");
  const attendance = db.prepare("INSERT INTO attendance (sn, enrollid, time, ts, mode, inout, event, received_at) VALUES (?, ?, ?, ?, 1, ?, 0, ?)");
  for (let i = 0; i < rows; i++) {
    // Spread over a year, about 2,700 a day.
    const ts = start + Math.floor((i / rows) * year);
    attendance.run(sn(i), 1 + (i % people), wall(ts), ts, i % 2, ts);
  }
  const door = db.prepare("INSERT INTO door_events (sn, time, ts, mode, inout, event, received_at) VALUES (?, ?, ?, 0, 0, ?, ?)");
  for (let i = 0; i < rows / 10; i++) {
    const ts = start + Math.floor((i / (rows / 10)) * year);
    door.run(sn(i), wall(ts), ts, 1 + (i % 8), ts);
  }
  const end = start + year;
  const terminal = db.prepare(
    `INSERT INTO terminals (sn, name, location, approval, online, first_seen, last_seen, model, firmware, user_size, user_used, fp_size, fp_used, face_size, face_used, card_size, card_used, log_size, log_used, newlog_used, devinfo)
     VALUES (?, ?, ?, ?, 0, ?, ?, 'AI518', 'ai518_f34v_2.09', 3000, ?, 3000, ?, 1000, 120, 3000, 800, 100000, ?, 0, ?)`,
  );
  const clock = db.prepare("INSERT INTO terminal_clock (sn, drift_seconds, checked_at) VALUES (?, ?, ?)");
  for (let i = 0; i < terminals; i++) {
    const devinfo = JSON.stringify({ modelname: "AI518", usersize: 3000, fpsize: 3000, cardsize: 3000, logsize: 100000, firmware: "ai518_f34v_2.09", mac: "00-01-A9-00-00-00" });
    terminal.run(sn(i), `Gate ${i}`, `Building ${i % 20}`, i % 50 === 49 ? "pending" : "approved", start, end - (i % 7) * 3600_000, 400 + (i % 2000), 800, 20_000 + i, devinfo);
    clock.run(sn(i), (i % 11) - 5 + (i % 97 === 0 ? 300 : 0), end);
  }
  const group = db.prepare("INSERT INTO terminal_groups (name, sync, created_at, updated_at) VALUES (?, ?, ?, ?)");
  const member = db.prepare("INSERT INTO terminal_group_members (group_id, sn, added_at) VALUES (?, ?, ?)");
  for (let g = 1; g <= 10; g++) {
    group.run(`Building group ${g}`, g % 2, start, start);
    for (let i = (g - 1) * 50; i < g * 50; i++) member.run(g, sn(i), start);
  }
  const person = db.prepare("INSERT INTO people (enrollid, name, external_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?)");
  const credential = db.prepare("INSERT INTO credentials (enrollid, backupnum, data, source_sn, updated_at) VALUES (?, ?, ?, ?, ?)");
  const holder = db.prepare("INSERT INTO terminal_people (sn, enrollid, updated_at) VALUES (?, ?, ?)");
  const template = Buffer.alloc(1200, 7).toString("base64");
  const photo = Buffer.alloc(6000, 9).toString("base64");
  for (let id = 1; id <= people; id++) {
    person.run(id, `Person ${id}`, `HR-${id}`, start, start);
    credential.run(id, 0, template, sn(id), start);
    credential.run(id, 11, String(100_000 + id), sn(id), start);
    if (id % 10 === 4) credential.run(id, 50, photo, sn(id), start);
    for (let k = 0; k < 5; k++) holder.run(sn(id + k * 100), id, start);
  }
  const quarantine = db.prepare("INSERT INTO quarantine (sn, kind, raw, reason, received_at) VALUES (?, 'sendlog', ?, 'time: not a valid date', ?)");
  for (let i = 0; i < 5000; i++) quarantine.run(sn(i), JSON.stringify({ enrollid: i, time: "2025-13-45 99:99:99", mode: 1, inout: 0, event: 0 }), start + i * 6000_000);
  const audit = db.prepare("INSERT INTO audit_log (at, actor, action, target, details, result) VALUES (?, ?, ?, ?, ?, 'ok')");
  const actions = ["terminal.update", "person.update", "terminal.approve", "settings.update", "token.create"];
  for (let i = 0; i < 20_000; i++) audit.run(start + i * 1_500_000, i % 3 === 0 ? "user:admin" : "token:hr", actions[i % actions.length] ?? "", sn(i), JSON.stringify({ name: `Gate ${i % terminals}` }));
  // A push of everyone to every terminal: job 1, with a command per terminal and person slice.
  db.run(`INSERT INTO jobs (kind, target, params, status, actor, created_at, updated_at, finished_at) VALUES ('push', 'terminals:all', '{}', 'failed', 'user:admin', ${end}, ${end}, ${end})`);
  const command = db.prepare("INSERT INTO commands (sn, command, params, status, attempts, max_attempts, actor, job_id, reason, created_at, updated_at, finished_at) VALUES (?, ?, '{}', ?, 1, 3, 'user:admin', ?, ?, ?, ?, ?)");
  for (let i = 0; i < 20_000; i++) {
    const at = start + i * 1_500_000;
    const failed = i % 50 === 0;
    command.run(sn(i), i % 4 === 0 ? "opendoor" : "setuserinfo", failed ? "failed" : "succeeded", i % 2 === 0 ? 1 : null, failed ? "terminal answered result:false" : null, at, at, at + 2000);
  }
  db.run("COMMIT");
  db.run("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
  return tok;
}

async function storeScenario(bin: string) {
  const dir = join(scratch, "store");
  const t0 = performance.now();
  const tok = seed(bin, dir, scale.rows);
  const seedSeconds = (performance.now() - t0) / 1000;
  report(`store: seeded ${scale.rows} attendance rows in ${round(seedSeconds)} s`);

  // Start-up: spawn to the first accepted terminal WebSocket, on this existing store.
  const startups: number[] = [];
  for (let i = 0; i < scale.startups; i++) {
    const port = freePort();
    const spawnedAt = performance.now();
    const proc = Bun.spawn([bin, "serve", "--port", String(port), "--host", "127.0.0.1", "--data-dir", dir], { stdin: "ignore", stdout: "ignore", stderr: "ignore", env: { ...process.env, TM20_LOG_LEVEL: "warn" } });
    let ms = NaN;
    while (performance.now() - spawnedAt < 10_000) {
      if (await canOpen(`ws://127.0.0.1:${port}/pub/chat`)) {
        ms = performance.now() - spawnedAt;
        break;
      }
      await Bun.sleep(2);
    }
    proc.kill("SIGTERM");
    await proc.exited;
    startups.push(ms);
  }
  results.startup_ms = { runs: startups.map((x) => round(x)), median: round(median(startups)) };
  report(`start-up to accepting a terminal, ${scale.rows}-row store: median ${round(median(startups))} ms (runs: ${startups.map((x) => round(x, 0)).join(", ")})`);

  createAdmin(bin, dir);
  const srv = await startServer(bin, dir);
  const api = async (path: string) => {
    const t = performance.now();
    const res = await fetch(`http://127.0.0.1:${srv.port}${path}`, { headers: { authorization: `Bearer ${tok}` } });
    const body = (await res.json()) as { items?: unknown[]; next?: string | null };
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
    return { ms: performance.now() - t, body };
  };
  const first = await api("/api/v1/attendance?limit=100");
  const cursor = encodeURIComponent(first.body.next ?? "");
  const queries: Array<[string, string]> = [
    ["latest 100", "/api/v1/attendance?limit=100"],
    ["next page (cursor)", `/api/v1/attendance?limit=100&cursor=${cursor}`],
    ["one terminal, latest 100", "/api/v1/attendance?sn=T00042&limit=100"],
    ["one person, one month", "/api/v1/attendance?enrollid=1234&from=2025-06-01&to=2025-07-01&limit=100"],
    ["one day, all terminals", "/api/v1/attendance?from=2025-06-10&to=2025-06-11&limit=1000"],
    ["stats (counts)", "/api/v1/stats"],
  ];
  const rows: Array<{ name: string; median: number; p95: number; items: number | null }> = [];
  for (const [name, path] of queries) {
    const times: number[] = [];
    let items: number | null = null;
    for (let i = 0; i < scale.queryRuns; i++) {
      const r = await api(path);
      times.push(r.ms);
      items = r.body.items?.length ?? null;
    }
    rows.push({ name, median: round(median(times), 2), p95: round(pct(times, 95), 2), items });
  }
  // A disabled webhook destination from the beginning: the Integrations page counts its backlog.
  const hook = await fetch(`http://127.0.0.1:${srv.port}/api/v1/webhooks`, {
    method: "POST",
    headers: { authorization: `Bearer ${tok}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "payroll", url: "http://127.0.0.1:9/", enabled: false, start: "beginning", event_types: ["attendance", "door_event"] }),
  });
  if (hook.status !== 201) throw new Error(`webhook create: ${hook.status} ${await hook.text()}`);
  const pages = await uiPages(srv.port);
  await srv.stop();
  results.queries = rows;
  results.pages = pages;
  report(`API on ${scale.rows} rows (${scale.queryRuns} runs each, ms):`);
  for (const r of rows) report(`  ${r.name.padEnd(28)} median ${String(r.median).padStart(8)}  p95 ${String(r.p95).padStart(8)}${r.items === null ? "" : `  (${r.items} items)`}`);
  report(`admin UI pages on ${scale.rows} rows, logged in (${scale.queryRuns} runs each, ms to the whole page; CSV: to its first byte):`);
  for (const r of pages) report(`  ${r.name.padEnd(36)} median ${String(r.median).padStart(8)}  p95 ${String(r.p95).padStart(8)}  ${r.path}`);
}

const BENCH_ADMIN = { username: "bench", password: "bench password 1" };

function createAdmin(bin: string, dir: string) {
  const proc = Bun.spawnSync([bin, "admin", "create", "--username", BENCH_ADMIN.username, "--role", "admin", "--data-dir", dir], {
    stdin: new TextEncoder().encode(`${BENCH_ADMIN.password}\n`),
    stdout: "pipe",
    stderr: "pipe",
  });
  if (proc.exitCode !== 0) throw new Error(`admin create failed: ${proc.stderr.toString()}`);
}

/** Logs in as a browser does (pre-session CSRF cookie, form post) and returns the session cookie. */
async function uiLogin(base: string): Promise<string> {
  const form = await fetch(`${base}/login`);
  const pre = /tm20_pre=([^;]+)/.exec(form.headers.get("set-cookie") ?? "")?.[1] ?? "";
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? "";
  const res = await fetch(`${base}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { cookie: `tm20_pre=${pre}`, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ ...BENCH_ADMIN, _csrf: csrf, next: "/" }),
  });
  const session = /tm20_session=([^;]+)/.exec(res.headers.get("set-cookie") ?? "")?.[1];
  if (res.status !== 303 || !session) throw new Error(`UI login failed: ${res.status}`);
  return `tm20_session=${session}`;
}

/** Every admin UI page on the seeded store: time to the whole rendered page (CSV: to its first bytes). */
async function uiPages(port: number) {
  const base = `http://127.0.0.1:${port}`;
  const cookie = await uiLogin(base);
  const get = async (path: string, firstByteOnly = false) => {
    const t = performance.now();
    const res = await fetch(`${base}${path}`, { headers: { cookie }, redirect: "manual" });
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    let body = "";
    if (firstByteOnly) {
      const reader = res.body?.getReader();
      await reader?.read();
      await reader?.cancel();
    } else {
      body = await res.text();
    }
    return { ms: performance.now() - t, body };
  };
  const nextLink = async (path: string) => {
    const href = /href="([^"]+)" rel="next"/.exec((await get(path)).body)?.[1];
    if (!href) throw new Error(`${path}: no next page`);
    return href.replaceAll("&amp;", "&");
  };
  // The dashboard's numbers are one snapshot shared by every browser for 2 s: each run waits it out.
  const pages: Array<[string, string, ("csv" | "uncached")?]> = [
    ["dashboard (snapshot rebuilt)", "/", "uncached"],
    ["terminals (500, first 100)", "/terminals"],
    ["terminals, search", "/terminals?q=building%207"],
    ["terminals, pending tab", "/terminals?status=pending"],
    ["terminal detail", "/terminals/T00042"],
    ["people", "/people"],
    ["people, search", "/people?q=Person%20123"],
    ["people, next page", await nextLink("/people")],
    ["person detail (photo)", "/people/1234"],
    ["attendance, latest", "/attendance"],
    ["attendance, next page", await nextLink("/attendance")],
    ["attendance, page 3", await nextLink(await nextLink("/attendance"))],
    ["attendance, one month, terminal, in", "/attendance?from=2025-06-01&to=2025-06-30&sn=T00042&inout=0"],
    ["attendance, one person, one month", "/attendance?from=2025-06-01&to=2025-06-30&enrollid=1234"],
    ["attendance, out only", "/attendance?inout=1"],
    ["attendance, no match (inout 7)", "/attendance?inout=7"],
    ["attendance, no match (person 99999)", "/attendance?enrollid=99999"],
    ["attendance, one day, next page", await nextLink("/attendance?from=2025-06-10&to=2025-06-10")],
    ["door events", "/door-events"],
    ["door events, next page", await nextLink("/door-events")],
    ["door events, terminal, in", "/door-events?sn=T00042&inout=0"],
    ["door events, no match (inout 7)", "/door-events?inout=7"],
    ["quarantine", "/quarantine"],
    ["quarantine, next page", await nextLink("/quarantine")],
    ["audit log", "/audit"],
    ["audit log, by action", "/audit?action=terminal.approve"],
    ["audit log, by target", "/audit?target=T00042"],
    ["groups (10 × 50 terminals)", "/groups"],
    ["job (10,000 commands)", "/jobs/1"],
    ["integrations (webhook, 1M backlog)", "/integrations"],
    ["settings", "/settings"],
    ["account", "/account"],
    ["CSV export, first byte (one month)", "/attendance.csv?from=2025-06-01&to=2025-06-30", "csv"],
    ["CSV export, first byte (everything)", "/attendance.csv", "csv"],
  ];
  const out: Array<{ name: string; path: string; median: number; p95: number }> = [];
  for (const [name, path, kind] of pages) {
    await get(path, kind === "csv"); // warm: the first request compiles templates and fills caches
    const times: number[] = [];
    for (let i = 0; i < scale.queryRuns; i++) {
      if (kind === "uncached") await Bun.sleep(2100);
      times.push((await get(path, kind === "csv")).ms);
    }
    out.push({ name, path, median: round(median(times), 1), p95: round(pct(times, 95), 1) });
  }
  return out;
}

function canOpen(url: string): Promise<boolean> {
  return new Promise((resolveOpen) => {
    const ws = new WebSocket(url);
    ws.onopen = () => {
      ws.close();
      resolveOpen(true);
    };
    ws.onerror = () => resolveOpen(false);
  });
}

// ---------------------------------------------------------------- cluster (issue 7)
//
// `pg`: the same two loads on one SQLite instance and one `--cluster` instance on PostgreSQL,
// back to back (the machine's load changes from minute to minute). `cluster`: three instances on
// one PostgreSQL schema and a private Redis, through HAProxy built from docs/haproxy.cfg.
// `balance source` puts every loopback client on one instance, so each load also runs through
// the same HAProxy with `balance roundrobin`: terminals spread evenly over the three, as many
// source addresses would spread them (only a reconnect's stickiness differs). Redis and HAProxy
// come from test/helpers/cluster.ts; the instances are startServer's (info log to a drained pipe,
// PostgreSQL direct), not startCluster's, whose debug logs and PostgreSQL relay cost CPU.

const PG_BASE = process.env.TM20_BENCH_PG ?? "postgres://postgres@127.0.0.1:5432/test";
const clusterSeconds = quick ? 15 : 60;
const holdPerInstance = quick ? 500 : 3000;

const loads = {
  throughput: ["--terminals", "200", "--batch", "50", "--rate", "0"],
  latency: ["--terminals", "1000", "--batch", "10", "--rate", "1"],
};

/** What instances share: a scratch schema on the local PostgreSQL (created by the first instance, dropped at stop) and a private redis-server. */
interface Shared {
  schema: string;
  pgUrl: string;
  redis: ReturnType<typeof redisServer>;
  sql: SQL;
  /** PostgreSQL processes working for this run: our connections' backends, WAL writer, checkpointer, background writer. */
  pgPids(): Promise<number[]>;
  stop(): Promise<void>;
}

let sharedRuns = 0;

async function startShared(): Promise<Shared> {
  const tag = `${process.pid}_${++sharedRuns}`;
  const schema = `tm20_bench_${tag}`;
  const appName = `tm20bench_${tag}`;
  const sql = new SQL(PG_BASE, { max: 1 });
  const redis = redisServer(freePort());
  await redis.start();
  return {
    schema,
    pgUrl: `${PG_BASE}?application_name=${appName}`,
    redis,
    sql,
    async pgPids() {
      const rows = (await sql`SELECT pid FROM pg_stat_activity WHERE application_name = ${appName} OR backend_type IN ('walwriter', 'checkpointer', 'background writer')`) as Array<{ pid: number }>;
      return rows.map((r) => r.pid);
    },
    async stop() {
      await redis.stop();
      await sql.unsafe(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await sql.close();
    },
  };
}

/** Bytes Redis holds (presence entries, mostly). */
function redisBytes(port: number): number {
  const info = Bun.spawnSync(["redis-cli", "-p", String(port), "INFO", "memory"]).stdout.toString();
  return Number(/used_memory:(\d+)/.exec(info)?.[1]);
}

/** HAProxy running docs/haproxy.cfg with our instances as its servers, bound to a free loopback port. */
async function startHaproxy(ports: number[], balance: "source" | "roundrobin") {
  const port = freePort();
  // The docs' maxconn 9000 is below the 10,000 terminals run here: as docs/haproxy.cfg says, raise it
  // as far as the open-file limit allows (two descriptors per proxied connection).
  const fdLimit = Number(Bun.spawnSync(["sh", "-c", "ulimit -Hn"]).stdout.toString().trim()) || 1024;
  const file = join(scratch, `haproxy-${port}.cfg`);
  await Bun.write(file, haproxyConfig(port, ports, { balance, maxconn: Math.min(40_000, Math.floor(fdLimit / 2) - 100) }));
  const proc = Bun.spawn(["haproxy", "-db", "-f", file], { stdout: "ignore", stderr: "ignore" });
  await until("HAProxy to pass /health", async () => (await fetch(`http://127.0.0.1:${port}/health`).catch(() => null))?.ok === true);
  return { port, pid: proc.pid, stop: () => (proc.kill(), proc.exited) };
}

/** `count` instances on `shared` (`--cluster`), or one SQLite instance when it is null. */
async function startInstances(bin: string, count: number, shared: Shared | null) {
  const dirs = Array.from({ length: count }, () => mkdtempSync(join(scratch, "instance-")));
  const storeFlags = shared ? ["--cluster", "--pg-url", shared.pgUrl, "--pg-schema", shared.schema] : [];
  const tok = token(bin, dirs[0] ?? "", storeFlags);
  const servers: Server[] = [];
  for (const dir of dirs) servers.push(await startServer(bin, dir, shared ? [...storeFlags, "--redis-url", `redis://127.0.0.1:${shared.redis.port}`] : []));
  return { servers, tok, dirs };
}

/** Busy core-seconds of the whole machine (everyone's work, ours included). */
function machineBusySeconds(): number {
  const f = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "").trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return (total - (f[3] ?? 0) - (f[4] ?? 0)) / 100;
}

/** CPU seconds per process; 0 for one that has gone (a PostgreSQL backend whose connection closed). */
const cpuOf = (pids: number[]) =>
  new Map(
    pids.map((pid) => {
      try {
        return [pid, cpuSeconds(pid)];
      } catch {
        return [pid, 0];
      }
    }),
  );
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const load = () => loadavg().map((l) => l.toFixed(2)).join(" ");

interface PhaseOptions {
  label: string;
  servers: Server[];
  tok: string;
  shared: Shared | null;
  lb: { port: number; pid: number } | null;
  sim: string[];
}

/**
 * Runs one simulator load against the LB (or the only instance) and sums what the instances saw:
 * messages, the server-side latency histograms (steady state, after the first sixth), CPU of every
 * process involved, RSS, and where the terminals ended up.
 */
async function phase(bin: string, o: PhaseOptions) {
  const loadBefore = load();
  const pgPids = new Set((await o.shared?.pgPids()) ?? []);
  const side = [o.shared?.redis.pid, o.lb?.pid].filter((p): p is number => p !== undefined);
  const cpu0 = { instances: o.servers.map((s) => cpuSeconds(s.pid)), pg: cpuOf([...pgPids]), side: cpuOf(side), machine: machineBusySeconds() };
  const t0 = performance.now();
  const running = simulate(bin, o.lb?.port ?? o.servers[0]?.port ?? 0, [...o.sim, "--duration", String(clusterSeconds), "--prefix", o.label.replace(/\W/g, "").slice(0, 20), "--grace", "10"]);
  const warmupSeconds = Math.round(clusterSeconds / 6);
  await Bun.sleep(warmupSeconds * 1000);
  const warm = await Promise.all(o.servers.map((s) => metrics(s.port, o.tok)));
  for (const pid of (await o.shared?.pgPids()) ?? []) pgPids.add(pid);
  const summary = await running;
  const end = await Promise.all(o.servers.map((s) => metrics(s.port, o.tok)));
  const wall = (performance.now() - t0) / 1000;
  const instanceCpu = o.servers.map((s, i) => round(cpuSeconds(s.pid) - (cpu0.instances[i] ?? 0)));
  const pgCpu = round(sum([...cpuOf([...pgPids])].map(([pid, s]) => s - (cpu0.pg.get(pid) ?? 0))));
  const sideCpu = [...cpuOf(side)].map(([pid, s]) => round(s - (cpu0.side.get(pid) ?? 0)));
  const machine = round(machineBusySeconds() - cpu0.machine);
  // Server-side numbers summed over instances: histogram buckets add up exactly.
  const steady = new Map<string, number>();
  end.forEach((m, i) => {
    for (const [k, v] of m) steady.set(k, (steady.get(k) ?? 0) + v - (warm[i]?.get(k) ?? 0));
  });
  const q = (name: string, p: number) => round(histogramQuantile(steady, name, p) * 1000, 2);
  // Fresh instances: their counters hold the whole run, registration included.
  const messages = sum(end.map((m) => (m.get('tm20_messages_total{direction="in"}') ?? 0) + (m.get('tm20_messages_total{direction="out"}') ?? 0)));
  const held = warm.map((m) => m.get("tm20_terminals_registered") ?? 0);
  const serverSide = sum(instanceCpu) + pgCpu + sum(sideCpu);
  const perMillion = (cpu: number) => round((cpu / Math.max(1, summary.acknowledged)) * 1e6);
  const r = {
    simulate: summary,
    wall_seconds: round(wall),
    load_before: loadBefore,
    load_after: load(),
    terminals_per_instance: held,
    messages_per_second: Math.round(messages / summary.seconds),
    steady_server_latency_ms: { p50: q("tm20_latency_seconds", 0.5), p95: q("tm20_latency_seconds", 0.95), p99: q("tm20_latency_seconds", 0.99) },
    steady_commit_ms: { p50: q("tm20_commit_duration_seconds", 0.5), p99: q("tm20_commit_duration_seconds", 0.99), commits: steady.get("tm20_commit_duration_seconds_count") ?? 0 },
    cpu_seconds: { instances: instanceCpu, postgres: pgCpu, redis_haproxy: sideCpu, simulator: summary.cpu_seconds, machine_busy: machine },
    postgres_share_of_server_cpu: o.shared ? round((100 * pgCpu) / Math.max(0.01, serverSide), 0) : null,
    cpu_seconds_per_million_records: { instances: perMillion(sum(instanceCpu)), postgres: perMillion(pgCpu) },
    rss_kib: o.servers.map((s) => rssKiB(s.pid)),
  };
  report(`${o.label}: ${summary.acknowledged} acknowledged (${summary.acknowledged_per_second}/s), ${summary.failures} result:false, ${summary.timeouts} time-outs, ${summary.reconnects} reconnects; terminals per instance ${held.join("/")}; ${r.messages_per_second} messages/s`);
  report(`${o.label}: latency at the terminal p50 ${summary.latency_ms.p50} / p95 ${summary.latency_ms.p95} / p99 ${summary.latency_ms.p99} ms; server steady state p50 ${r.steady_server_latency_ms.p50} / p95 ${r.steady_server_latency_ms.p95} / p99 ${r.steady_server_latency_ms.p99} ms; commits p50 ${r.steady_commit_ms.p50} / p99 ${r.steady_commit_ms.p99} ms`);
  report(`${o.label}: CPU s in ${r.wall_seconds} s: instances ${instanceCpu.join(" / ")}, PostgreSQL ${pgCpu}${o.shared ? ` (${r.postgres_share_of_server_cpu} % of the server side)` : ""}, redis/haproxy ${sideCpu.join(" / ") || "-"}, simulator ${summary.cpu_seconds}, whole machine ${machine} (others ${round(machine - serverSide - summary.cpu_seconds)}); per million records: instances ${r.cpu_seconds_per_million_records.instances} s, PostgreSQL ${r.cpu_seconds_per_million_records.postgres} s; RSS KiB ${r.rss_kib.join(" / ")}; load ${loadBefore} → ${r.load_after}`);
  return r;
}

async function stopAll(servers: Server[]) {
  await Promise.all(servers.map((s) => s.stop()));
}

/** Bytes the attendance rows take: SQLite's whole file (nearly all of it attendance), PostgreSQL's table and indexes. */
async function storeBytes(dirOrShared: string | Shared) {
  if (typeof dirOrShared === "string") {
    const db = new Database(join(dirOrShared, "tm20.db"), { readonly: true });
    const rows = (db.query("SELECT count(*) AS n FROM attendance").get() as { n: number }).n;
    db.close();
    const bytes = statSync(join(dirOrShared, "tm20.db")).size;
    return { rows, bytes, per_million_mib: round((bytes / Math.max(1, rows)) * 1e6 / 1048576) };
  }
  const t = `${dirOrShared.schema}.attendance`;
  const [r] = (await dirOrShared.sql.unsafe(`SELECT count(*)::int AS rows, pg_table_size('${t}')::bigint AS heap, pg_indexes_size('${t}')::bigint AS idx FROM ${t}`)) as Array<{ rows: number; heap: string; idx: string }>;
  const rows = r?.rows ?? 0;
  const bytes = Number(r?.heap) + Number(r?.idx);
  return { rows, bytes, heap_bytes: Number(r?.heap), index_bytes: Number(r?.idx), per_million_mib: round((bytes / Math.max(1, rows)) * 1e6 / 1048576) };
}

async function pgScenario(bin: string) {
  const out: Record<string, unknown> = {};
  for (const [name, sim] of Object.entries(loads)) {
    for (const store of ["sqlite", "postgresql"] as const) {
      const shared = store === "postgresql" ? await startShared() : null;
      try {
        const { servers, tok, dirs } = await startInstances(bin, 1, shared);
        let r: Awaited<ReturnType<typeof phase>>;
        try {
          r = await phase(bin, { label: `${store} ${name}`, servers, tok, shared, lb: null, sim });
        } finally {
          await stopAll(servers); // SQLite: the WAL is folded back before its size is read
        }
        const disk = name === "throughput" ? await storeBytes(shared ?? dirs[0] ?? "") : undefined;
        if (disk) report(`${store} ${name}: ${disk.rows} rows take ${disk.bytes} bytes = ${disk.per_million_mib} MiB per million`);
        out[`${store}_${name}`] = { ...r, disk };
      } finally {
        await shared?.stop();
      }
    }
  }
  results.pg_single = out;
}

async function clusterScenario(bin: string) {
  const out: Record<string, unknown> = {};
  const run = async (key: string, fn: (servers: Server[], tok: string, shared: Shared) => Promise<unknown>) => {
    const shared = await startShared();
    try {
      const { servers, tok } = await startInstances(bin, 3, shared);
      try {
        out[key] = await fn(servers, tok, shared);
      } finally {
        await stopAll(servers);
      }
    } finally {
      await shared.stop();
    }
  };
  for (const [name, sim] of Object.entries(loads)) {
    for (const balance of ["source", "roundrobin"] as const) {
      await run(`${name}_${balance}`, async (servers, tok, shared) => {
        const lb = await startHaproxy(servers.map((s) => s.port), balance);
        try {
          const r = await phase(bin, { label: `cluster ${name} via haproxy balance ${balance}`, servers, tok, shared, lb, sim });
          const disk = name === "throughput" ? await storeBytes(shared) : undefined;
          if (disk) report(`cluster ${name}: ${disk.rows} rows take ${disk.bytes} bytes (table ${disk.heap_bytes}, indexes ${disk.index_bytes}) = ${disk.per_million_mib} MiB per million`);
          return { ...r, disk };
        } finally {
          await lb.stop();
        }
      });
    }
  }
  // Memory per idle terminal on a cluster instance, and in Redis (presence entries).
  await run("hold", async (servers, tok, shared) => {
    const lb = await startHaproxy(servers.map((s) => s.port), "roundrobin");
    try {
      await Bun.sleep(1000);
      const idle = servers.map((s) => rssKiB(s.pid));
      const redisIdle = redisBytes(shared.redis.port);
      const n = holdPerInstance * servers.length;
      const sim = simulate(bin, lb.port, ["--terminals", String(n), "--batch", "1", "--rate", "0.0001", "--duration", "40", "--connect-rate", "1000", "--prefix", "CHOLD", "--grace", "5"]);
      await Bun.sleep(35_000);
      const registered = (await Promise.all(servers.map((s) => metrics(s.port, tok)))).map((m) => m.get("tm20_terminals_registered") ?? 0);
      const held = servers.map((s) => rssKiB(s.pid));
      const redisHeld = redisBytes(shared.redis.port);
      await sim;
      const perTerminal = servers.map((_, i) => round((((held[i] ?? 0) - (idle[i] ?? 0)) / Math.max(1, registered[i] ?? 0)), 2));
      const redisPerTerminal = round((redisHeld - redisIdle) / n, 0);
      report(`cluster hold: ${n} idle terminals through haproxy (roundrobin), registered ${registered.join("/")}; RSS KiB ${idle.join("/")} → ${held.join("/")} = ${perTerminal.join(" / ")} KiB per terminal; Redis ${redisIdle} → ${redisHeld} bytes = ${redisPerTerminal} bytes per terminal`);
      return { terminals: n, registered, idle_rss_kib: idle, held_rss_kib: held, kib_per_terminal: perTerminal, redis_bytes: [redisIdle, redisHeld], redis_bytes_per_terminal: redisPerTerminal };
    } finally {
      await lb.stop();
    }
  });
  results.cluster = out;
}

// ---------------------------------------------------------------- timesheets (issue 14)

/** The rules alone, then the whole rebuild on a SQLite store (scripts/bench-timesheets.ts), in this process: the binary is not involved. */
async function timesheetsScenario(_bin: string) {
  const r = timesheetsBench(1000, quick ? 3 : 7);
  report(describeTimesheetBench(r));
  const withStore = await timesheetsStoreBench(1000, quick ? 1 : 3);
  report(describeTimesheetStoreBench(withStore));
  results.timesheets = { rules: r, rebuild: withStore };
}

/**
 * What keeping the daily results current costs ingest: the throughput load twice, with
 * `--timesheet-updates off` and on (the default), alternating so a busy machine's drift hits both.
 * With updates on, every committed page's person-days are recomputed after the commit (the
 * simulator's 500 people, a punch a second each).
 */
async function timesheetIngestScenario(bin: string) {
  const rounds = quick ? 3 : 2;
  const rates: Record<"off" | "on", number[]> = { off: [], on: [] };
  // The server's CPU per acknowledged record: on a machine others load, steadier than the rate.
  const cpuPerRecord: Record<"off" | "on", number[]> = { off: [], on: [] };
  for (let r = 0; r < rounds; r++) {
    for (const mode of ["off", "on"] as const) {
      const dir = join(scratch, `ts-ingest-${mode}-${r}`);
      const srv = await startServer(bin, dir, ["--timesheet-updates", mode]);
      const cpu0 = cpuSeconds(srv.pid);
      const summary = await simulate(bin, srv.port, [
        "--terminals", String(scale.throughputTerminals), "--batch", String(scale.throughputBatch), "--rate", "0",
        "--duration", String(scale.throughputSeconds), "--prefix", "TS", "--grace", "10",
      ]);
      const cpu = cpuSeconds(srv.pid) - cpu0;
      await srv.stop();
      rates[mode].push(summary.acknowledged_per_second);
      cpuPerRecord[mode].push(round((cpu * 1e6) / Math.max(1, summary.acknowledged), 1));
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const cost = 1 - mean(rates.on) / Math.max(1, mean(rates.off));
  const cpuCost = mean(cpuPerRecord.on) / Math.max(0.1, mean(cpuPerRecord.off)) - 1;
  results.timesheetIngest = { rounds, off: rates.off, on: rates.on, cost_percent: round(cost * 100, 1), cpu_us_per_record: cpuPerRecord, cpu_cost_percent: round(cpuCost * 100, 1) };
  report(`timesheets ingest: ${scale.throughputTerminals} terminals × batches of ${scale.throughputBatch}, ${scale.throughputSeconds} s a run, ${rounds} round(s): acknowledged/s with updates off ${rates.off.join(", ")}, on ${rates.on.join(", ")}: cost ${round(cost * 100, 1)} %`);
  report(`timesheets ingest: server CPU per acknowledged record, µs: off ${cpuPerRecord.off.join(", ")}, on ${cpuPerRecord.on.join(", ")}: ${round(cpuCost * 100, 1)} % more with updates on`);
}

/**
 * How soon a late punch's day is visible (issue 14: within 1 s at normal load). A test terminal
 * uploads a person's in and out of three days ago (a log handed over late) and the day is polled
 * through the API every 20 ms from the upload's acknowledgement until it shows both punches; one
 * probe a second, each a different person, with no other load, at issue 5's normal load (1,000
 * terminals, 100 records/s in all) and at the latency benchmark's (1,000 terminals, 10,000/s).
 * A probe waits at most 30 s; one not visible by then is counted as such and the next follows.
 */
async function timesheetVisibleScenario(bin: string) {
  const dir = join(scratch, "ts-visible");
  const tok = token(bin, dir);
  const srv = await startServer(bin, dir, ["--tz", "UTC"]);
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${srv.port}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${tok}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Record<string, unknown>;
  };
  const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
  const probes = quick ? 10 : 30;
  const loads = [
    { name: "no other load", sim: null, probes },
    { name: "normal load (1,000 terminals, 100 records/s)", sim: ["--terminals", "1000", "--batch", "1", "--rate", "0.1"], probes },
    { name: "the latency load (1,000 terminals, 10,000 records/s)", sim: ["--terminals", "1000", "--batch", "10", "--rate", "1"], probes: 5 },
  ];
  const people = 1 + loads.reduce((n, l) => n + l.probes, 0);
  try {
    await api("POST", "/departments", { name: "Office" });
    await api("POST", "/shifts", { name: "Day", start: "09:00", end: "17:00", breakMinutes: 30 });
    await api("POST", "/schedules", { shiftId: 1, departmentId: 1, weekdays: [1, 2, 3, 4, 5, 6, 7], from: day(-30) });
    for (let i = 0; i < people; i++) {
      await api("POST", "/people", { enrollid: 900_001 + i, name: `Probe ${i}` });
      await api("PATCH", `/people/${900_001 + i}`, { departmentId: 1, departmentFrom: day(-30) });
    }
    const t = await connectTerminal(`ws://127.0.0.1:${srv.port}/pub/chat`);
    await t.register("PROBE1");
    const date = day(-3);
    let person = 900_001;
    let logindex = 1;
    /** ms from the upload's acknowledgement until the API shows the day with both punches; null: not within 30 s. */
    const probe = async (i: number): Promise<number | null> => {
      const record = [`${date} 08:58:00`, `${date} 17:0${i % 10}:00`].map((time) => ({ enrollid: person, time, mode: 1, inout: 0, event: 0 }));
      t.send({ cmd: "sendlog", sn: "PROBE1", count: 2, logindex, record });
      logindex += 2;
      await t.next((m) => m.ret === "sendlog", 30_000);
      const acked = performance.now();
      const who = person++;
      for (;;) {
        const page = await api("GET", `/timesheets/days?from=${date}&to=${date}&enrollid=${who}`);
        if ((page.items as Array<Record<string, unknown>>)[0]?.lastOut === record[1]?.time) return round(performance.now() - acked, 0);
        if (performance.now() - acked > 30_000) return null;
        await Bun.sleep(20);
      }
    };
    // The setup's recomputation (each person's department set) settles first; this probe is not counted.
    await Bun.sleep(3000);
    await probe(0);
    const out: Record<string, { ms: number[]; notVisibleIn30s: number; p50: number; p95: number; max: number; load: number }> = {};
    for (const load of loads) {
      const warmup = 8;
      const sim = load.sim ? Bun.spawn([bin, "simulate", "--url", `ws://127.0.0.1:${srv.port}`, ...load.sim, "--duration", "3600", "--prefix", "VIS", "--grace", "1"], { stdout: "ignore", stderr: "ignore" }) : null;
      if (sim) await Bun.sleep(warmup * 1000);
      const ms: number[] = [];
      let missed = 0;
      try {
        for (let i = 0; i < load.probes; i++) {
          const took = await probe(i);
          if (took === null) missed++;
          else ms.push(took);
          await Bun.sleep(1000);
        }
      } finally {
        sim?.kill();
        await sim?.exited;
      }
      const load1 = round(loadavg()[0] ?? 0, 1);
      out[load.name] = { ms, notVisibleIn30s: missed, p50: median(ms), p95: pct(ms, 95), max: Math.max(0, ...ms), load: load1 };
      report(`timesheets visible, ${load.name}: ${load.probes} late uploads, ${missed} not visible within 30 s; ms from the acknowledgement to the day shown by the API: median ${median(ms)}, p95 ${pct(ms, 95)}, max ${Math.max(0, ...ms)} (all: ${ms.join(", ")}; 1-minute load ${load1})`);
      // The follower catches up with what the load left before the next load's probes.
      await Bun.sleep(10_000);
    }
    t.close();
    results.timesheetVisible = out;
  } finally {
    await srv.stop();
  }
}

// ---------------------------------------------------------------- access control (issue 16)

/**
 * A server-mode terminal's answer against a normal one under the same load: the site of
 * scripts/bench-access.ts (1,000 people, 20 levels, 10 schedules) on every door, half the
 * terminals (SRV…) in server mode, half (TRM…) in terminal mode, two simulators at once (one per
 * half, one batch of 10 a second each), so both halves share the server, the machine and its
 * noise. Before the measured run the terminals register once and take the access tables the sync
 * sends them, so that traffic is not in the numbers. Then `decide` alone on the same model.
 */
async function accessLatencyScenario(bin: string) {
  // Fewer doors than the latency scenario: every door is sent a lock per person (25 commands each) before the measured runs.
  const half = quick ? 50 : 100;
  const rounds = quick ? 1 : 2;
  const dir = join(scratch, "access-latency");
  const tok = token(bin, dir);
  const srv = await startServer(bin, dir);
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${srv.port}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${tok}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as { id: number };
  };
  const srvSns = Array.from({ length: half }, (_, i) => serialOf("SRV", i));
  const trmSns = Array.from({ length: half }, (_, i) => serialOf("TRM", i));
  const doors = [...srvSns, ...trmSns];
  const setupStart = performance.now();
  const scheduleIds: number[] = [];
  for (const s of benchSchedules()) scheduleIds.push((await api("POST", "/access/schedules", s)).id);
  // Levels without doors first: while people get their levels no terminal is managed, so no change compiles every door.
  const levels = benchLevels(doors);
  const levelIds: number[] = [];
  for (const l of levels) levelIds.push((await api("POST", "/access/levels", { name: l.name, scheduleId: scheduleIds[l.schedule], terminals: [] })).id);
  for (let p = 1; p <= ACCESS_PEOPLE; p++) {
    const { levels: held, ...person } = benchPerson(p);
    await api("POST", "/people", { ...person, admin: 0, externalId: null });
    if (held.length > 0) await api("PUT", `/people/${p}/access`, { levelIds: held.map((i) => levelIds[i]) });
  }
  for (const [i, l] of levels.entries()) await api("PATCH", `/access/levels/${levelIds[i]}`, { terminals: l.terminals });
  const setupSeconds = round((performance.now() - setupStart) / 1000);

  // Every terminal registers once and is sent its tables; server mode is set once they are known.
  const hold = (prefix: string) => Bun.spawn([bin, "simulate", "--url", `ws://127.0.0.1:${srv.port}`, "--terminals", String(half), "--prefix", prefix, "--records", "0", "--duration", "3600", "--json"], { stdout: "ignore", stderr: "ignore" });
  const holders = [hold("SRV"), hold("TRM")];
  const db = new Database(join(dir, "tm20.db"), { readonly: true });
  const count = (sql: string) => (db.query(sql).get() as { n: number }).n;
  const syncStart = performance.now();
  try {
    await until("every terminal registered", async () => (await metrics(srv.port, tok)).get("tm20_terminals_registered") === 2 * half, 300_000, 500);
    await until("the access tables sent", () => count("SELECT count(*) AS n FROM access_held") === 2 * half && count("SELECT count(*) AS n FROM commands WHERE status IN ('queued', 'sent')") === 0, 900_000, 1000);
  } catch (err) {
    db.close();
    await srv.stop();
    throw err;
  } finally {
    for (const h of holders) h.kill();
    await Promise.all(holders.map((h) => h.exited));
  }
  const syncSeconds = round((performance.now() - syncStart) / 1000);
  const tables = count("SELECT count(*) AS n FROM commands WHERE status = 'succeeded'");
  for (const sn of srvSns) await api("PATCH", `/terminals/${sn}`, { accessMode: "server" });
  report(`access latency: site of ${ACCESS_PEOPLE} people, 20 levels, 10 schedules on ${doors.length} doors loaded through the API in ${setupSeconds} s; the sync sent ${tables} commands of access tables in ${syncSeconds} s before the measured runs`);

  const out: Array<Record<string, unknown>> = [];
  // Each round's terminals register anew (each a sync on reg): latency counts from after that storm.
  const warmupSeconds = Math.round(scale.latencySeconds / 6);
  for (let r = 0; r < rounds; r++) {
    const refusedBefore = count("SELECT count(*) AS n FROM attendance WHERE refused IS NOT NULL");
    const load = (prefix: string) =>
      simulate(bin, srv.port, ["--terminals", String(half), "--batch", "10", "--rate", "1", "--duration", String(scale.latencySeconds), "--warmup", String(warmupSeconds), "--prefix", prefix, "--grace", "10"]);
    const [server, terminal] = await Promise.all([load("SRV"), load("TRM")]);
    const refused = count("SELECT count(*) AS n FROM attendance WHERE refused IS NOT NULL") - refusedBefore;
    const refusedAtTrm = count("SELECT count(*) AS n FROM attendance WHERE refused IS NOT NULL AND sn LIKE 'TRM%'");
    out.push({ server_mode: server, terminal_mode: terminal, refused_punches: refused, refused_at_terminal_mode: refusedAtTrm });
    const l = (s: SimSummary) => `p50 ${s.latency_ms.p50} / p95 ${s.latency_ms.p95} / p99 ${s.latency_ms.p99} / max ${s.latency_ms.max} ms (${s.acknowledged} acknowledged, ${s.failures} result:false, ${s.timeouts} time-outs)`;
    report(`access latency round ${r + 1}: ${half} + ${half} terminals × one batch of 10 per second, ${scale.latencySeconds} s, both halves at once; latency of the batches sent after the first ${warmupSeconds} s`);
    report(`access latency round ${r + 1}: server mode   ${l(server)}; ${refused} punches refused and stored marked`);
    report(`access latency round ${r + 1}: terminal mode ${l(terminal)}; ${refusedAtTrm} refused`);
  }
  db.close();
  await srv.stop();

  const alone = decideBench(doors.slice(0, 20), quick ? 5 : 11);
  report(`access latency: decide() alone on the same model: ${alone.decisions} decisions a pass (${alone.granted} granted), median ${alone.median_us} µs, slowest pass ${alone.max_us} µs per decision`);
  results.accessLatency = { terminals_per_mode: half, seconds: scale.latencySeconds, setup_seconds: setupSeconds, sync_seconds: syncSeconds, table_commands: tables, rounds: out, decide: alone };
}

/**
 * Issue 13, "the UI holds at the scale the server is sold for": a store of `UI_SCALE.terminals`
 * terminals, every one approved and offline (a site-wide power cut), `UI_SCALE.people` people,
 * a group of them all and a level on them all, and `rows` punches; then each main page's size and
 * time, `GET /api/v1/alerts`, and the size of the dashboard's live `status` event.
 */
const UI_SCALE = { terminals: 20_000, people: 20_000, rows: quick ? 500_000 : 2_000_000, runs: quick ? 3 : 5 };

function seedUiScale(bin: string, dir: string): string {
  const tok = token(bin, dir);
  const db = new Database(join(dir, "tm20.db"));
  db.run("PRAGMA journal_mode = WAL");
  db.run("PRAGMA synchronous = OFF");
  const end = Date.now() - 86_400_000;
  const start = end - 365 * 86_400_000;
  const sn = (i: number) => `S${String(i % UI_SCALE.terminals).padStart(5, "0")}`;
  const wall = (ts: number) => new Date(ts).toISOString().slice(0, 19).replace("T", " ");
  db.run("BEGIN");
  const terminal = db.prepare("INSERT INTO terminals (sn, name, location, approval, online, first_seen, last_seen) VALUES (?, ?, ?, 'approved', 0, ?, ?)");
  for (let i = 0; i < UI_SCALE.terminals; i++) terminal.run(sn(i), `Gate ${i}`, `Building ${i % 200}`, start, end);
  const person = db.prepare("INSERT INTO people (enrollid, name, created_at, updated_at) VALUES (?, ?, ?, ?)");
  for (let id = 1; id <= UI_SCALE.people; id++) person.run(id, `Person ${id}`, start, start);
  db.run(`INSERT INTO terminal_groups (name, sync, created_at, updated_at) VALUES ('Everywhere', 0, ${start}, ${start})`);
  const member = db.prepare("INSERT INTO terminal_group_members (group_id, sn, added_at) VALUES (1, ?, ?)");
  for (let i = 0; i < UI_SCALE.terminals; i++) member.run(sn(i), start);
  const attendance = db.prepare("INSERT INTO attendance (sn, enrollid, time, ts, mode, inout, event, received_at) VALUES (?, ?, ?, ?, 1, ?, 0, ?)");
  for (let i = 0; i < UI_SCALE.rows; i++) {
    const ts = start + Math.floor((i / UI_SCALE.rows) * (end - start));
    attendance.run(sn(i * 7), 1 + (i % UI_SCALE.people), wall(ts), ts, i % 2, ts);
  }
  const door = db.prepare("INSERT INTO door_events (sn, time, ts, mode, inout, event, received_at) VALUES (?, ?, ?, 0, 0, ?, ?)");
  for (let i = 0; i < UI_SCALE.rows / 20; i++) {
    const ts = start + Math.floor((i / (UI_SCALE.rows / 20)) * (end - start));
    door.run(sn(i * 3), wall(ts), ts, i % 2, ts);
  }
  db.run("COMMIT");
  db.run("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
  return tok;
}

/** Bytes of the first `status` event on the dashboard's live stream (the one that carries the alerts). */
async function liveStatusBytes(base: string, cookie: string): Promise<number> {
  const ac = new AbortController();
  const res = await fetch(`${base}/live/events`, { headers: { cookie }, signal: ac.signal });
  const reader = res.body?.getReader();
  if (!reader) throw new Error("/live/events: no body");
  const decoder = new TextDecoder();
  let text = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error("/live/events ended before a status event");
      text += decoder.decode(value, { stream: true });
      const at = text.indexOf("event: status");
      const endAt = at === -1 ? -1 : text.indexOf("\n\n", at);
      if (endAt !== -1) return new TextEncoder().encode(text.slice(at, endAt + 2)).length;
    }
  } finally {
    ac.abort();
  }
}

async function uiScaleScenario(bin: string) {
  const dir = join(scratch, "ui-scale");
  const t0 = performance.now();
  const tok = seedUiScale(bin, dir);
  report(`ui-scale: seeded ${UI_SCALE.terminals} terminals (all offline), ${UI_SCALE.people} people, ${UI_SCALE.rows} punches, ${UI_SCALE.rows / 20} door events in ${round((performance.now() - t0) / 1000)} s`);
  createAdmin(bin, dir);
  const srv = await startServer(bin, dir);
  const base = `http://127.0.0.1:${srv.port}`;
  try {
    const cookie = await uiLogin(base);
    const get = async (path: string, headers: Record<string, string>) => {
      const t = performance.now();
      const res = await fetch(`${base}${path}`, { headers, redirect: "manual" });
      const body = new Uint8Array(await res.arrayBuffer());
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${new TextDecoder().decode(body.slice(0, 300))}`);
      return { ms: performance.now() - t, bytes: body.length };
    };
    const pages: Array<[string, string, "ui" | "api"]> = [
      ["dashboard", "/", "ui"],
      ["terminals", "/terminals", "ui"],
      ["terminals, offline", "/terminals?status=offline", "ui"],
      ["attendance", "/attendance", "ui"],
      ["door events", "/door-events", "ui"],
      ["groups", "/groups", "ui"],
      ["group's terminals", "/groups/1/terminals", "ui"],
      ["doors (board)", "/doors", "ui"],
      ["access level, new", "/access/levels/new", "ui"],
      ["people", "/people", "ui"],
      ["timesheets, people", "/timesheets/people", "ui"],
      ["timesheets, summary", "/timesheets/summary", "ui"],
      ["terminal detail", "/terminals/S00042", "ui"],
      ["timesheets, rules", "/timesheets/rules", "ui"],
      ["person detail", "/people/42", "ui"],
      ["people import", "/integrations/import", "ui"],
      ["webhook, new", "/integrations/webhooks/new", "ui"],
      ["GET /api/v1/alerts", "/api/v1/alerts", "api"],
      ["GET /api/v1/terminals (first 100)", "/api/v1/terminals", "api"],
    ];
    const rows: Array<{ name: string; path: string; bytes: number; median_ms: number }> = [];
    for (const [name, path, kind] of pages) {
      const headers: Record<string, string> = kind === "ui" ? { cookie } : { authorization: `Bearer ${tok}` };
      let result: { bytes: number; median_ms: number };
      try {
        await get(path, headers);
        const times: number[] = [];
        let bytes = 0;
        for (let i = 0; i < UI_SCALE.runs; i++) {
          const r = await get(path, headers);
          times.push(r.ms);
          bytes = r.bytes;
        }
        result = { bytes, median_ms: round(median(times), 1) };
      } catch (e) {
        report(`  ${name}: ${(e as Error).message.slice(0, 120)}`);
        result = { bytes: -1, median_ms: -1 };
      }
      rows.push({ name, path, ...result });
    }
    const statusBytes = await liveStatusBytes(base, cookie);
    results.uiScale = { ...UI_SCALE, pages: rows, live_status_event_bytes: statusBytes };
    report(`ui-scale pages (${UI_SCALE.runs} runs each, logged in):`);
    for (const r of rows) report(`  ${r.name.padEnd(24)} ${String(r.bytes).padStart(10)} bytes  median ${String(r.median_ms).padStart(8)} ms  ${r.path}`);
    report(`ui-scale: the dashboard's live status event is ${statusBytes} bytes`);
  } finally {
    await srv.stop();
  }
}

/**
 * How fast queued commands reach many terminals (issue 16): every door is sent the access tables
 * of 1,000 people (25 `setuserlock` + `setdevlock` + `setholiday`, 27 commands a door) at once.
 * The terminals register first with no level on them; one change then puts every door in a level,
 * so a single sync queues every command, and the time runs from that change until none is open.
 * Each terminal has one command in flight; the terminals proceed side by side.
 */
async function commandThroughputScenario(bin: string) {
  const doors = Number(flagValue("--doors") ?? (quick ? 50 : 200));
  const dir = join(scratch, "command-throughput");
  const tok = token(bin, dir);
  const srv = await startServer(bin, dir);
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${srv.port}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${tok}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as { id: number };
  };
  const sns = Array.from({ length: doors }, (_, i) => serialOf("CMD", i));
  const [schedule] = benchSchedules();
  const scheduleId = (await api("POST", "/access/schedules", schedule)).id;
  const levelId = (await api("POST", "/access/levels", { name: "Everywhere", scheduleId, terminals: [] })).id;
  for (let p = 1; p <= ACCESS_PEOPLE; p++) {
    await api("POST", "/people", { enrollid: p, name: `Person ${p}`, admin: 0, externalId: null });
    await api("PUT", `/people/${p}/access`, { levelIds: [levelId] });
  }
  const holder = Bun.spawn([bin, "simulate", "--url", `ws://127.0.0.1:${srv.port}`, "--terminals", String(doors), "--prefix", "CMD", "--records", "0", "--duration", "3600", "--json"], { stdout: "ignore", stderr: "ignore" });
  const db = new Database(join(dir, "tm20.db"), { readonly: true });
  const count = (q: string) => (db.query(q).get() as { n: number }).n;
  const expected = doors * (Math.ceil(ACCESS_PEOPLE / USERLOCKS_PER_FRAME) + 2);
  try {
    await until("every terminal registered", async () => (await metrics(srv.port, tok)).get("tm20_terminals_registered") === doors, 300_000, 500);
    const start = performance.now();
    await api("PATCH", `/access/levels/${levelId}`, { terminals: sns });
    await until("every command queued", () => count("SELECT count(*) AS n FROM commands") >= expected, 900_000, 200);
    const queuedSeconds = round((performance.now() - start) / 1000);
    await until("every command answered", () => count("SELECT count(*) AS n FROM commands WHERE status IN ('queued', 'sent')") === 0, 3_600_000, 500);
    const seconds = round((performance.now() - start) / 1000);
    const succeeded = count("SELECT count(*) AS n FROM commands WHERE status = 'succeeded'");
    report(`command throughput: ${doors} doors × ${expected / doors} commands (access tables of ${ACCESS_PEOPLE} people): all queued after ${queuedSeconds} s, all answered after ${seconds} s: ${round(succeeded / seconds)} commands/s (${succeeded} succeeded of ${count("SELECT count(*) AS n FROM commands")})`);
    results.commandThroughput = { doors, commands: expected, queued_seconds: queuedSeconds, seconds, succeeded, per_second: round(succeeded / seconds) };
  } finally {
    db.close();
    holder.kill();
    await holder.exited;
    await srv.stop();
  }
}

// ---------------------------------------------------------------- main

const scenarios: Record<string, (bin: string) => Promise<void>> = {
  hold: holdScenario,
  throughput: throughputScenario,
  latency: latencyScenario,
  store: storeScenario,
  pg: pgScenario,
  cluster: clusterScenario,
  timesheets: timesheetsScenario,
  "timesheets-ingest": timesheetIngestScenario,
  "timesheets-visible": timesheetVisibleScenario,
  "access-latency": accessLatencyScenario,
  "command-throughput": commandThroughputScenario,
  "ui-scale": uiScaleScenario,
};
const needsBinary = Object.keys(scenarios).some((name) => name !== "timesheets" && (!only || only.includes(name)));

try {
  report(`TM20 Server benchmark${quick ? " (quick)" : ""}: ${new Date().toISOString()}, ${cpus().length} CPUs (${cpus()[0]?.model ?? "?"}), load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}, bun ${Bun.version}`);
  const bin = needsBinary ? buildBinary() : "";
  for (const [name, run] of Object.entries(scenarios)) {
    if (only && !only.includes(name)) continue;
    await run(bin);
    report(`(load average now ${loadavg().map((l) => l.toFixed(2)).join(" ")})`);
  }
  const out = join(root, "test-artifacts", `bench-${Date.now()}.json`);
  await Bun.write(out, JSON.stringify({ quick, scale, results, lines }, null, 2));
  console.log(`results: ${out}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
