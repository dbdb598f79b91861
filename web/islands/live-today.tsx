/** @jsxImportSource hono/jsx/dom */
/**
 * Keeps Timesheets → Today current: a punch on the live feed (/live/events, the dashboard's SSE)
 * fetches the rows again (once per burst), and so does every minute, since "not yet in" turns
 * into "absent" by the clock alone.
 */
import { useEffect, useState } from "hono/jsx/dom";
import { type TodayProps, TodayView } from "../components/today-view.tsx";

/** Punches come in bursts; one fetch after the burst, later than the server shares one computation (1 s). */
const SETTLE_MS = 1500;
const EVERY_MS = 60_000;

export function LiveToday(props: TodayProps) {
  const [today, setToday] = useState<TodayProps>(props);
  const [live, setLive] = useState<"connecting" | "live" | "reconnecting">("connecting");

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const refresh = async () => {
      timer = null;
      const res = await fetch("/timesheets/today.json", { headers: { accept: "application/json" } });
      if (res.ok) setToday((await res.json()) as TodayProps);
    };
    const soon = () => {
      if (timer === null) timer = setTimeout(() => void refresh().catch(() => setLive("reconnecting")), SETTLE_MS);
    };
    const source = new EventSource("/live/events");
    source.onopen = () => setLive("live");
    source.onerror = () => setLive("reconnecting");
    source.addEventListener("punch", soon);
    const minute = setInterval(soon, EVERY_MS);
    return () => {
      source.close();
      clearInterval(minute);
      if (timer !== null) clearTimeout(timer);
    };
  }, []);

  return <TodayView {...today} live={live} />;
}
