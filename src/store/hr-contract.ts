/**
 * HR delivery destinations (`Store.hrDestinations`, issue 19): ERPNext, Odoo… that receive every
 * committed punch as the HR system's own check-in. Like a webhook's, a destination's outbox is a
 * cursor over the attendance table's row ids (nothing is copied at ingest, nothing deleted because
 * delivery failed); unlike a webhook's, records are settled one by one, since HR systems take one
 * check-in per request and answer for each: delivered, skipped for a reason the remote gave
 * (counted, never retried), or failed. A record given up on is kept as a dead letter with the
 * remote's message before the cursor passes it.
 */
import type { Page } from "./types.ts";
import type { EmployeeIdFrom, HrDeadLetterRow, HrDestinationRow } from "./schema.ts";

/**
 * Why a record was set aside for good, as the remote told us (or, for Odoo, as its attendance rules
 * decide: an out with nothing open, a punch inside an attendance Odoo already has; `not_a_person`:
 * a scan of nobody enrolled, PROTOCOL.md §7.5, which the dispatcher never sends): counted per
 * destination, never retried.
 */
export const SKIP_REASONS = ["unknown_employee", "inactive_employee", "duplicate", "missing_check_in", "out_of_order", "not_a_person"] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];


export interface HrDestinationSettings {
  name: string;
  /** The adapter (connectors/kinds.ts): "erpnext", "odoo". */
  kind: string;
  url: string;
  /** The kind's own settings, JSON (checked by the kind's schema when written and read). */
  settings: string;
  /** The kind's secrets (API key and secret…), JSON sealed by the SecretBox; never shown back. */
  credentialsSealed: string | null;
  employeeIdFrom: EmployeeIdFrom;
  /** Null: every terminal. */
  terminals: string[] | null;
  enabled: boolean;
  batchSize: number;
  timeoutMs: number;
  /** A record still failing after this many attempts becomes a dead letter. */
  maxAttempts: number;
}

export interface NewHrDestination extends HrDestinationSettings {
  /** The last attendance row id already behind us (0: every punch in the store). */
  cursor: number;
  at: number;
}

/** What a run settled: every record up to `cursor` is done (delivered or skipped). */
export interface HrProgress {
  cursor: number;
  delivered: number;
  skipped: Partial<Record<SkipReason, number>>;
  /** The remote's words for the newest skip, shown with the counts (null: keep the previous one). */
  lastSkip: string | null;
  at: number;
}

export interface NewHrDeadLetter {
  /** The attendance row id of the record: the cursor passes it. */
  recordId: number;
  /** The record exactly as the adapter was given it (JSON). */
  record: string;
  attempts: number;
  error: string;
  at: number;
}

export interface HrDestinationStore {
  create(d: NewHrDestination): Promise<HrDestinationRow>;
  list(): Promise<HrDestinationRow[]>;
  get(id: number): Promise<HrDestinationRow | null>;
  update(id: number, changes: Partial<HrDestinationSettings>, at: number): Promise<HrDestinationRow | null>;
  /** Removes the destination and its dead letters. */
  delete(id: number): Promise<boolean>;

  /**
   * Records up to `cursor` are done: the cursor forward (never back), counts added. Anything
   * delivered or skipped resets the failure count and sets the last success.
   */
  progressed(id: number, p: HrProgress): Promise<void>;
  /** The record after the cursor failed again (`attempts` in a row); the cursor stays. */
  failed(id: number, attempts: number, error: string, at: number): Promise<void>;
  /** One transaction: the record is kept as a dead letter and the cursor passes it. */
  deadLetter(id: number, letter: NewHrDeadLetter): Promise<HrDeadLetterRow>;

  deadLetters(id: number, filter: { status?: HrDeadLetterRow["status"]; cursor?: string; limit: number }): Promise<Page<HrDeadLetterRow>>;
  getDeadLetter(destinationId: number, id: number): Promise<HrDeadLetterRow | null>;
  /** Dead letters not (yet) delivered by a retry. */
  deadLetterCount(destinationId: number): Promise<number>;
  /** After a manual retry: delivered (or skipped), or still dead with one more attempt and its error. */
  settleDeadLetter(id: number, result: { status: HrDeadLetterRow["status"]; attempts: number; error: string; at: number }): Promise<HrDeadLetterRow | null>;
}

/** What moves a destination's outbox: its delivering instance's settlements. */
export type HrSettlements = Pick<HrDestinationStore, "progressed" | "failed" | "deadLetter">;

/** Cluster mode (PostgreSQL only): which instance delivers each destination; as WebhookLeaseStore. */
export interface HrLeaseStore {
  claim(holder: string, ttlMs: number): Promise<number[]>;
  release(holder: string): Promise<void>;
  holder(destinationId: number): Promise<string | null>;
  /** Settlements that fail with the store error "lease_lost" once another holder has taken the lease. */
  fenced(holder: string): HrSettlements;
}
