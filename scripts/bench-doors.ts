/**
 * Doors benchmark (issue 16): the door board and who is inside on a large site. Seeds N terminals
 * (default 20,000) with 10 door events each, marks 10 of them site entrances and gives them
 * 100,000 punches over the last day (half of them entry only, half exit only), on a fresh SQLite data directory (seeding not counted); then
 * times, medians of 7 runs: one board page (50 doors) first and deep (a cursor near the end), a
 * search, `PresenceLive.reload()` (what a start or a change of the entrances costs) and `view()`
 * (what GET /api/v1/presence costs).
 *
 *   bun scripts/bench-doors.ts [--terminals 20000]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { doorBoard } from "../src/app/doors.ts";
import { parseArgs } from "../src/cli/args.ts";
import { EventBus } from "../src/events/bus.ts";
import { SiteClock } from "../src/protocol/index.ts";
import type { Punch, WriteOp } from "../src/store/contract.ts";
import { openStore } from "../src/store/open.ts";
import { PresenceLive } from "../src/terminals/presence-live.ts";

const { flags } = parseArgs(process.argv.slice(2), { values: ["--terminals"] });
const terminals = Number(flags.get("--terminals") ?? 20_000);
const ENTRANCES = 10;
const PUNCHES = 100_000;
const RUNS = 7;
const dataDir = mkdtempSync(join(tmpdir(), "tm20-bench-doors-"));
const clock = new SiteClock("UTC");
const now = Date.now();
const store = await openStore({ kind: "sqlite", dataDir, durability: "normal" });

const sn = (i: number) => `T${String(i).padStart(6, "0")}`;
console.log(`seeding ${terminals} terminals, ${terminals * 10} door events, ${PUNCHES} punches at ${ENTRANCES} entrances …`);
for (let from = 0; from < terminals; from += 1000) {
  const ops: WriteOp[] = [];
  for (let i = from; i < Math.min(terminals, from + 1000); i++) {
    ops.push({ type: "terminal-seen", sn: sn(i), at: now, sessionId: `s${i}`, remoteAddr: null, cpusn: null, devinfo: null, approvalIfNew: "approved", online: i % 3 !== 0 });
    const events: Punch[] = Array.from({ length: 10 }, (_, k) => {
      const ts = now - (10 - k) * 600_000 - (i % 600) * 1000;
      return { enrollid: 0, time: clock.format(ts), ts, mode: 0, inout: 0, event: k === 9 ? i % 8 : k % 2 };
    });
    ops.push({ type: "punches", sn: sn(i), at: now, punches: events, quarantine: [] });
  }
  await store.write(ops);
}
for (let i = 0; i < ENTRANCES; i++) {
  await store.updateTerminal(sn(i), { siteEntrance: true, name: `Entrance ${i}` });
  // Half the entrances read as entry only, half as exit only (Timesheets → Rules).
  await store.timesheets.setTerminalInterpretation(sn(i), i % 2 === 0 ? "entry" : "exit");
}
for (let from = 0; from < PUNCHES; from += 5000) {
  const ops: WriteOp[] = [];
  for (let e = 0; e < ENTRANCES; e++) {
    const punches: Punch[] = [];
    for (let k = from / ENTRANCES; k < (from + 5000) / ENTRANCES; k++) {
      const ts = now - 86_000_000 + k * ENTRANCES * 800 + e;
      punches.push({ enrollid: 1 + ((k * 7 + e) % 5000), time: clock.format(ts), ts, mode: 1, inout: 0, event: 0 });
    }
    ops.push({ type: "punches", sn: sn(e), at: now, punches, quarantine: [] });
  }
  await store.write(ops);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
async function bench(name: string, fn: () => Promise<unknown>) {
  const times: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  console.log(`${name.padEnd(44)} ${median(times).toFixed(1)} ms`);
}

const deps = { store, now: () => Date.now() };
let deep: string | null = null;
for (let page = await doorBoard(deps, { limit: 200 }); page.next; page = await doorBoard(deps, { cursor: page.next, limit: 200 })) {
  if ((page.items[0]?.sn ?? "") >= sn(terminals - 100)) break;
  deep = page.next;
}
await bench("GET /doors: first page (50)", () => doorBoard(deps, { limit: 50 }));
await bench("GET /doors: a page near the end (50)", () => doorBoard(deps, { limit: 50, ...(deep ? { cursor: deep } : {}) }));
await bench("GET /doors?q=T01999 (a search)", () => doorBoard(deps, { q: "T01999", limit: 50 }));
const presence = new PresenceLive({ store, bus: new EventBus(), log: pino({ level: "silent" }), now: () => Date.now(), clock: () => clock, refreshMs: 3_600_000 });
await bench(`PresenceLive.reload() (${PUNCHES} punches)`, () => presence.reload());
await bench("GET /presence (view)", async () => presence.view());
console.log(`inside: ${presence.view().count}`);
await store.close();
rmSync(dataDir, { recursive: true, force: true });
