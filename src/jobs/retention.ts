/**
 * Retention: punch photos and quarantined records older than their configured age are deleted on
 * a schedule; attendance and door events only when the admin sets an age for them. Deletes go in
 * small transactions with a yield between them, so terminals are answered while a backlog of
 * months is pruned.
 */
import { yieldToLoop } from "../lib/yield-to-loop.ts";
import type { Logger } from "pino";
import type { SiteClock } from "../protocol/index.ts";
import type { Store } from "../store/contract.ts";
import type { Prunable, PruneCounts, PruneCutoffs } from "../store/prune.ts";
import type { DeliveredBounds } from "./delivered.ts";

export interface RetentionOptions {
  store: Prunable & Pick<Store, "audit">;
  /** Read at every pass (pass a getter): the site time zone can change while the server runs. */
  clock: SiteClock;
  log: Logger;
  now: () => number;
  /** Days; 0 keeps forever. */
  photoDays: number;
  quarantineDays: number;
  attendanceDays: number;
  /** How far the export and webhooks have delivered; attendance and door events past it are kept. */
  delivered?: () => Promise<DeliveredBounds>;
  everyMs: number;
  /** The first pass runs this long after start, once terminals have reconnected. */
  firstAfterMs: number;
  onPruned?: (table: keyof PruneCounts, rows: number) => void;
}

const DAY_MS = 86_400_000;
const CHUNK = 2000;

export class RetentionJob {
  #o: RetentionOptions;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<PruneCounts> | null = null;
  #stopped = false;

  constructor(options: RetentionOptions) {
    this.#o = options;
  }

  get enabled(): boolean {
    return this.#o.photoDays > 0 || this.#o.quarantineDays > 0 || this.#o.attendanceDays > 0;
  }

  start() {
    if (!this.enabled) return;
    const schedule = (ms: number) => {
      this.#timer = setTimeout(() => {
        void this.runOnce().finally(() => {
          if (!this.#stopped) schedule(this.#o.everyMs);
        });
      }, ms);
    };
    schedule(this.#o.firstAfterMs);
  }

  /** Stops scheduling and waits for a pass in progress to reach its next yield. */
  async stop() {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running?.catch(() => undefined);
  }

  runOnce(): Promise<PruneCounts> {
    this.#running ??= this.#pass().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  cutoffs(now: number): PruneCutoffs {
    const o = this.#o;
    const c: PruneCutoffs = {};
    if (o.photoDays > 0) c.photosBefore = now - o.photoDays * DAY_MS;
    if (o.quarantineDays > 0) c.quarantineBefore = now - o.quarantineDays * DAY_MS;
    if (o.attendanceDays > 0) c.punchesBefore = o.clock.format(now - o.attendanceDays * DAY_MS);
    return c;
  }

  async #pass(): Promise<PruneCounts> {
    const o = this.#o;
    let cutoffs = this.cutoffs(o.now());
    const total: PruneCounts = { photos: 0, quarantine: 0, attendance: 0, doorEvents: 0 };
    try {
      // Cursors only move forward: bounds read once are safe for the whole pass.
      if (cutoffs.punchesBefore !== undefined && o.delivered) cutoffs = { ...cutoffs, ...(await o.delivered()) };
      while (!this.#stopped) {
        const n = o.store.prune(cutoffs, CHUNK);
        for (const k of Object.keys(total) as Array<keyof PruneCounts>) {
          total[k] += n[k];
          if (n[k] > 0) o.onPruned?.(k, n[k]);
        }
        if (n.photos < CHUNK && n.quarantine < CHUNK && n.attendance < CHUNK && n.doorEvents < CHUNK) break;
        await yieldToLoop();
      }
    } catch (err) {
      // The store may be failing for everyone (disk full); the next pass retries.
      o.log.warn({ err }, "retention: prune failed");
      return total;
    }
    const removed = total.photos + total.quarantine + total.attendance + total.doorEvents;
    if (removed === 0) {
      o.log.debug({ cutoffs }, "retention: nothing to prune");
      return total;
    }
    // Audit first: whoever reads the log line (an admin, a test) then finds the audit entry too.
    await o.store
      .audit({ at: o.now(), actor: "system", action: "retention.prune", details: { ...total, cutoffs }, result: "ok" })
      .catch((err: unknown) => o.log.warn({ err }, "retention: could not write the audit entry"));
    o.log.info({ ...total, cutoffs }, "retention: pruned old data");
    return total;
  }
}
