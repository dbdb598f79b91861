/**
 * The webhook destination form: what the admin typed, turned into the API's request bodies and
 * validated by the same schemas (src/webhooks/settings.ts), and the form itself. Secret values
 * (token, header value, signing secret) are write-only: the form never shows them back, and an
 * empty field on an edit keeps what is stored.
 */
import { z } from "zod";
import { describeInput, labelled } from "../../lib/input-problem.ts";
import type { TerminalRow } from "../../store/schema.ts";
import type { WebhookView } from "../../webhooks/admin.ts";
import { type CreateWebhookBody, createWebhookBody, EVENT_TYPES, type PatchWebhookBody, patchWebhookBody } from "../../webhooks/settings.ts";
import { Field, MANY_TERMINALS, RadioField, typedSerials } from "../components.tsx";
import { DestinationForm, DestinationFormEnd } from "./destination-parts.tsx";

const AUTH = ["keep", "none", "bearer", "header"] as const;

const formFields = z.object({
  name: z.string().default(""),
  url: z.string().default(""),
  auth: z.enum(AUTH).default("none"),
  auth_name: z.string().default(""),
  auth_value: z.string().default(""),
  hmac_secret: z.string().default(""),
  hmac_remove: z.literal("on").optional(),
  enabled: z.literal("on").optional(),
  batch_size: z.string().default(""),
  timeout_s: z.string().default(""),
  max_attempts: z.string().default(""),
  start: z.enum(["now", "beginning"]).default("now"),
});

/** The form as filled in (secrets left out), to show it again with an error. */
export interface WebhookFormValues {
  name: string;
  url: string;
  auth: (typeof AUTH)[number];
  authName: string;
  enabled: boolean;
  events: string[];
  terminals: string[];
  batchSize: string;
  timeoutS: string;
  maxAttempts: string;
  start: "now" | "beginning";
}

export function valuesOf(w: WebhookView | null): WebhookFormValues {
  if (!w) {
    return { name: "", url: "", auth: "none", authName: "", enabled: true, events: ["attendance"], terminals: [], batchSize: "100", timeoutS: "10", maxAttempts: "", start: "now" };
  }
  return {
    name: w.name,
    url: w.url,
    auth: w.auth_header ? "keep" : "none",
    authName: "",
    enabled: w.enabled,
    events: w.event_types,
    terminals: w.terminals ?? [],
    batchSize: String(w.batch_size),
    timeoutS: String(w.timeout_ms / 1000),
    maxAttempts: w.max_attempts === null ? "" : String(w.max_attempts),
    start: "now",
  };
}

/** The body's fields as the form labels them. */
const LABEL = labelled({
  name: "Name",
  url: "URL",
  bearer_token: "Token or header value",
  "auth_header.name": "Header name",
  "auth_header.value": "Token or header value",
  hmac_secret: "Signing secret (HMAC-SHA256)",
  terminals: "Terminals",
  event_types: "Events",
  batch_size: "Records per batch",
  timeout_ms: "Time-out (seconds)",
  max_attempts: "Give up after (attempts)",
});

type Parsed<T> = { ok: true; body: T; values: WebhookFormValues } | { ok: false; error: string; values: WebhookFormValues };

function read(form: FormData) {
  const single: Record<string, string> = {};
  for (const [k, v] of form.entries()) if (typeof v === "string" && !(k in single)) single[k] = v;
  const f = formFields.parse(single);
  const strings = (name: string) => form.getAll(name).filter((v): v is string => typeof v === "string" && v !== "");
  const values: WebhookFormValues = {
    name: f.name, url: f.url, auth: f.auth, authName: f.auth_name, enabled: f.enabled === "on", events: strings("event"), terminals: typedSerials(strings("sn")),
    batchSize: f.batch_size, timeoutS: f.timeout_s, maxAttempts: f.max_attempts, start: f.start,
  };
  const number = (s: string) => (s.trim() === "" ? Number.NaN : Number(s));
  const auth =
    f.auth === "bearer" ? { bearer_token: f.auth_value } :
    f.auth === "header" ? { auth_header: { name: f.auth_name.trim(), value: f.auth_value } } :
    f.auth === "none" ? { auth_header: null } : {};
  const body = {
    name: f.name,
    url: f.url.trim(),
    ...auth,
    ...(f.hmac_remove ? { hmac_secret: null } : f.hmac_secret !== "" ? { hmac_secret: f.hmac_secret } : {}),
    terminals: values.terminals.length > 0 ? values.terminals : null,
    event_types: values.events,
    enabled: values.enabled,
    batch_size: number(f.batch_size),
    timeout_ms: Math.round(number(f.timeout_s) * 1000),
    max_attempts: f.max_attempts.trim() === "" ? null : number(f.max_attempts),
  };
  return { body, values, start: f.start };
}

export function parseNewWebhook(form: FormData): Parsed<CreateWebhookBody> {
  const { body, values, start } = read(form);
  const parsed = createWebhookBody.safeParse({ ...body, start });
  return parsed.success ? { ok: true, body: parsed.data, values } : { ok: false, error: describeInput(parsed.error, LABEL), values };
}

export function parseWebhookChange(form: FormData): Parsed<PatchWebhookBody> {
  const { body, values } = read(form);
  const parsed = patchWebhookBody.safeParse(body);
  return parsed.success ? { ok: true, body: parsed.data, values } : { ok: false, error: describeInput(parsed.error, LABEL), values };
}

const EVENT_LABEL: Record<(typeof EVENT_TYPES)[number], string> = { attendance: "Attendance punches", door_event: "Door events", alert: "Alerts (when Settings → Notifications sends to webhooks)" };

export function WebhookForm(props: {
  action: string;
  csrf: string;
  values: WebhookFormValues;
  existing: WebhookView | null;
  terminals: TerminalRow[];
  disabled: boolean;
  error?: string | undefined;
}) {
  const { values: v, existing } = props;
  return (
    <DestinationForm
      action={props.action}
      csrf={props.csrf}
      label={existing ? "Change destination" : "New destination"}
      error={props.error}
      disabled={props.disabled}
      name={{ value: v.name, placeholder: "Payroll" }}
      url={{ value: v.url, placeholder: "https://payroll.example/tm20", hint: "Receives a POST with a JSON batch of records." }}
    >
      <RadioField
        name="auth"
        label="Authentication"
        value={v.auth}
        options={[
          ...(existing?.auth_header ? [["keep", `Keep the stored ${existing.auth_header.name} header (value hidden)`] as const] : []),
          ["none", "No auth header"],
          ["bearer", "Bearer token (Authorization: Bearer …)"],
          ["header", "Another header (e.g. X-Api-Key)"],
        ]}
      />
      <Field label="Header name" name="auth_name" value={v.authName} placeholder="X-Api-Key" hint="Only for “another header”." />
      <Field label="Token or header value" name="auth_value" type="password" autocomplete="new-password" hint="Stored encrypted; never shown again." />
      <Field
        label="Signing secret (HMAC-SHA256)"
        name="hmac_secret"
        type="password"
        autocomplete="new-password"
        hint={existing?.signed ? "A secret is stored: leave empty to keep it." : "Optional, at least 16 characters: adds an X-TM20-Signature header."}
      />
      {existing?.signed ? (
        <div class="field field-check">
          <input type="checkbox" id="f-hmac_remove" name="hmac_remove" />
          <label for="f-hmac_remove">Stop signing (remove the stored secret)</label>
        </div>
      ) : null}
      <fieldset class="plain-fieldset">
        <legend class="label">Send</legend>
        <div class="checks">
          {EVENT_TYPES.map((t) => (
            <label>
              <input type="checkbox" name="event" value={t} checked={v.events.includes(t)} /> {EVENT_LABEL[t]}
            </label>
          ))}
        </div>
      </fieldset>
      {props.terminals.length > MANY_TERMINALS ? (
        // Issue 13: not a checkbox per terminal of a 20,000-terminal site; the serial numbers are typed.
        <div class="field">
          <label for="f-sn">From terminals (serial numbers, separated by spaces or commas; empty: every terminal)</label>
          <textarea id="f-sn" name="sn" rows={2} maxlength={10_000}>
            {v.terminals.join(" ")}
          </textarea>
        </div>
      ) : props.terminals.length > 0 ? (
        <fieldset class="plain-fieldset">
          <legend class="label">From terminals (none ticked: every terminal)</legend>
          <div class="checks">
            {props.terminals.map((t) => (
              <label>
                <input type="checkbox" name="sn" value={t.sn} checked={v.terminals.includes(t.sn)} /> {t.name || t.sn}
              </label>
            ))}
          </div>
        </fieldset>
      ) : null}
      <Field label="Records per batch" name="batch_size" type="number" min={1} max={5000} value={v.batchSize} required />
      <Field label="Time-out (seconds)" name="timeout_s" type="number" min={1} max={120} value={v.timeoutS} required />
      <Field label="Give up after (attempts)" name="max_attempts" type="number" min={1} value={v.maxAttempts} hint="Empty: retry for ever and keep the order. A batch given up on becomes a dead letter." />
      <DestinationFormEnd existing={existing !== null} start={v.start} enabled={v.enabled} disabled={props.disabled} startLabels={{ now: "Records from now on", beginning: "Every record in the store" }} />
    </DestinationForm>
  );
}
