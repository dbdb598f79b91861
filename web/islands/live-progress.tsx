/** @jsxImportSource hono/jsx/dom */
/**
 * Live progress without reloading: a command's status (queued → sent → answered, or failed / timed
 * out) and a job's bar, each polled from its small JSON (`/commands/{id}.json`, `/jobs/{id}.json`)
 * until it ends. Polling, not the live feed: a command's steps are per terminal and short, and the
 * islands must work for any page that shows one (a terminal, the door board, a person).
 */
import { useEffect, useState } from "hono/jsx/dom";
import { type CommandProgressProps, CommandProgressView, type CommandStatusJson, FINAL_COMMAND_STATES, type JobProgressProps, JobProgressView } from "../components/progress-view.tsx";

const EVERY_MS = 500;
/** A command that has not ended by then (a terminal offline for long) is left to the history. */
const GIVE_UP_MS = 10 * 60_000;

/** Calls `poll` every half second until it says it is done, the element is gone, or ten minutes pass. */
function usePolling(poll: () => Promise<boolean>, done: boolean) {
  useEffect(() => {
    if (done) return;
    let stopped = false;
    const until = Date.now() + GIVE_UP_MS;
    const tick = async () => {
      const finished = await poll().catch(() => false);
      if (!stopped && !finished && Date.now() < until) timer = setTimeout(() => void tick(), EVERY_MS);
    };
    // The server rendered what it knew when the page was made; look again at once.
    let timer = setTimeout(() => void tick(), 0);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, []);
}

async function json<T>(url: string): Promise<T | null> {
  const res = await fetch(url, { headers: { accept: "application/json" } });
  return res.ok ? ((await res.json()) as T) : null;
}

export function LiveCommand(props: CommandProgressProps) {
  const [state, setState] = useState<CommandProgressProps>(props);
  usePolling(async () => {
    const now = await json<CommandStatusJson>(`/commands/${props.id}.json`);
    if (now) setState({ ...now, label: props.label });
    return now !== null && FINAL_COMMAND_STATES.includes(now.status);
  }, FINAL_COMMAND_STATES.includes(props.status));
  return <CommandProgressView {...state} />;
}

export function LiveJob(props: JobProgressProps) {
  const [state, setState] = useState<JobProgressProps>(props);
  usePolling(async () => {
    const now = await json<JobProgressProps>(props.poll ?? `/jobs/${props.id}.json`);
    if (now) setState(now);
    const ended = now !== null && now.status !== "running";
    if (ended && props.reloadWhenDone) location.reload();
    return ended;
  }, props.status !== "running");
  return <JobProgressView {...state} />;
}
