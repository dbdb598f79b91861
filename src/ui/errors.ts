import type { Context } from "hono";
import type { Logger } from "pino";
import { AppError } from "../lib/app-error.ts";
import { labelled } from "../lib/input-problem.ts";
import { sameHost } from "./auth-guard.ts";
import { redirectWith } from "./flash.ts";

/** Fields whose name in words is not how the forms label them; the rest read as words ("validTo" → "Valid to"). */
const LABEL = labelled({
  tz: "Time zone",
  enrollid: "Enroll id",
  sn: "Terminal",
  departmentId: "Department",
  departmentIds: "Only for",
  shiftId: "Shift",
  admin: "Role on the terminals",
  username: "User name",
  pin: "PIN",
  card: "Card number",
  offlineAlertMinutes: "Alert when a terminal is offline for (minutes)",
  driftAlertSeconds: "Alert when a terminal clock is off by (seconds)",
  csvDelimiter: "CSV exports separate columns with",
  quietSeconds: "Quiet period (seconds)",
  linkBase: "Admin UI address for links",
  "email.host": "SMTP server",
  "email.port": "SMTP port",
  "email.username": "SMTP user name",
  "email.password": "SMTP password",
  "email.to": "To",
});

/**
 * Forms that label a field otherwise than the rest of the UI (a create form's "New group name", a
 * rename's "Group name"), by the path they post to, a number in it written `:id` and a date `:date`.
 */
const FORM_LABEL: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  "/groups": { name: "New group name" },
  "/groups/:id": { name: "Group name" },
  "/groups/:id/terminals": { among: "Terminals" },
  "/settings/tokens": { name: "New token name" },
  "/timesheets/departments": { name: "New department" },
  "/timesheets/departments/:id": { name: "Department name" },
  "/timesheets/leave-types/:id": { name: "Leave type name" },
  // A day's forms take the person from the page (titled by their name or #enroll id), not a field.
  "/timesheets/people/:id/days/:date/corrections": { enrollid: "Person" },
  "/timesheets/people/:id/days/:date/leave": { enrollid: "Person" },
  "/timesheets/schedules": { enrollid: "Person (enroll id)" },
};

/** The FORM_LABEL key of a posted path. */
const formKey = (path: string) => path.replace(/\/\d{4}-\d{2}-\d{2}(?=\/|$)/g, "/:date").replace(/\/\d+(?=\/|$)/g, "/:id");

/** An AppError's message as the UI shows it: a sentence. */
export function sentence(message: string): string {
  const text = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** Where a refused form goes back to: the page it was sent from (same site), else the dashboard. */
function backTo(c: Context): string {
  const referer = c.req.header("referer");
  if (!referer || !sameHost(referer, c.req.url)) return "/";
  const url = new URL(referer);
  return url.pathname + url.search;
}

/**
 * The admin UI's one translation of a failure: a refused change goes back to its page with the
 * reason as a flash message; a refused read is a plain page with its status; anything else is
 * logged and shown as a server fault.
 */
export function errorResponse(err: unknown, c: Context, log: Logger): Response {
  if (err instanceof AppError && err.exposed) {
    // A refused input names the field as the form labels it, not as the API does.
    const form = c.req.method === "POST" ? FORM_LABEL[formKey(c.req.path)] : undefined;
    const label = (field: string) => form?.[field] ?? LABEL(field);
    const text = sentence(err.input && err.input.field !== "" ? `${label(err.input.field)}: ${err.input.problem}` : err.message).slice(0, 400);
    if (c.req.method === "GET" || c.req.method === "HEAD") return c.text(text, err.status);
    return redirectWith(c, backTo(c), "error", text);
  }
  log.error({ err, path: c.req.path }, "admin UI request failed");
  return c.text("Something went wrong on the server; the log has the details.", 500);
}
