/**
 * How far the destinations that send records out have got: retention must not delete a row the
 * PostgreSQL export, a webhook or an HR destination has not delivered yet, or it would never arrive.
 * Each destination's cursor is the last row id it delivered; the lowest one bounds the deletes.
 */
import type { OutboundStore } from "../store/export-contract.ts";
import type { PruneCutoffs } from "../store/prune.ts";
import { parseWebhook } from "../webhooks/settings.ts";

export type DeliveredBounds = Pick<PruneCutoffs, "attendanceUpTo" | "doorEventsUpTo">;

const lowest = (a: number | undefined, b: number) => (a === undefined ? b : Math.min(a, b));

/**
 * `exportTarget`: the key of the continuous PostgreSQL export (null when --pg-url is not set); a
 * target that has not exported anything yet holds everything. Disabled webhooks hold their rows
 * too: enabled again, they resume from their cursors.
 */
export async function deliveredBounds(store: OutboundStore, exportTarget: string | null): Promise<DeliveredBounds> {
  let attendanceUpTo: number | undefined;
  let doorEventsUpTo: number | undefined;
  if (exportTarget !== null) {
    attendanceUpTo = (await store.exports.cursor(exportTarget, "attendance"))?.lastId ?? 0;
    doorEventsUpTo = (await store.exports.cursor(exportTarget, "door_events"))?.lastId ?? 0;
  }
  for (const w of (await store.webhooks.list()).map(parseWebhook)) {
    if (w.eventTypes.includes("attendance")) attendanceUpTo = lowest(attendanceUpTo, w.attendanceCursor);
    if (w.eventTypes.includes("door_event")) doorEventsUpTo = lowest(doorEventsUpTo, w.doorCursor);
  }
  for (const d of await store.hrDestinations.list()) attendanceUpTo = lowest(attendanceUpTo, d.cursor);
  return {
    ...(attendanceUpTo === undefined ? {} : { attendanceUpTo }),
    ...(doorEventsUpTo === undefined ? {} : { doorEventsUpTo }),
  };
}
