/**
 * Repeated warnings about one terminal (a unit sending garbage every second, a hostile client)
 * must not flood the log: per key, the first few in a window are written, the rest counted, and
 * the count rides on the next one written.
 */
export interface WarnLimit {
  /** Warnings written per key and window. */
  perWindow: number;
  windowMs: number;
}

export const TERMINAL_WARN_LIMIT: WarnLimit = { perWindow: 5, windowMs: 60_000 };

/** Keys kept before windows that ended are forgotten. */
const SWEEP_AT = 10_000;

export class WarnLimiter {
  #limit: WarnLimit;
  #keys = new Map<string, { since: number; written: number; suppressed: number }>();

  constructor(limit: WarnLimit = TERMINAL_WARN_LIMIT) {
    this.#limit = limit;
  }

  /** Null: suppress this one. Otherwise write it, with the number suppressed since the last one written. */
  admit(key: string, now: number): number | null {
    let e = this.#keys.get(key);
    if (e && now - e.since >= this.#limit.windowMs) {
      e.since = now;
      e.written = 0;
    }
    if (!e) {
      if (this.#keys.size >= SWEEP_AT) this.#sweep(now);
      e = { since: now, written: 0, suppressed: 0 };
      this.#keys.set(key, e);
    }
    if (e.written >= this.#limit.perWindow) {
      e.suppressed++;
      return null;
    }
    e.written++;
    const suppressed = e.suppressed;
    e.suppressed = 0;
    return suppressed;
  }

  #sweep(now: number) {
    for (const [key, e] of this.#keys) if (now - e.since >= this.#limit.windowMs) this.#keys.delete(key);
  }
}
