import { describe, expect, test } from "bun:test";
import { MetricsRegistry } from "../../src/obs/metrics.ts";
import { summarize } from "../../src/obs/loop-lag.ts";

describe("metrics registry", () => {
  test("renders counters, labelled counters, collected gauges and histograms in the text format", () => {
    const r = new MetricsRegistry();
    const plain = r.counter("t_plain_total", "A plain counter.");
    const labelled = r.counter("t_msgs_total", "Frames by direction.", ["direction"]);
    const out = labelled.with({ direction: "out" });
    let depth = 7;
    r.gauge("t_depth", "Queue depth.", { collect: () => depth });
    const h = r.histogram("t_latency_seconds", "Latency.", [0.01, 0.1, 1]);
    plain.inc();
    plain.inc(2);
    labelled.inc(1, { direction: "in" });
    out.inc();
    out.inc(4);
    h.observe(0.005);
    h.observe(0.05);
    h.observe(0.05);
    h.observe(5);
    depth = 9;
    expect(r.render()).toBe(
      [
        "# HELP t_plain_total A plain counter.",
        "# TYPE t_plain_total counter",
        "t_plain_total 3",
        "# HELP t_msgs_total Frames by direction.",
        "# TYPE t_msgs_total counter",
        't_msgs_total{direction="out"} 5',
        't_msgs_total{direction="in"} 1',
        "# HELP t_depth Queue depth.",
        "# TYPE t_depth gauge",
        "t_depth 9",
        "# HELP t_latency_seconds Latency.",
        "# TYPE t_latency_seconds histogram",
        't_latency_seconds_bucket{le="0.01"} 1',
        't_latency_seconds_bucket{le="0.1"} 3',
        't_latency_seconds_bucket{le="1"} 3',
        't_latency_seconds_bucket{le="+Inf"} 4',
        "t_latency_seconds_sum 5.105",
        "t_latency_seconds_count 4",
        "",
      ].join("\n"),
    );
  });

  test("an unused labelled family renders only its header; label values are escaped", () => {
    const r = new MetricsRegistry();
    const c = r.counter("t_by_status_total", "By status.", ["status"]);
    expect(r.render()).toBe("# HELP t_by_status_total By status.\n# TYPE t_by_status_total counter\n");
    c.inc(1, { status: 'a"b\\c\nd' });
    expect(r.render()).toContain('t_by_status_total{status="a\\"b\\\\c\\nd"} 1\n');
  });

  test("rejects duplicate names, bad names and undeclared labels", () => {
    const r = new MetricsRegistry();
    r.counter("t_x_total", "x");
    expect(() => r.counter("t_x_total", "again")).toThrow("registered twice");
    expect(() => r.gauge("bad-name", "no")).toThrow("invalid metric name");
    const c = r.counter("t_y_total", "y", ["a"]);
    expect(() => c.inc(1, { b: "1" })).toThrow("unknown label b");
  });
});

test("event-loop lag summary: p99 and max of the window's samples", () => {
  expect(summarize([])).toEqual({ p99: 0, max: 0 });
  const samples = Array.from({ length: 600 }, (_, i) => (i < 594 ? 0.001 : 0.5 + i / 10_000));
  expect(summarize(samples)).toEqual({ p99: 0.001, max: 0.5 + 599 / 10_000 });
  expect(summarize([...samples.slice(0, 593), 0.7, ...samples.slice(594)]).p99).toBe(0.5 + 594 / 10_000);
});
