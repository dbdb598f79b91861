/**
 * The whole suite, as `npm test` and CI run it: `bun test` over test/, then the store contract
 * test again under Node (better-sqlite3). Output streams through as each runner prints it; the
 * last line is the sum: `N passed, N failed[, N skipped]`. Exit code 1 on any failure.
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

export interface Tally {
  passed: number;
  failed: number;
  skipped: number;
}

const count = (text: string, re: RegExp) => {
  const m = re.exec(text);
  return m ? Number(m[1]) : 0;
};

/** bun test's closing summary: " 12 pass", " 1 skip", " 0 fail" (todo counts as skipped). */
export function parseBunSummary(output: string): Tally | null {
  if (!/^Ran \d+ tests? across/m.test(output)) return null;
  return {
    passed: count(output, /^\s*(\d+) pass$/m),
    failed: count(output, /^\s*(\d+) fail$/m),
    skipped: count(output, /^\s*(\d+) skip$/m) + count(output, /^\s*(\d+) todo$/m),
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

/** Runs a command with its output shown as it comes, and returns what it printed. */
async function stream(argv: string[]): Promise<{ code: number; output: string }> {
  const proc = Bun.spawn(argv, { cwd: root, stdout: "pipe", stderr: "pipe", stdin: "ignore", env: process.env });
  let output = "";
  const pump = async (from: ReadableStream<Uint8Array>, to: NodeJS.WriteStream) => {
    const decoder = new TextDecoder();
    for await (const chunk of from) {
      output += decoder.decode(chunk, { stream: true });
      to.write(chunk);
    }
  };
  await Promise.all([pump(proc.stdout, process.stdout), pump(proc.stderr, process.stderr)]);
  return { code: await proc.exited, output };
}

/** A runner that died before its summary counts as one failure, so a crash never reads as green. */
function tallyOf(name: string, code: number, tally: Tally | null): Tally {
  if (tally === null) {
    console.error(`\nrun-tests: ${name} exited with code ${code} and no summary`);
    return { passed: 0, failed: 1, skipped: 0 };
  }
  if (code !== 0 && tally.failed === 0) {
    console.error(`\nrun-tests: ${name} exited with code ${code} although no test failed`);
    return { ...tally, failed: 1 };
  }
  return tally;
}

async function main(filters: string[]): Promise<number> {
  const parts: Array<[string, Tally]> = [];

  const runNode = filters.length === 0 || filters.some((f) => NODE_STORE_TEST.includes(f.replace(/^\.\//, "")));
  if (runNode) {
    console.log(`\n── node --test ${NODE_STORE_TEST} (better-sqlite3) ──`);
    const dir = mkdtempSync(join(tmpdir(), "tm20-tap-"));
    const tapFile = join(dir, "report.tap");
    try {
      const { code } = await stream([
        "node",
        "--import", "tsx",
        "--import", "./test/helpers/node-sql-loader.mjs",
        "--test",
        "--test-reporter=spec", "--test-reporter-destination=stdout",
        "--test-reporter=tap", `--test-reporter-destination=${tapFile}`,
        NODE_STORE_TEST,
      ]);
      let tap = "";
      try {
        tap = readFileSync(tapFile, "utf8");
      } catch {
        // no report: counted as a failure below
      }
      parts.push(["node", tallyOf("node --test", code, parseTapSummary(tap))]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  console.log(`\n── bun test ${filters.length > 0 ? filters.join(" ") : "./test/"} ──`);
  // On the command line: Bun 1.4 applies a preload's setDefaultTimeout to the first file only.
  const bun = await stream([process.execPath, "test", "--timeout", String(TEST_TIMEOUT_MS), ...(filters.length > 0 ? filters : ["./test/"])]);
  parts.push(["bun", tallyOf("bun test", bun.code, parseBunSummary(bun.output))]);

  const total = parts.reduce<Tally>(
    (sum, [, t]) => ({ passed: sum.passed + t.passed, failed: sum.failed + t.failed, skipped: sum.skipped + t.skipped }),
    { passed: 0, failed: 0, skipped: 0 },
  );
  console.log("");
  for (const [name, t] of parts) console.log(`${name.padEnd(5)} ${summaryLine(t)}`);
  console.log(summaryLine(total));
  return total.failed > 0 ? 1 : 0;
}

if (import.meta.main) process.exit(await main(process.argv.slice(2)));
