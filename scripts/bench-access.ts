/**
 * The access-control site of the latency benchmark (issue 16: "a server-mode terminal's answer is
 * no slower than a normal one beyond noise"): 1,000 people, 10 weekly schedules, 20 levels, built
 * so that every terminal can hold it (at most 5 schedules meet at a door, 7 distinct days in all:
 * a model that did not fit would be refused before it is written). `scripts/bench.ts --only
 * access-latency` loads it into a running server through the API and puts half the terminals in
 * server mode; `decideBench` times the decision alone, in this process, on the same model.
 */
import { type AccessModelInput, decide, parseAccessModel, snapshot } from "../src/access/index.ts";

export const ACCESS_PEOPLE = 1000;
const SCHEDULES = 10;
const LEVELS = 20;
/** Doors fall into this many sets by their index; level i opens set i % DOOR_SETS. */
const DOOR_SETS = 4;

/** Seven day patterns shared by every schedule: a terminal holds 7 day zones besides "closed". */
const DAY_PATTERNS = [
  ["08:00-18:00"],
  ["06:00-14:00"],
  ["14:00-22:00"],
  ["00:00-23:59"],
  ["07:00-12:00", "13:00-19:00"],
  ["09:00-13:00"],
  ["00:00-06:00", "22:00-23:59"],
];

export interface BenchSchedule {
  name: string;
  days: Record<string, string[]>;
  holidaysClosed: boolean;
}

/** Schedule j: Monday–Friday on one pattern, Saturday on another, Sunday closed but for every third. */
export function benchSchedules(): BenchSchedule[] {
  return Array.from({ length: SCHEDULES }, (_, j) => {
    const weekday = DAY_PATTERNS[j % DAY_PATTERNS.length] ?? [];
    const saturday = DAY_PATTERNS[(j + 3) % DAY_PATTERNS.length] ?? [];
    return {
      name: `Schedule ${j + 1}`,
      days: { "1": weekday, "2": weekday, "3": weekday, "4": weekday, "5": weekday, "6": saturday, "7": j % 3 === 0 ? weekday : [] },
      holidaysClosed: j % 2 === 0,
    };
  });
}

/** Level i: schedule i % 10 at the doors of set i % 4 (of `sns`, by index). */
export function benchLevels(sns: readonly string[]): Array<{ name: string; schedule: number; terminals: string[] }> {
  return Array.from({ length: LEVELS }, (_, i) => ({ name: `Level ${i + 1}`, schedule: i % SCHEDULES, terminals: sns.filter((_, k) => k % DOOR_SETS === i % DOOR_SETS) }));
}

/**
 * Person p (1-based): levels p % 20 and (p + 10) % 20 (different door sets, so one schedule per
 * door), every 40th disabled, every 50th past their validity, every 100th with no level.
 */
export function benchPerson(p: number): { enrollid: number; name: string; enabled: boolean; validFrom: string | null; validTo: string | null; levels: number[] } {
  return {
    enrollid: p,
    name: `Person ${p}`,
    enabled: p % 40 !== 0,
    validFrom: null,
    validTo: p % 50 === 0 ? "2020-12-31" : null,
    levels: p % 100 === 0 ? [] : [p % LEVELS, (p + 10) % LEVELS],
  };
}

/** The same site as the access model (ids 1…), for the in-process decision. */
export function benchModel(sns: readonly string[]): AccessModelInput {
  return {
    schedules: benchSchedules().map((s, j) => ({ id: j + 1, ...s })),
    levels: benchLevels(sns).map((l, i) => ({ id: i + 1, name: l.name, scheduleId: l.schedule + 1, terminals: l.terminals, groupIds: [] })),
    people: Array.from({ length: ACCESS_PEOPLE }, (_, k) => {
      const { levels, ...p } = benchPerson(k + 1);
      return { ...p, levelIds: levels.map((l) => l + 1) };
    }),
  };
}

export interface DecideBench {
  decisions: number;
  granted: number;
  /** Microseconds per decision: median and slowest of the runs. */
  median_us: number;
  max_us: number;
}

/** `decide` alone over the model in memory: `runs` passes of every person at every door at one moment of the week each. */
export function decideBench(sns: readonly string[], runs: number): DecideBench {
  const parsed = parseAccessModel(benchModel(sns));
  if (!parsed.ok) throw new Error(`the bench model does not read: ${parsed.error}`);
  const s = snapshot(parsed.model);
  const times: number[] = [];
  let decisions = 0;
  let granted = 0;
  for (let run = 0; run < runs; run++) {
    const start = performance.now();
    let n = 0;
    for (let p = 1; p <= ACCESS_PEOPLE; p++) {
      // Monday 2 March 2026 to Sunday 8 March, hour by person: every day and most windows' edges come up.
      const at = `2026-03-0${2 + (p % 7)} ${String(p % 24).padStart(2, "0")}:${String((p * 7) % 60).padStart(2, "0")}:00`;
      for (const sn of sns) {
        if (decide(s, { sn, at, credential: { kind: "enrollid", enrollid: p } }).access === 1 && run === 0) granted++;
        n++;
      }
    }
    times.push(((performance.now() - start) * 1000) / n);
    decisions = n;
  }
  times.sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 100) / 100;
  return { decisions, granted, median_us: round(times[Math.floor((times.length - 1) / 2)] ?? 0), max_us: round(times.at(-1) ?? 0) };
}
