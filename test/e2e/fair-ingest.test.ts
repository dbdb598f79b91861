/**
 * Issue 15, fair ingest: one terminal that sends uploads without waiting for their answers holds
 * at most its share of the writer queue (5 % of --max-queued-records). Beyond it, ITS uploads are
 * answered result:false (it keeps its records and resends, PROTOCOL.md), while the other terminals'
 * are taken and /health stays 200.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { simRecord } from "../../src/simulator/terminal.ts";
import { startTm20, type Tm20Process } from "../helpers/server.ts";
import { logBarrier } from "../helpers/log-barrier.ts";
import { connectTerminal, type TestTerminal } from "../helpers/terminal.ts";

const START = new Date("2026-04-01T07:00:00Z");
const BATCH = 50;
const FLOOD_FRAMES = 100;
const NORMAL_TERMINALS = 5;
const NORMAL_BATCHES = 20;

const batch = (sn: string, from: number) => ({
  cmd: "sendlog", sn, count: BATCH, logindex: from, record: Array.from({ length: BATCH }, (_, i) => simRecord(from + i, START)),
});

let srv: Tm20Process;
beforeAll(async () => {
  // A queue of 1,000 records: one terminal's share is 50, one batch. No message rate, so every
  // refusal below is the writer's.
  srv = await startTm20({ args: ["--max-queued-records", "1000", "--message-rate", "0"] });
});
afterAll(async () => {
  await srv.stop();
});

function stored(sn: string): number {
  const db = srv.db();
  try {
    return (db.query("SELECT count(*) AS n FROM attendance WHERE sn = ?").get(sn) as { n: number }).n;
  } finally {
    db.close();
  }
}

/** Sends one batch and waits for its answer, as a terminal does. */
async function upload(t: TestTerminal, sn: string, from: number): Promise<Record<string, unknown>> {
  t.send(batch(sn, from));
  return t.next((m) => m.ret === "sendlog" && m.logindex === from, 20_000);
}

test("a flooding terminal gets result:false beyond its share; the others' uploads are all taken and /health stays 200", async () => {
  const flooder = await connectTerminal(srv.ws());
  await flooder.register("FLOOD1");
  const normals: TestTerminal[] = [];
  for (let i = 0; i < NORMAL_TERMINALS; i++) {
    const t = await connectTerminal(srv.ws());
    await t.register(`FAIR${i}`);
    normals.push(t);
  }

  // The first API call creates the test's token with the CLI: before the flood keeps the database busy.
  expect((await srv.api("/metrics")).status).toBe(200);
  const health: number[] = [];
  let probing = true;
  const probe = (async () => {
    while (probing) {
      health.push((await fetch(`${srv.http}/health`)).status);
      await Bun.sleep(20);
    }
  })();

  // The flood: every frame at once, no waiting for answers.
  for (let f = 0; f < FLOOD_FRAMES; f++) flooder.send(batch("FLOOD1", f * BATCH));
  // Meanwhile the others upload one batch after another.
  const normalAnswers = await Promise.all(
    normals.map(async (t, i) => {
      const answers: Array<Record<string, unknown>> = [];
      for (let b = 0; b < NORMAL_BATCHES; b++) answers.push(await upload(t, `FAIR${i}`, b * BATCH));
      return answers;
    }),
  );
  const floodAnswers = await Promise.all(Array.from({ length: FLOOD_FRAMES }, (_, f) => flooder.next((m) => m.ret === "sendlog" && m.logindex === f * BATCH, 30_000)));
  probing = false;
  await probe;

  for (const answers of normalAnswers) {
    expect(answers.map((a) => [a.result, a.count])).toEqual(Array.from({ length: NORMAL_BATCHES }, () => [true, BATCH]));
  }
  for (let i = 0; i < NORMAL_TERMINALS; i++) expect(stored(`FAIR${i}`)).toBe(NORMAL_BATCHES * BATCH);

  const refused = floodAnswers.filter((a) => a.result === false).map((a) => Number(a.logindex));
  const acknowledged = floodAnswers.filter((a) => a.result === true).length;
  expect(refused.length).toBeGreaterThan(0);
  expect(acknowledged + refused.length).toBe(FLOOD_FRAMES);
  // Everything acknowledged is stored, and nothing refused.
  expect(stored("FLOOD1")).toBe(acknowledged * BATCH);
  const metrics = await (await srv.api("/metrics")).text();
  expect(metrics.match(/^tm20_writer_refused_total\{.*$/gm)).toEqual([`tm20_writer_refused_total{reason="terminal_share"} ${refused.length}`]);
  expect(health.length).toBeGreaterThan(0);
  expect(health.filter((s) => s !== 200)).toEqual([]);

  // The flooder keeps what was refused and resends it, one batch at a time: all of it is taken. (A
  // resend is tried again, as a terminal does, only if the store itself refused it: a loaded
  // machine can make a commit wait out SQLite's busy time-out.)
  let storeRefusals = 0;
  for (const from of refused) {
    let answer = await upload(flooder, "FLOOD1", from);
    for (let attempt = 1; answer.result !== true && attempt < 5; attempt++) {
      storeRefusals++;
      await Bun.sleep(1000);
      answer = await upload(flooder, "FLOOD1", from);
    }
    expect(answer).toMatchObject({ result: true, count: BATCH, logindex: from });
  }
  if (storeRefusals > 0) await srv.waitForLog("store write failed; terminals get result:false until it recovers");
  expect(stored("FLOOD1")).toBe(FLOOD_FRAMES * BATCH);
  expect((await fetch(`${srv.http}/health`)).status).toBe(200);
  // The log says why, within the warning limit (five a minute per terminal and message).
  const warnings = () => srv.logs.filter((l) => l.sn === "FLOOD1" && String(l.msg).startsWith("upload beyond this terminal's share"));
  // Each refusal was logged before its answer: past the barrier, every line is read.
  await logBarrier(srv);
  expect(warnings().length).toBe(Math.min(5, refused.length));
  for (const t of [flooder, ...normals]) t.close();
  // About 2 s on a quiet machine; the resends go one commit (one fsync) at a time, which a loaded one stretches.
}, 120_000);
