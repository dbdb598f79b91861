/**
 * What the webhook and the HR dispatchers share: lanes to run (lanes.ts) and a signal for the work
 * that is no lane's (a test, a manual retry), aborted when the server stops. Each dispatcher adds
 * what its kind of run does.
 */
import type { Lane, LaneDestination } from "./lane-kind.ts";
import type { OutboxLanes } from "./lanes.ts";

/** A destination's lane as this instance sees it. */
export interface LaneState {
  nextAttemptAt: number | null;
  inFlight: boolean;
  /** The instance that delivers it (cluster mode), else null. */
  instance: string | null;
}

export abstract class LaneDispatcher<D extends LaneDestination, Row, L extends Lane<D>> {
  protected abstract readonly lanes: OutboxLanes<D, Row, L>;
  protected readonly stopping = new AbortController();

  start(): Promise<void> {
    return this.lanes.start();
  }

  async stop() {
    this.stopping.abort();
    await this.lanes.stop();
  }

  /** Destinations delivered here whose head has failed at least once and is not settled yet. */
  get failingCount(): number {
    return this.lanes.failingCount;
  }

  /** New records were committed. */
  wakeAll() {
    this.lanes.wakeAll();
  }

  /**
   * The destination was created, changed or deleted (through the API here, or on another instance
   * as the poll found). `fresh`: this instance has just taken its lease, and another one may have
   * delivered it meanwhile: its outbox is read from the store again.
   */
  reload(id: number, options: { fresh?: boolean } = {}): Promise<void> {
    return this.lanes.reload(id, options);
  }

  protected async laneState(id: number): Promise<LaneState> {
    const lane = this.lanes.held(id);
    return { nextAttemptAt: lane?.nextAttemptAt ?? null, inFlight: (lane?.running ?? null) !== null, instance: await this.lanes.instance(id) };
  }
}
