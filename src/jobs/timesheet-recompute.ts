/**
 * Keeps the stored daily results current (issue 14), off the terminal's path: punches are
 * followed by row id after `records-committed` (the commit has answered the terminal already),
 * so logs `getalllog` uploads days later are picked up like any other; the admin's changes queue
 * person-days or "everyone over a range" (`RecomputeRequests`; a range's walk is
 * timesheet-rebuild-range.ts). One pass at a time: wake-ups
 * within `debounceMs` coalesce (a punch's day is current within about that at normal load), the
 * punches are read a page at a time and coalesce into person-days, and `recomputeDays` yields
 * between people, so a backlog never holds the event loop. Under load, following punches takes
 * at most a twentieth of the time (after a pass of T ms the next waits 19 T): under a full ingest
 * results lag by that much and ingest keeps its throughput (BENCHMARKS.md).
 *
 * Durable: how far the punches are followed is a mark in the store (`claimFollow`), moved only
 * after the results of the punches up to it are written, so the punches committed just before a
 * crash are recomputed at the next start. One follower a cluster: the mark comes with a lease that
 * the follower renews; another instance takes over when it lapses (its holder stopped or died).
 * The admin's requests are served by the instance that took them (one recompute a change).
 *
 * Bounded: at most `maxPending` person-days wait; beyond, they collapse into "everyone over their
 * dates" (slower, never lost). The follower also recomputes today and yesterday for everyone every
 * `refreshMs`, so a day nobody punched gets its `absent` once due (`isDue`) and an in-progress day settles
 * after midnight.
 */
import type { Logger } from "pino";
import type { RebuildProgressListener, RecomputeRequests, RecomputeStatus, TimesheetClock } from "../app/timesheets/deps.ts";
import type { EventBus } from "../events/bus.ts";
import type { Store } from "../store/contract.ts";
import { datesAffectedBy } from "../timesheets/assign.ts";
import { addDays } from "../timesheets/calendar.ts";
import { type PersonDate, recomputeDays } from "../timesheets/recompute.ts";
import type { LocalDate } from "../timesheets/types.ts";
import { absorbOverlapping, recomputeEveryone, type Span } from "./timesheet-rebuild-range.ts";

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
  /** This instance as the follow lease's holder: a cluster's instance id; one name for a single box, which then takes its lease back at once after a crash. */
  holder?: string;
  /** How long the follow lease lasts unrenewed (renewed every third of it): how soon another instance takes over. */
  leaseMs?: number;
  /** Punches a rebuild holds in memory at once (a few hundred bytes each); a range with more is rebuilt in windows of fewer days. */
  readAheadPunches?: number;
}

/** Person-days per `recomputeDays` call from the queue. */
const DAYS_PER_BATCH = 5000;
/** The share of the time following punches may take under load (the rest is ingest's). */
const DUTY = 0.05;
/** The longest pause between passes, however long the last one took: only a pass stalled far beyond the work it did takes longer than a twentieth. */
const MAX_PAUSE_MS = 120_000;
/** Pages of punches a pass reads at most (the rest waits for the next pass; the mark keeps them). */
const PAGES_PER_PASS = 20;

export class TimesheetRecompute implements RecomputeRequests {
  /** As given: `clock` may be a getter. */
  #o: TimesheetRecomputeOptions;
  #limits: { debounceMs: number; refreshMs: number; maxPending: number; pageSize: number; leaseMs: number; readAheadPunches: number };
  #holder: string;
  #pending = new Map<string, PersonDate>();
  #spans: Span[] = [];
  /** This instance held the follow lease at its last claim: only then do commits wake it. */
  #leading = false;
  #punchesWaiting = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #refresh: ReturnType<typeof setInterval> | undefined;
  #renew: ReturnType<typeof setInterval> | undefined;
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
      leaseMs: options.leaseMs ?? 15_000,
      readAheadPunches: options.readAheadPunches ?? 150_000,
    };
    this.#holder = options.holder ?? "single";
  }

  /**
   * Follows the punches from the stored mark on (those committed before a crash first) while this
   * instance holds the follow lease, and refreshes today on a timer; without a bus
   * (`--timesheet-updates off`) neither: only the requests are served.
   */
  async start(bus: EventBus | null): Promise<void> {
    if (bus === null) return;
    this.#offBus = bus.on("records-committed", (e) => {
      if (e.inserted === 0 || !this.#leading) return;
      this.#punchesWaiting = true;
      this.#kick();
    });
    await this.#claim();
    this.#renew = setInterval(() => void this.#claim(), Math.max(1, Math.floor(this.#limits.leaseMs / 3)));
    this.#refresh = setInterval(() => {
      if (this.#leading) this.#refreshToday();
    }, this.#limits.refreshMs);
    if (this.#leading) this.#refreshToday();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#offBus?.();
    clearTimeout(this.#timer);
    clearInterval(this.#refresh);
    clearInterval(this.#renew);
    await this.#running;
    for (const span of this.#spans.splice(0)) for (const s of span.settle) s.reject(new Error("the server is stopping"));
    if (this.#offBus) {
      // Another instance takes over at its next claim instead of when the lease lapses.
      await this.#o.store.timesheets.releaseFollow(this.#holder).catch((err: unknown) => this.#o.log.warn({ err }, "timesheets: could not give the follow lease up"));
    }
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

  everyone(from: LocalDate | null, to: LocalDate | null, onProgress?: RebuildProgressListener): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#spans.push({ from, to, settle: [{ resolve, reject }], progress: onProgress ? [onProgress] : [] });
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
    this.#spans.push({ from: dates[0] ?? null, to: dates[dates.length - 1] ?? null, settle: [], progress: [] });
  }

  #kick() {
    if (this.#stopped || this.#running || this.#timer !== undefined) return;
    // Following punches takes at most a twentieth of the time: after a pass of T ms, wait 19 T (ingest comes first).
    const pause = Math.min(MAX_PAUSE_MS, Math.max(this.#limits.debounceMs, this.#followMs * (1 / DUTY - 1)));
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#running = this.#run().finally(() => {
        this.#running = null;
        if (this.#punchesWaiting || this.#pending.size > 0 || this.#spans.length > 0) this.#kick();
      });
    }, pause);
  }

  /**
   * Takes or renews the follow lease. A lease newly taken (at start, or from an instance that
   * stopped) starts following from the stored mark: what was committed after it is read again.
   */
  async #claim() {
    if (this.#stopped) return;
    try {
      const mark = await this.#o.store.timesheets.claimFollow(this.#holder, this.#limits.leaseMs);
      const taken = mark !== null && !this.#leading;
      this.#leading = mark !== null;
      if (taken) {
        this.#punchesWaiting = true;
        this.#kick();
      }
    } catch (err) {
      this.#o.log.warn({ err }, "timesheets: could not renew the follow lease; trying again");
    }
  }

  /** One pass: the punches committed since the mark (a bounded number of pages), the person-days waiting, then one range. */
  async #run(): Promise<void> {
    try {
      const started = performance.now();
      const followed = this.#punchesWaiting;
      if (followed) await this.#follow();
      while (this.#pending.size > 0 && !this.#stopped) await this.#recomputePending();
      this.#followMs = followed ? performance.now() - started : 0;
      const span = this.#spans.shift();
      if (span && !this.#stopped) await this.#recomputeSpan(span);
    } catch (err) {
      this.#lastError = err instanceof Error ? err.message : String(err);
      this.#o.log.warn({ err }, "timesheets: recomputing failed; the next change or the refresh tries again");
    }
  }

  /**
   * The punches committed since the stored mark, a bounded number of pages → their person-days →
   * recomputed; then the mark moves past them. Read from the store's mark at every pass (the lease
   * is renewed with it), so a pass that fails or an instance that dies leaves them to the next.
   */
  async #follow() {
    this.#punchesWaiting = false;
    const ts = this.#o.store.timesheets;
    const mark = await ts.claimFollow(this.#holder, this.#limits.leaseMs);
    this.#leading = mark !== null;
    if (mark === null) return;
    const end = this.#today();
    const days = new Map<string, PersonDate>();
    let cursor = mark;
    for (let page = 0; page < PAGES_PER_PASS && days.size < this.#limits.maxPending && !this.#stopped; page++) {
      const rows = await this.#o.store.attendanceSlice({ afterId: cursor }, "id", 0, this.#limits.pageSize);
      for (const row of rows) {
        if (row.enrollid <= 0) continue;
        for (const date of datesAffectedBy(row.time.slice(0, 10))) if (date <= end) days.set(`${row.enrollid} ${date}`, { enrollid: row.enrollid, date });
      }
      const last = rows[rows.length - 1];
      if (last) cursor = last.id;
      // A full page: more may wait (the next pass reads on from the mark).
      this.#punchesWaiting = rows.length === this.#limits.pageSize;
      if (!this.#punchesWaiting) break;
    }
    const targets = [...days.values()];
    for (let i = 0; i < targets.length; i += DAYS_PER_BATCH) {
      // Stopping: the mark stays, so the next start recomputes them.
      if (this.#stopped) return;
      const now = this.#o.now();
      this.#stored += await recomputeDays(ts, targets.slice(i, i + DAYS_PER_BATCH), { clock: this.#o.clock, at: now, asOf: now });
    }
    if (cursor > mark && !(await ts.advanceFollow(this.#holder, cursor))) {
      this.#leading = false;
      this.#punchesWaiting = false;
      this.#o.log.info("timesheets: another instance follows the punches now");
    }
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
    absorbOverlapping(span, this.#spans);
    try {
      const run = { o: this.#o, today: this.#today(), readAheadPunches: this.#limits.readAheadPunches, stopped: () => this.#stopped };
      const stored = await recomputeEveryone(run, span.from, span.to, (p) => {
        for (const tell of span.progress) tell(p);
      });
      this.#stored += stored;
      for (const s of span.settle) s.resolve(stored);
    } catch (err) {
      for (const s of span.settle) s.reject(err);
      throw err;
    }
  }
}
