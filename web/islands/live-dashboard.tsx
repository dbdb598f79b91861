/** @jsxImportSource hono/jsx/dom */
/**
 * Keeps the dashboard current without reloads: one EventSource on /live/events. `punch` events
 * carry the attendance rowid as their id, so the browser's automatic reconnect (Last-Event-ID)
 * resumes the feed without gaps; `status` events replace the counters, chart and alerts.
 */
import { useEffect, useState } from "hono/jsx/dom";
import { DashboardView } from "../components/dashboard-view.tsx";
import type { DashboardProps, FeedRow, LiveStatus } from "../components/live-types.ts";

const FEED_ROWS = 50;

export function LiveDashboard(props: DashboardProps) {
  const [status, setStatus] = useState<LiveStatus>(props.status);
  const [feed, setFeed] = useState<FeedRow[]>(props.feed);
  const [live, setLive] = useState<"connecting" | "live" | "reconnecting">("connecting");

  useEffect(() => {
    const after = props.feed[0]?.id ?? 0;
    const source = new EventSource(`/live/events?after=${after}`);
    source.onopen = () => setLive("live");
    source.onerror = () => setLive("reconnecting");
    source.addEventListener("status", (ev) => setStatus(JSON.parse((ev as MessageEvent<string>).data) as LiveStatus));
    source.addEventListener("punch", (ev) => {
      const row = JSON.parse((ev as MessageEvent<string>).data) as FeedRow;
      setFeed((rows) => (rows.some((r) => r.id === row.id) ? rows : [row, ...rows].slice(0, FEED_ROWS)));
    });
    return () => source.close();
  }, []);

  return <DashboardView status={status} feed={feed} live={live} />;
}
