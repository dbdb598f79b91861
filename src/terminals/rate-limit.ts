/**
 * Per-terminal message rate: a token bucket per connection. A terminal that sends faster than
 * the limit gets `result:false` (it keeps its records and retries) instead of a share of the
 * writer that its neighbours need.
 */
export interface RateLimitOptions {
  /** Sustained messages per second per connection; 0 turns the limit off. */
  perSecond: number;
  /** Messages a connection may send at once before the sustained rate applies. */
  burst: number;
}

export class TokenBucket {
  #tokens: number;
  #at: number;
  #o: RateLimitOptions;

  constructor(options: RateLimitOptions, now: number) {
    this.#o = options;
    this.#tokens = options.burst;
    this.#at = now;
  }

  /** Takes one token if there is one. */
  take(now: number): boolean {
    if (!this.has(now)) return false;
    if (this.#o.perSecond > 0) this.#tokens -= 1;
    return true;
  }

  /** Whether a token is there, without taking it. */
  has(now: number): boolean {
    if (this.#o.perSecond <= 0) return true;
    this.#tokens = Math.min(this.#o.burst, this.#tokens + ((now - this.#at) / 1000) * this.#o.perSecond);
    this.#at = now;
    return this.#tokens >= 1;
  }
}

/** Addresses remembered at most; the oldest is forgotten first (an attacker needs that many addresses to reset one). */
const MAX_ADDRESSES = 4096;

/**
 * New terminals stored per address: under `approve` each unknown sn costs a pending row, so one
 * address may add only so many a minute.
 */
export class NewTerminalRate {
  #perMinute: number;
  #buckets = new Map<string, TokenBucket>();

  constructor(perMinute: number) {
    this.#perMinute = perMinute;
  }

  /** Whether `address` may add a new terminal now. */
  admits(address: string, now: number): boolean {
    return this.#buckets.get(address)?.has(now) ?? true;
  }

  /** `address` added a new terminal. */
  charge(address: string, now: number) {
    let bucket = this.#buckets.get(address);
    if (!bucket) {
      bucket = new TokenBucket({ perSecond: this.#perMinute / 60, burst: this.#perMinute }, now);
      if (this.#buckets.size >= MAX_ADDRESSES) this.#buckets.delete(this.#buckets.keys().next().value as string);
      this.#buckets.set(address, bucket);
    }
    bucket.take(now);
  }
}

/** The limit as the connections receive it, with the hook that counts refusals. */
export interface MessageRateLimit extends RateLimitOptions {
  onRefused(): void;
}
