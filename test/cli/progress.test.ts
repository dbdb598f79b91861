/** The CLI's progress line: its format by table, and the reporter's throttle, redraw and silence in a pipe. */
import { describe, expect, test } from "bun:test";
import { formatProgress, ProgressReporter, type ProgressSnapshot } from "../../src/cli/progress.ts";

describe("formatProgress", () => {
  const cases: Array<[ProgressSnapshot, string]> = [
    [{ unit: "bytes", done: 1.2e9, total: 1.4e9, elapsedMs: 14_117 }, "1.2 GB of 1.4 GB · 85 MB/s · 3 s left"],
    [{ unit: "bytes", done: 0, total: 1.4e9, elapsedMs: 0 }, "0 B of 1.4 GB"],
    [{ unit: "bytes", done: 512, total: 4096, elapsedMs: 100 }, "512 B of 4.1 kB"],
    [{ unit: "bytes", done: 5e6, total: 5e6, elapsedMs: 2000 }, "5.0 MB of 5.0 MB · 2.5 MB/s · 0 s left"],
    [{ unit: "rows", done: 12_000, total: 50_000, elapsedMs: 3000 }, "12,000 of 50,000 rows · 4,000 rows/s · 10 s left"],
    [{ unit: "rows", done: 100, total: 1_000_000, elapsedMs: 1000 }, "100 of 1,000,000 rows · 100 rows/s · 2 h 46 min left"],
    [{ unit: "rows", done: 1000, total: 91_000, elapsedMs: 1000 }, "1,000 of 91,000 rows · 1,000 rows/s · 1 min 30 s left"],
    [{ unit: "rows", done: 250_000, total: null, elapsedMs: 5000 }, "250,000 rows · 50,000 rows/s"],
    // One row is "row", by the number the noun follows: the total when known, else the count.
    [{ unit: "rows", done: 1, total: null, elapsedMs: 1000 }, "1 row · 1 row/s"],
    [{ unit: "rows", done: 0, total: null, elapsedMs: 0 }, "0 rows"],
    [{ unit: "rows", done: 1, total: 1, elapsedMs: 0 }, "1 of 1 row"],
    [{ unit: "rows", done: 1, total: 2, elapsedMs: 500 }, "1 of 2 rows · 2 rows/s · 1 s left"],
  ];
  for (const [snapshot, line] of cases) test(line, () => expect(formatProgress(snapshot)).toBe(line));
});

describe("ProgressReporter", () => {
  const sink = (isTTY: boolean) => {
    const written: string[] = [];
    return { written, out: { isTTY, write: (s: string) => written.push(s) } };
  };

  test("on a terminal: at most one redraw per interval, each over the last, and a final line with a newline", () => {
    const { written, out } = sink(true);
    let t = 0;
    const p = new ProgressReporter("rows", { out, now: () => t, intervalMs: 250 });
    for (let done = 1; done <= 100; done++) {
      t = done * 10; // 1 s in all: four intervals of 250 ms
      p.update(done, 100);
    }
    p.finish();
    expect(written).toEqual([
      "\r1 of 100 rows\x1b[K",
      "\r26 of 100 rows · 100 rows/s · 1 s left\x1b[K",
      "\r51 of 100 rows · 100 rows/s · 1 s left\x1b[K",
      "\r76 of 100 rows · 100 rows/s · 1 s left\x1b[K",
      "\r100 of 100 rows · 100 rows/s · 0 s left\x1b[K",
      "\n",
    ]);
  });

  test("in a pipe: nothing at all", () => {
    const { written, out } = sink(false);
    const p = new ProgressReporter("bytes", { out, now: () => 1000 });
    p.update(10, 100);
    p.finish();
    expect(written).toEqual([]);
  });
});
