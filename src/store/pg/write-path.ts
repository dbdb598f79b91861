/**
 * The group commit's transaction on PostgreSQL. Every statement is a round trip to the server, so
 * a commit spends as few as it can: the ops that are not records one by one (one or two
 * statements each), then every quarantine entry of the commit in one INSERT and every record in
 * one INSERT per table, the columns travelling as arrays through `unnest` (as src/export/
 * pg-writes.ts writes), without savepoints. When PostgreSQL refuses a statement (a value it
 * cannot store), that transaction rolls back whole and the commit runs again one op at a time,
 * each op under its own savepoint: the op at fault fails alone, as the contract says, and only a
 * commit that holds a bad op pays for two passes.
 */
import { and, count, eq, sql } from "drizzle-orm";
import type { Approval, OpResult, Punch, QuarantineEntry, WriteOp } from "../contract.ts";
import { devinfoColumns } from "../devinfo-columns.ts";
import { hasCode } from "../../lib/app-error.ts";
import { storeError } from "../errors.ts";
import { boundEntry, QUARANTINE_PER_TERMINAL } from "../quarantine-bounds.ts";
import { identityDiffers } from "../terminal-identity.ts";
import type { PgDb } from "./connect.ts";
import { writeTerminalChange } from "./held-changes.ts";
import { terminalClock, terminals } from "./schema.ts";

/**
 * Record ids in commit order. The live feed, the webhook outboxes and the exporter read "rows
 * after id X" and move X to the last id they saw. A sequence alone does not make that safe with
 * several instances: a transaction that took id 11 may commit after one that took id 12, and a
 * reader that saw 12 in between would never come back for 11. So every transaction that inserts
 * attendance or door events takes this lock before its first insert and holds it to its commit:
 * ids are handed out one transaction at a time, and PostgreSQL makes a commit visible before it
 * releases the transaction's locks, so whoever sees id 12 also sees every committed id below it.
 * (The alternative, filtering readers by pg_snapshot_xmin, needs (xid, id) cursors everywhere.)
 * The cost: record-inserting commits of the whole cluster are serialised, one group commit at a
 * time, as on a single box; group commit keeps each of them large, and the records go last in
 * the transaction, in a few statements, so the lock is held for as short a time as it can be.
 */
const RECORDS_LOCK = sql`SELECT pg_advisory_xact_lock(hashtext('tm20-records:' || current_schema()))`;

type PunchesOp = Extract<WriteOp, { type: "punches" }>;

const insertsRecords = (op: WriteOp): op is PunchesOp => op.type === "punches" && op.punches.length > 0;

const ok = (inserted = 0, duplicates = 0, quarantined = 0): Extract<OpResult, { ok: true }> => ({ ok: true, inserted, duplicates, quarantined });

/**
 * Whether an error is PostgreSQL refusing what an op asked for, which a savepoint confines to
 * that op: a value it cannot store (SQLSTATE class 22), a constraint (23), a deadlock or
 * serialisation failure (40, gone in the next transaction), or one that never reached the server
 * (a value the driver could not send). Anything else (the connection, a time-out, a lock
 * wait) would fail the second pass the same way: the commit fails.
 */
function isRefusal(err: unknown): boolean {
  let cause: unknown = err;
  while (cause instanceof Error) {
    if (cause.name === "PostgresError") {
      const { code, errno } = cause as Error & { code?: string; errno?: string };
      return code === "ERR_POSTGRES_SERVER_ERROR" && /^(22|23|40)/.test(errno ?? "");
    }
    cause = cause.cause;
  }
  return true;
}

export async function writeOps(db: PgDb, ops: WriteOp[]): Promise<OpResult[]> {
  try {
    return await db.transaction(async (tx) => {
      try {
        return await applyTogether(tx, ops, true);
      } catch (err) {
        // "refused": a statement of the single pass was refused, so the commit runs again op by op.
        throw isRefusal(err) ? storeError("refused", "a statement was refused", err) : err;
      }
    });
  } catch (err) {
    if (!hasCode(err, "refused")) throw storeError("commit_failed", "the transaction could not be committed", err);
  }
  try {
    return await db.transaction(async (tx) => {
      const results: OpResult[] = [];
      let locked = false;
      for (const op of ops) {
        // Outside the savepoints (a lock taken inside one would go with its rollback).
        if (!locked && insertsRecords(op)) {
          await tx.execute(RECORDS_LOCK);
          locked = true;
        }
        try {
          // A nested transaction is a savepoint: one bad op rolls back alone.
          results.push(...(await tx.transaction((sp) => applyTogether(sp, [op], false))));
        } catch (err) {
          results.push({ ok: false, error: err instanceof Error ? err : new Error(String(err)) });
        }
      }
      return results;
    });
  } catch (err) {
    throw storeError("commit_failed", "the transaction could not be committed", err);
  }
}

/** Applies the ops in one go: the others in order, then quarantine and records batched (taking RECORDS_LOCK first when `lock`). */
async function applyTogether(db: PgDb, ops: WriteOp[], lock: boolean): Promise<OpResult[]> {
  const results: Array<OpResult | undefined> = [];
  for (const op of ops) results.push(op.type === "punches" || op.type === "quarantine" ? undefined : await applyOther(db, op));
  const pruned = await insertQuarantine(
    db,
    ops.flatMap((op) => (op.type === "punches" ? op.quarantine.map((q) => ({ sn: op.sn, at: op.at, q })) : op.type === "quarantine" ? op.entries.map((q) => ({ sn: op.sn, at: op.at, q })) : [])),
  );
  // A terminal's pruned count goes with its last op that quarantined something.
  const prunedBy = new Map<WriteOp, number>();
  for (const op of [...ops].reverse()) {
    if (op.type !== "punches" && op.type !== "quarantine") continue;
    const added = op.type === "punches" ? op.quarantine.length : op.entries.length;
    const n = op.sn === null ? undefined : pruned.get(op.sn);
    if (n !== undefined && added > 0 && op.sn !== null) {
      prunedBy.set(op, n);
      pruned.delete(op.sn);
    }
  }
  const withRecords = ops.filter(insertsRecords);
  if (lock && withRecords.length > 0) await db.execute(RECORDS_LOCK);
  const inserted = await insertRecords(db, withRecords);
  return ops.map((op, i) => {
    const quarantinePruned = prunedBy.get(op);
    const extra = quarantinePruned === undefined ? {} : { quarantinePruned };
    if (op.type === "punches") {
      const n = inserted.get(op) ?? 0;
      return { ...ok(n, op.punches.length - n, op.quarantine.length), ...extra };
    }
    if (op.type === "quarantine") return { ...ok(0, 0, op.entries.length), ...extra };
    return results[i] as OpResult;
  });
}

/** Inserts the entries (raw bounded), then prunes each terminal's oldest beyond its cap: how many went, by sn. */
async function insertQuarantine(db: PgDb, rows: Array<{ sn: string | null; at: number; q: QuarantineEntry }>): Promise<Map<string, number>> {
  const pruned = new Map<string, number>();
  if (rows.length === 0) return pruned;
  const bounded = rows.map((r) => boundEntry(r.q));
  await db.execute(sql`
    INSERT INTO quarantine (sn, kind, raw, reason, received_at, original_bytes)
    SELECT * FROM unnest(${sql.param(rows.map((r) => r.sn))}::text[], ${sql.param(bounded.map((q) => q.kind))}::text[],
      ${sql.param(bounded.map((q) => q.raw))}::text[], ${sql.param(bounded.map((q) => q.reason))}::text[], ${sql.param(rows.map((r) => r.at))}::bigint[],
      ${sql.param(bounded.map((q) => q.originalBytes))}::integer[])`);
  const sns = [...new Set(rows.flatMap((r) => (r.sn === null ? [] : [r.sn])))];
  if (sns.length === 0) return pruned;
  const gone = await db.execute<{ sn: string }>(sql`
    DELETE FROM quarantine q
    USING (SELECT s.sn, (SELECT id FROM quarantine WHERE sn = s.sn ORDER BY id DESC LIMIT 1 OFFSET ${QUARANTINE_PER_TERMINAL}) AS edge
           FROM unnest(${sql.param(sns)}::text[]) AS s(sn)) e
    WHERE q.sn = e.sn AND q.id <= e.edge
    RETURNING q.sn`);
  for (const row of gone) pruned.set(row.sn, (pruned.get(row.sn) ?? 0) + 1);
  return pruned;
}

/** A record the statement is to insert: the first of its identity in the commit (the others are duplicates already). */
interface NewRecord {
  op: PunchesOp;
  punch: Punch;
}

/** A door event's identity columns as RETURNING gives them (and as a Punch has them). */
interface DoorIdentity {
  sn: string;
  time: string;
  mode: number;
  inout: number;
  event: number;
}
/** bigint columns come back as strings. */
type AttendanceIdentity = DoorIdentity & { id: string; enrollid: string };

/** Fields joined by NUL, which no PostgreSQL text can hold: two different identities never share a key. */
const attendanceKey = (sn: string, p: { enrollid: number | string; time: string; mode: number; inout: number; event: number }) =>
  `${sn}\0${p.enrollid}\0${p.time}\0${p.mode}\0${p.inout}\0${p.event}`;
const doorKey = (sn: string, p: Omit<DoorIdentity, "sn">) => `${sn}\0${p.time}\0${p.mode}\0${p.inout}\0${p.event}`;

/**
 * Inserts every record of the ops: attendance in one statement, door events in another, photos
 * of new attendance rows in a third; returns how many of each op's records were new. Identity is
 * the unique indexes: a record already stored (or earlier in this commit) is a duplicate.
 */
async function insertRecords(db: PgDb, ops: PunchesOp[]): Promise<Map<PunchesOp, number>> {
  const inserted = new Map<PunchesOp, number>();
  if (ops.length === 0) return inserted;
  const attendance = new Map<string, NewRecord>();
  const doors = new Map<string, NewRecord>();
  for (const op of ops) {
    for (const punch of op.punches) {
      const [batch, key] = punch.enrollid === 0 ? [doors, doorKey(op.sn, punch)] : [attendance, attendanceKey(op.sn, punch)];
      if (!batch.has(key)) batch.set(key, { op, punch });
    }
  }
  const count = (record: NewRecord | undefined) => {
    if (record) inserted.set(record.op, (inserted.get(record.op) ?? 0) + 1);
  };
  const photos: Array<{ id: number; record: NewRecord }> = [];
  if (attendance.size > 0) {
    const rows = [...attendance.values()];
    const col = <V>(pick: (r: NewRecord) => V) => sql.param(rows.map(pick));
    const stored = (await db.execute(sql`
      INSERT INTO attendance (sn, enrollid, time, ts, mode, inout, event, verifymode, temp, received_at, refused)
      SELECT * FROM unnest(${col((r) => r.op.sn)}::text[], ${col((r) => r.punch.enrollid)}::bigint[], ${col((r) => r.punch.time)}::text[],
        ${col((r) => r.punch.ts)}::bigint[], ${col((r) => r.punch.mode)}::int[], ${col((r) => r.punch.inout)}::int[], ${col((r) => r.punch.event)}::int[],
        ${col((r) => r.punch.verifymode ?? null)}::int[], ${col((r) => r.punch.temp ?? null)}::float8[], ${col((r) => r.op.at)}::bigint[],
        ${col((r) => r.punch.refused ?? null)}::text[])
      ON CONFLICT DO NOTHING
      RETURNING id, sn, enrollid, time, mode, inout, event`)) as unknown as AttendanceIdentity[];
    for (const row of stored) {
      const record = attendance.get(attendanceKey(row.sn, row));
      count(record);
      if (record?.punch.image) photos.push({ id: Number(row.id), record });
    }
  }
  if (doors.size > 0) {
    const rows = [...doors.values()];
    const col = <V>(pick: (r: NewRecord) => V) => sql.param(rows.map(pick));
    const stored = (await db.execute(sql`
      INSERT INTO door_events (sn, time, ts, mode, inout, event, received_at)
      SELECT * FROM unnest(${col((r) => r.op.sn)}::text[], ${col((r) => r.punch.time)}::text[], ${col((r) => r.punch.ts)}::bigint[],
        ${col((r) => r.punch.mode)}::int[], ${col((r) => r.punch.inout)}::int[], ${col((r) => r.punch.event)}::int[], ${col((r) => r.op.at)}::bigint[])
      ON CONFLICT DO NOTHING
      RETURNING sn, time, mode, inout, event`)) as unknown as DoorIdentity[];
    for (const row of stored) count(doors.get(doorKey(row.sn, row)));
  }
  if (photos.length > 0) {
    await db.execute(sql`
      INSERT INTO punch_photos (attendance_id, data, received_at)
      SELECT * FROM unnest(${sql.param(photos.map((p) => p.id))}::bigint[], ${sql.param(photos.map((p) => p.record.punch.image))}::text[],
        ${sql.param(photos.map((p) => p.record.op.at))}::bigint[])
      ON CONFLICT DO NOTHING`);
  }
  return inserted;
}

/** The ops that are not records, each as its own statements. */
async function applyOther(db: PgDb, op: Exclude<WriteOp, { type: "punches" | "quarantine" }>): Promise<OpResult> {
  switch (op.type) {
    case "terminal-seen": {
      const info: Partial<ReturnType<typeof devinfoColumns>> = op.devinfo ? devinfoColumns(op.devinfo) : {};
      const [existing] = await db
        .select({ approval: terminals.approval, nosenduser: terminals.nosenduser, cpusn: terminals.cpusn, mac: terminals.mac })
        .from(terminals)
        .where(eq(terminals.sn, op.sn));
      const approval: Approval = existing?.approval ?? op.approvalIfNew;
      if (!existing && approval === "pending" && op.maxPending !== undefined) {
        const [row] = await db.select({ n: count() }).from(terminals).where(eq(terminals.approval, "pending"));
        if ((row?.n ?? 0) >= op.maxPending) return { ...ok(0), approval, nosenduser: false, pendingFull: true };
      }
      const nosenduser = existing?.nosenduser ?? false;
      // An approved terminal's identity is remembered: other hardware under its sn is kept apart, never learned.
      const seen = { cpusn: op.cpusn, mac: op.devinfo?.mac ?? null };
      const mismatch = existing?.approval === "approved" && identityDiffers(existing, seen);
      if (mismatch) {
        await db
          .update(terminals)
          .set({ mismatchCpusn: seen.cpusn, mismatchMac: seen.mac, mismatchAddr: op.remoteAddr, mismatchAt: op.at })
          .where(eq(terminals.sn, op.sn));
        if (op.onIdentityMismatch !== "accept") return { ...ok(0), approval, nosenduser, identityMismatch: "refused" };
      }
      const online = op.online && approval === "approved";
      const { mac: _mac, ...described } = info;
      // Approved: a field of the identity is learned when first sent, never replaced. Until then, the latest is shown for approval.
      const learn = (column: typeof terminals.cpusn | typeof terminals.mac, value: string | null) =>
        existing?.approval === "approved" ? sql`COALESCE(${column}, ${value})` : value;
      const identity = mismatch
        ? {}
        : { ...(op.cpusn ? { cpusn: learn(terminals.cpusn, op.cpusn) } : {}), ...(op.devinfo ? { mac: learn(terminals.mac, op.devinfo.mac ?? null) } : {}) };
      await db
        .insert(terminals)
        .values({
          sn: op.sn, approval, online, firstSeen: op.at, lastSeen: op.at, remoteAddr: op.remoteAddr,
          cpusn: op.cpusn, nosenduser: false, sessionId: online ? op.sessionId : null, ...info,
        })
        .onConflictDoUpdate({
          target: terminals.sn,
          set: {
            lastSeen: op.at, remoteAddr: op.remoteAddr, ...described, ...identity,
            // A refused registration must not take the connected state away from a live session.
            ...(online ? { online, sessionId: op.sessionId } : {}),
          },
        });
      return { ...ok(existing ? 0 : 1), approval, nosenduser, ...(mismatch ? { identityMismatch: "accepted" as const } : {}) };
    }
    case "terminals-last-seen": {
      if (op.entries.length === 0) return ok();
      await db.execute(sql`
        UPDATE terminals SET last_seen = GREATEST(terminals.last_seen, v.at)
        FROM unnest(${sql.param(op.entries.map((e) => e.sn))}::text[], ${sql.param(op.entries.map((e) => e.at))}::bigint[]) AS v(sn, at)
        WHERE terminals.sn = v.sn`);
      return ok();
    }
    case "terminal-offline": {
      await db
        .update(terminals)
        .set({ online: false, lastSeen: op.at })
        .where(and(eq(terminals.sn, op.sn), eq(terminals.sessionId, op.sessionId)));
      return ok();
    }
    case "credential":
      return writeTerminalChange(db, op);
    case "terminal-clock": {
      const { sn, at, driftSeconds, corrected } = op;
      await db
        .insert(terminalClock)
        .values({ sn, driftSeconds, checkedAt: at, correctedAt: corrected ? at : null })
        .onConflictDoUpdate({ target: terminalClock.sn, set: { driftSeconds, checkedAt: at, ...(corrected ? { correctedAt: at } : {}) } });
      return ok();
    }
  }
}
