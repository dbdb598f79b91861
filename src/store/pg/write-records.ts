/**
 * The records and quarantine entries of a PostgreSQL group commit (write-path.ts), each kind in
 * one INSERT, the columns travelling as arrays through `unnest`.
 */
import { sql } from "drizzle-orm";
import type { Punch, QuarantineEntry, WriteOp } from "../contract.ts";
import { boundEntry, QUARANTINE_PER_TERMINAL } from "../quarantine-bounds.ts";
import type { PgDb } from "./connect.ts";

export type PunchesOp = Extract<WriteOp, { type: "punches" }>;

export const insertsRecords = (op: WriteOp): op is PunchesOp => op.type === "punches" && op.punches.length > 0;

/** Inserts the entries (raw bounded), then prunes each terminal's oldest beyond its cap: how many went, by sn. */
export async function insertQuarantine(db: PgDb, rows: Array<{ sn: string | null; at: number; q: QuarantineEntry }>): Promise<Map<string, number>> {
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
export async function insertRecords(db: PgDb, ops: PunchesOp[]): Promise<Map<PunchesOp, number>> {
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
