/**
 * Leased outbox lanes: what the webhook and HR destination dispatchers share. A lane is one
 * destination's outbox delivery: at most one run at a time (woken while running, it looks again
 * after), a back-off timer after a failure, an abort signal per run (lease lost, destination
 * deleted, server stopping). In a cluster a destination is delivered only by the holder of its
 * lease (LeaseKeeper); destinations created, changed or deleted on other instances are read from
 * the store on the poll timer.
 *
 * A lease just taken is not run until its destination's row has been read again: until then the
 * lane holds the cursor this instance read earlier (at start, or at the last settings change;
 * settlements elsewhere do not change `updatedAt`, so the poll does not re-read them), and
 * another instance may have delivered past it meanwhile. Without that wait a commit event or
 * the poll arriving between the claim and the re-read starts a run from the stale cursor,
 * which sends records the previous holder had delivered and counts them delivered again.
 *
 * What a run does, how a row becomes a destination and how a changed one is merged into its lane
 * (cursors never go back) is each dispatcher's own (`LaneKind`, lane-kind.ts).
 */
import { hasCode } from "../lib/app-error.ts";
import { backoffMs } from "../lib/backoff.ts";
import type { Lane, LaneDestination, LaneKind, LanesOptions } from "./lane-kind.ts";
import { LeaseKeeper } from "./leases.ts";

/** Waits after a store error (locked, disk full) before a lane looks again. */
const STORE_RETRY_MS = 5_000;

export class OutboxLanes<D extends LaneDestination, Row, L extends Lane<D>> {
  #k: LaneKind<D, Row, L>;
  #o: LanesOptions;
  #lanes = new Map<number, L>();
  #poll: ReturnType<typeof setInterval> | null = null;
  #stopped = false;
  #keeper: LeaseKeeper | null = null;
  #syncing: Promise<void> | null = null;
  /** Destinations whose lease was just taken, until their row is read again. */
  #reading = new Set<number>();

  constructor(kind: LaneKind<D, Row, L>, options: LanesOptions) {
    this.#k = kind;
    this.#o = options;
    const cluster = options.cluster;
    if (cluster) {
      this.#keeper = new LeaseKeeper({
        store: cluster.leases,
        what: kind.what,
        holder: cluster.instance,
        ttlMs: cluster.leaseMs,
        log: options.log,
        onGained: (id) => {
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

  get stopped(): boolean {
    return this.#stopped;
  }

  async start() {
    for (const row of await this.#k.list()) this.#install(this.#k.parse(row));
    await this.#keeper?.start();
    this.#poll = setInterval(() => {
      if (this.#keeper) void this.#sync().then(() => this.wakeAll());
      else this.wakeAll();
    }, this.#o.pollMs);
    this.wakeAll();
  }

  async stop() {
    this.#stopped = true;
    if (this.#poll) clearInterval(this.#poll);
    const running: Array<Promise<void>> = [];
    for (const lane of this.#lanes.values()) {
      if (lane.timer) clearTimeout(lane.timer);
      // An aborted run is simply not settled: sent again after the restart (or by another instance).
      lane.abort.abort();
      if (lane.running) running.push(lane.running);
    }
    await Promise.allSettled(running);
    await this.#syncing;
    await this.#keeper?.stop();
  }

  /** Single box: every destination. Cluster: those whose lease this instance holds. */
  mine(id: number): boolean {
    return this.#keeper === null || this.#keeper.holds(id);
  }

  /** The lane of a destination delivered here. */
  held(id: number): L | undefined {
    return this.mine(id) ? this.#lanes.get(id) : undefined;
  }

  /** Destinations delivered here whose head has failed at least once and is not settled yet. */
  get failingCount(): number {
    let n = 0;
    for (const lane of this.#lanes.values()) if (lane.attempts > 0 && this.mine(lane.dest.id)) n++;
    return n;
  }

  /** Who delivers the destination: this instance, another one (its name), or null on a single box. */
  async instance(id: number): Promise<string | null> {
    const cluster = this.#o.cluster;
    if (!cluster) return null;
    return this.mine(id) ? cluster.instance : cluster.leases.holder(id);
  }

  wakeAll() {
    for (const lane of this.#lanes.values()) this.#wake(lane);
  }

  /** The destination was created, changed or deleted; `fresh`: its lease was just taken, read it again. */
  async reload(id: number, { fresh = false } = {}) {
    this.#apply(id, await this.#k.get(id), fresh);
  }

  /** After a failed attempt: the back-off wait, then a run again. */
  retryLater(lane: L, attempts: number, at: number) {
    const delay = backoffMs(attempts, this.#o.retryBaseMs, this.#o.retryMaxMs);
    lane.nextAttemptAt = at + delay;
    lane.timer = setTimeout(() => {
      lane.timer = null;
      lane.nextAttemptAt = null;
      this.#wake(lane);
    }, delay);
  }

  #apply(id: number, row: Row | null, fresh: boolean) {
    const lane = this.#lanes.get(id);
    if (!row) {
      if (lane) {
        if (lane.timer) clearTimeout(lane.timer);
        lane.abort.abort();
        this.#lanes.delete(id);
      }
      return;
    }
    const dest = this.#k.parse(row);
    if (fresh) this.#reading.delete(id);
    if (!lane) {
      this.#install(dest);
      // Created here: claim it now rather than at the next renewal.
      void this.#keeper?.claim();
      return;
    }
    const retryNow = this.#k.retryNow(lane, dest, fresh);
    this.#k.changed(lane, dest, fresh);
    if (fresh) lane.attempts = dest.attempts;
    if (lane.timer && retryNow) {
      clearTimeout(lane.timer);
      lane.timer = null;
      lane.nextAttemptAt = null;
    }
    this.#wake(lane);
  }

  /** Cluster: destinations created, changed or deleted on any instance, as the store has them now. */
  #sync(): Promise<void> {
    this.#syncing ??= (async () => {
      try {
        const rows = await this.#k.list();
        const ids = new Set<number>();
        for (const row of rows) {
          const dest = this.#k.parse(row);
          ids.add(dest.id);
          if (this.#lanes.get(dest.id)?.dest.updatedAt !== dest.updatedAt) this.#apply(dest.id, row, false);
        }
        for (const id of [...this.#lanes.keys()]) if (!ids.has(id)) this.#apply(id, null, false);
      } catch (err) {
        this.#o.log.warn({ err: err instanceof Error ? err.message : String(err) }, `${this.#k.label} destinations could not be read; trying again`);
      }
    })().finally(() => {
      this.#syncing = null;
    });
    return this.#syncing;
  }

  /** The lease went to another instance: stop at once. */
  #lost(id: number) {
    const lane = this.#lanes.get(id);
    if (!lane) return;
    if (lane.timer) clearTimeout(lane.timer);
    lane.timer = null;
    lane.nextAttemptAt = null;
    lane.abort.abort();
    lane.abort = new AbortController();
    this.#k.lost?.(lane);
  }

  #install(dest: D) {
    const lane = this.#k.lane({ dest, attempts: dest.attempts, timer: null, nextAttemptAt: null, running: null, again: false, abort: new AbortController() });
    this.#lanes.set(dest.id, lane);
    this.#wake(lane);
  }

  #wakeId(id: number) {
    const lane = this.#lanes.get(id);
    if (lane) this.#wake(lane);
  }

  #wake(lane: L) {
    const id = lane.dest.id;
    if (this.#stopped || !lane.dest.enabled || lane.timer || !this.mine(id) || this.#reading.has(id)) return;
    if (lane.running) {
      lane.again = true;
      return;
    }
    const signal = lane.abort.signal;
    const live = () => !signal.aborted && !this.#stopped && lane.dest.enabled && this.mine(id);
    lane.running = this.#k
      .run(lane, signal, live)
      .catch((err: unknown) => this.#storeFailed(lane, err))
      .finally(() => {
        lane.running = null;
        if (lane.again) {
          lane.again = false;
          this.#wake(lane);
        }
      });
  }

  /** The store itself failed (locked, disk full): nothing was settled; look again in a while. */
  #storeFailed(lane: L, err: unknown) {
    if (this.#storeError(lane.dest.id, err) || this.#stopped || lane.timer) return;
    lane.timer = setTimeout(() => {
      lane.timer = null;
      this.#wake(lane);
    }, Math.min(STORE_RETRY_MS, this.#o.retryMaxMs));
  }

  /** Logs a store error; true when it means the lease was lost (another instance delivers now). */
  #storeError(id: number, err: unknown): boolean {
    if (hasCode(err, "lease_lost")) {
      this.#keeper?.lost(id);
      return true;
    }
    this.#o.log.error({ [this.#k.logKey]: id, err: err instanceof Error ? err.message : String(err) }, `${this.#k.label} outbox: store error`);
    return false;
  }
}
