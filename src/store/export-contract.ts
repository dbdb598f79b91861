/**
 * The outbound part of the store: what the PostgreSQL exporter and the webhook outboxes read
 * (record rows in commit order, by row id), the exporter's durable cursors and the webhook
 * destinations. Both stores offer it. In a cluster the PostgreSQL export does not run (--pg-url
 * is the store itself), and each webhook outbox is delivered by one instance at a time
 * (WebhookLeaseStore).
 */
import type { Store } from "./contract.ts";
import type { AttendanceRow, DoorEventRow, PersonRow } from "./schema.ts";
import type { HrDestinationStore } from "./hr-contract.ts";
import type { WebhookStore } from "./webhook-contract.ts";

export interface OutboundStore extends Store {
  /** Record rows in commit order and the PostgreSQL exporter's cursors. */
  readonly exports: ExportStore;
  /** Webhook destinations, their outbox cursors and dead letters. */
  readonly webhooks: WebhookStore;
  /** HR delivery destinations (ERPNext, Odoo…), their outbox cursors and dead letters. */
  readonly hrDestinations: HrDestinationStore;
}

/** The append-only record tables, read in row-id order (= commit order: one SQLite writer; PostgreSQL hands ids out under a lock). */
export type RecordStream = "attendance" | "door_events";

export interface RowsAfter {
  afterId: number;
  limit: number;
  /** Only these terminals (undefined: all). */
  sns?: readonly string[];
  /** Only records whose site-local time is >= this ("YYYY-MM-DD HH:MM:SS"). */
  since?: string;
}

export interface ExportCursor {
  lastId: number;
  /** Rows exported through this cursor so far (information only). */
  exported: number;
  updatedAt: number;
}

export interface CredentialKey {
  enrollid: number;
  backupnum: number;
  updatedAt: number;
}

export interface CredentialRow extends CredentialKey {
  data: string;
  sourceSn: string | null;
}

export interface ExportStore {
  attendanceAfter(q: RowsAfter): Promise<AttendanceRow[]>;
  doorEventsAfter(q: RowsAfter): Promise<DoorEventRow[]>;
  /** Rows after `afterId` (the backlog of a cursor). */
  countAfter(stream: RecordStream, afterId: number, sns?: readonly string[]): Promise<number>;
  /** The newest row id of a stream (0 when empty). */
  lastId(stream: RecordStream): Promise<number>;

  /** `target` names the export destination (see PgTarget.key): a new destination has no cursor. */
  cursor(target: string, stream: RecordStream): Promise<ExportCursor | null>;
  /** Moves a cursor forward (never back) and adds `rows` to its count; call only after the target committed. */
  advanceCursor(target: string, stream: RecordStream, lastId: number, rows: number, at: number): Promise<void>;
  /** The destination was found empty (re-created): export it from the start. */
  resetCursors(target: string): Promise<void>;

  /** Every person (the exporter mirrors the table). */
  allPeople(): Promise<PersonRow[]>;
  /** Which biometric templates exist and when each changed, without the (large) templates. */
  credentialKeys(): Promise<CredentialKey[]>;
  credentialsFor(keys: ReadonlyArray<{ enrollid: number; backupnum: number }>): Promise<CredentialRow[]>;
}
