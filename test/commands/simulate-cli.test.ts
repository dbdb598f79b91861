/**
 * `tm20 simulate` as a process: terminals with a user store, answering with `cmd`, stay for
 * --duration while the server pulls their people.
 */
import { expect, test } from "bun:test";
import { tm20Binary } from "../helpers/binary.ts";
import { startTm20 } from "../helpers/server.ts";
import { until } from "../helpers/sim.ts";

type Json = Record<string, unknown>;

test("tm20 simulate --users --answer-with cmd --records 0: the server imports each terminal's people", async () => {
  const srv = await startTm20();
  const sim = Bun.spawn(
    [tm20Binary(), "simulate", "--url", `ws://127.0.0.1:${srv.port}`, "--terminals", "2", "--prefix", "CLI", "--records", "0", "--duration", "20", "--users", "10", "--answer-with", "cmd", "--json"],
    { stdout: "pipe", stderr: "pipe" },
  );
  try {
    await until("both simulated terminals online", async () => {
      const list = (await (await srv.api("/api/v1/terminals")).json()) as { items: Json[] };
      return list.items.filter((t) => t.online === true).length === 2;
    });
    const res = await srv.api("/api/v1/people/pull", { method: "POST", body: JSON.stringify({ sn: "CLI000001" }), headers: { "content-type": "application/json" } });
    const job = (await res.json()) as Json;
    const done = await until("pull job", async () => {
      const j = (await (await srv.api(`/api/v1/jobs/${String(job.id)}`)).json()) as Json;
      return j.status !== "running" ? j : undefined;
    });
    expect(done).toMatchObject({ status: "succeeded", progress: { total: 26, succeeded: 26 } });
    const people = (await (await srv.api("/api/v1/people?limit=100")).json()) as { items: Json[] };
    expect(people.items.map((p) => [p.enrollid, p.name, p.backupnums])).toEqual(
      Array.from({ length: 10 }, (_, i) => [i + 1, `Person ${i + 1}`, i % 2 === 1 ? [0, 1, 11] : [0, 11]]),
    );
  } finally {
    sim.kill("SIGINT");
    await sim.exited;
    await srv.stop();
  }
});
