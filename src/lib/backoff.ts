/**
 * Exponential back-off with "equal jitter": half of the delay is fixed, half random, so a fleet of
 * retries (many destinations, many instances) spreads out yet none comes back immediately.
 * `attempt` counts failures so far (1 after the first).
 */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(attempt - 1, 0), 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
