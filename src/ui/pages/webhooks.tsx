/**
 * /integrations/webhooks/…: one destination's status, its settings (admins change them; secrets
 * are write-only) and its dead letters with a retry button. Changes go through WebhookAdmin, as
 * the REST API's do: audited, and the dispatcher is told at once.
 */
import { type Context, Hono } from "hono";
import type { DeadLetterRow, TerminalRow } from "../../store/schema.ts";
import type { WebhookView } from "../../webhooks/admin.ts";
import { actorOf, requireAdmin } from "../auth-guard.ts";
import type { SiteClock } from "../../protocol/index.ts";
import { ActionButton, EmptyState, siteTime } from "../components.tsx";
import type { UiDeps, UiEnv } from "../env.ts";
import { redirectWith } from "../flash.ts";
import { page } from "../layout.tsx";
import { DeadLettersPanel, deadLetterPage, DeliveryStatusRows, DestinationLayout, type LetterPage, LetterResult } from "./destination-parts.tsx";
import type { Column } from "../table.tsx";
import { WebhookStateBadge } from "./integrations.tsx";
import { parseNewWebhook, parseWebhookChange, valuesOf, WebhookForm, type WebhookFormValues } from "./webhook-form.tsx";
import { plural } from "../../lib/plural.ts";
import { parsePathId, pathId } from "../../lib/path-id.ts";


const LETTER_COLUMNS = (clock: SiteClock): Column<DeadLetterRow>[] => [
  { head: "Since", class: "nowrap", cell: (l) => siteTime(clock, l.createdAt) },
  { head: "Records", cell: (l) => l.recordCount },
  { head: "Attempts", cell: (l) => l.attempts },
  { head: "Last error", cell: (l) => <LetterResult letter={l} /> },
  { head: "Batch id", class: "mono small", cell: (l) => l.batchId },
];

/** A webhook destination's page: status, dead letters and its settings form. */
function WebhookDetail(props: {
  deps: UiDeps;
  w: WebhookView;
  href: string;
  letters: LetterPage<DeadLetterRow>;
  isAdmin: boolean;
  csrf: string;
  form: { values: WebhookFormValues; error?: string } | null;
  terminals: TerminalRow[];
}) {
  const { w, href, letters, deps } = props;
  const clock = deps.settings.clock;
  const status = {
    backlog: w.status.backlog,
    delivered: w.status.delivered,
    lastSuccessAt: w.status.last_success_at,
    lastError: w.status.last_error,
    lastErrorAt: w.status.last_error_at,
    failedAttempts: w.status.failed_attempts,
    maxAttempts: null,
    nextAttemptAt: w.status.next_attempt_at,
    instance: w.status.instance,
  };
  return (
    <DestinationLayout
      subtitle={
        <>
          <a href="/integrations">Integrations</a> · <span class="mono">{w.url}</span>
        </>
      }
      state={<WebhookStateBadge w={w} />}
      statusRows={
        <>
          <DeliveryStatusRows status={status} clock={clock} now={deps.now()} cluster={deps.integrations.cluster} />
          <dt>Auth header</dt>
          <dd>{w.auth_header ? `${w.auth_header.name} (value hidden)` : "none"}</dd>
          <dt>Signed</dt>
          <dd>{w.signed ? "yes (X-TM20-Signature)" : "no"}</dd>
        </>
      }
      deadLetters={
        <DeadLettersPanel
          intro="Batches given up on (the receiver refused them, or the attempts ran out), kept exactly as sent."
          href={href}
          deadCount={w.status.dead_letters}
          {...letters}
          columns={LETTER_COLUMNS(clock)}
          actionsAfter={4}
          isAdmin={props.isAdmin}
          csrf={props.csrf}
        />
      }
      settings={
        <WebhookForm action={href} csrf={props.csrf} values={props.form?.values ?? valuesOf(w)} existing={w} terminals={props.terminals} disabled={!props.isAdmin} error={props.form?.error} />
      }
    />
  );
}

export function webhookPages(deps: UiDeps) {
  const app = new Hono<UiEnv>();
  const { store, webhookAdmin: admin } = deps.integrations;
  const base = "/integrations/webhooks";
  const notFound = (c: Context<UiEnv>) =>
    page(c, deps.settings.siteName, { title: "Destination not found", active: "integrations" }, <EmptyState title="No webhook destination with this id" />, 404);

  const newForm = async (c: Context<UiEnv>, values: WebhookFormValues, error?: string) =>
    page(
      c,
      deps.settings.siteName,
      { title: "New webhook destination", active: "integrations" },
      <section class="panel">
        <WebhookForm action={base} csrf={c.get("session").csrfToken} values={values} existing={null} terminals={await store.listTerminals()} disabled={false} error={error} />
      </section>,
      error ? 400 : 200,
    );

  const detail = async (c: Context<UiEnv>, w: WebhookView, form: { values: WebhookFormValues; error?: string } | null) => {
    const isAdmin = c.get("user").role === "admin";
    const csrf = c.get("session").csrfToken;
    const letters = await deadLetterPage((name) => c.req.query(name), (filter) => store.webhooks.deadLetters(w.id, filter));
    const href = `${base}/${w.id}`;
    const actions = isAdmin ? (
      <ActionButton action={`${href}/delete`} csrf={csrf} label="Delete" tone="danger" confirm={`Delete the destination ${w.name} and its dead letters? Records not yet sent to it will not be sent.`} />
    ) : undefined;
    const view = { deps, w, href, letters, isAdmin, csrf, form, terminals: await store.listTerminals() };
    return page(c, deps.settings.siteName, { title: w.name, active: "integrations", actions }, <WebhookDetail {...view} />, form?.error ? 400 : 200);
  };

  const load = async (raw: string) => {
    const id = parsePathId(raw);
    const w = id === null ? null : await admin.get(id);
    return w ? admin.view(w) : null;
  };

  app.get(`${base}/new`, requireAdmin(), (c) => newForm(c, valuesOf(null)));

  app.post(base, requireAdmin(), async (c) => {
    const parsed = parseNewWebhook(await c.req.formData());
    if (!parsed.ok) return newForm(c, parsed.values, parsed.error);
    const w = await admin.create(parsed.body, actorOf(c));
    return redirectWith(c, `${base}/${w.id}`, "ok", `Destination ${w.name} added.`);
  });

  app.get(`${base}/:id`, async (c) => {
    const w = await load(c.req.param("id"));
    return w ? detail(c, w, null) : notFound(c);
  });

  app.post(`${base}/:id`, requireAdmin(), async (c) => {
    const w = await load(c.req.param("id"));
    if (!w) return notFound(c);
    const parsed = parseWebhookChange(await c.req.formData());
    if (!parsed.ok) return detail(c, w, { values: parsed.values, error: parsed.error });
    await admin.update(w.id, parsed.body, actorOf(c));
    return redirectWith(c, `${base}/${w.id}`, "ok", "Destination saved.");
  });

  app.post(`${base}/:id/delete`, requireAdmin(), async (c) => {
    const w = await admin.remove(pathId(c.req.param("id"), "webhook"), actorOf(c));
    return redirectWith(c, "/integrations", "ok", `Destination ${w.name} deleted.`);
  });

  app.post(`${base}/:id/dead-letters/:letter/retry`, requireAdmin(), async (c) => {
    const id = pathId(c.req.param("id"), "webhook");
    const back = `${base}/${id}`;
    const outcome = await admin.retry(id, pathId(c.req.param("letter"), "dead letter"), actorOf(c));
    return outcome.result.ok
      ? redirectWith(c, back, "ok", `Batch delivered (${plural(outcome.letter.recordCount, "record")}).`)
      : redirectWith(c, back, "error", `Still failing: ${outcome.result.error}`.slice(0, 400));
  });

  return app;
}
