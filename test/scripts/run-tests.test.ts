import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { judge, type Leg, parseBunProgress, parseBunSummary, parseTapSummary, suiteTimeoutMs, summaryLine } from "../../scripts/run-tests.ts";

const root = resolve(import.meta.dir, "../..");
const work = mkdtempSync(join(tmpdir(), "tm20-run-tests-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

test("bun test's summary", () => {
  const out = "(pass) a\n(fail) b\n\n 12 pass\n 2 skip\n 1 todo\n 3 fail\n 40 expect() calls\nRan 18 tests across 4 files. [2.00s]\n";
  expect(parseBunSummary(out)).toEqual({ passed: 12, failed: 3, skipped: 3 });
  expect(parseBunSummary(" 5 pass\n 0 fail\nRan 5 tests across 1 file. [1.00s]")).toEqual({ passed: 5, failed: 0, skipped: 0 });
  expect(parseBunSummary("error: crashed\n")).toBeNull();
});

// The summaries below are Bun 1.4.4's own, for the cases named (its output, shortened).
test("bun test: errors outside tests are failures, a file that fails to load counts once", () => {
  const cases: Array<[string, string, number]> = [
    // A file whose top level throws: Bun says "1 fail" and "1 error" for it, with no (fail) line.
    ["a file that fails to load", "c.test.ts:\n\n# Unhandled error between tests\nerror: load failure\n\n 0 pass\n 1 fail\n 1 error\nRan 1 test across 1 file. [78.00ms]\n", 1],
    // A rejection at a file's top level, or a throw inside describe(): only "1 error".
    ["an error between the tests of a file that loaded", "g.test.ts:\n\n# Unhandled error between tests\nerror: toplevel rejection\n\n 0 pass\n 0 fail\n 1 error\nRan 0 tests across 1 file. [52.00ms]\n", 1],
    // Both kinds beside a failed test: 2 load failures + the failed test.
    [
      "two files that fail to load and a failed test",
      "a.test.ts:\n(pass) ok [0.1ms]\nerror: boom outside\n(fail) ok2 [28.75ms]\n\nb.test.ts:\n\n# Unhandled error between tests\n\nc.test.ts:\n\n# Unhandled error between tests\n\n 3 pass\n 3 fail\n 2 errors\n 1 expect() calls\nRan 6 tests across 4 files. [81.00ms]\n",
      3,
    ],
    // An error between tests beside a failed test of another file: both count.
    ["an error between tests and a failed test", "x.test.ts:\n(fail) t [1ms]\n\ny.test.ts:\n# Unhandled error between tests\n\n 4 pass\n 1 fail\n 1 error\nRan 5 tests across 2 files. [1s]\n", 2],
  ];
  for (const [name, output, failed] of cases) expect({ name, failed: parseBunSummary(output)?.failed }).toEqual({ name, failed });
});

test("bun test: the recap of failed tests after the run is not counted again", () => {
  const out = "(fail) a [1ms]\n(pass) b [1ms]\n(fail) c [1ms]\n\n2 tests failed:\n(fail) a [1ms]\n(fail) c [1ms]\n\n 1 pass\n 2 fail\n 1 error\nRan 3 tests across 1 file. [1s]\n";
  expect(parseBunSummary(out)).toEqual({ passed: 1, failed: 3, skipped: 0 });
});

test("bun test stopped before its summary: what its per-test lines show", () => {
  expect(parseBunProgress("x.test.ts:\n(pass) a [1ms]\n(pass) b [2ms]\n(skip) c\n(todo) d\n(fail) e [3ms]\nsome (pass) text\n")).toEqual({ passed: 2, failed: 1, skipped: 2 });
  expect(parseBunProgress("")).toEqual({ passed: 0, failed: 0, skipped: 0 });
});

test("node --test's TAP trailer; cancelled tests count as failed", () => {
  const tap = "TAP version 13\nok 1 - a\n1..1\n# tests 41\n# suites 3\n# pass 38\n# fail 1\n# cancelled 1\n# skipped 1\n# todo 0\n# duration_ms 9\n";
  expect(parseTapSummary(tap)).toEqual({ passed: 38, failed: 2, skipped: 1 });
  expect(parseTapSummary("")).toBeNull();
});

test("the summary line", () => {
  expect(summaryLine({ passed: 76, failed: 0, skipped: 0 })).toBe("76 passed, 0 failed");
  expect(summaryLine({ passed: 1, failed: 2, skipped: 3 })).toBe("1 passed, 2 failed, 3 skipped");
});

test("the suite's time limit: 25 minutes, or TM20_SUITE_TIMEOUT_MIN; nonsense is refused", () => {
  expect(suiteTimeoutMs({})).toBe(25 * 60_000);
  expect(suiteTimeoutMs({ TM20_SUITE_TIMEOUT_MIN: "" })).toBe(25 * 60_000);
  expect(suiteTimeoutMs({ TM20_SUITE_TIMEOUT_MIN: "40" })).toBe(40 * 60_000);
  expect(suiteTimeoutMs({ TM20_SUITE_TIMEOUT_MIN: "0.5" })).toBe(30_000);
  for (const bad of ["0", "-3", "soon", "Infinity"]) expect(() => suiteTimeoutMs({ TM20_SUITE_TIMEOUT_MIN: bad })).toThrow(`TM20_SUITE_TIMEOUT_MIN=${bad}: expected a number of minutes`);
});

test("a runner's count is never greener than how it ended", () => {
  const leg = (over: Partial<Leg>): Leg => ({ name: "bun test", code: 0, timedOutAfterMin: null, summary: { passed: 5, failed: 0, skipped: 1 }, progress: { passed: 5, failed: 0, skipped: 1 }, ...over });
  expect(judge(leg({}))).toEqual({ tally: { passed: 5, failed: 0, skipped: 1 }, problem: null });
  expect(judge(leg({ code: 1, summary: { passed: 4, failed: 1, skipped: 0 } }))).toEqual({ tally: { passed: 4, failed: 1, skipped: 0 }, problem: null });
  expect(judge(leg({ code: 3 }))).toEqual({ tally: { passed: 5, failed: 1, skipped: 1 }, problem: "bun test exited with code 3 although no test failed" });
  expect(judge(leg({ code: 134, summary: null, progress: { passed: 2, failed: 0, skipped: 0 } }))).toEqual({
    tally: { passed: 2, failed: 1, skipped: 0 },
    problem: "bun test exited with code 134 and no summary",
  });
  expect(judge(leg({ code: 143, timedOutAfterMin: 25, summary: null, progress: { passed: 7, failed: 1, skipped: 0 } }))).toEqual({
    tally: { passed: 7, failed: 2, skipped: 0 },
    problem: "bun test was still running when the suite's 25 min ran out (TM20_SUITE_TIMEOUT_MIN): stopped; what it finished is counted, the rest is 1 failure",
  });
});

test("a hung suite is stopped at the time limit, with the processes it started, and ends with its count", async () => {
  // Outside test/, so that only this run finds it: one test passes, the next hangs with a child process.
  const pidFile = join(work, "sleeper.pid");
  const file = join(work, "hang.test.ts");
  writeFileSync(
    file,
    `import { test } from "bun:test";
import { writeFileSync } from "node:fs";
test("finishes", () => {});
test("hangs", async () => {
  const sleeper = Bun.spawn(["sleep", "600"]);
  writeFileSync(${JSON.stringify(pidFile)}, String(sleeper.pid));
  await new Promise(() => {});
});
`,
  );
  const started = Date.now();
  const proc = Bun.spawn([process.execPath, "scripts/run-tests.ts", file], {
    cwd: root,
    env: { ...process.env, TM20_SUITE_TIMEOUT_MIN: "0.1" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  expect(Date.now() - started).toBeLessThan(40_000);
  expect(stderr).toContain(`run-tests: bun test ${file} was still running when the suite's 0.1 min ran out (TM20_SUITE_TIMEOUT_MIN): stopped; what it finished is counted, the rest is 1 failure\n`);
  expect(stdout.trimEnd().split("\n").slice(-2)).toEqual([`bun test ${file}: 1 passed, 1 failed`, "1 passed, 1 failed"]);
  expect(code).toBe(1);
  // The test's own child went with it.
  const pid = Number(readFileSync(pidFile, "utf8"));
  expect(existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z ")).toBe(false);
}, 60_000);
