/**
 * Waits for `work` at most `ms`, then rejects with `timedOut()`. The work itself is not cancelled
 * (a query on a silent network cannot be): it settles later, or never, with nobody waiting for it.
 */
export function deadline<T>(work: Promise<T>, ms: number, timedOut: () => Error): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timedOut()), ms);
  });
  work.catch(() => {});
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
