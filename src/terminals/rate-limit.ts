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

/** A token bucket as plain data, for the pure session core (PROTOCOL.md's per-socket message rate). */
export interface BucketState {
  tokens: number;
  at: number;
}

export function fullBucket(options: RateLimitOptions, now: number): BucketState {
  return { tokens: options.burst, at: now };
}

/** The bucket refilled to `now`. */
function refill(b: BucketState, o: RateLimitOptions, now: number): BucketState {
  return { tokens: Math.min(o.burst, b.tokens + ((now - b.at) / 1000) * o.perSecond), at: now };
}

/** Takes one token if there is one: the bucket after, and whether the message is allowed. */
export function takeToken(b: BucketState, o: RateLimitOptions, now: number): { bucket: BucketState; allowed: boolean } {
  if (o.perSecond <= 0) return { bucket: b, allowed: true };
  const r = refill(b, o, now);
  return r.tokens >= 1 ? { bucket: { tokens: r.tokens - 1, at: now }, allowed: true } : { bucket: r, allowed: false };
}

export class TokenBucket {
  #b: BucketState;
  #o: RateLimitOptions;

  constructor(options: RateLimitOptions, now: number) {
    this.#o = options;
    this.#b = fullBucket(options, now);
  }

  /** Takes one token if there is one. */
  take(now: number): boolean {
    const r = takeToken(this.#b, this.#o, now);
    this.#b = r.bucket;
    return r.allowed;
  }

  /** Whether a token is there, without taking it. */
  has(now: number): boolean {
    if (this.#o.perSecond <= 0) return true;
    this.#b = refill(this.#b, this.#o, now);
    return this.#b.tokens >= 1;
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
