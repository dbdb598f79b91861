/**
 * The whole suite, as `npm test` and CI run it: the store contract test under Node (better-sqlite3),
 * then `bun test` over test/. Output streams through as each runner prints it; then one line per
 * runner and, last, the sum: `N passed, N failed[, N skipped]`. Exit code 1 on any failure.
 * The suite as a whole has TM20_SUITE_TIMEOUT_MIN minutes (default 25, well under CI's 90): a
 * runner still going then is stopped, with what it finished counted and one failure for the rest.
 *
 *   bun run scripts/run-tests.ts [path filters passed to bun test]
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dir, "..");
const NODE_STORE_TEST = "test/store/sqlite-store.test.ts";
/** Integration tests start real servers and fleets of terminals. */
const TEST_TIMEOUT_MS = 60_000;
const SUITE_TIMEOUT_ENV = "TM20_SUITE_TIMEOUT_MIN";
const DEFAULT_SUITE_TIMEOUT_MIN = 25;
/** After SIGTERM, how long a stopped runner (and the servers it started) gets before SIGKILL. */
const STOP_GRACE_MS = 10_000;

export interface Tally {
  passed: number;
  failed: number;
  skipped: number;
}

const count = (text: string, re: RegExp) => {
  const m = re.exec(text);
  return m ? Number(m[1]) : 0;
};
const lines = (text: string, re: RegExp) => text.match(re)?.length ?? 0;

/**
 * bun test's closing summary: " 12 pass", " 1 skip", " 0 fail", " 2 errors" (todo counts as
 * skipped). An error outside any test (a file that fails to load, an exception between tests) is
 * a failure. Bun counts a file that fails to load both as a "fail" and as an "error", but an
 * error between the tests of a file that loaded only as an "error": so the failures are the
 * failed tests ("(fail)" lines, before any recap Bun prints after them) plus the errors, and
 * never fewer than Bun's own "fail".
 */
export function parseBunSummary(output: string): Tally | null {
  if (!/^Ran \d+ tests? across/m.test(output)) return null;
  const recap = output.search(/^\d+ tests? (failed|skipped|todo):$/m);
  const failLines = lines(recap === -1 ? output : output.slice(0, recap), /^\(fail\) /gm);
  const errors = count(output, /^\s*(\d+) errors?$/m);
  return {
    passed: count(output, /^\s*(\d+) pass$/m),
    failed: Math.max(count(output, /^\s*(\d+) fail$/m), failLines + errors),
    skipped: count(output, /^\s*(\d+) skip$/m) + count(output, /^\s*(\d+) todo$/m),
  };
}

/** What a bun test run that never reached its summary got through, from its per-test lines. */
export function parseBunProgress(output: string): Tally {
  return {
    passed: lines(output, /^\(pass\) /gm),
    failed: lines(output, /^\(fail\) /gm),
    skipped: lines(output, /^\((skip|todo)\) /gm),
  };
}

/** node --test's TAP trailer: "# pass 38", "# fail 0", "# cancelled 0", "# skipped 0", "# todo 0". */
export function parseTapSummary(tap: string): Tally | null {
  if (!/^# tests \d+$/m.test(tap)) return null;
  return {
    passed: count(tap, /^# pass (\d+)$/m),
    failed: count(tap, /^# fail (\d+)$/m) + count(tap, /^# cancelled (\d+)$/m),
    skipped: count(tap, /^# skipped (\d+)$/m) + count(tap, /^# todo (\d+)$/m),
  };
}

export function summaryLine(t: Tally): string {
  return `${t.passed} passed, ${t.failed} failed${t.skipped > 0 ? `, ${t.skipped} skipped` : ""}`;
}

/** The suite's time limit from TM20_SUITE_TIMEOUT_MIN; a value that is not a positive number is an error. */
export function suiteTimeoutMs(env: Record<string, string | undefined>): number {
  const raw = env[SUITE_TIMEOUT_ENV];
  if (raw === undefined || raw === "") return DEFAULT_SUITE_TIMEOUT_MIN * 60_000;
  const minutes = Number(raw);
  if (!Number.isFinite(minutes) || minutes <= 0) throw new Error(`${SUITE_TIMEOUT_ENV}=${raw}: expected a number of minutes`);
  return minutes * 60_000;
}

/** How one runner ended, as main() saw it. */
export interface Leg {
  name: string;
  code: number;
  /** Stopped at the suite's time limit after this many minutes. */
  timedOutAfterMin: number | null;
  /** Its closing summary, null when it printed none. */
  summary: Tally | null;
  /** What its per-test lines show, for a runner stopped before its summary. */
  progress: Tally;
}

/**
 * A runner's count, never greener than how it ended: stopped at the time limit, died before its
 * summary, or exited non-zero with no failed test, each adds one failure, with a line saying why.
 */
export function judge(leg: Leg): { tally: Tally; problem: string | null } {
  if (leg.timedOutAfterMin !== null) {
    return {
      tally: { ...leg.progress, failed: leg.progress.failed + 1 },
      problem: `${leg.name} was still running when the suite's ${leg.timedOutAfterMin} min ran out (${SUITE_TIMEOUT_ENV}): stopped; what it finished is counted, the rest is 1 failure`,
    };
  }
  if (leg.summary === null) {
    return { tally: { ...leg.progress, failed: leg.progress.failed + 1 }, problem: `${leg.name} exited with code ${leg.code} and no summary` };
  }
  if (leg.code !== 0 && leg.summary.failed === 0) {
    return { tally: { ...leg.summary, failed: 1 }, problem: `${leg.name} exited with code ${leg.code} although no test failed` };
  }
  return { tally: leg.summary, problem: null };
}

/** The runner now going, in a process group of its own so that stopping it stops the servers its tests started. */
let running: { pid: number } | null = null;

function stopGroup(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Runs a command with its output shown as it comes, until it exits or `deadline` passes. */
async function stream(argv: string[], deadline: number): Promise<{ code: number; output: string; timedOut: boolean }> {
  if (Date.now() >= deadline) return { code: 1, output: "", timedOut: true };
  const proc = Bun.spawn(argv, { cwd: root, stdout: "pipe", stderr: "pipe", stdin: "ignore", env: process.env, detached: true });
  running = proc;
  let timedOut = false;
  let kill: ReturnType<typeof setTimeout> | undefined;
  const timer = setTimeout(() => {
    timedOut = true;
    stopGroup(proc.pid, "SIGTERM");
    kill = setTimeout(() => stopGroup(proc.pid, "SIGKILL"), STOP_GRACE_MS);
  }, deadline - Date.now());
  let output = "";
  const pump = async (from: ReadableStream<Uint8Array>, to: NodeJS.WriteStream) => {
    const decoder = new TextDecoder();
    for await (const chunk of from) {
      output += decoder.decode(chunk, { stream: true });
      to.write(chunk);
    }
  };
  try {
    await Promise.all([pump(proc.stdout, process.stdout), pump(proc.stderr, process.stderr)]);
    return { code: await proc.exited, output, timedOut };
  } finally {
    clearTimeout(timer);
    clearTimeout(kill);
    running = null;
  }
}

async function main(filters: string[]): Promise<number> {
  let timeoutMs: number;
  try {
    timeoutMs = suiteTimeoutMs(process.env);
  } catch (err) {
    console.error(`run-tests: ${(err as Error).message}`);
    return 2;
  }
  const timeoutMin = Math.round((timeoutMs / 60_000) * 10) / 10;
  const deadline = Date.now() + timeoutMs;
  // Ctrl-C or a CI cancel reaches run-tests only: pass it on to the runner's group.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (running) stopGroup(running.pid, signal);
      process.exit(signal === "SIGINT" ? 130 : 143);
    });
  }
  const legs: Leg[] = [];
  const none: Tally = { passed: 0, failed: 0, skipped: 0 };

  const runNode = filters.length === 0 || filters.some((f) => NODE_STORE_TEST.includes(f.replace(/^\.\//, "")));
  if (runNode) {
    const name = `node --test ${NODE_STORE_TEST} (better-sqlite3)`;
    console.log(`\n── ${name} ──`);
    const dir = mkdtempSync(join(tmpdir(), "tm20-tap-"));
    const tapFile = join(dir, "report.tap");
    try {
      const run = await stream(
        [
          "node",
          "--import", "tsx",
          "--import", "./test/helpers/node-sql-loader.mjs",
          "--test",
          "--test-reporter=spec", "--test-reporter-destination=stdout",
          "--test-reporter=tap", `--test-reporter-destination=${tapFile}`,
          NODE_STORE_TEST,
        ],
        deadline,
      );
      let tap = "";
      try {
        tap = readFileSync(tapFile, "utf8");
      } catch {
        // no report: judged as a runner without a summary
      }
      legs.push({ name, code: run.code, timedOutAfterMin: run.timedOut ? timeoutMin : null, summary: parseTapSummary(tap), progress: none });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  const name = `bun test ${filters.length > 0 ? filters.join(" ") : "./test/"}`;
  console.log(`\n── ${name} ──`);
  // On the command line: Bun 1.4 applies a preload's setDefaultTimeout to the first file only.
  const bun = await stream([process.execPath, "test", "--timeout", String(TEST_TIMEOUT_MS), ...(filters.length > 0 ? filters : ["./test/"])], deadline);
  legs.push({ name, code: bun.code, timedOutAfterMin: bun.timedOut ? timeoutMin : null, summary: parseBunSummary(bun.output), progress: parseBunProgress(bun.output) });

  console.log("");
  const total: Tally = { passed: 0, failed: 0, skipped: 0 };
  const verdicts = legs.map((leg) => ({ leg, ...judge(leg) }));
  for (const { problem } of verdicts) if (problem) console.error(`run-tests: ${problem}`);
  for (const { leg, tally } of verdicts) {
    console.log(`${leg.name}: ${summaryLine(tally)}`);
    total.passed += tally.passed;
    total.failed += tally.failed;
    total.skipped += tally.skipped;
  }
  console.log(summaryLine(total));
  return total.failed > 0 ? 1 : 0;
}

if (import.meta.main) process.exit(await main(process.argv.slice(2)));
