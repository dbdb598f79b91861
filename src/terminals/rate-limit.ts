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
    if (this.#o.perSecond <= 0) return true;
    this.#tokens = Math.min(this.#o.burst, this.#tokens + ((now - this.#at) / 1000) * this.#o.perSecond);
    this.#at = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

/** The limit as the connections receive it, with the hook that counts refusals. */
export interface MessageRateLimit extends RateLimitOptions {
  onRefused(): void;
}
