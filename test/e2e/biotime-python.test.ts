/**
 * The BioTime API through a client written in another language than the server (issue 19):
 * test/e2e/biotime_client.py, Python with Debian's python3-requests (scripts/prereqs.sh installs
 * it), logs in and follows `next` verbatim; it must get every transaction exactly once.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { join } from "node:path";
import { tm20Binary } from "../helpers/binary.ts";
import { startTm20, type Tm20Process } from "../helpers/server.ts";
import { connectTerminal } from "../helpers/terminal.ts";

const PASSWORD = "payroll password 2";
const CLIENT = join(import.meta.dir, "biotime_client.py");
let srv: Tm20Process;

// A Python process and a password hash per run: slow on a loaded machine.
setDefaultTimeout(60_000);

beforeAll(async () => {
  srv = await startTm20({ args: ["--tz", "UTC"] });
  const made = Bun.spawnSync([tm20Binary(), "admin", "create", "--username", "payroll", "--data-dir", srv.dataDir], { stdin: Buffer.from(`${PASSWORD}\n`) });
  expect(made.exitCode).toBe(0);
  const t = await connectTerminal(srv.ws());
  await t.register("PY1");
  // 37 punches: four pages of the default 10.
  const record = Array.from({ length: 37 }, (_, i) => ({
    enrollid: (i % 5) + 1,
    time: `2026-04-${String(1 + Math.floor(i / 10)).padStart(2, "0")} ${String(8 + (i % 10)).padStart(2, "0")}:00:00`,
    mode: 1,
    inout: i % 2,
    event: 0,
  }));
  t.send({ cmd: "sendlog", sn: "PY1", count: record.length, logindex: 0, record });
  expect(await t.next((m) => m.ret === "sendlog")).toMatchObject({ result: true, count: 37 });
  t.close();
});
afterAll(async () => {
  await srv.stop();
});

interface ClientResult {
  count: number;
  pages: number;
  ids: number[];
  states: Array<[string, string]>;
  emp_codes: string[];
}

function runClient(...args: string[]): ClientResult {
  const proc = Bun.spawnSync(["python3", CLIENT, srv.http, "payroll", PASSWORD, ...args], { stdout: "pipe", stderr: "pipe" });
  if (proc.exitCode !== 0) throw new Error(`biotime_client.py failed: ${proc.stderr.toString()}`);
  return JSON.parse(proc.stdout.toString()) as ClientResult;
}

describe("a Python BioTime client (requests)", () => {
  test("with a token: every transaction once, following next over four pages", () => {
    const got = runClient("token");
    expect(got.count).toBe(37);
    expect(got.pages).toBe(4);
    expect(got.ids.length).toBe(37);
    expect(new Set(got.ids).size).toBe(37);
    expect(got.states).toEqual([["0", "Check In"], ["1", "Check Out"]]);
    expect(got.emp_codes).toEqual(["1", "2", "3", "4", "5"]);
  });

  test("with a JWT and filters that next must keep: exactly the matching rows", () => {
    const got = runClient("jwt", "?emp_code=3&page_size=2&start_time=2026-04-01%2000:00:00&end_time=2026-04-03%2023:59:59&ordering=-punch_time");
    // enrollid 3 is every fifth punch from the third: 7 of the 37, 6 of them up to April 3rd.
    expect(got.count).toBe(6);
    expect(got.pages).toBe(3);
    expect(got.ids.length).toBe(6);
    expect(new Set(got.ids).size).toBe(6);
    expect(got.emp_codes).toEqual(["3"]);
  });
});
