/**
 * Login rate limiting: failures are counted per user name and per client address in a sliding
 * window; past the limit, logins are refused until the window has moved on. In memory on
 * purpose: a restart forgetting the counts costs an attacker a restart per few guesses.
 */
export interface LoginLimiterOptions {
  windowMs: number;
  maxPerUser: number;
  maxPerAddress: number;
  now: () => number;
}

export class LoginLimiter {
  #o: LoginLimiterOptions;
  #failures = new Map<string, number[]>();

  constructor(options: LoginLimiterOptions) {
    this.#o = options;
  }

  /** Milliseconds until a login may be tried again; 0 when allowed now. */
  retryAfter(username: string, address: string): number {
    const now = this.#o.now();
    const wait = (key: string, max: number) => {
      const times = this.#recent(key, now);
      return times.length >= max ? (times[times.length - max] ?? now) + this.#o.windowMs - now : 0;
    };
    return Math.max(wait(`u:${username.toLowerCase()}`, this.#o.maxPerUser), wait(`a:${address}`, this.#o.maxPerAddress));
  }

  fail(username: string, address: string) {
    const now = this.#o.now();
    for (const key of [`u:${username.toLowerCase()}`, `a:${address}`]) {
      const times = this.#recent(key, now);
      times.push(now);
      this.#failures.set(key, times);
    }
    if (this.#failures.size > 10_000) this.#prune(now);
  }

  succeed(username: string) {
    this.#failures.delete(`u:${username.toLowerCase()}`);
  }

  #recent(key: string, now: number): number[] {
    return (this.#failures.get(key) ?? []).filter((t) => now - t < this.#o.windowMs);
  }

  /** Bounds memory under a spray of made-up names. */
  #prune(now: number) {
    for (const [key, times] of this.#failures) {
      if (times.every((t) => now - t >= this.#o.windowMs)) this.#failures.delete(key);
    }
  }
}
