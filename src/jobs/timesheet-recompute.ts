/**
 * Keeps the stored daily results current (issue 14), off the terminal's path: punches are
 * followed by row id after `records-committed` (the commit has answered the terminal already),
 * so logs `getalllog` uploads days later are picked up like any other; the admin's changes queue
 * person-days or "everyone over a range" (`RecomputeRequests`). One pass at a time: wake-ups
 * within `debounceMs` coalesce (a punch's day is current within about that at normal load), the
 * punches are read a page at a time and coalesce into person-days, and `recomputeDays` yields
 * between people, so a backlog never holds the event loop. Under load, following punches takes
 * at most a tenth of the time (after a pass of T ms the next waits 9 T, at most 10 s): results
 * lag a full ingest by seconds and ingest keeps its throughput.
 *
 * Bounded: at most `maxPending` person-days wait; beyond, they collapse into "everyone over their
 * dates" (slower, never lost). In a cluster every instance follows every commit (the relay wakes
 * it): recomputing is idempotent (same punches and rules, same result), and since each instance's
 * last pass for a person reads every punch committed before it, whichever write lands last is
 * right. Today and yesterday are recomputed for everyone every `refreshMs`, so a day nobody
 * punched still gets its `absent` and an in-progress day settles after midnight.
 */
import type { Logger } from "pino";
import type { RecomputeRequests, RecomputeStatus, TimesheetClock } from "../app/timesheets.ts";
import type { EventBus } from "../events/bus.ts";
import { yieldToLoop } from "../lib/yield-to-loop.ts";
import type { Store } from "../store/contract.ts";
import { datesAffectedBy } from "../timesheets/assign.ts";
import { addDays } from "../timesheets/calendar.ts";
import { type PersonDate, recomputeDays } from "../timesheets/recompute.ts";
import type { LocalDate } from "../timesheets/types.ts";

export interface TimesheetRecomputeOptions {
  store: Pick<Store, "timesheets" | "attendanceSlice">;
  /** Read at every pass (pass a getter): the site time zone can change while the server runs. */
  clock: TimesheetClock;
  log: Logger;
  now: () => number;
  debounceMs?: number;
  refreshMs?: number;
  maxPending?: number;
  /** Punches read per page. */
  pageSize?: number;
}

interface Span {
  from: LocalDate | null;
  to: LocalDate | null;
  settle: Array<{ resolve: (stored: number) => void; reject: (err: unknown) => void }>;
}

/** People per `recomputeDays` call when recomputing everyone: one rules snapshot per batch. */
const PEOPLE_PER_BATCH = 200;
/** Person-days per `recomputeDays` call from the queue. */
const DAYS_PER_BATCH = 5000;
/** The share of the time following punches may take under load (the rest is ingest's). */
const DUTY = 0.1;
/** The longest pause between passes, however long the last one took: results lag a busy ingest by about this. */
const MAX_PAUSE_MS = 10_000;
/** Pages of punches a pass reads at most (the rest waits for the next pass; the cursor keeps them). */
const PAGES_PER_PASS = 20;

export class TimesheetRecompute implements RecomputeRequests {
  /** As given: `clock` may be a getter. */
  #o: TimesheetRecomputeOptions;
  #limits: { debounceMs: number; refreshMs: number; maxPending: number; pageSize: number };
  #pending = new Map<string, PersonDate>();
  #spans: Span[] = [];
  /** The last attendance row id read; null until `start` reads where the store is. */
  #cursor: number | null = null;
  #punchesWaiting = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #refresh: ReturnType<typeof setInterval> | undefined;
  #running: Promise<void> | null = null;
  #stopped = false;
  #stored = 0;
  #lastError: string | null = null;
  /** How long the last pass that followed punches took (ms). */
  #followMs = 0;
  #offBus: (() => void) | null = null;

  constructor(options: TimesheetRecomputeOptions) {
    this.#o = options;
    this.#limits = {
      debounceMs: options.debounceMs ?? 200,
      refreshMs: options.refreshMs ?? 5 * 60_000,
      maxPending: options.maxPending ?? 50_000,
      pageSize: options.pageSize ?? 2000,
    };
  }

  /**
   * Follows commits from now on (what is stored already is a rebuild's) and refreshes today on a
   * timer; without a bus (`--timesheet-updates off`) neither: only the requests are served.
   */
  async start(bus: EventBus | null): Promise<void> {
    if (bus === null) return;
    const [last] = await this.#o.store.attendanceSlice({}, "-id", 0, 1);
    this.#cursor = last?.id ?? 0;
    this.#offBus = bus.on("records-committed", (e) => {
      if (e.inserted === 0) return;
      this.#punchesWaiting = true;
      this.#kick();
    });
    this.#refresh = setInterval(() => this.#refreshToday(), this.#limits.refreshMs);
    this.#refreshToday();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#offBus?.();
    clearTimeout(this.#timer);
    clearInterval(this.#refresh);
    await this.#running;
    for (const span of this.#spans.splice(0)) for (const s of span.settle) s.reject(new Error("the server is stopping"));
  }

  status(): RecomputeStatus {
    return {
      running: this.#running !== null,
      pendingDays: this.#pending.size,
      pendingRanges: this.#spans.length,
      stored: this.#stored,
      lastError: this.#lastError,
    };
  }

  people(targets: Iterable<PersonDate>): void {
    const end = this.#today();
    for (const t of targets) {
      if (t.date > end) continue;
      this.#pending.set(`${t.enrollid} ${t.date}`, t);
    }
    if (this.#pending.size > this.#limits.maxPending) this.#collapse();
    this.#kick();
  }

  everyone(from: LocalDate | null, to: LocalDate | null): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#spans.push({ from, to, settle: [{ resolve, reject }] });
      this.#kick();
    });
  }

  /** Resolves when nothing is waiting nor running (tests, the benchmark, the CLI). */
  async idle(): Promise<void> {
    while (this.#running || this.#timer !== undefined) {
      await (this.#running ?? new Promise((r) => setTimeout(r, this.#limits.debounceMs)));
    }
  }

  #today(): LocalDate {
    return this.#o.clock.format(this.#o.now()).slice(0, 10);
  }

  #refreshToday() {
    const end = this.#today();
    void this.everyone(addDays(end, -1), end).catch(() => undefined);
  }

  /** Too many single person-days: everyone over their dates instead. */
  #collapse() {
    const dates = [...this.#pending.values()].map((t) => t.date).sort();
    this.#pending.clear();
    this.#spans.push({ from: dates[0] ?? null, to: dates[dates.length - 1] ?? null, settle: [] });
  }

  #kick() {
    if (this.#stopped || this.#running || this.#timer !== undefined) return;
    // Following punches takes at most a tenth of the time: after a pass of T ms, wait 9 T (ingest comes first).
    const pause = Math.min(MAX_PAUSE_MS, Math.max(this.#limits.debounceMs, this.#followMs * (1 / DUTY - 1)));
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#running = this.#run().finally(() => {
        this.#running = null;
        if (this.#punchesWaiting || this.#pending.size > 0 || this.#spans.length > 0) this.#kick();
      });
    }, pause);
  }

  /** One pass: the punches committed since the last (a bounded number of pages), the person-days waiting, then one range. */
  async #run(): Promise<void> {
    try {
      const started = performance.now();
      const followed = this.#punchesWaiting;
      for (let page = 0; this.#punchesWaiting && page < PAGES_PER_PASS && this.#pending.size < this.#limits.maxPending && !this.#stopped; page++) {
        await this.#readPunches();
      }
      while (this.#pending.size > 0 && !this.#stopped) await this.#recomputePending();
      this.#followMs = followed ? performance.now() - started : 0;
      const span = this.#spans.shift();
      if (span && !this.#stopped) await this.#recomputeSpan(span);
    } catch (err) {
      this.#lastError = err instanceof Error ? err.message : String(err);
      this.#o.log.warn({ err }, "timesheets: recomputing failed; the next change or the refresh tries again");
    }
  }

  /** One page of punches committed since the cursor → their person-days. */
  async #readPunches() {
    if (this.#cursor === null) return;
    this.#punchesWaiting = false;
    const rows = await this.#o.store.attendanceSlice({ afterId: this.#cursor }, "id", 0, this.#limits.pageSize);
    const targets: PersonDate[] = [];
    for (const row of rows) {
      if (row.enrollid > 0) for (const date of datesAffectedBy(row.time.slice(0, 10))) targets.push({ enrollid: row.enrollid, date });
    }
    const last = rows[rows.length - 1];
    if (last) this.#cursor = last.id;
    if (rows.length === this.#limits.pageSize) this.#punchesWaiting = true;
    this.people(targets);
  }

  async #recomputePending() {
    const batch: PersonDate[] = [];
    for (const [key, target] of this.#pending) {
      batch.push(target);
      this.#pending.delete(key);
      if (batch.length >= DAYS_PER_BATCH) break;
    }
    const now = this.#o.now();
    this.#stored += await recomputeDays(this.#o.store.timesheets, batch, { clock: this.#o.clock, at: now, asOf: now });
  }

  async #recomputeSpan(span: Span) {
    // Ranges waiting behind this one that overlap it are done in the same pass.
    for (let i = this.#spans.length - 1; i >= 0; i--) {
      const other = this.#spans[i] as Span;
      if (overlaps(span, other)) {
        span.from = span.from === null || other.from === null ? null : span.from < other.from ? span.from : other.from;
        span.to = span.to === null || other.to === null ? null : span.to > other.to ? span.to : other.to;
        span.settle.push(...other.settle);
        this.#spans.splice(i, 1);
      }
    }
    try {
      const stored = await this.#recomputeEveryone(span.from, span.to);
      for (const s of span.settle) s.resolve(stored);
    } catch (err) {
      for (const s of span.settle) s.reject(err);
      throw err;
    }
  }

  async #recomputeEveryone(fromOrNull: LocalDate | null, toOrNull: LocalDate | null): Promise<number> {
    const end = this.#today();
    let from = fromOrNull;
    if (from === null) {
      const [first] = await this.#o.store.attendanceSlice({}, "time", 0, 1);
      if (!first) return 0;
      from = first.time.slice(0, 10);
    }
    const to = toOrNull === null || toOrNull > end ? end : toOrNull;
    if (from > to) return 0;
    const dates: LocalDate[] = [];
    for (let d = from; d <= to; d = addDays(d, 1)) dates.push(d);
    const people = await this.#o.store.timesheets.enrollids(from, to);
    let stored = 0;
    for (let i = 0; i < people.length && !this.#stopped; i += PEOPLE_PER_BATCH) {
      const targets: PersonDate[] = [];
      for (const enrollid of people.slice(i, i + PEOPLE_PER_BATCH)) for (const date of dates) targets.push({ enrollid, date });
      const now = this.#o.now();
      stored += await recomputeDays(this.#o.store.timesheets, targets, { clock: this.#o.clock, at: now, asOf: now });
      await yieldToLoop();
    }
    this.#stored += stored;
    return stored;
  }
}

function overlaps(a: Span, b: Span): boolean {
  const aFrom = a.from ?? "";
  const bFrom = b.from ?? "";
  const aTo = a.to ?? "9999-12-31";
  const bTo = b.to ?? "9999-12-31";
  return aFrom <= addDaysOrMax(bTo) && bFrom <= addDaysOrMax(aTo);
}

/** Adjacent ranges merge too. */
function addDaysOrMax(date: LocalDate): LocalDate {
  return date === "9999-12-31" ? date : addDays(date, 1);
}
