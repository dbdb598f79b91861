/**
 * Records committed per minute over the last hour, counted from the bus as batches commit.
 * In memory: it shows the server's own intake (including back-filled logs), which a query on
 * punch times could not, and costs nothing on the ingest path.
 */
import type { EventBus } from "../../events/bus.ts";

const MINUTES = 60;

export class IngestRate {
  #counts = new Map<number, number>();
  #now: () => number;
  #off: () => void;

  constructor(bus: EventBus, now: () => number) {
    this.#now = now;
    this.#off = bus.on("records-committed", (e) => this.add(e.inserted));
  }

  add(records: number) {
    if (records <= 0) return;
    const minute = Math.floor(this.#now() / 60_000);
    this.#counts.set(minute, (this.#counts.get(minute) ?? 0) + records);
    if (this.#counts.size > MINUTES * 2) {
      for (const m of this.#counts.keys()) if (m <= minute - MINUTES) this.#counts.delete(m);
    }
  }

  /** Oldest first; the last value is the current (partial) minute. */
  lastHour(): number[] {
    const minute = Math.floor(this.#now() / 60_000);
    return Array.from({ length: MINUTES }, (_, i) => this.#counts.get(minute - MINUTES + 1 + i) ?? 0);
  }

  stop() {
    this.#off();
  }
}
