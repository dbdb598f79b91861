/**
 * GET /live/events: the dashboard's server-sent events. `punch` events carry the attendance
 * rowid as their id; a reconnecting browser sends it back as Last-Event-ID and the feed
 * continues from the next row, so nothing committed in between is missed. `status` events
 * carry the counters, chart and alerts (every few seconds, and soon after each commit).
 */
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import type { UiDeps, UiEnv } from "../env.ts";
import type { LiveStatusSource } from "./live-status.ts";

const CHUNK = 200;
/** A browser that was away longer than this many punches gets the newest rows, not the whole gap. */
const MAX_CATCH_UP = 2000;
const STATUS_EVERY_MS = 5000;
/** Coalesces bursts of commits into one query per client. */
const MIN_GAP_MS = 250;

function rowid(text: string | undefined): number | null {
  if (text === undefined || !/^\d{1,15}$/.test(text)) return null;
  return Number(text);
}

export function liveEvents(deps: UiDeps, source: LiveStatusSource) {
  return async function liveEventStream(c: Context<UiEnv>) {
    const latest = (await deps.store.admin.latestAttendance(1))[0]?.id ?? 0;
    let lastId = rowid(c.req.header("last-event-id")) ?? rowid(c.req.query("after")) ?? latest;
    if (latest - lastId > MAX_CATCH_UP) lastId = latest - 50;
    const sessionHash = c.get("session").tokenHash;
    return streamSSE(c, async (stream) => {
      let wake: (() => void) | null = null;
      const off = deps.bus.on("records-committed", () => wake?.());
      stream.onAbort(() => wake?.());
      let statusAt = 0;
      try {
        while (!stream.aborted && !stream.closed) {
          const now = deps.now();
          if (now - statusAt >= STATUS_EVERY_MS) {
            statusAt = now;
            // A logout (on this instance or another) or an expired session ends the feed too.
            if (!(await deps.store.admin.session(sessionHash, now))) break;
            await stream.writeSSE({ event: "status", data: JSON.stringify(await source.status()) });
          }
          const rows = await deps.store.admin.attendanceAfter(lastId, CHUNK);
          for (const row of await source.feedRows(rows)) {
            await stream.writeSSE({ event: "punch", id: String(row.id), data: JSON.stringify(row) });
          }
          const last = rows[rows.length - 1];
          if (last) lastId = last.id;
          if (rows.length === CHUNK) continue;
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, STATUS_EVERY_MS);
            wake = () => {
              clearTimeout(timer);
              // A commit also changes the counters: refresh them with the new rows.
              statusAt = 0;
              resolve();
            };
          });
          wake = null;
          await stream.sleep(MIN_GAP_MS);
        }
      } finally {
        off();
      }
    });
  };
}
