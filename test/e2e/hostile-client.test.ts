/**
 * Issue 11's smaller defects, each against a real server: what a hostile or broken client can
 * do to the log, the stack and the send buffers, and that every disconnection says why, once.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { simRecord } from "../../src/simulator/terminal.ts";
import { startTm20, type Tm20Process } from "../helpers/server.ts";
import { until } from "../helpers/sim.ts";
import { connectRaw } from "../helpers/raw-ws.ts";
import { connectTerminal } from "../helpers/terminal.ts";
import { logBarrier } from "../helpers/log-barrier.ts";

const START = new Date("2026-04-01T07:00:00Z");
let srv: Tm20Process;
beforeAll(async () => {
  srv = await startTm20();
});
afterAll(async () => {
  await srv.stop();
});

const disconnections = (sn: string) => srv.logs.filter((l) => l.msg === "terminal disconnected" && l.sn === sn);

test("a deeply nested frame is an unreadable frame at warning level: no stack trace, the socket goes on", async () => {
  const t = await connectTerminal(srv.ws());
  await t.register("DEEP1");
  t.send(`${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}`);
  t.send(`{"cmd":"sendlog","x":${"[".repeat(100_000)}${"]".repeat(100_000)}}`);
  t.send({ cmd: "sendlog", sn: "DEEP1", count: 1, logindex: 0, record: [simRecord(0, START)] });
  expect(await t.next((m) => m.ret === "sendlog")).toMatchObject({ result: true, count: 1 });
  const unreadable = await until("both warnings", () => {
    const lines = srv.logs.filter((l) => l.msg === "unreadable frame" && l.sn === "DEEP1");
    return lines.length >= 2 ? lines : undefined;
  }, 5000);
  // Both frames were read before the sendlog was answered: past the barrier, no third line can be missing.
  await logBarrier(srv);
  expect(srv.logs.filter((l) => l.msg === "unreadable frame" && l.sn === "DEEP1")).toEqual(unreadable);
  expect(unreadable.map((l) => [l.level, l.error])).toEqual([
    [40, expect.stringMatching(/^frame is (nested deeper than 32 levels|not JSON)$/)],
    [40, "frame is nested deeper than 32 levels"],
  ]);
  expect(srv.logs.filter((l) => Number(l.level) >= 50)).toEqual([]);
  expect(t.received.length).toBe(2);
  t.close();
});

test("terminal-supplied values are cut in the log: a 1 MB sn or time makes a line of a few KB", async () => {
  const t = await connectTerminal(srv.ws());
  t.send({ cmd: "reg", sn: "S".repeat(1 << 20), devinfo: {} });
  expect(await t.next((m) => m.ret === "reg")).toMatchObject({ result: false });
  await t.register("HUGEVAL1");
  t.send({ cmd: "sendlog", sn: "HUGEVAL1", count: 1, logindex: 0, record: [{ ...simRecord(0, START), time: "9".repeat(1 << 20) }] });
  expect(await t.next((m) => m.ret === "sendlog", 10_000)).toMatchObject({ result: true });
  await until("the quarantine warning", () => srv.logs.find((l) => l.msg === "records quarantined" && l.sn === "HUGEVAL1"));
  const invalid = srv.logs.find((l) => l.msg === "invalid reg");
  expect(String(invalid?.regSn)).toStartWith("SSSS");
  for (const line of srv.logs) expect(JSON.stringify(line).length).toBeLessThan(5000);
  // The quarantine keeps the reason and the first 64 KiB of the record, with its original size.
  const db = srv.db();
  const row = db.query("SELECT length(raw) AS kept, original_bytes AS original, reason FROM quarantine WHERE sn = 'HUGEVAL1'").get() as Record<string, unknown>;
  db.close();
  expect(row.kept).toBe(64 * 1024);
  expect(Number(row.original)).toBeGreaterThan(1 << 20);
  expect(String(row.reason)).toStartWith("record[0] time");
  expect(String(row.reason).length).toBeLessThan(600);
  t.close();
});

test("a terminal's quarantine is capped: the oldest entries go first, counted in /metrics", async () => {
  const t = await connectTerminal(srv.ws());
  await t.register("QCAP1");
  const bad = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ enrollid: "x", time: `bad ${from + i}` }));
  t.send({ cmd: "sendlog", sn: "QCAP1", count: 600, logindex: 0, record: bad(0, 600) });
  expect(await t.next((m) => m.ret === "sendlog")).toMatchObject({ result: true });
  t.send({ cmd: "sendlog", sn: "QCAP1", count: 410, logindex: 600, record: bad(600, 410) });
  expect(await t.next((m) => m.ret === "sendlog")).toMatchObject({ result: true });
  const db = srv.db();
  const n = db.query("SELECT count(*) AS n FROM quarantine WHERE sn = 'QCAP1'").get();
  const oldest = db.query("SELECT raw FROM quarantine WHERE sn = 'QCAP1' ORDER BY id LIMIT 1").get();
  db.close();
  expect(n).toEqual({ n: 1000 });
  expect(oldest).toEqual({ raw: '{"enrollid":"x","time":"bad 10"}' });
  const metrics = await (await srv.api("/metrics")).text();
  expect(metrics).toContain("\ntm20_quarantine_pruned_total 10\n");
  t.close();
});

test("repeated warnings about one terminal: five a minute are written, the rest counted", async () => {
  const t = await connectTerminal(srv.ws());
  await t.register("NOISY1");
  for (let i = 0; i < 20; i++) t.send({ cmd: "nosuchthing", sn: "NOISY1" });
  for (let i = 0; i < 20; i++) await t.next((m) => m.ret === "nosuchthing");
  // Log lines trail the answers (an asynchronous stream): every warning was logged before its answer, so past the barrier all are read.
  const noisy = () => srv.logs.filter((l) => l.msg === "unknown terminal message" && l.sn === "NOISY1");
  await logBarrier(srv);
  expect(noisy().length).toBe(5);
  t.close();
});

test("every disconnection is logged once with why: client close, garbage, send buffer full", async () => {
  const a = await connectTerminal(srv.ws());
  await a.register("BYE1");
  a.close();
  await until("BYE1", () => disconnections("BYE1").length === 1);

  const b = await connectTerminal(srv.ws());
  await b.register("BYE2");
  for (let i = 0; i < 10; i++) b.send(`garbage ${i}`);
  expect((await b.closed).code).toBe(4002);
  await until("BYE2", () => disconnections("BYE2").length === 1);

  // Stops reading: answers echoing a 1 MB command name pile up past the 8 MiB send buffer.
  const c = await connectRaw(srv.port);
  c.send(JSON.stringify({ cmd: "reg", sn: "BYE3", devinfo: {} }));
  await until("BYE3 registered", () => srv.logs.find((l) => l.msg === "terminal connected" && l.sn === "BYE3"));
  c.stopReading();
  const name = "n".repeat(1 << 20);
  for (let i = 0; i < 40; i++) c.send(JSON.stringify({ cmd: name }));
  await until("BYE3", () => disconnections("BYE3").length === 1, 20_000);
  c.destroy();

  await logBarrier(srv);
  expect([...disconnections("BYE1"), ...disconnections("BYE2"), ...disconnections("BYE3")].map((l) => [l.sn, l.by, l.why])).toEqual([
    ["BYE1", "terminal", "closed by the terminal"],
    ["BYE2", "server", "too many unreadable frames"],
    ["BYE3", "server", "send buffer full: the terminal stopped reading"],
  ]);
}, 60_000);
