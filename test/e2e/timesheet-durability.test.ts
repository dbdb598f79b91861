/**
 * Daily results are derived data that survive a crash (issue 14), on the real binary killed with
 * SIGKILL: punches committed (acknowledged) before the kill and not yet recomputed get their
 * results at the next start, from the stored mark of how far the punches were followed. The days
 * are three and four days old, so the start's refresh of today and yesterday cannot be what
 * recomputes them.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { startTm20, tempDir, type Tm20Process } from "../helpers/server.ts";
import { until } from "../helpers/sim.ts";
import { connectTerminal } from "../helpers/terminal.ts";

type Json = Record<string, unknown>;

const dataDir = tempDir("tm20-ts-durable-");
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/**
 * "Today" read once: the dates below must agree with each other even when the run crosses
 * midnight (the server's own today moving on leaves these past days past).
 */
const TODAY = Date.now();

/** Site-local (UTC here) date `n` days from today. */
function dayFromToday(n: number): string {
  return new Date(TODAY + n * 86_400_000).toISOString().slice(0, 10);
}

async function sendPunches(srv: Tm20Process, sn: string, times: string[]) {
  const t = await connectTerminal(srv.ws());
  await t.register(sn);
  const record = times.map((time) => ({ enrollid: 7, time, mode: 1, inout: 0, event: 0 }));
  t.send({ cmd: "sendlog", sn, count: record.length, logindex: 1, record });
  expect(await t.next((m) => m.ret === "sendlog")).toMatchObject({ result: true, count: record.length });
}

/** Person 7's stored days in the store file, read while no server runs. */
function storedDays(srv: Tm20Process): Array<{ date: string }> {
  const db = srv.db();
  try {
    return db.query("SELECT date FROM ts_days WHERE enrollid = 7 ORDER BY date").all() as Array<{ date: string }>;
  } finally {
    db.close();
  }
}

async function dayOf(srv: Tm20Process, date: string): Promise<Json | undefined> {
  const res = await srv.api(`/api/v1/timesheets/days?from=${date}&to=${date}&enrollid=7`);
  return ((await res.json()) as { items: Json[] }).items[0];
}

const worked = (d: Json | undefined) => d && { firstIn: d.firstIn, lastOut: d.lastOut, workedMinutes: d.workedMinutes };

describe("timesheet results after kill -9", () => {
  test("punches acknowledged before the kill and never recomputed get their results at the next start", async () => {
    const d3 = dayFromToday(-3);
    const d4 = dayFromToday(-4);

    // First life: results not kept current, so the acknowledged punches are certainly not recomputed before the kill.
    const first = await startTm20({ dataDir, args: ["--tz", "UTC", "--timesheet-updates", "off"] });
    await sendPunches(first, "DUR1", [`${d3} 09:00:00`, `${d3} 17:00:00`]);
    await first.kill9();
    expect(storedDays(first)).toEqual([]);

    // Second life, updates on: the punches above the stored mark are followed at start. 09:00–17:00 = 480 minutes.
    const second = await startTm20({ dataDir, args: ["--tz", "UTC"] });
    await until(`${d3}'s result`, async () => (await dayOf(second, d3)) !== undefined, 20_000);
    expect(worked(await dayOf(second, d3))).toEqual({ firstIn: `${d3} 09:00:00`, lastOut: `${d3} 17:00:00`, workedMinutes: 480 });

    // Killed right after the acknowledgement, whether or not the recompute got to the punches before it.
    await sendPunches(second, "DUR2", [`${d4} 08:00:00`, `${d4} 12:30:00`]);
    await second.kill9();

    // Third life: 08:00–12:30 = 270 minutes; the day recomputed before is as it was.
    const third = await startTm20({ dataDir, args: ["--tz", "UTC"] });
    try {
      await until(`${d4}'s result`, async () => (await dayOf(third, d4)) !== undefined, 20_000);
      expect(worked(await dayOf(third, d4))).toEqual({ firstIn: `${d4} 08:00:00`, lastOut: `${d4} 12:30:00`, workedMinutes: 270 });
      expect(worked(await dayOf(third, d3))).toEqual({ firstIn: `${d3} 09:00:00`, lastOut: `${d3} 17:00:00`, workedMinutes: 480 });
      // Each punch's days: the day before, its own and the day after (up to today).
      const dates = new Set([dayFromToday(-5), d4, d3, dayFromToday(-2)]);
      await until("the neighbouring days", () => storedDays(third).filter((d) => dates.has(d.date)).length === 4, 20_000);
    } finally {
      await third.stop();
    }
  }, 120_000);
});
