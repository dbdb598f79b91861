/**
 * Retention on SQLite: at most `limit` rows of each kind older than the cutoffs, in one write
 * transaction on the store's write connection.
 */
import { sql } from "drizzle-orm";
import { storeError } from "../errors.ts";
import type { PruneCounts, PruneCutoffs } from "../prune.ts";
import type { SqliteDatabase } from "./driver.ts";
import { immediate } from "./transaction.ts";

export function pruneRows(db: SqliteDatabase, cutoffs: PruneCutoffs, limit: number): PruneCounts {
  const changes = () => db.all<{ n: number }>(sql`SELECT changes() AS n`)[0]?.n ?? 0;
  const counts: PruneCounts = { photos: 0, quarantine: 0, attendance: 0, doorEvents: 0 };
  try {
    immediate(db, () => {
      if (cutoffs.photosBefore !== undefined) {
        db.run(sql`DELETE FROM punch_photos WHERE attendance_id IN
          (SELECT attendance_id FROM punch_photos WHERE received_at < ${cutoffs.photosBefore} LIMIT ${limit})`);
        counts.photos = changes();
      }
      if (cutoffs.quarantineBefore !== undefined) {
        db.run(sql`DELETE FROM quarantine WHERE id IN
          (SELECT id FROM quarantine WHERE received_at < ${cutoffs.quarantineBefore} LIMIT ${limit})`);
        counts.quarantine = changes();
      }
      const t = cutoffs.punchesBefore;
      const upTo = (bound: number | undefined) => (bound === undefined ? sql`` : sql` AND id <= ${bound}`);
      if (t !== undefined && cutoffs.attendanceUpTo !== 0) {
        const doomed = sql`SELECT id FROM attendance WHERE time < ${t}${upTo(cutoffs.attendanceUpTo)} ORDER BY time LIMIT ${limit}`;
        db.run(sql`DELETE FROM punch_photos WHERE attendance_id IN (${doomed})`);
        counts.photos += changes();
        db.run(sql`DELETE FROM attendance WHERE id IN (${doomed})`);
        counts.attendance = changes();
      }
      if (t !== undefined && cutoffs.doorEventsUpTo !== 0) {
        db.run(sql`DELETE FROM door_events WHERE id IN (SELECT id FROM door_events WHERE time < ${t}${upTo(cutoffs.doorEventsUpTo)} ORDER BY time LIMIT ${limit})`);
        counts.doorEvents = changes();
      }
    });
  } catch (err) {
    throw storeError("prune_failed", "retention could not delete old rows", err);
  }
  return counts;
}
