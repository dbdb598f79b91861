/**
 * The pure part of a timesheet rebuild (issue 14): one month (March 2026, Europe/Berlin, with its
 * DST change) for 1,000 people with 4 punches every day (weekends too: on the rest days of the
 * Monday-to-Friday departments they are worked rest days), from a flat list of punches in time
 * order to every person's daily results and period summary. No store: this is the share of the
 * rebuild's 2 s budget the rules take. Run alone (`bun scripts/bench-timesheets.ts [--people N]
 * [--runs N] [--views [--store-punches N]] [--today N]`) or as `scripts/bench.ts --only timesheets`. `--views`
 * pads the store with earlier months to 1,000,000 punches and times the month and summary pages' reads;
 * `--today N` times the Today view for N people instead.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { TimesheetRecompute } from "../src/jobs/timesheet-recompute.ts";
import { SiteClock } from "../src/protocol/time.ts";
import { openStore } from "../src/store/open.ts";
import type { Store } from "../src/store/contract.ts";
import { loadSheets } from "../src/export/timesheet-sheets.ts";
import { todayResults } from "../src/app/timesheets/today.ts";
import { SiteSettings } from "../src/settings/site-settings.ts";
import { monthRange } from "../src/ui/timesheets/area.tsx";
import { loadMonth } from "../src/ui/timesheets/month-data.ts";
import {
  computeDays,
  datesBetween,
  DEFAULT_SITE_RULES,
  type DayResult,
  indexRules,
  type LeaveType,
  type RawPunch,
  type Rules,
  type Schedule,
  type Shift,
  summarize,
} from "../src/timesheets/index.ts";

export interface TimesheetBench {
  people: number;
  punches: number;
  days: number;
  runs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** This process's CPU time (user + system) in the median run by wall time: on a busy machine, less than the wall time. */
  medianCpuMs: number;
}

const FROM = "2026-03-01";
const TO = "2026-03-31";

const shifts: Shift[] = [
  { id: 1, name: "Day", kind: "fixed", start: "09:00", end: "17:00", dayStart: "00:00", breaks: [{ start: "12:00", end: "13:00" }], lateGraceMinutes: 5, earlyGraceMinutes: 5, overtime: { afterShiftEnd: true, minimumMinutes: 30 } },
  { id: 2, name: "Early", kind: "fixed", start: "06:00", end: "14:30", dayStart: "00:00", breaks: [], autoBreak: { afterMinutes: 360, minutes: 30 }, lateGraceMinutes: 0, earlyGraceMinutes: 0, rounding: { in: { step: 5, mode: "up" }, out: { step: 5, mode: "down" } } },
  { id: 3, name: "Night", kind: "fixed", start: "22:00", end: "06:00", dayStart: "12:00", breaks: [{ start: "02:00", end: "02:30" }], lateGraceMinutes: 5, earlyGraceMinutes: 5, overtime: { beyondMinutes: 480, minimumMinutes: 15 } },
  { id: 4, name: "Flexible", kind: "flexible", requiredMinutes: 480, core: { start: "10:00", end: "15:00" }, dayStart: "00:00", breaks: [], autoBreak: { afterMinutes: 360, minutes: 30 }, lateGraceMinutes: 0, earlyGraceMinutes: 0 },
];
/** Departments 1–3 work Monday to Friday; department 4 (nights) rotates 4 on, 2 off. */
const schedules: Schedule[] = [
  { id: 1, departmentId: 1, from: "2026-01-01", pattern: { kind: "weekly", shiftId: 1, weekdays: [1, 2, 3, 4, 5] } },
  { id: 2, departmentId: 2, from: "2026-01-01", pattern: { kind: "weekly", shiftId: 2, weekdays: [1, 2, 3, 4, 5] } },
  { id: 3, departmentId: 3, from: "2026-01-01", pattern: { kind: "weekly", shiftId: 4, weekdays: [1, 2, 3, 4, 5] } },
  { id: 4, departmentId: 4, from: "2026-01-01", pattern: { kind: "rotation", days: [3, 3, 3, 3, null, null] } },
];
const leaveTypes: LeaveType[] = [{ id: 1, name: "Vacation", paid: true, countsAsWorked: true }];

const rules: Rules = {
  site: { ...DEFAULT_SITE_RULES, calculation: "paired" },
  shifts: new Map(shifts.map((s) => [s.id, s])),
  schedules,
  holidays: [{ date: "2026-03-19", name: "Site holiday", departmentIds: [2] }],
  leaveTypes: new Map(leaveTypes.map((t) => [t.id, t])),
};

/** Deterministic jitter (a linear congruential generator), so every run sees the same month. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

const pad = (n: number) => String(n).padStart(2, "0");

/** Four punches a day per person (in, out to lunch, back, out), in time order as the store keeps them. */
function month(people: number, clock: SiteClock, from = FROM, to = TO): RawPunch[] {
  const rnd = random(14);
  const punches: RawPunch[] = [];
  let id = 1;
  const add = (enrollid: number, date: string, minute: number) => {
    const day = new Date(`${date}T00:00:00Z`).getTime() + Math.floor(minute) * 60_000 + Math.floor(rnd() * 60) * 1000;
    const t = new Date(day);
    const time = `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())} ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}:${pad(t.getUTCSeconds())}`;
    punches.push({ id: id++, sn: "BENCH", enrollid, time, ts: clock.toUtc(time), inout: 0 });
  };
  const starts = [0, 9 * 60, 6 * 60, 8 * 60, 22 * 60];
  for (const date of datesBetween(from, to)) {
    for (let p = 1; p <= people; p++) {
      const dept = ((p - 1) % 4) + 1;
      const start = (starts[dept] as number) - 10 + rnd() * 25;
      add(p, date, start);
      add(p, date, start + 180 + rnd() * 30);
      add(p, date, start + 240 + rnd() * 30);
      add(p, date, start + 500 + rnd() * 40);
    }
  }
  return punches.sort((a, b) => a.ts - b.ts);
}

export function timesheetsBench(people = 1000, runs = 5): TimesheetBench {
  const clock = new SiteClock("Europe/Berlin");
  const punches = month(people, clock);
  const memberships = Array.from({ length: people }, (_, i) => [{ departmentId: (i % 4) + 1, from: "2026-01-01" }]);
  const times: Array<{ wall: number; cpu: number }> = [];
  let results = 0;
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const cpu = process.cpuUsage();
    const index = indexRules(rules, clock);
    const byPerson = new Map<number, RawPunch[]>();
    for (const p of punches) {
      const list = byPerson.get(p.enrollid);
      if (list) list.push(p);
      else byPerson.set(p.enrollid, [p]);
    }
    results = 0;
    for (let p = 1; p <= people; p++) {
      const days: DayResult[] = computeDays(index, { enrollid: p, memberships: memberships[p - 1] ?? [], punches: byPerson.get(p) ?? [], corrections: [], leave: [] }, { from: FROM, to: TO });
      summarize(p, days, rules.leaveTypes);
      results += days.length;
    }
    const used = process.cpuUsage(cpu);
    times.push({ wall: performance.now() - started, cpu: (used.user + used.system) / 1000 });
  }
  const sorted = [...times].sort((a, b) => a.wall - b.wall);
  const median = sorted[Math.floor(runs / 2)];
  return { people, punches: punches.length, days: results, runs, medianMs: median?.wall ?? 0, minMs: sorted[0]?.wall ?? 0, maxMs: sorted[runs - 1]?.wall ?? 0, medianCpuMs: median?.cpu ?? 0 };
}

export interface TimesheetStoreBench {
  people: number;
  punches: number;
  /** Results stored by the rebuild. */
  days: number;
  runs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** This process's CPU time (user + system) in the median run: on a busy machine, less than the wall time. */
  medianCpuMs: number;
  /** With `--views`: what the month page and the summary page load, on a store padded to that many punches. */
  views?: { storePunches: number; monthMs: number[]; summaryMs: number[]; summaryPeople: number };
}

/**
 * Earlier months of the same people (ending the day before March), written in group-commit sized
 * batches, so the store holds `extra` more punches and the March reads are measured on a store of
 * that size.
 */
async function padTo(store: Store, people: number, clock: SiteClock, extra: number): Promise<void> {
  const days = Math.ceil(extra / (people * 4));
  const first = new Date(Date.parse(`${FROM}T00:00:00Z`) - days * 86_400_000).toISOString().slice(0, 10);
  const earlier = month(people, clock, first, "2026-02-28").slice(0, extra);
  for (let i = 0; i < earlier.length; i += 4000) {
    const batch = earlier.slice(i, i + 4000).map((p) => ({ enrollid: p.enrollid, time: p.time, ts: p.ts, mode: 1, inout: 0, event: 0 }));
    await store.write([{ type: "punches", sn: "BENCH-OLD", at: Date.now(), punches: batch, quarantine: [] }]);
  }
}

/** The reads behind a person's month page (`loadMonth`) and a department's summary page (`loadSheets`), 11 times each. */
async function timeViews(store: Store, storePunches: number): Promise<NonNullable<TimesheetStoreBench["views"]>> {
  const range = monthRange(TO.slice(0, 7));
  const time = async (f: () => Promise<unknown>) => {
    const out: number[] = [];
    for (let i = 0; i < 11; i++) {
      const started = performance.now();
      await f();
      out.push(performance.now() - started);
    }
    return out.sort((a, b) => a - b);
  };
  const settings = await SiteSettings.load(store, { tz: "Europe/Berlin", approval: "open" });
  let summaryPeople = 0;
  let person = 0;
  const monthMs = await time(() => loadMonth({ store, settings, now: Date.now }, (person++ % 1000) + 1, range));
  const summaryMs = await time(async () => {
    summaryPeople = (await loadSheets({ store }, { from: range.from, to: range.to, departmentId: 1 })).summary.length;
  });
  return { storePunches, monthMs, summaryMs, summaryPeople };
}

/**
 * The whole rebuild of the month on a real SQLite store (a data directory in the temp folder):
 * the rules, departments, memberships and the month's punches stored first, then
 * `TimesheetRecompute.everyone` over March as `tm20 timesheets rebuild` runs it (reads of every
 * person's inputs, the rules, the writes of every result), timed `runs` times.
 */
export async function timesheetsStoreBench(people = 1000, runs = 3, views?: { punches: number }): Promise<TimesheetStoreBench> {
  const clock = new SiteClock("Europe/Berlin");
  const dir = mkdtempSync(join(tmpdir(), "tm20-bench-ts-"));
  const store = await openStore({ kind: "sqlite", dataDir: dir });
  try {
    const ts = store.timesheets;
    for (let d = 1; d <= 4; d++) await ts.createDepartment(`Department ${d}`);
    for (const { id: _id, ...shift } of shifts) await ts.createShift(shift);
    for (const { id: _id, ...schedule } of schedules) await ts.createSchedule(schedule);
    for (const { id: _id, ...type } of leaveTypes) await ts.createLeaveType(type);
    await ts.createHoliday(rules.holidays[0] as Rules["holidays"][number]);
    await ts.setSiteRules({ doubleScanSeconds: rules.site.doubleScanSeconds, calculation: rules.site.calculation, defaultInterpretation: rules.site.defaultInterpretation });
    for (let p = 1; p <= people; p++) await ts.setDepartment(p, ((p - 1) % 4) + 1, "2026-01-01");
    const punches = month(people, clock);
    for (let i = 0; i < punches.length; i += 4000) {
      const batch = punches.slice(i, i + 4000).map((p) => ({ enrollid: p.enrollid, time: p.time, ts: p.ts, mode: 1, inout: 0, event: 0 }));
      await store.write([{ type: "punches", sn: "BENCH", at: Date.now(), punches: batch, quarantine: [] }]);
    }
    if (views) await padTo(store, people, clock, views.punches - punches.length);
    const log = pino({ level: "silent" });
    const times: Array<{ wall: number; cpu: number }> = [];
    let days = 0;
    for (let run = 0; run < runs; run++) {
      const recompute = new TimesheetRecompute({ store, clock, log, now: Date.now, debounceMs: 0 });
      const started = performance.now();
      const cpu = process.cpuUsage();
      days = await recompute.everyone(FROM, TO);
      const used = process.cpuUsage(cpu);
      times.push({ wall: performance.now() - started, cpu: (used.user + used.system) / 1000 });
      await recompute.stop();
    }
    const sorted = [...times].sort((a, b) => a.wall - b.wall);
    const median = sorted[Math.floor(runs / 2)];
    const result: TimesheetStoreBench = { people, punches: punches.length, days, runs, medianMs: median?.wall ?? 0, minMs: sorted[0]?.wall ?? 0, maxMs: sorted[runs - 1]?.wall ?? 0, medianCpuMs: median?.cpu ?? 0 };
    if (views) result.views = await timeViews(store, views.punches);
    return result;
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface TodayBench {
  people: number;
  /** Nothing stored yet: everyone computed (what every look cost before stored results were read). */
  coldMs: number;
  /** Everything stored within the minute and followed: read only. */
  warmMs: number[];
  /** After `dirty` people punched again (not yet followed). */
  dirty: number;
  dirtyMs: number[];
}

/**
 * The Today view (`todayResults`) for `people` people who punched in this morning (the site clock
 * fixed at 12:00 on a Tuesday): the first look computes everyone; then, the recompute having
 * followed, looks read the stored results (5 runs); then 100 people punch again and the looks
 * compute only them (5 runs, a new punch each time).
 */
export async function todayBench(people = 5000): Promise<TodayBench> {
  const clock = new SiteClock("Europe/Berlin");
  const dir = mkdtempSync(join(tmpdir(), "tm20-bench-today-"));
  const store = await openStore({ kind: "sqlite", dataDir: dir });
  try {
    const ts = store.timesheets;
    for (let d = 1; d <= 4; d++) await ts.createDepartment(`Department ${d}`);
    for (const { id: _id, ...shift } of shifts) await ts.createShift(shift);
    for (const { id: _id, ...schedule } of schedules) await ts.createSchedule(schedule);
    for (let p = 1; p <= people; p++) await ts.setDepartment(p, ((p - 1) % 4) + 1, "2026-01-01");
    const date = "2026-03-03";
    const noon = clock.toUtc(`${date} 12:00:00`);
    const punch = (enrollid: number, time: string) => ({ enrollid, time, ts: clock.toUtc(time), mode: 1, inout: 0, event: 0 });
    const morning = month(people, clock, "2026-03-02", date).filter((p) => p.time < `${date} 11:00:00`);
    for (let i = 0; i < morning.length; i += 4000) {
      await store.write([{ type: "punches", sn: "BENCH", at: Date.now(), punches: morning.slice(i, i + 4000).map((p) => punch(p.enrollid, p.time)), quarantine: [] }]);
    }
    const look = async (at: number) => {
      const started = performance.now();
      await todayResults({ store, clock, now: () => at });
      return performance.now() - started;
    };
    const followed = async () => {
      const [last] = await store.attendanceSlice({}, "-id", 0, 1);
      await ts.claimFollow("bench", 60_000);
      await ts.advanceFollow("bench", last?.id ?? 0);
    };
    const coldMs = await look(noon);
    await followed();
    const warmMs: number[] = [];
    for (let i = 1; i <= 5; i++) warmMs.push(await look(noon + i * 1000));
    const dirty = 100;
    const dirtyMs: number[] = [];
    for (let i = 1; i <= 5; i++) {
      await store.write([{ type: "punches", sn: "BENCH", at: Date.now(), punches: Array.from({ length: dirty }, (_, k) => punch(k * Math.floor(people / dirty) + 1, `${date} 11:${String(10 + i).padStart(2, "0")}:00`)), quarantine: [] }]);
      dirtyMs.push(await look(noon + 10_000 + i * 1000));
    }
    return { people, coldMs, warmMs: warmMs.sort((a, b) => a - b), dirty, dirtyMs: dirtyMs.sort((a, b) => a - b) };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function describeTodayBench(r: TodayBench): string {
  const stats = (ms: number[]) => `median ${(ms[2] ?? 0).toFixed(1)} ms (${(ms[0] ?? 0).toFixed(1)}–${(ms[ms.length - 1] ?? 0).toFixed(1)})`;
  return `timesheets (Today, ${r.people} people): everyone computed ${r.coldMs.toFixed(0)} ms; all stored within the minute ${stats(r.warmMs)}; ${r.dirty} with new punches ${stats(r.dirtyMs)} (5 runs each)`;
}

export function describeTimesheetStoreBench(r: TimesheetStoreBench): string {
  const rebuild = `timesheets (rebuild with the SQLite store): ${r.people} people × ${TO.slice(0, 7)} (${r.days} results stored from ${r.punches} punches) in median ${r.medianMs.toFixed(0)} ms (CPU ${r.medianCpuMs.toFixed(0)} ms; ${r.runs} runs: ${r.minMs.toFixed(0)}–${r.maxMs.toFixed(0)} ms)`;
  if (!r.views) return rebuild;
  const v = r.views;
  const stats = (ms: number[]) => `median ${(ms[5] ?? 0).toFixed(1)} ms, max ${(ms[ms.length - 1] ?? 0).toFixed(1)} ms`;
  return `${rebuild}\ntimesheets (views, store of ${v.storePunches.toLocaleString("en")} punches): a person's month ${stats(v.monthMs)}; a department's summary (${v.summaryPeople} people) ${stats(v.summaryMs)} (11 runs each)`;
}

export function describeTimesheetBench(r: TimesheetBench): string {
  return `timesheets (pure rules): ${r.people} people × ${TO.slice(0, 7)} (${r.days} person-days from ${r.punches} punches) in median ${r.medianMs.toFixed(0)} ms (CPU ${r.medianCpuMs.toFixed(0)} ms; ${r.runs} runs: ${r.minMs.toFixed(0)}–${r.maxMs.toFixed(0)} ms), ${((r.medianMs * 1000) / r.days).toFixed(1)} µs a person-day`;
}

if (import.meta.main) {
  const arg = (name: string, fallback: number) => {
    const i = process.argv.indexOf(name);
    return i === -1 ? fallback : Number(process.argv[i + 1]);
  };
  if (process.argv.includes("--today")) {
    console.log(describeTodayBench(await todayBench(arg("--today", 5000))));
    process.exit(0);
  }
  console.log(describeTimesheetBench(timesheetsBench(arg("--people", 1000), arg("--runs", 5))));
  const views = process.argv.includes("--views") ? { punches: arg("--store-punches", 1_000_000) } : undefined;
  console.log(describeTimesheetStoreBench(await timesheetsStoreBench(arg("--people", 1000), arg("--runs", 3), views)));
}
