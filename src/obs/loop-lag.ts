/**
 * Event-loop lag: how late a timer fires is how long every frame, request and signal waited too.
 * Sampled every 100 ms; p99 and max over the last minute (a short stall between two scrapes
 * still shows).
 */
export const LAG_SAMPLE_MS = 100;
export const LAG_WINDOW_MS = 60_000;

export interface LagSummary {
  /** Seconds. */
  last: number;
  p99: number;
  max: number;
}

/** p99 and max of lag samples (seconds); pure. */
export function summarize(samples: readonly number[]): { p99: number; max: number } {
  if (samples.length === 0) return { p99: 0, max: 0 };
  const sorted = [...samples].sort((a, b) => a - b);
  return { p99: sorted[Math.ceil(sorted.length * 0.99) - 1] ?? 0, max: sorted[sorted.length - 1] ?? 0 };
}

export class LoopLag {
  #samples: number[] = [];
  #next = 0;
  #last = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  start() {
    const size = LAG_WINDOW_MS / LAG_SAMPLE_MS;
    let expected = performance.now() + LAG_SAMPLE_MS;
    this.#timer = setInterval(() => {
      const now = performance.now();
      this.#last = Math.max(0, now - expected) / 1000;
      this.#samples[this.#next] = this.#last;
      this.#next = (this.#next + 1) % size;
      expected = now + LAG_SAMPLE_MS;
    }, LAG_SAMPLE_MS);
    this.#timer.unref?.();
  }

  stop() {
    clearInterval(this.#timer);
  }

  summary(): LagSummary {
    return { last: this.#last, ...summarize(this.#samples) };
  }
}
