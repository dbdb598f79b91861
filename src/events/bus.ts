/**
 * The in-process event bus: what happened after it is durable. Producers emit after commit;
 * consumers (live UI feed, exporters, metrics) subscribe and must not throw into the producer.
 */
export interface BusEvents {
  /** A batch of terminal records is committed (attendance and door events; duplicates excluded from `inserted`). */
  "records-committed": {
    sn: string;
    inserted: number;
    duplicates: number;
    quarantined: number;
    /** Cluster mode: the instance that committed them, when it is another one (absent: this instance). */
    origin?: string;
  };
  "terminal-online": { sn: string; remoteAddr: string };
  "terminal-offline": { sn: string };
  "terminal-refused": { sn: string; approval: string };
  /** Commands were queued for a terminal; in cluster mode also relayed from the instance that queued them. */
  "commands-queued": { sn: string; origin?: string };
  /** The access rules changed (committed); in cluster mode also relayed from the instance that changed them. */
  "access-changed": { origin?: string };
}

type Listener<K extends keyof BusEvents> = (payload: BusEvents[K]) => void;

export class EventBus {
  #listeners = new Map<keyof BusEvents, Set<Listener<never>>>();

  /** Returns the function that unsubscribes. */
  on<K extends keyof BusEvents>(event: K, listener: Listener<K>): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  emit<K extends keyof BusEvents>(event: K, payload: BusEvents[K]) {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const listener of set) {
      try {
        (listener as Listener<K>)(payload);
      } catch {
        // A consumer's failure is its own; the producer's path (ingest) must not break.
      }
    }
  }
}
