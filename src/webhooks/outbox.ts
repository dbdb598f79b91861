/**
 * A destination's outbox, read from its cursors: the next batch in commit order and the backlog.
 * Attendance and door events are two row-id streams; a batch interleaves them by receive time and
 * always takes a prefix of each, so a cursor pair says exactly what has been settled.
 */
import type { ExportStore } from "../store/export-contract.ts";
import type { BatchEnd } from "../store/webhook-contract.ts";
import { attendanceRecord, doorEventRecord, type WebhookRecord } from "./payload.ts";
import type { Webhook } from "./settings.ts";

export interface Batch {
  records: WebhookRecord[];
  end: BatchEnd;
}

/**
 * The next batch, or null when nothing matches. `skipTo` is set when no record matched but the
 * streams moved on (rows of other terminals): the cursors may jump there without sending anything.
 */
export async function nextBatch(store: ExportStore, w: Webhook): Promise<{ batch: Batch | null; skipTo: BatchEnd | null }> {
  const sns = w.terminals ?? undefined;
  const wantAttendance = w.eventTypes.includes("attendance");
  const wantDoor = w.eventTypes.includes("door_event");
  // Read the ends first: every row at or below them is visible to the reads that follow.
  const ends: BatchEnd = {
    attendanceCursor: wantAttendance ? await store.lastId("attendance") : w.attendanceCursor,
    doorCursor: wantDoor ? await store.lastId("door_events") : w.doorCursor,
  };
  const att = wantAttendance ? (await store.attendanceAfter({ afterId: w.attendanceCursor, limit: w.batchSize, sns })).map(attendanceRecord) : [];
  const door = wantDoor ? (await store.doorEventsAfter({ afterId: w.doorCursor, limit: w.batchSize, sns })).map(doorEventRecord) : [];
  if (att.length === 0 && door.length === 0) {
    const moved = ends.attendanceCursor > w.attendanceCursor || ends.doorCursor > w.doorCursor;
    return { batch: null, skipTo: sns && moved ? ends : null };
  }
  const records: WebhookRecord[] = [];
  let a = 0;
  let d = 0;
  while (records.length < w.batchSize && (a < att.length || d < door.length)) {
    const na = att[a];
    const nd = door[d];
    if (na && (!nd || na.received_at <= nd.received_at)) {
      records.push(na);
      a++;
    } else if (nd) {
      records.push(nd);
      d++;
    }
  }
  return {
    batch: {
      records,
      end: {
        attendanceCursor: a > 0 ? (att[a - 1]?.seq ?? w.attendanceCursor) : w.attendanceCursor,
        doorCursor: d > 0 ? (door[d - 1]?.seq ?? w.doorCursor) : w.doorCursor,
      },
    },
    skipTo: null,
  };
}

/** Records waiting for this destination. */
export async function backlogOf(store: ExportStore, w: Webhook): Promise<number> {
  const sns = w.terminals ?? undefined;
  let n = 0;
  if (w.eventTypes.includes("attendance")) n += await store.countAfter("attendance", w.attendanceCursor, sns);
  if (w.eventTypes.includes("door_event")) n += await store.countAfter("door_events", w.doorCursor, sns);
  return n;
}
