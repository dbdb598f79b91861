/**
 * A command's and a job's progress in words and a bar. Pure: rendered by the server (hono/jsx) and
 * again in the browser by the live-progress islands (hono/jsx/dom) as the status changes, so the
 * admin sees "queued → sent → answered" happen without reloading.
 */
import { plural } from "../../src/lib/plural.ts";

export type CommandState = "queued" | "sent" | "succeeded" | "failed" | "timed_out" | "expired" | "cancelled";

/** What `/commands/{id}.json` answers. */
export interface CommandStatusJson {
  id: number;
  status: CommandState;
  /** Why it failed, as the terminal or the engine said. */
  reason: string | null;
  attempts: number;
}

export interface CommandProgressProps extends CommandStatusJson {
  /** The command as the admin clicked it ("Open door"). */
  label: string;
}

export const FINAL_COMMAND_STATES: readonly CommandState[] = ["succeeded", "failed", "timed_out", "expired", "cancelled"];

const STEPS = ["queued", "sent", "answered"] as const;

/** How far along the three steps it is, and the words for where it ended. */
function stateOf(status: CommandState): { reached: number; tone: string; words: string } {
  switch (status) {
    case "queued":
      return { reached: 0, tone: "info", words: "queued" };
    case "sent":
      return { reached: 1, tone: "info", words: "sent, waiting for the answer" };
    case "succeeded":
      return { reached: 2, tone: "ok", words: "answered: done" };
    case "failed":
      return { reached: 2, tone: "error", words: "answered: failed" };
    case "timed_out":
      return { reached: 1, tone: "error", words: "timed out: no answer" };
    case "expired":
      return { reached: 0, tone: "error", words: "expired before it could be sent" };
    case "cancelled":
      return { reached: 0, tone: "muted", words: "cancelled" };
  }
}

export function CommandProgressView(props: CommandProgressProps) {
  const s = stateOf(props.status);
  return (
    <span class="command-progress" data-command-id={String(props.id)} data-status={props.status} role="status" aria-live="polite">
      <span class="command-progress-label">
        {props.label} #{props.id}:
      </span>{" "}
      <span class={`badge badge-${s.tone}`} data-words="">
        {s.words}
      </span>
      {props.reason && (props.status === "failed" || props.status === "timed_out" || props.status === "expired") ? <span class="command-progress-reason"> {props.reason}</span> : null}
      <ol class="steps" aria-hidden="true">
        {STEPS.map((step, i) => (
          <li class={i <= s.reached ? "step step-done" : "step"}>{step}</li>
        ))}
      </ol>
    </span>
  );
}

/** What `/jobs/{id}.json` answers. */
export interface JobProgressProps {
  id: number;
  status: "running" | "succeeded" | "failed";
  /** The status as a badge ("succeeded", or "nothing sent" for a push nobody could be sent in). */
  badge: { tone: "ok" | "warn" | "error" | "info" | "muted"; text: string };
  /** The result in one line ("2 of 3 commands done"). */
  summary: string;
  total: number;
  done: number;
  succeeded: number;
  /** Failed or timed out. */
  failed: number;
  /** Expired or cancelled. */
  expired: number;
  /** Where the island polls, when not a job's `/jobs/{id}.json` (a timesheet rebuild's). */
  poll?: string;
  /** The counts line in words, when not a job's commands ("40 of 62 person-days done"). */
  detail?: string;
  /** The page shows the whole result once the work ends (a background import's): reload it then. */
  reloadWhenDone?: boolean;
}

export function JobProgressView(props: JobProgressProps) {
  return (
    <div class="job-progress-live" data-job-id={String(props.id)} data-status={props.status}>
      <p>
        <span class={`badge badge-${props.badge.tone}`}>{props.badge.text}</span> <strong data-summary="">{props.summary}</strong>
      </p>
      <progress max={Math.max(1, props.total)} value={props.done} aria-label="Progress" class="job-progress" />
      <p class="muted" role="status" aria-live="polite" data-progress-text="">
        {props.detail ?? `${props.done} of ${plural(props.total, "command")} done · ${props.succeeded} succeeded · ${props.failed} failed · ${props.expired} expired or cancelled`}
      </p>
    </div>
  );
}
