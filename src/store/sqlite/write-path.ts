/**
 * The group commit's transaction on one SQLite write connection: every op of a tick under its own
 * savepoint (a failing op rolls back alone), all in ONE transaction. Synchronous on purpose: the
 * whole commit runs without yielding, so nothing interleaves. It runs on the store's own write
 * connection (CLI commands, Node) or on the write thread's connection (the server).
 */
import type { Approval, OpResult, Punch, QuarantineEntry, WriteOp } from "../contract.ts";
import { devinfoColumns } from "../devinfo-columns.ts";
import { storeError } from "../errors.ts";
import { boundEntry, QUARANTINE_PER_TERMINAL } from "../quarantine-bounds.ts";
import { identityDiffers } from "../terminal-identity.ts";
import { terminals } from "../schema.ts";
import { terminalChange } from "../held-changes.ts";
import type { SqliteConnection, SqlValue } from "./driver.ts";
import { runSteps } from "./sql-transaction.ts";

/**
 * Records per multi-row INSERT: one statement step per chunk instead of per record. Measured on
 * 1.5M rows: 16 → 12 µs a record with the sub-journal on disk; with it in memory (pragmas.ts)
 * ~8.5 → ~8 µs of CPU: the b-tree work per record remains either way.
 */
const ROWS_PER_INSERT = 32;

const ATTENDANCE_COLUMNS = ["sn", "enrollid", "time", "ts", "mode", "inout", "event", "verifymode", "temp", "received_at", "refused"];
const DOOR_COLUMNS = ["sn", "time", "ts", "mode", "inout", "event", "received_at"];

/** `INSERT … VALUES (…), (…) ON CONFLICT DO NOTHING` for 1..ROWS_PER_INSERT rows, texts built once. */
function insertTexts(table: string, columns: string[]): string[] {
  const row = `(${columns.map(() => "?").join(", ")})`;
  return Array.from(
    { length: ROWS_PER_INSERT + 1 },
    (_, n) => `INSERT INTO ${table} (${columns.join(", ")}) VALUES ${Array(Math.max(1, n)).fill(row).join(", ")} ON CONFLICT DO NOTHING`,
  );
}

/** Rows waiting for one multi-row INSERT; `flush` returns how many were stored (not duplicates). */
class RowBuffer {
  #conn: SqliteConnection;
  #texts: string[];
  #width: number;
  #values: SqlValue[] = [];

  constructor(conn: SqliteConnection, table: string, columns: string[]) {
    this.#conn = conn;
    this.#texts = insertTexts(table, columns);
    this.#width = columns.length;
  }

  /** Adds a row; returns the rows stored when this filled a chunk, else 0. */
  add(...row: SqlValue[]): number {
    for (const v of row) this.#values.push(v);
    return this.#values.length === ROWS_PER_INSERT * this.#width ? this.flush() : 0;
  }

  flush(): number {
    const rows = this.#values.length / this.#width;
    if (rows === 0) return 0;
    const values = this.#values;
    this.#values = [];
    return this.#conn.prepare(this.#texts[rows] as string).run(...values).changes;
  }

  /** Drops what is buffered (its op failed and rolled back). */
  clear() {
    this.#values = [];
  }
}

export class SqliteWritePath {
  #conn: SqliteConnection;
  #attendance: RowBuffer;
  #doors: RowBuffer;
  #attendanceWithPhoto: string;
  #photo = "INSERT INTO punch_photos (attendance_id, data, received_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING";
  #quarantine = "INSERT INTO quarantine (sn, kind, raw, reason, received_at, original_bytes) VALUES (?, ?, ?, ?, ?, ?)";
  #pruneQuarantine = "DELETE FROM quarantine WHERE sn = ? AND id <= (SELECT id FROM quarantine WHERE sn = ? ORDER BY id DESC LIMIT 1 OFFSET ?)";

  constructor(conn: SqliteConnection) {
    this.#conn = conn;
    this.#attendance = new RowBuffer(conn, "attendance", ATTENDANCE_COLUMNS);
    this.#doors = new RowBuffer(conn, "door_events", DOOR_COLUMNS);
    this.#attendanceWithPhoto = insertTexts("attendance", ATTENDANCE_COLUMNS)[1] as string;
  }

  /** Applies every op in one transaction; throws (and applies nothing) when the commit fails. */
  write(ops: WriteOp[]): OpResult[] {
    const exec = this.#conn.exec;
    exec("BEGIN IMMEDIATE");
    const results: OpResult[] = [];
    try {
      for (const op of ops) {
        exec("SAVEPOINT op");
        try {
          results.push(this.#apply(op));
          exec("RELEASE op");
        } catch (err) {
          this.#attendance.clear();
          this.#doors.clear();
          exec("ROLLBACK TO op");
          exec("RELEASE op");
          results.push({ ok: false, error: err instanceof Error ? err : new Error(String(err)) });
        }
      }
      exec("COMMIT");
    } catch (err) {
      try {
        exec("ROLLBACK");
      } catch {
        // The failed COMMIT may already have rolled back; nothing is left open either way.
      }
      throw storeError("commit_failed", "the transaction could not be committed", err);
    }
    return results;
  }

  #apply(op: WriteOp): OpResult {
    switch (op.type) {
      case "punches":
        return this.#punches(op.sn, op.at, op.punches, op.quarantine);
      case "terminal-seen":
        return this.#terminalSeen(op);
      case "terminals-last-seen": {
        const update = this.#conn.prepare("UPDATE terminals SET last_seen = ? WHERE sn = ?");
        for (const e of op.entries) update.run(e.at, e.sn);
        return { ok: true, inserted: 0, duplicates: 0, quarantined: 0 };
      }
      case "terminal-offline": {
        this.#conn.prepare("UPDATE terminals SET online = 0, last_seen = ? WHERE sn = ? AND session_id = ?").run(op.at, op.sn, op.sessionId);
        return { ok: true, inserted: 0, duplicates: 0, quarantined: 0 };
      }
      case "credential":
        return runSteps(this.#conn.db, terminalChange(op));
      case "quarantine":
        return { ok: true, inserted: 0, duplicates: 0, quarantined: op.entries.length, ...prunedCount(this.#quarantineEntries(op.sn, op.at, op.entries)) };
      case "terminal-clock": {
        // corrected_at moves only when a settime goes out for this measurement.
        const keep = op.corrected ? ", corrected_at = excluded.corrected_at" : "";
        this.#conn
          .prepare(`INSERT INTO terminal_clock (sn, drift_seconds, checked_at, corrected_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (sn) DO UPDATE SET drift_seconds = excluded.drift_seconds, checked_at = excluded.checked_at${keep}`)
          .run(op.sn, op.driftSeconds, op.at, op.corrected ? op.at : null);
        return { ok: true, inserted: 0, duplicates: 0, quarantined: 0 };
      }
    }
  }

  /** Record identity is the unique indexes: a resent record is not stored again, only counted. */
  /** Stores the entries (raw bounded) and prunes the terminal's oldest beyond its cap; returns how many went. */
  #quarantineEntries(sn: string | null, at: number, entries: QuarantineEntry[]): number {
    if (entries.length === 0) return 0;
    for (const e of entries) {
      const q = boundEntry(e);
      this.#conn.prepare(this.#quarantine).run(sn, q.kind, q.raw, q.reason, at, q.originalBytes);
    }
    if (sn === null) return 0;
    return this.#conn.prepare(this.#pruneQuarantine).run(sn, sn, QUARANTINE_PER_TERMINAL).changes;
  }

  #punches(sn: string, at: number, punches: Punch[], quarantine: QuarantineEntry[]): OpResult {
    const quarantinePruned = this.#quarantineEntries(sn, at, quarantine);
    let inserted = 0;
    for (const r of punches) {
      if (r.enrollid === 0) {
        inserted += this.#doors.add(sn, r.time, r.ts, r.mode, r.inout, r.event, at);
      } else if (r.image) {
        // The photo needs the new row's id, so this record goes alone.
        const stored = this.#conn
          .prepare(this.#attendanceWithPhoto)
          .run(sn, r.enrollid, r.time, r.ts, r.mode, r.inout, r.event, r.verifymode ?? null, r.temp ?? null, at, r.refused ?? null);
        if (stored.changes === 1) {
          inserted++;
          this.#conn.prepare(this.#photo).run(stored.lastInsertRowid, r.image, at);
        }
      } else {
        inserted += this.#attendance.add(sn, r.enrollid, r.time, r.ts, r.mode, r.inout, r.event, r.verifymode ?? null, r.temp ?? null, at, r.refused ?? null);
      }
    }
    inserted += this.#attendance.flush() + this.#doors.flush();
    return { ok: true, inserted, duplicates: punches.length - inserted, quarantined: quarantine.length, ...prunedCount(quarantinePruned) };
  }

  /**
   * Registrations come in storms (every terminal after a restart), so this is native statements
   * too: drizzle built the upsert anew for each (~300 µs an op). One statement text per shape.
   */
  #terminalSeen(op: Extract<WriteOp, { type: "terminal-seen" }>): OpResult {
    const existing = this.#conn.prepare("SELECT approval, nosenduser, cpusn, mac FROM terminals WHERE sn = ?").get(op.sn) as
      | { approval: Approval; nosenduser: number; cpusn: string | null; mac: string | null }
      | null
      | undefined;
    const approval: Approval = existing?.approval ?? op.approvalIfNew;
    if (!existing && approval === "pending" && op.maxPending !== undefined) {
      const { n } = this.#conn.prepare("SELECT count(*) AS n FROM terminals WHERE approval = 'pending'").get() as { n: number };
      if (n >= op.maxPending) return { ok: true, inserted: 0, duplicates: 0, quarantined: 0, approval, nosenduser: false, pendingFull: true };
    }
    const nosenduser = existing ? existing.nosenduser === 1 : false;
    // An approved terminal's identity is remembered: other hardware under its sn is kept apart, never learned.
    const seen = { cpusn: op.cpusn, mac: op.devinfo?.mac ?? null };
    const mismatch = existing?.approval === "approved" && identityDiffers(existing, seen);
    if (mismatch) {
      this.#conn
        .prepare("UPDATE terminals SET mismatch_cpusn = ?, mismatch_mac = ?, mismatch_addr = ?, mismatch_at = ? WHERE sn = ?")
        .run(seen.cpusn, seen.mac, op.remoteAddr, op.at, op.sn);
      if (op.onIdentityMismatch !== "accept") return { ok: true, inserted: 0, duplicates: 0, quarantined: 0, approval, nosenduser, identityMismatch: "refused" };
    }
    const online = op.online && approval === "approved";
    const info = op.devinfo ? Object.entries(devinfoColumns(op.devinfo)) : [];
    const columns = ["sn", "approval", "online", "first_seen", "last_seen", "remote_addr", "cpusn", "nosenduser", "session_id", ...info.map(([k]) => terminals[k as keyof typeof terminals.$inferSelect].name)];
    // Approved: a field of the identity is learned when first sent, never replaced. Until then, the latest is shown for approval.
    const learn = (c: string) => (existing?.approval === "approved" ? `COALESCE(terminals.${c}, excluded.${c})` : `excluded.${c}`);
    const identity = mismatch ? [] : [...(op.cpusn ? [["cpusn", learn("cpusn")]] : []), ...(op.devinfo ? [["mac", learn("mac")]] : [])];
    const updated = [
      ...["last_seen", "remote_addr", ...columns.slice(9).filter((c) => c !== "mac")].map((c) => [c, `excluded.${c}`]),
      ...identity,
      // A refused registration must not take the connected state away from a live session.
      ...(online ? [["online", "excluded.online"], ["session_id", "excluded.session_id"]] : []),
    ];
    this.#conn
      .prepare(
        `INSERT INTO terminals (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})
        ON CONFLICT (sn) DO UPDATE SET ${updated.map(([c, v]) => `${c} = ${v}`).join(", ")}`,
      )
      .run(op.sn, approval, online ? 1 : 0, op.at, op.at, op.remoteAddr, op.cpusn, 0, online ? op.sessionId : null, ...info.map(([, v]) => v));
    return { ok: true, inserted: existing ? 0 : 1, duplicates: 0, quarantined: 0, approval, nosenduser, ...(mismatch ? { identityMismatch: "accepted" as const } : {}) };
  }

}

/** Only a write that pruned says so (OpResult.quarantinePruned). */
const prunedCount = (n: number) => (n > 0 ? { quarantinePruned: n } : {});
