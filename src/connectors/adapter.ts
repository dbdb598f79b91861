/**
 * What an HR system's adapter does, and nothing more: deliver punches in order and say, for each,
 * what the remote answered; test its settings. The dispatcher (dispatcher.ts) owns everything
 * else (outbox, cursor, retries with back-off, dead letters, leases), the same for every kind.
 * A kind (kinds.ts) bundles an adapter with the zod schemas of its settings and credentials.
 */
import type { z } from "zod";
import type { SiteClock } from "../protocol/index.ts";
import type { SkipReason } from "../store/hr-contract.ts";

/** One committed punch as an adapter gets it. */
export interface HrRecord {
  /** The attendance row id (commit order): the outbox cursor. */
  id: number;
  /** The employee's id in the HR system, from the destination's mapping. */
  employee: string;
  enrollid: number;
  /** Our person's name ("" when the person is not in our list). */
  name: string;
  /** The terminal's serial number. */
  sn: string;
  /** Site-local wall clock, "YYYY-MM-DD HH:MM:SS", as the terminal reported it. */
  time: string;
  /** The same instant in UTC (ISO 8601). */
  utc: string;
  /** The terminal's in/out state (0 check-in, 1 check-out, 2/3 break out/in, 4/5 overtime in/out). */
  inout: number;
  mode: number;
}

/**
 * The remote's answer for one record. `skipped`: it refused the record for good for a reason the
 * dispatcher counts (never retried); `failed`: anything else, retried with back-off while
 * `retryable` and attempts remain, then kept as a dead letter with `error` (the remote's words).
 */
export type RecordOutcome =
  | { status: "delivered" }
  | { status: "skipped"; reason: SkipReason; message: string }
  | { status: "failed"; retryable: boolean; error: string };

export type TestResult = { ok: true; message: string } | { ok: false; message: string };

export interface HrAdapter {
  /**
   * Delivers `records` in order, one outcome per record; stops after the first `failed` one (the
   * records after it are not attempted), or early when `signal` is aborted.
   */
  deliver(records: readonly HrRecord[], signal: AbortSignal): Promise<RecordOutcome[]>;
  /** Checks the URL and credentials without creating anything. */
  test(signal: AbortSignal): Promise<TestResult>;
  /**
   * The outbox is empty after records were delivered: tell the remote (ERPNext's
   * `last_sync_of_checkin`). Null when done, else the error (tried again later).
   */
  caughtUp?(signal: AbortSignal): Promise<string | null>;
}

export interface AdapterContext<S, C> {
  url: string;
  settings: S;
  /** Null when none are stored. */
  credentials: C | null;
  timeoutMs: number;
  clock: () => SiteClock;
  now: () => number;
  userAgent: string;
}

/** One kind of HR system. */
export interface ConnectorKindDef<S, C> {
  kind: string;
  label: string;
  /** Defaults applied: `{}` gives the kind's default settings. */
  settings: z.ZodType<S>;
  credentials: z.ZodType<C>;
  adapter(ctx: AdapterContext<S, C>): HrAdapter;
}
