/**
 * Delivers every HR destination's outbox with webhooks' guarantees: one run at a time per
 * destination, records in commit order, the cursor moved only past records the remote settled
 * (delivered, or skipped for a reason it gave: counted, never retried), and only after that
 * settlement is committed, so a crash sends again at most the records in flight (the remote's
 * duplicate rule absorbs them: at-least-once). A failed record is retried with exponential
 * back-off; after the destination's max attempts (or at once when the remote says it can never
 * take it) it is kept as a dead letter with the remote's message and the cursor passes it.
 *
 * The lanes' life (one run at a time, back-off timer, leases in a cluster, changes read from the
 * store) is webhooks/lanes.ts, shared with the webhooks; here is what an HR run does. In a cluster
 * its settlements are fenced, so an instance that lost the lease never moves a cursor.
 */
import type { Logger } from "pino";
import type { SecretBox } from "../auth/secret-box.ts";
import { backoffMs } from "../lib/backoff.ts";
import type { SiteClock } from "../protocol/index.ts";
import type { OutboundStore } from "../store/export-contract.ts";
import type { HrLeaseStore, HrSettlements } from "../store/hr-contract.ts";
import type { HrDeadLetterRow, HrDestinationRow } from "../store/schema.ts";
import type { Lane } from "../webhooks/lane-kind.ts";
import { OutboxLanes } from "../webhooks/lanes.ts";
import { LaneDispatcher } from "../webhooks/lane-dispatcher.ts";
import type { HrAdapter, HrRecord, RecordOutcome, TestResult } from "./adapter.ts";
import { type HrDestination, type HrDestinationState, parseHrDestination } from "./destination.ts";
import { connectorKind } from "./kinds.ts";
import { backlogOf, nextRecords } from "./outbox.ts";
import { isPersonRecord, settledPrefix, short, withPlaceholders } from "./settle.ts";

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

interface HrLane extends Lane<HrDestination> {
  adapter: HrAdapter | null;
  /** Why no adapter could be made (credentials that cannot be opened, settings its kind refuses). */
  broken: string | null;
  /** Records were delivered since the remote was last told the outbox is empty. */
  catchUpDue: boolean;
  catchUpFailures: number;
  catchUpNotBefore: number;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export class HrDispatcher extends LaneDispatcher<HrDestination, HrDestinationRow, HrLane> {
  #o: Required<Omit<HrDispatcherOptions, "cluster">> & Pick<HrDispatcherOptions, "cluster">;
  protected readonly lanes: OutboxLanes<HrDestination, HrDestinationRow, HrLane>;
  #settle: HrSettlements;

  constructor(options: HrDispatcherOptions) {
    super();
    this.#o = { now: Date.now, pollMs: 2_000, retryBaseMs: 1_000, retryMaxMs: 300_000, ...options };
    const cluster = options.cluster;
    this.#settle = cluster ? cluster.leases.fenced(cluster.instance) : options.store.hrDestinations;
    const destinations = options.store.hrDestinations;
    this.lanes = new OutboxLanes<HrDestination, HrDestinationRow, HrLane>(
      {
        what: "hr destination",
        label: "HR",
        logKey: "hrDestination",
        list: () => destinations.list(),
        get: (id) => destinations.get(id),
        parse: parseHrDestination,
        lane: (base) => this.#equip({ ...base, adapter: null, broken: null, catchUpDue: false, catchUpFailures: 0, catchUpNotBefore: 0 }),
        changed: (lane, dest) => {
          // The cursor never goes back: a row read before our own settlement committed may show an older one.
          lane.dest = { ...dest, cursor: Math.max(lane.dest.cursor, dest.cursor) };
          this.#equip(lane);
        },
        // Settings changed (a fixed URL or key, say): try now rather than at the end of the back-off.
        retryNow: () => true,
        run: (lane, signal, live) => this.#run(lane, signal, live),
      },
      { log: options.log, now: this.#o.now, pollMs: this.#o.pollMs, retryBaseMs: this.#o.retryBaseMs, retryMaxMs: this.#o.retryMaxMs, ...(cluster ? { cluster } : {}) },
    );
  }

  async state(d: HrDestination): Promise<HrDestinationState> {
    return {
      backlog: await backlogOf(this.#o.store, d),
      deadLetters: await this.#o.store.hrDestinations.deadLetterCount(d.id),
      ...(await this.laneState(d.id)),
    };
  }

  /** Asks the HR system whether the destination's URL and credentials work. */
  async test(d: HrDestination): Promise<TestResult> {
    const made = this.#adapter(d);
    if ("error" in made) return { ok: false, message: made.error };
    try {
      return await made.adapter.test(this.stopping.signal);
    } catch (err) {
      return { ok: false, message: message(err) };
    }
  }

  /** Sends a dead letter's record once more, now; it stays dead (one more attempt counted) if that fails. */
  async retryDeadLetter(d: HrDestination, letter: HrDeadLetterRow): Promise<{ letter: HrDeadLetterRow; outcome: RecordOutcome }> {
    const made = this.#adapter(d);
    const record = JSON.parse(letter.record) as HrRecord;
    const outcome = (await this.#deliver(made, [record], this.stopping.signal))[0] ?? { status: "failed", retryable: true, error: "no answer" };
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

  #equip(lane: HrLane): HrLane {
    const made = this.#adapter(lane.dest);
    lane.adapter = "adapter" in made ? made.adapter : null;
    lane.broken = "error" in made ? made.error : null;
    return lane;
  }

  async #run(lane: HrLane, signal: AbortSignal, live: () => boolean) {
    const { store, log } = this.#o;
    const settle = this.#settle;
    const id = lane.dest.id;
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
      const outcomes = await this.#deliver(lane.adapter ? { adapter: lane.adapter } : { error: lane.broken ?? "no adapter" }, records, signal);
      if (signal.aborted || this.lanes.stopped) return;
      const at = this.#o.now();
      const { cursor, delivered, skipped, lastSkip, failure } = settledPrefix(records, outcomes, from);
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
      this.lanes.retryLater(lane, attempts, at);
      return;
    }
  }

  /**
   * Sends the people's records and answers for every record: a placeholder of nobody enrolled is
   * never sent, only settled as skipped in its place (`withPlaceholders`), so the run's cursor
   * logic is the same whatever a batch holds (a batch of placeholders alone calls no one).
   */
  async #deliver(made: { adapter: HrAdapter } | { error: string }, records: readonly HrRecord[], signal: AbortSignal): Promise<RecordOutcome[]> {
    const people = records.filter(isPersonRecord);
    if (people.length === 0) return withPlaceholders(records, []);
    if ("error" in made) return withPlaceholders(records, [{ status: "failed", retryable: true, error: made.error }]);
    try {
      return withPlaceholders(records, await made.adapter.deliver(people, signal));
    } catch (err) {
      return withPlaceholders(records, [{ status: "failed", retryable: true, error: message(err) }]);
    }
  }

  /** The outbox is empty: tell the remote, if it wants to know, once per delivery spell (failures retried with back-off). */
  async #caughtUp(lane: HrLane, signal: AbortSignal) {
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
}
