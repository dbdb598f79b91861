/** Recomputing everyone's days over a range, and the running or last such rebuild on this instance. */
import { AppError } from "../../lib/app-error.ts";
import type { LocalDate } from "../../timesheets/types.ts";
import type { Actor } from "../actor.ts";
import { audit } from "../audit.ts";
import { validInput } from "../input.ts";
import type { RebuildCount, RebuildProgressListener, TimesheetDeps } from "./deps.ts";
import { dateRange, MAX_REBUILD_DAYS } from "./fields.ts";

/** A rebuild started on this instance: running, or how the last one ended. */
export interface RebuildState extends RebuildCount {
  /** Counts the rebuilds since start: which one the page shows. */
  run: number;
  from: LocalDate;
  to: LocalDate;
  status: "running" | "succeeded" | "failed";
  /** Results stored (known at the end). */
  stored: number;
  /** `performance.now()` at the start: a duration, not the site clock (which tests hold still). */
  startedAt: number;
  /** How long it took, once ended. */
  ms: number | null;
  error: string | null;
}

/**
 * The running or last rebuild on this instance, in memory (a restart forgets it; the results are
 * stored regardless). One at a time: `rebuildTimesheets` refuses a second while one runs.
 */
export class RebuildTracker {
  #state: RebuildState | null = null;
  #runs = 0;

  current(): RebuildState | null {
    return this.#state === null ? null : { ...this.#state };
  }

  get running(): boolean {
    return this.#state?.status === "running";
  }

  /** A new run: what to pass as the recompute's listener, and `end` for its promise. */
  start(from: LocalDate, to: LocalDate): { listen: RebuildProgressListener; end: (done: Promise<number>) => void } {
    const state: RebuildState = { run: ++this.#runs, from, to, status: "running", done: 0, total: 0, people: 0, days: 0, stored: 0, startedAt: performance.now(), ms: null, error: null };
    this.#state = state;
    return {
      listen: (p) => Object.assign(state, p),
      end: (done) =>
        done.then(
          (stored) => Object.assign(state, { status: "succeeded", stored, ms: performance.now() - state.startedAt }),
          (err: unknown) => Object.assign(state, { status: "failed", ms: performance.now() - state.startedAt, error: err instanceof Error ? err.message : String(err) }),
        ),
    };
  }
}

/** Recomputes every person's days over [from, to] (what `tm20 timesheets rebuild` does); resolves with the results stored. */
export async function rebuildTimesheets(deps: TimesheetDeps, actor: Actor, input: { from: string; to: string }, tracker?: RebuildTracker): Promise<{ from: string; to: string; done: Promise<number> }> {
  const range = validInput(dateRange(MAX_REBUILD_DAYS), input);
  if (tracker?.running) {
    const now = tracker.current();
    throw new AppError(409, "rebuild_running", `A rebuild of ${now?.from} to ${now?.to} is running; wait for it to end.`);
  }
  await audit(deps, actor, "timesheets.rebuild", "site", range);
  if (!tracker) return { ...range, done: deps.recompute.everyone(range.from, range.to) };
  const run = tracker.start(range.from, range.to);
  const done = deps.recompute.everyone(range.from, range.to, run.listen);
  run.end(done);
  return { ...range, done };
}
