/**
 * What the leased outbox lanes (lanes.ts) are made of: a destination, its lane, the leases of a
 * cluster, and what each kind of destination (webhooks, HR destinations) brings to them.
 */
import type { Logger } from "pino";

/** What every destination has that the lanes need. */
export interface LaneDestination {
  id: number;
  enabled: boolean;
  updatedAt: number;
  /** Failed attempts of the head as stored (a lane taken over carries on counting from there). */
  attempts: number;
}

export interface Lane<D extends LaneDestination> {
  dest: D;
  attempts: number;
  timer: ReturnType<typeof setTimeout> | null;
  nextAttemptAt: number | null;
  running: Promise<void> | null;
  /** Set when woken while running: look again before going idle. */
  again: boolean;
  /** Aborted (and replaced) when the lease is lost; aborted when the destination goes or the server stops. */
  abort: AbortController;
}

export interface LaneLeases {
  claim(holder: string, ttlMs: number): Promise<number[]>;
  release(holder: string): Promise<void>;
  holder(id: number): Promise<string | null>;
}

/** One kind of destination: webhooks, HR destinations. */
export interface LaneKind<D extends LaneDestination, Row, L extends Lane<D>> {
  /** In log lines: the leases' ("webhook", "hr destination"), the outbox's ("webhook", "HR"), the id field's ("webhook", "hrDestination"). */
  what: string;
  label: string;
  logKey: string;
  list(): Promise<Row[]>;
  get(id: number): Promise<Row | null>;
  parse(row: Row): D;
  /** A new lane: the shared fields given, the kind's own added. */
  lane(base: Lane<D>): L;
  /**
   * A changed row onto its lane (`lane.dest` is still the old one): merge without moving cursors
   * back, and drop whatever the change makes stale. `fresh`: the lease was just taken.
   */
  changed(lane: L, dest: D, fresh: boolean): void;
  /** Whether a change ends the back-off wait at once (settings fixed: try now). */
  retryNow(lane: L, dest: D, fresh: boolean): boolean;
  /** One run over the outbox; `live()` turns false once it must stop changing anything. */
  run(lane: L, signal: AbortSignal, live: () => boolean): Promise<void>;
  /** The lease went to another instance (the lane is stopped already). */
  lost?(lane: L): void;
}

export interface LanesOptions {
  log: Logger;
  now: () => number;
  pollMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** Cluster mode: only the destinations whose lease this instance holds. */
  cluster?: { leases: LaneLeases; instance: string; leaseMs: number };
}
