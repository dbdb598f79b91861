/**
 * Login rate limiting, per user name and per client address. Failures within a sliding window
 * are counted; up to a budget, attempts go ahead (several at once, the ones still being checked
 * count against the budget, so a parallel burst cannot get more guesses checked than the budget).
 * Past it, one attempt at a time after a delay that doubles with each further failure, up to a
 * cap: an attacker gets about one guess a minute, and the real user, who knows the password, waits
 * at most that long instead of being locked out. In memory on purpose: a restart forgetting the
 * counts costs an attacker a restart per few guesses.
 */
export interface LoginLimiterOptions {
  windowMs: number;
  maxPerUser: number;
  maxPerAddress: number;
  now: () => number;
  /** The first delay past the budget (doubled per further failure). */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/** An attempt that went ahead: say how it ended (once; later calls are ignored). */
export interface LoginAttempt {
  succeeded(): void;
  failed(): void;
  /** Ended without a verdict (an error while checking): frees its slot, counts nothing. */
  release(): void;
}

export type LoginDecision = { ok: true; attempt: LoginAttempt } | { ok: false; retryAfterMs: number };

interface KeyState {
  failures: number[];
  inFlight: number;
}

/** What an attempt refused because others are still being checked is told to wait. */
const IN_FLIGHT_RETRY_MS = 1000;

export class LoginLimiter {
  #o: Required<LoginLimiterOptions>;
  #keys = new Map<string, KeyState>();

  constructor(options: LoginLimiterOptions) {
    this.#o = { baseDelayMs: 1000, maxDelayMs: 60_000, ...options };
  }

  /** Whether a login may be checked now; if so its slot is held until the attempt ends. */
  start(username: string, address: string): LoginDecision {
    const now = this.#o.now();
    const keys: Array<[string, number]> = [[`u:${username.toLowerCase()}`, this.#o.maxPerUser], [`a:${address}`, this.#o.maxPerAddress]];
    const wait = Math.max(...keys.map(([key, max]) => this.#wait(this.#state(key, now), max, now)));
    if (wait > 0) return { ok: false, retryAfterMs: wait };
    const states = keys.map(([key]) => this.#state(key, now));
    for (const s of states) s.inFlight++;
    let ended = false;
    const end = (failed: boolean) => {
      if (ended) return;
      ended = true;
      const at = this.#o.now();
      for (const s of states) {
        s.inFlight--;
        if (failed) s.failures.push(at);
      }
      for (const [key] of keys) this.#forgetIfIdle(key, at);
    };
    return {
      ok: true,
      attempt: {
        succeeded: () => {
          end(false);
          // The real user got in: their name's count starts over (the address's does not).
          const user = this.#keys.get(keys[0]?.[0] ?? "");
          if (user) user.failures = [];
        },
        failed: () => end(true),
        release: () => end(false),
      },
    };
  }

  #wait(s: KeyState, max: number, now: number): number {
    const failures = s.failures.length;
    if (failures + s.inFlight < max) return 0;
    if (s.inFlight > 0) return IN_FLIGHT_RETRY_MS;
    const beyond = failures - max + 1;
    const delay = Math.min(this.#o.baseDelayMs * 2 ** Math.min(beyond - 1, 30), this.#o.maxDelayMs);
    return Math.max(0, (s.failures[failures - 1] ?? now) + delay - now);
  }

  #state(key: string, now: number): KeyState {
    let s = this.#keys.get(key);
    if (!s) {
      // Bounds memory under a spray of made-up names.
      if (this.#keys.size >= 10_000) this.#prune(now);
      s = { failures: [], inFlight: 0 };
      this.#keys.set(key, s);
    }
    s.failures = s.failures.filter((t) => now - t < this.#o.windowMs);
    return s;
  }

  #forgetIfIdle(key: string, now: number) {
    const s = this.#keys.get(key);
    if (s && s.inFlight === 0 && s.failures.every((t) => now - t >= this.#o.windowMs)) this.#keys.delete(key);
  }

  #prune(now: number) {
    for (const key of [...this.#keys.keys()]) this.#forgetIfIdle(key, now);
  }
}
