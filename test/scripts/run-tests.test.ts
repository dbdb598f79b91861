import { expect, test } from "bun:test";
import { parseBunSummary, parseTapSummary, summaryLine } from "../../scripts/run-tests.ts";

test("bun test's summary", () => {
  const out = "(pass) a\n(fail) b\n\n 12 pass\n 2 skip\n 1 todo\n 3 fail\n 40 expect() calls\nRan 18 tests across 4 files. [2.00s]\n";
  expect(parseBunSummary(out)).toEqual({ passed: 12, failed: 3, skipped: 3 });
  expect(parseBunSummary(" 5 pass\n 0 fail\nRan 5 tests across 1 file. [1.00s]")).toEqual({ passed: 5, failed: 0, skipped: 0 });
  expect(parseBunSummary("error: crashed\n")).toBeNull();
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
