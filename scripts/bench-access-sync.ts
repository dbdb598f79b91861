/**
 * Access sync benchmark (issue 16): what one change of the rules costs at a site of N people
 * (default 10,000; every second one holds a level at the terminal): the rules read and checked
 * once (`Store.access.model` + `parseAccessModel` + `indexModel`, what `AccessLive` does and the
 * sync reuses), then, per managed terminal, what it holds read back (`Store.access.held`) and
 * the plan (`planTerminal`) for a terminal in step (nothing to send). Medians of 7 runs, on a
 * fresh SQLite data directory; seeding is not counted.
 *
 *   bun scripts/bench-access-sync.ts [--people 10000]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { indexModel, parseAccessModel, planTerminal } from "../src/access/index.ts";
import { parseArgs } from "../src/cli/args.ts";
import { openStore } from "../src/store/open.ts";
import { heldTables } from "../src/terminals/access-sync.ts";

const { flags } = parseArgs(process.argv.slice(2), { values: ["--people"] });
const people = Number(flags.get("--people") ?? 10_000);
const dataDir = mkdtempSync(join(tmpdir(), "tm20-bench-access-"));
const TODAY = "2026-03-10";
const RUNS = 7;

const store = await openStore({ kind: "sqlite", dataDir, durability: "normal" });
console.log(`seeding ${people} people …`);
const office = ["08:00-18:00"];
const s = await store.access.createSchedule({ name: "Office", days: { "1": office, "2": office, "3": office, "4": office, "5": office, "6": [], "7": [] }, holidaysClosed: false });
const level = await store.access.createLevel({ name: "Staff", scheduleId: s.id, terminals: ["T1"], groupIds: [] });
for (let i = 1; i <= people; i++) {
  await store.people.save(i, { name: `Person ${i}`, admin: 0, enabled: true, validFrom: null, validTo: null, externalId: null }, Date.now());
  if (i % 2 === 1) await store.access.setLevelsOf(i, [level.id]);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
function time<T>(fn: () => T): [T, number] {
  const t = performance.now();
  return [fn(), performance.now() - t];
}
async function timeAsync<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  return [await fn(), performance.now() - t];
}

// The terminal holds its tables already: the plan is empty, as for a re-sync or a change elsewhere.
const first = parseAccessModel(await store.access.model());
if (!first.ok) throw new Error(first.error);
const initial = planTerminal(indexModel(first.model), "T1", TODAY, heldTables(await store.access.held("T1")), []);
if (!initial.ok) throw new Error(initial.errors[0]?.message);
for (const c of initial.commands) {
  if (c.command === "setuserlock") await store.access.holdLocks("T1", (c.params.record as Array<{ enrollid: number; weekzone: number; group: number; starttime: string; endtime: string }>));
}
const tables = initial.commands.find((c) => c.command === "setdevlock");
if (!tables) throw new Error("no setdevlock planned");
await store.access.holdTables("T1", {
  dayzones: (tables.params.dayzone as Array<{ day: string[] }>).map((z) => z.day),
  weekzones: (tables.params.weekzone as Array<{ week: number[] }>).map((z) => z.week),
  holidays: [],
});

const read: number[] = [];
const parse: number[] = [];
const held: number[] = [];
const plan: number[] = [];
for (let run = 0; run < RUNS; run++) {
  const [input, r] = await timeAsync(() => store.access.model());
  const [index, p] = time(() => {
    const parsed = parseAccessModel(input);
    if (!parsed.ok) throw new Error(parsed.error);
    return indexModel(parsed.model);
  });
  const [row, h] = await timeAsync(() => store.access.held("T1"));
  const [planned, q] = time(() => planTerminal(index, "T1", TODAY, heldTables(row), []));
  if (!planned.ok || planned.commands.length !== 0) throw new Error(`a terminal in step was planned ${planned.ok ? planned.commands.length : "a refusal"}`);
  read.push(r);
  parse.push(p);
  held.push(h);
  plan.push(q);
}
const ms = (xs: number[]) => `${median(xs).toFixed(1)} ms`;
console.log(`people ${people}, locks held ${people}`);
console.log(`once per change: model() ${ms(read)}, parse + index ${ms(parse)}`);
console.log(`per managed terminal: held() ${ms(held)}, planTerminal ${ms(plan)} (nothing to send)`);
await store.close();
rmSync(dataDir, { recursive: true, force: true });
