/**
 * The access sync's daily run (issue 16): when the site's date changes, every online managed
 * terminal is brought in step again (its holiday table is the coming year's). The clock is the
 * sync's own `now`, moved past midnight by the test; the store, dispatcher and jobs are real.
 */
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { indexModel, parseAccessModel } from "../../src/access/index.ts";
import { CommandDispatcher } from "../../src/commands/dispatcher.ts";
import { EventBus } from "../../src/events/bus.ts";
import { Jobs } from "../../src/people/jobs.ts";
import { SiteClock } from "../../src/protocol/time.ts";
import { openStore } from "../../src/store/open.ts";
import { Writer } from "../../src/store/writer.ts";
import { AccessSync } from "../../src/terminals/access-sync.ts";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function until(check: () => Promise<boolean>, what: string, limitMs = 15_000) {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > limitMs) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(20);
  }
}

test("the date changing runs the sync again: a door whose tables were not taken is sent them anew", async () => {
  const dir = mkdtempSync(join(tmpdir(), "tm20-access-daily-"));
  const store = await openStore({ kind: "sqlite", dataDir: dir });
  const log = pino({ level: "silent" });
  const writer = new Writer({ store, log, maxQueuedRecords: 10_000, maxBatchRecords: 1000, retryDelayMs: 100, commitTimeoutMs: 5000 });
  // 23:59:30 on Tuesday 10 March 2026, site time UTC; the test moves it to the next day.
  let now = Date.UTC(2026, 2, 10, 23, 59, 30);
  const clock = new SiteClock("UTC");
  const dispatcher = new CommandDispatcher({ store, writer, bus: new EventBus(), clock, log, now: () => now, timeoutMs: 60_000, maxAttempts: 3, pageCap: 10, exclusive: true });
  const jobs = new Jobs({ store, dispatcher, log, now: () => now });
  const parsed = parseAccessModel({
    schedules: [{ id: 1, name: "Office", days: { "1": ["08:00-18:00"], "2": ["08:00-18:00"] }, holidaysClosed: false }],
    levels: [{ id: 1, name: "Staff", scheduleId: 1, terminals: ["DAY1"], groupIds: [] }],
    people: [{ enrollid: 7, name: "Ann", enabled: true, validFrom: null, validTo: null, levelIds: [1] }],
  });
  if (!parsed.ok) throw new Error(parsed.error);
  const index = indexModel(parsed.model);
  const sync = new AccessSync({ store, dispatcher, jobs, clock, log, now: () => now, rules: () => index, dayCheckMs: 20 });
  cleanups.push(async () => {
    sync.stop();
    dispatcher.stop();
    await writer.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await store.write([{ type: "terminal-seen", sn: "DAY1", at: now, sessionId: "s1", remoteAddr: null, cpusn: null, devinfo: null, approvalIfNew: "approved", online: true }]);
  await dispatcher.start();

  const first = await sync.start();
  const sent = ["setdevlock", "setholiday", "setuserlock"];
  const names = async () => (await dispatcher.open("DAY1")).map((c) => c.command).sort();
  expect(first).toEqual({ refused: [], queued: 3 });
  expect(await names()).toEqual(sent);
  // The door never took them (no connection): cancelled, they are not held, and nothing is open.
  for (const c of await dispatcher.open("DAY1")) expect(await dispatcher.cancel(c.id, "test")).not.toBeNull();
  expect(await names()).toEqual([]);

  // Past midnight (site time) the next check runs the sync again.
  now = Date.UTC(2026, 2, 11, 0, 0, 30);
  await until(async () => (await names()).length === 3, "the daily sync to queue the tables again");
  expect(await names()).toEqual(sent);
  const page = await store.commands.listJobs({ limit: 10 });
  expect(page.items.map((j) => j.kind)).toEqual(["access", "access"]);
});
