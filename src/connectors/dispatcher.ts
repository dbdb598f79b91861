/**
 * Delivers every HR destination's outbox with webhooks' guarantees: one run at a time per
 * destination, records in commit order, the cursor moved only past records the remote settled
 * (delivered, or skipped for a reason it gave: counted, never retried), and only after that
 * settlement is committed, so a crash sends again at most the records in flight (the remote's
 * duplicate rule absorbs them: at-least-once). A failed record is retried with exponential
 * back-off; after the destination's max attempts (or at once when the remote says it can never
 * take it) it is kept as a dead letter with the remote's message and the cursor passes it.
 *
 * In a cluster every instance runs one, but only the holder of a destination's lease delivers it
 * (webhooks/leases.ts LeaseKeeper); its settlements are fenced, so an instance that lost the lease
 * never moves a cursor. Destinations changed on other instances are read on the poll timer.
 */
import type { Logger } from "pino";
import type { SecretBox } from "../auth/secret-box.ts";
import { hasCode } from "../lib/app-error.ts";
import { backoffMs } from "../lib/backoff.ts";
import type { SiteClock } from "../protocol/index.ts";
import type { OutboundStore } from "../store/export-contract.ts";
import type { HrLeaseStore, HrSettlements, SkipReason } from "../store/hr-contract.ts";
import type { HrDeadLetterRow, HrDestinationRow } from "../store/schema.ts";
import { LeaseKeeper } from "../webhooks/leases.ts";
import type { HrAdapter, HrRecord, RecordOutcome, TestResult } from "./adapter.ts";
import { type HrDestination, type HrDestinationState, parseHrDestination } from "./destination.ts";
import { connectorKind } from "./kinds.ts";
import { backlogOf, nextRecords } from "./outbox.ts";

export interface HrDispatcherOptions {
  store: OutboundStore;
  secrets: SecretBox;
  log: Logger;
  version: string;
  clock: () => SiteClock;
  now?: () => number;
  /** Look for new records this often even without a commit event. */
  pollMs?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Cluster mode: deliver only the destinations whose lease this instance holds. */
  cluster?: { leases: HrLeaseStore; instance: string; leaseMs: number };
}

interface Lane {
  dest: HrDestination;
  adapter: HrAdapter | null;
  /** Why no adapter could be made (credentials that cannot be opened, settings its kind refuses). */
  broken: string | null;
  attempts: number;
  timer: ReturnType<typeof setTimeout> | null;
  nextAttemptAt: number | null;
  running: Promise<void> | null;
  again: boolean;
  abort: AbortController;
  /** Records were delivered since the remote was last told the outbox is empty. */
  catchUpDue: boolean;
  catchUpFailures: number;
  catchUpNotBefore: number;
}

const short = (text: string) => (text.length > 500 ? `${text.slice(0, 500)}…` : text);
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export class HrDispatcher {
  #o: Required<Omit<HrDispatcherOptions, "cluster">> & Pick<HrDispatcherOptions, "cluster">;
  #lanes = new Map<number, Lane>();
  #poll: ReturnType<typeof setInterval> | null = null;
  #stopped = false;
  /** Aborts tests and manual retries when the server stops (they are no lane's). */
  #stopping = new AbortController();
  #keeper: LeaseKeeper | null = null;
  #settle: HrSettlements;
  #syncing: Promise<void> | null = null;
  /** Destinations whose lease was just taken, until their row is read again. */
  #reading = new Set<number>();

  constructor(options: HrDispatcherOptions) {
    this.#o = { now: Date.now, pollMs: 2_000, retryBaseMs: 1_000, retryMaxMs: 300_000, ...options };
    const cluster = options.cluster;
    this.#settle = cluster ? cluster.leases.fenced(cluster.instance) : options.store.hrDestinations;
    if (cluster) {
      this.#keeper = new LeaseKeeper({
        store: cluster.leases,
        what: "hr destination",
        holder: cluster.instance,
        ttlMs: cluster.leaseMs,
        log: options.log,
        onGained: (id) => {
          // Another instance may have moved the cursor meanwhile: no run before it is read again.
          this.#reading.add(id);
          void this.reload(id, { fresh: true })
            .catch((err: unknown) => this.#storeError(id, err))
            .finally(() => {
              if (this.#reading.delete(id)) this.#wakeId(id);
            });
        },
        onLost: (id) => this.#lost(id),
      });
    }
  }

  async start() {
    for (const row of await this.#o.store.hrDestinations.list()) this.#install(parseHrDestination(row));
    await this.#keeper?.start();
    this.#poll = setInterval(() => {
      if (this.#keeper) void this.#sync().then(() => this.wakeAll());
      else this.wakeAll();
    }, this.#o.pollMs);
    this.wakeAll();
  }

  async stop() {
    this.#stopped = true;
    this.#stopping.abort();
    if (this.#poll) clearInterval(this.#poll);
    const running: Array<Promise<void>> = [];
    for (const lane of this.#lanes.values()) {
      if (lane.timer) clearTimeout(lane.timer);
      lane.abort.abort();
      if (lane.running) running.push(lane.running);
    }
    await Promise.allSettled(running);
    await this.#syncing;
    await this.#keeper?.stop();
  }

  /** Destinations delivered here whose next record has failed at least once. */
  get failingCount(): number {
    let n = 0;
    for (const lane of this.#lanes.values()) if (lane.attempts > 0 && this.#mine(lane.dest.id)) n++;
    return n;
  }

  /** New records were committed. */
  wakeAll() {
    for (const lane of this.#lanes.values()) this.#wake(lane);
  }

  /** The destination was created, changed or deleted; `fresh`: its lease was just taken, read it again. */
  async reload(id: number, { fresh = false } = {}) {
    this.#apply(id, await this.#o.store.hrDestinations.get(id), fresh);
  }

  async state(d: HrDestination): Promise<HrDestinationState> {
    const lane = this.#mine(d.id) ? this.#lanes.get(d.id) : undefined;
    const cluster = this.#o.cluster;
    return {
      backlog: await backlogOf(this.#o.store, d),
      deadLetters: await this.#o.store.hrDestinations.deadLetterCount(d.id),
      nextAttemptAt: lane?.nextAttemptAt ?? null,
      inFlight: lane?.running !== null && lane?.running !== undefined,
      instance: cluster ? (this.#mine(d.id) ? cluster.instance : await cluster.leases.holder(d.id)) : null,
    };
  }

  /** Asks the HR system whether the destination's URL and credentials work. */
  async test(d: HrDestination): Promise<TestResult> {
    const made = this.#adapter(d);
    if ("error" in made) return { ok: false, message: made.error };
    try {
      return await made.adapter.test(this.#stopping.signal);
    } catch (err) {
      return { ok: false, message: message(err) };
    }
  }

  /** Sends a dead letter's record once more, now; it stays dead (one more attempt counted) if that fails. */
  async retryDeadLetter(d: HrDestination, letter: HrDeadLetterRow): Promise<{ letter: HrDeadLetterRow; outcome: RecordOutcome }> {
    const made = this.#adapter(d);
    const record = JSON.parse(letter.record) as HrRecord;
    let outcome: RecordOutcome;
    if ("error" in made) outcome = { status: "failed", retryable: true, error: made.error };
    else {
      try {
        outcome = (await made.adapter.deliver([record], this.#stopping.signal))[0] ?? { status: "failed", retryable: true, error: "no answer" };
      } catch (err) {
        outcome = { status: "failed", retryable: true, error: message(err) };
      }
    }
    const settled = await this.#o.store.hrDestinations.settleDeadLetter(letter.id, {
      status: outcome.status === "failed" ? "dead" : "delivered",
      attempts: letter.attempts + 1,
      error: outcome.status === "failed" ? short(outcome.error) : outcome.status === "skipped" ? short(outcome.message) : letter.lastError,
      at: this.#o.now(),
    });
    this.#o.log.info({ hrDestination: d.id, deadLetter: letter.id, outcome: outcome.status }, "HR dead letter retried");
    return { letter: settled ?? letter, outcome };
  }

  #adapter(d: HrDestination): { adapter: HrAdapter } | { error: string } {
    const kind = connectorKind(d.kind);
    if (!kind) return { error: `unknown kind "${d.kind}"` };
    try {
      const credentials = d.credentialsSealed === null ? null : (JSON.parse(this.#o.secrets.open(d.credentialsSealed)) as unknown);
      const adapter = kind.adapter({
        url: d.url,
        settings: d.settings,
        credentials,
        timeoutMs: d.timeoutMs,
        clock: this.#o.clock,
        now: this.#o.now,
        userAgent: `tm20-server/${this.#o.version}`,
      });
      return { adapter };
    } catch (err) {
      return { error: message(err) };
    }
  }

  #sync(): Promise<void> {
    this.#syncing ??= (async () => {
      try {
        const rows = await this.#o.store.hrDestinations.list();
        const ids = new Set(rows.map((r) => r.id));
        for (const row of rows) if (this.#lanes.get(row.id)?.dest.updatedAt !== row.updatedAt) this.#apply(row.id, row, false);
        for (const id of [...this.#lanes.keys()]) if (!ids.has(id)) this.#apply(id, null, false);
      } catch (err) {
        this.#o.log.warn({ err: message(err) }, "HR destinations could not be read; trying again");
      }
    })().finally(() => {
      this.#syncing = null;
    });
    return this.#syncing;
  }

  #mine(id: number): boolean {
    return this.#keeper === null || this.#keeper.holds(id);
  }

  #lost(id: number) {
    const lane = this.#lanes.get(id);
    if (!lane) return;
    if (lane.timer) clearTimeout(lane.timer);
    lane.timer = null;
    lane.nextAttemptAt = null;
    lane.abort.abort();
    lane.abort = new AbortController();
  }

  #apply(id: number, row: HrDestinationRow | null, fresh: boolean) {
    const lane = this.#lanes.get(id);
    if (!row) {
      if (lane) {
        if (lane.timer) clearTimeout(lane.timer);
        lane.abort.abort();
        this.#lanes.delete(id);
      }
      return;
    }
    const dest = parseHrDestination(row);
    if (fresh) this.#reading.delete(id);
    if (!lane) {
      this.#install(dest);
      void this.#keeper?.claim();
      return;
    }
    // The cursor never goes back: a row read before our own settlement committed may show an older one.
    lane.dest = { ...dest, cursor: Math.max(lane.dest.cursor, dest.cursor) };
    this.#equip(lane);
    if (fresh) lane.attempts = dest.attempts;
    if (lane.timer) {
      // Settings changed (a fixed URL or key, say): try now rather than at the end of the back-off.
      clearTimeout(lane.timer);
      lane.timer = null;
      lane.nextAttemptAt = null;
    }
    this.#wake(lane);
  }

  #equip(lane: Lane) {
    const made = this.#adapter(lane.dest);
    lane.adapter = "adapter" in made ? made.adapter : null;
    lane.broken = "error" in made ? made.error : null;
  }

  #install(dest: HrDestination) {
    const lane: Lane = {
      dest,
      adapter: null,
      broken: null,
      attempts: dest.attempts,
      timer: null,
      nextAttemptAt: null,
      running: null,
      again: false,
      abort: new AbortController(),
      catchUpDue: false,
      catchUpFailures: 0,
      catchUpNotBefore: 0,
    };
    this.#equip(lane);
    this.#lanes.set(dest.id, lane);
    this.#wake(lane);
  }

  #wakeId(id: number) {
    const lane = this.#lanes.get(id);
    if (lane) this.#wake(lane);
  }

  #wake(lane: Lane) {
    if (this.#stopped || !lane.dest.enabled || lane.timer || !this.#mine(lane.dest.id) || this.#reading.has(lane.dest.id)) return;
    if (lane.running) {
      lane.again = true;
      return;
    }
    lane.running = this.#run(lane, lane.abort.signal)
      .catch((err: unknown) => this.#storeFailed(lane, err))
      .finally(() => {
        lane.running = null;
        if (lane.again) {
          lane.again = false;
          this.#wake(lane);
        }
      });
  }

  async #run(lane: Lane, signal: AbortSignal) {
    const { store, log } = this.#o;
    const settle = this.#settle;
    const id = lane.dest.id;
    const live = () => !signal.aborted && !this.#stopped && lane.dest.enabled && this.#mine(id);
    while (live()) {
      const { records, skipTo } = await nextRecords(store, lane.dest);
      if (!live()) return;
      if (skipTo !== null) {
        await settle.progressed(id, { cursor: skipTo, delivered: 0, skipped: {}, lastSkip: null, at: this.#o.now() });
        if (signal.aborted) return;
        lane.dest = { ...lane.dest, cursor: Math.max(lane.dest.cursor, skipTo) };
      }
      if (records.length === 0) {
        await this.#caughtUp(lane, signal);
        return;
      }
      const from = records[0] ? records[0].id - 1 : lane.dest.cursor;
      const outcomes = await this.#deliver(lane, records, signal);
      if (signal.aborted || this.#stopped) return;
      const at = this.#o.now();
      // The settled prefix: everything before the first failure (or before where the adapter stopped).
      let delivered = 0;
      const skipped: Partial<Record<SkipReason, number>> = {};
      let lastSkip: string | null = null;
      let cursor = from;
      let failure: { record: HrRecord; error: string; retryable: boolean } | null = null;
      for (const [i, outcome] of outcomes.entries()) {
        const record = records[i];
        if (!record) break;
        if (outcome.status === "failed") {
          failure = { record, error: short(outcome.error), retryable: outcome.retryable };
          break;
        }
        if (outcome.status === "delivered") delivered++;
        else {
          skipped[outcome.reason] = (skipped[outcome.reason] ?? 0) + 1;
          lastSkip = short(`${record.employee} at ${record.time}: ${outcome.message}`);
        }
        cursor = record.id;
      }
      const progressed = cursor > from;
      if (progressed) {
        await settle.progressed(id, { cursor, delivered, skipped, lastSkip, at });
        if (signal.aborted) return;
        lane.attempts = 0;
        lane.catchUpDue = true;
        lane.dest = {
          ...lane.dest,
          cursor: Math.max(lane.dest.cursor, cursor),
          delivered: lane.dest.delivered + delivered,
          lastSuccessAt: at,
          attempts: 0,
          ...(lastSkip !== null ? { lastSkip } : {}),
        };
      }
      if (!failure) {
        if (!progressed) {
          // The adapter stopped without an answer (aborted): look again on the next wake.
          return;
        }
        continue;
      }
      const attempts = lane.attempts + 1;
      if (!failure.retryable || attempts >= lane.dest.maxAttempts) {
        const letter = await settle.deadLetter(id, { recordId: failure.record.id, record: JSON.stringify(failure.record), attempts, error: failure.error, at });
        log.warn({ hrDestination: id, deadLetter: letter.id, record: failure.record.id, error: failure.error }, "HR record given up: kept as a dead letter");
        if (signal.aborted) return;
        lane.attempts = 0;
        lane.dest = { ...lane.dest, cursor: Math.max(lane.dest.cursor, failure.record.id), lastError: failure.error, lastErrorAt: at, attempts: 0 };
        continue;
      }
      await settle.failed(id, attempts, failure.error, at);
      if (signal.aborted) return;
      lane.attempts = attempts;
      lane.dest = { ...lane.dest, lastError: failure.error, lastErrorAt: at, attempts };
      if (attempts === 1) log.warn({ hrDestination: id, error: failure.error }, "HR delivery failing; retrying with back-off");
      const delay = backoffMs(attempts, this.#o.retryBaseMs, this.#o.retryMaxMs);
      lane.nextAttemptAt = at + delay;
      lane.timer = setTimeout(() => {
        lane.timer = null;
        lane.nextAttemptAt = null;
        this.#wake(lane);
      }, delay);
      return;
    }
  }

  async #deliver(lane: Lane, records: HrRecord[], signal: AbortSignal): Promise<RecordOutcome[]> {
    if (!lane.adapter) return [{ status: "failed", retryable: true, error: lane.broken ?? "no adapter" }];
    try {
      return await lane.adapter.deliver(records, signal);
    } catch (err) {
      return [{ status: "failed", retryable: true, error: message(err) }];
    }
  }

  /** The outbox is empty: tell the remote, if it wants to know, once per delivery spell (failures retried with back-off). */
  async #caughtUp(lane: Lane, signal: AbortSignal) {
    const adapter = lane.adapter;
    if (!lane.catchUpDue || !adapter?.caughtUp || this.#o.now() < lane.catchUpNotBefore) return;
    const error = await adapter.caughtUp(signal).catch((err: unknown) => message(err));
    if (signal.aborted) return;
    if (error === null) {
      lane.catchUpDue = false;
      lane.catchUpFailures = 0;
      return;
    }
    lane.catchUpFailures++;
    lane.catchUpNotBefore = this.#o.now() + backoffMs(lane.catchUpFailures, this.#o.retryBaseMs, this.#o.retryMaxMs);
    const at = this.#o.now();
    // Shown as the last error; the outbox itself is not failing, so the attempt count stays 0.
    await this.#settle.failed(lane.dest.id, 0, short(error), at);
    lane.dest = { ...lane.dest, lastError: short(error), lastErrorAt: at };
    this.#o.log.warn({ hrDestination: lane.dest.id, error }, "HR system not told that the check-ins are synced; trying again later");
  }

  #storeFailed(lane: Lane, err: unknown) {
    if (this.#storeError(lane.dest.id, err) || this.#stopped || lane.timer) return;
    lane.timer = setTimeout(() => {
      lane.timer = null;
      this.#wake(lane);
    }, Math.min(5_000, this.#o.retryMaxMs));
  }

  #storeError(id: number, err: unknown): boolean {
    if (hasCode(err, "lease_lost")) {
      this.#keeper?.lost(id);
      return true;
    }
    this.#o.log.error({ hrDestination: id, err: message(err) }, "HR outbox: store error");
    return false;
  }
}
