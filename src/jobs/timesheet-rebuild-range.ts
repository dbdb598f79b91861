/**
 * "Everyone over a range" for the recompute queue (src/jobs/timesheet-recompute.ts): the ranges
 * waiting merge when they overlap or touch, and a range is walked in windows of days whose
 * punches are read ahead in one go (memory bounded by `readAheadPunches`), people in batches,
 * yielding between them, with progress told in person-days.
 */
import type { RebuildProgressListener, TimesheetClock } from "../app/timesheets/deps.ts";
import { yieldToLoop } from "../lib/yield-to-loop.ts";
import type { Store } from "../store/contract.ts";
import { addDays, datesBetween } from "../timesheets/calendar.ts";
import { type PersonDate, type ReadAhead, recomputeDays } from "../timesheets/recompute.ts";
import type { LocalDate, RawPunch } from "../timesheets/types.ts";

/** A range asked for, and who waits for it. */
export interface Span {
  from: LocalDate | null;
  to: LocalDate | null;
  settle: Array<{ resolve: (stored: number) => void; reject: (err: unknown) => void }>;
  /** Told as the range's person-days are done (a range merged into another is told the merged one's). */
  progress: RebuildProgressListener[];
}

/** What one range's walk reads: the queue's options (`clock` read at each batch: it may be a getter), today when it started, and whether the queue is stopping. */
export interface RangeRun {
  o: { store: Pick<Store, "timesheets" | "attendanceSlice">; readonly clock: TimesheetClock; now: () => number };
  today: LocalDate;
  readAheadPunches: number;
  stopped: () => boolean;
}

/** People per `recomputeDays` call when recomputing everyone: one rules snapshot per batch. */
const PEOPLE_PER_BATCH = 200;
/** Punches a read-ahead page holds: the event loop is yielded between pages. */
const READ_AHEAD_PAGE = 5000;

/** Ranges waiting behind `span` that overlap it are taken out of `waiting` and merged into it (done in the same pass). */
export function absorbOverlapping(span: Span, waiting: Span[]): void {
  for (let i = waiting.length - 1; i >= 0; i--) {
    const other = waiting[i] as Span;
    if (overlaps(span, other)) {
      span.from = span.from === null || other.from === null ? null : span.from < other.from ? span.from : other.from;
      span.to = span.to === null || other.to === null ? null : span.to > other.to ? span.to : other.to;
      span.settle.push(...other.settle);
      span.progress.push(...other.progress);
      waiting.splice(i, 1);
    }
  }
}

/** Recomputes everyone over [from, to] (from null: from the first stored punch; to null or past today: to today), telling `tell` as person-days are done; resolves with the results stored. */
export async function recomputeEveryone(run: RangeRun, fromOrNull: LocalDate | null, toOrNull: LocalDate | null, tell: RebuildProgressListener): Promise<number> {
  const ts = run.o.store.timesheets;
  const end = run.today;
  let from = fromOrNull;
  if (from === null) {
    const [first] = await run.o.store.attendanceSlice({}, "time", 0, 1);
    if (!first) return 0;
    from = first.time.slice(0, 10);
  }
  const to = toOrNull === null || toOrNull > end ? end : toOrNull;
  if (from > to) return 0;
  const people = await ts.enrollids(from, to);
  // Windows of as many days as hold `readAheadPunches` on average (a month of a small office is one).
  const days = datesBetween(from, to).length;
  // Person-days: what the loop below walks, known before it starts.
  const progress = { from, to, done: 0, total: people.length * days, people: people.length, days };
  tell({ ...progress });
  const count = await ts.countPunchesBetween(addDays(from, -1), addDays(to, 2));
  const limit = run.readAheadPunches;
  const span = count <= limit ? days : Math.max(1, Math.floor((days * limit) / count));
  let stored = 0;
  for (let start = from; start <= to && !run.stopped(); start = addDays(start, span)) {
    const last = addDays(start, span - 1) < to ? addDays(start, span - 1) : to;
    const dates = datesBetween(start, last);
    // One window: its count is the one just read.
    const read = await readAhead(run, start, last, span === days ? count : null);
    for (let i = 0; i < people.length && !run.stopped(); i += PEOPLE_PER_BATCH) {
      const targets: PersonDate[] = [];
      for (const enrollid of people.slice(i, i + PEOPLE_PER_BATCH)) for (const date of dates) targets.push({ enrollid, date });
      const now = run.o.now();
      stored += await recomputeDays(ts, targets, { clock: run.o.clock, at: now, asOf: now }, read ?? undefined);
      progress.done += targets.length;
      tell({ ...progress });
      await yieldToLoop();
    }
  }
  return stored;
}

/**
 * Everyone's memberships and the punches of [from − 1 day, to + 2 days), read a page at a time
 * in stored order; null when the window holds more than twice `readAheadPunches` (read person by
 * person then, memory bounded).
 */
async function readAhead(run: RangeRun, from: LocalDate, to: LocalDate, counted: number | null): Promise<ReadAhead | null> {
  const ts = run.o.store.timesheets;
  const [since, until] = [addDays(from, -1), addDays(to, 2)];
  if ((counted ?? (await ts.countPunchesBetween(since, until))) > 2 * run.readAheadPunches) return null;
  const punches = new Map<number, RawPunch[]>();
  let after: { time: string; id: number } | null = null;
  for (;;) {
    const page = await ts.punchesBetween(since, until, after, READ_AHEAD_PAGE);
    for (const punch of page) {
      const list = punches.get(punch.enrollid);
      if (list) list.push(punch);
      else punches.set(punch.enrollid, [punch]);
    }
    const last = page[page.length - 1];
    if (!last || page.length < READ_AHEAD_PAGE) break;
    after = { time: last.time, id: last.id };
    await yieldToLoop();
  }
  return { memberships: await ts.allMemberships(), punches };
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
