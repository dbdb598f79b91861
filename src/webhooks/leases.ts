/**
 * Cluster mode: which outbound destinations (webhooks, HR destinations) this instance delivers. It claims and renews their
 * leases in the store three times per time-to-live. It counts a destination as held until the
 * lease would run out, measured from before the claim that returned it was sent and on this
 * instance's monotonic clock: the lease in the database runs out later than that, so this
 * instance lets go (and aborts its request in flight) before another one can take over, even
 * when the database cannot be reached to say so.
 */
import type { Logger } from "pino";
import type { WebhookLeaseStore } from "../store/webhook-contract.ts";

export interface LeaseKeeperOptions {
  store: Pick<WebhookLeaseStore, "claim" | "release">;
  /** What the leases are for, in log lines: "webhook" (the default), "HR destination". */
  what?: string;
  /** This instance, as the store records the holder. */
  holder: string;
  ttlMs: number;
  log: Logger;
  /** Taken (or taken again after a gap): another instance may have moved its outbox meanwhile. */
  onGained(id: number): void;
  /** No longer this instance's to deliver. */
  onLost(id: number): void;
  now?: () => number;
}

export class LeaseKeeper {
  #o: LeaseKeeperOptions;
  #what: string;
  #now: () => number;
  /** Held destinations and when each stops being held (local monotonic ms). */
  #until = new Map<number, number>();
  #claiming: Promise<void> | null = null;
  #timer: ReturnType<typeof setInterval> | undefined;
  #expiry: ReturnType<typeof setTimeout> | undefined;
  #failing = false;
  #stopped = false;

  constructor(options: LeaseKeeperOptions) {
    this.#o = options;
    this.#what = options.what ?? "webhook";
    this.#now = options.now ?? (() => performance.now());
  }

  async start() {
    await this.claim();
    this.#timer = setInterval(() => void this.claim(), Math.max(100, Math.floor(this.#o.ttlMs / 3)));
  }

  holds(id: number): boolean {
    return (this.#until.get(id) ?? 0) > this.#now();
  }

  /** Claims now (a destination was just created, say); concurrent calls share one claim. */
  claim(): Promise<void> {
    this.#claiming ??= this.#claim().finally(() => {
      this.#claiming = null;
    });
    return this.#claiming;
  }

  /** A fenced settlement was refused: another instance has taken the lease. */
  lost(id: number) {
    if (!this.#until.delete(id)) return;
    this.#o.log.info({ [this.#what]: id }, `${this.#what} lease taken over by another instance`);
    this.#o.onLost(id);
  }

  async stop() {
    this.#stopped = true;
    clearInterval(this.#timer);
    clearTimeout(this.#expiry);
    await this.#claiming;
    this.#until.clear();
    // Another instance takes over at its next claim, not when the leases run out.
    await this.#o.store.release(this.#o.holder).catch((err: unknown) => {
      this.#o.log.warn({ err: err instanceof Error ? err.message : String(err) }, `${this.#what} leases not released; they expire by themselves`);
    });
  }

  async #claim() {
    if (this.#stopped) return;
    const sentAt = this.#now();
    let ids: number[];
    try {
      ids = await this.#o.store.claim(this.#o.holder, this.#o.ttlMs);
    } catch (err) {
      if (!this.#failing) this.#o.log.warn({ err: err instanceof Error ? err.message : String(err) }, `${this.#what} leases cannot be renewed; delivery stops when they run out`);
      this.#failing = true;
      return;
    }
    if (this.#stopped) return;
    this.#failing = false;
    const held = new Set(ids);
    for (const id of [...this.#until.keys()]) {
      if (held.has(id)) continue;
      this.#until.delete(id);
      this.#o.onLost(id);
    }
    const until = sentAt + this.#o.ttlMs;
    const gained: number[] = [];
    for (const id of ids) {
      // Held without a gap only if the last claim's lease was still running when this one was sent.
      const before = this.#until.get(id);
      if (before === undefined || before <= sentAt) gained.push(id);
      // Ran out before the expiry timer could say so (a stalled event loop): let go first.
      if (before !== undefined && before <= sentAt) this.#o.onLost(id);
      this.#until.set(id, until);
    }
    if (gained.length > 0) this.#o.log.info({ [`${this.#what}s`]: gained }, `${this.#what} leases taken: this instance delivers them`);
    for (const id of gained) this.#o.onGained(id);
    this.#armExpiry();
  }

  /** No renewal arrived in time: let go of everything that ran out. */
  #expire() {
    const now = this.#now();
    const expired = [...this.#until].filter(([, until]) => until <= now).map(([id]) => id);
    if (expired.length > 0) this.#o.log.warn({ [`${this.#what}s`]: expired }, `${this.#what} leases ran out without renewal; delivery stopped here`);
    for (const id of expired) {
      this.#until.delete(id);
      this.#o.onLost(id);
    }
    this.#armExpiry();
  }

  /** A timer for the earliest lease end (timers may fire a little early: #expire arms it again). */
  #armExpiry() {
    clearTimeout(this.#expiry);
    if (this.#stopped || this.#until.size === 0) return;
    const first = Math.min(...this.#until.values());
    this.#expiry = setTimeout(() => this.#expire(), Math.max(0, Math.ceil(first - this.#now())));
  }
}
