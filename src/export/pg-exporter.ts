/**
 * Continuous export to PostgreSQL. Attendance and door events are append-only: each stream is
 * read from SQLite in row-id order after a durable cursor, written in batches, and the cursor
 * moves only after PostgreSQL committed the batch. A crash in between re-sends that batch, which
 * the identity keys absorb. Terminals and people are mirrored by periodic snapshots (changed rows
 * only). Nothing here touches ingest: while PostgreSQL is away, the backlog simply grows.
 */
import { SQL } from "bun";
import type { Logger } from "pino";
import type { OutboundStore } from "../store/export-contract.ts";
import type { RecordStream } from "../store/export-contract.ts";
import type { AttendanceRow, DoorEventRow } from "../store/schema.ts";
import { preparePgSchema } from "./pg-schema.ts";
import type { PgTarget } from "./pg-target.ts";
import { MirrorSync } from "./mirror-sync.ts";
import { ExportHealth, type ExportHealthStatus } from "./export-health.ts";
import { insertAttendance, insertDoorEvents } from "./pg-writes.ts";

export const STREAMS: readonly RecordStream[] = ["attendance", "door_events"];

export interface PgExporterOptions {
  store: OutboundStore;
  target: PgTarget;
  /** Export biometric templates (credentials) too. Off unless the operator asks. */
  templates: boolean;
  log: Logger;
  now?: () => number;
  batchRows?: number;
  /** How often to look for new records when no commit event woke us. */
  pollMs?: number;
  /** How often terminals and people are mirrored. */
  snapshotMs?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
}

export interface StreamStatus {
  last_id: number;
  exported: number;
  backlog: number;
}

export interface ExportStatus extends ExportHealthStatus {
  enabled: true;
  target: string;
  templates: boolean;
  streams: Record<RecordStream, StreamStatus>;
  /** Rows mirrored: terminals, people, templates and departments as of the last snapshot; daily results sent since connecting. */
  mirrored: { terminals: number; people: number; credentials: number; departments: number; timesheetDays: number; at: number | null };
}

export interface ExportTotals {
  attendance: number;
  door_events: number;
  terminals: number;
  people: number;
  credentials: number;
  departments: number;
  timesheetDays: number;
}

export class PgExporter {
  #o: Required<Omit<PgExporterOptions, "store" | "target" | "log" | "templates">> & PgExporterOptions;
  #sql: SQL | null = null;
  #mirror: MirrorSync | null = null;
  #running: Promise<void> | null = null;
  #stopped = false;
  #wake: (() => void) | null = null;
  #woken = false;
  #health: ExportHealth;
  #lastSnapshotAt = 0;
  #backlog: Record<RecordStream, number> = { attendance: 0, door_events: 0 };

  constructor(options: PgExporterOptions) {
    this.#o = {
      now: Date.now,
      batchRows: 10_000,
      pollMs: 2_000,
      snapshotMs: 30_000,
      retryBaseMs: 1_000,
      retryMaxMs: 60_000,
      ...options,
    };
    const { log, now, retryBaseMs, retryMaxMs } = this.#o;
    this.#health = new ExportHealth({ log, now, target: options.target.display, retryBaseMs, retryMaxMs });
  }

  /** Rows waiting per stream, as of the last look (the metric reads this; status() recounts). */
  get backlog(): Readonly<Record<RecordStream, number>> {
    return this.#backlog;
  }

  get targetDisplay(): string {
    return this.#o.target.display;
  }

  get failing(): boolean {
    return this.#health.state === "failing";
  }

  start() {
    this.#running ??= this.#loop();
  }

  /** New records were committed: export them now rather than at the next poll. */
  wake() {
    this.#woken = true;
    this.#wake?.();
  }

  async stop() {
    this.#stopped = true;
    this.#health.state = "stopped";
    this.#wake?.();
    await this.#running;
    await this.#disconnect();
  }

  async status(): Promise<ExportStatus> {
    const streams = {} as Record<RecordStream, StreamStatus>;
    for (const stream of STREAMS) {
      const cursor = await this.#o.store.exports.cursor(this.#o.target.key, stream);
      const lastId = cursor?.lastId ?? 0;
      this.#backlog[stream] = await this.#o.store.exports.countAfter(stream, lastId);
      streams[stream] = { last_id: lastId, exported: cursor?.exported ?? 0, backlog: this.#backlog[stream] };
    }
    const mirrored = this.#mirror?.counts ?? { terminals: 0, people: 0, credentials: 0, departments: 0, timesheetDays: 0 };
    return {
      enabled: true,
      target: this.#o.target.display,
      templates: this.#o.templates,
      ...this.#health.status(),
      streams,
      mirrored: { ...mirrored, at: this.#lastSnapshotAt || null },
    };
  }

  /**
   * One-shot export (`tm20 export`): everything committed so far, then return. Without `since`
   * it is the continuous export's catch-up (same cursors); with `since` it re-sends the records
   * from that site-local time on and leaves the cursors alone.
   */
  async exportAll(options: { since?: string; onProgress?: (rows: number, total: number | null) => void } = {}): Promise<ExportTotals> {
    try {
      await this.#connect();
      const totals = { attendance: 0, door_events: 0 };
      const { since, onProgress } = options;
      // The rows behind the cursors are known up front; from `since` on they would cost a scan.
      let total: number | null = null;
      if (onProgress && since === undefined) {
        total = 0;
        for (const stream of STREAMS) total += await this.#o.store.exports.countAfter(stream, (await this.#o.store.exports.cursor(this.#o.target.key, stream))?.lastId ?? 0);
      }
      let sent = 0;
      const onBatch = (rows: number) => {
        sent += rows;
        onProgress?.(sent, total === null ? null : Math.max(total, sent));
      };
      for (const stream of STREAMS) totals[stream] = await this.#drain(stream, since, onBatch);
      const mirrored = await this.#snapshot();
      return { ...totals, ...mirrored };
    } finally {
      await this.#disconnect();
    }
  }

  async #loop() {
    while (!this.#stopped) {
      let delay = this.#o.pollMs;
      try {
        this.#woken = false;
        await this.#connect();
        for (const stream of STREAMS) await this.#drain(stream);
        if (this.#o.now() - this.#lastSnapshotAt >= this.#o.snapshotMs) await this.#snapshot();
        this.#health.succeeded();
        // Records committed while we were busy: go again at once.
        if (this.#woken) continue;
      } catch (err) {
        if (this.#stopped) break;
        delay = await this.#failed(err);
      }
      await this.#sleep(delay, this.#health.state === "ok");
    }
  }

  async #connect() {
    if (this.#sql) return;
    const sql = new SQL(this.#o.target.url, { max: 2, connectionTimeout: 10, idleTimeout: 60 });
    this.#sql = sql;
    const { created, applied } = await preparePgSchema(sql, this.#o.target.schema);
    if (created) await this.#o.store.exports.resetCursors(this.#o.target.key);
    if (applied.length > 0) this.#o.log.info({ target: this.#o.target.display, applied }, "export schema migrated");
    // A new connection may be a restored or re-created database: mirror everything once more.
    this.#mirror = new MirrorSync({ sql, store: this.#o.store, schema: this.#o.target.schema, templates: this.#o.templates, now: this.#o.now });
    this.#lastSnapshotAt = 0;
  }

  async #disconnect() {
    const sql = this.#sql;
    this.#sql = null;
    this.#mirror = null;
    if (sql) await sql.close({ timeout: 1 }).catch(() => {});
  }

  /** Exports a stream until caught up; returns the rows sent. */
  async #drain(stream: RecordStream, since?: string, onBatch?: (rows: number) => void): Promise<number> {
    const sql = this.#sql;
    if (!sql) throw new Error("not connected");
    const { store, target, batchRows, now } = this.#o;
    const keepCursor = since === undefined;
    let afterId = keepCursor ? ((await store.exports.cursor(target.key, stream))?.lastId ?? 0) : 0;
    const read = (after: number): Promise<Array<AttendanceRow | DoorEventRow>> =>
      stream === "attendance"
        ? store.exports.attendanceAfter({ afterId: after, limit: batchRows, since })
        : store.exports.doorEventsAfter({ afterId: after, limit: batchRows, since });
    let sent = 0;
    let rows = await read(afterId);
    while (rows.length > 0 && !this.#stopped) {
      const writing =
        stream === "attendance"
          ? sql.begin((tx) => insertAttendance(tx, target.schema, rows as AttendanceRow[]))
          : sql.begin((tx) => insertDoorEvents(tx, target.schema, rows as DoorEventRow[]));
      // Read the next batch from SQLite while PostgreSQL works on this one.
      writing.catch(() => {});
      afterId = rows[rows.length - 1]?.id ?? afterId;
      const next = rows.length === batchRows ? await read(afterId) : [];
      await writing;
      if (keepCursor) await store.exports.advanceCursor(target.key, stream, afterId, rows.length, now());
      sent += rows.length;
      onBatch?.(rows.length);
      rows = next;
    }
    if (keepCursor) this.#backlog[stream] = rows.length === 0 ? 0 : await store.exports.countAfter(stream, afterId);
    return sent;
  }

  async #snapshot() {
    if (!this.#mirror) throw new Error("not connected");
    const counts = await this.#mirror.sync();
    this.#lastSnapshotAt = this.#o.now();
    return counts;
  }

  /** Returns how long to wait before the next try. */
  async #failed(err: unknown): Promise<number> {
    this.#health.failed(err);
    await this.#disconnect();
    for (const stream of STREAMS) {
      const cursor = await this.#o.store.exports.cursor(this.#o.target.key, stream).catch(() => null);
      this.#backlog[stream] = await this.#o.store.exports.countAfter(stream, cursor?.lastId ?? 0).catch(() => this.#backlog[stream]);
    }
    return this.#health.backOff();
  }

  /** Sleeps `ms`; a commit event cuts it short only while healthy (a failing target keeps its back-off). */
  #sleep(ms: number, wakeable: boolean): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = () => {
        if (wakeable || this.#stopped) {
          this.#wake = null;
          done();
        }
      };
    });
  }
}
