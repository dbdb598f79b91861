/**
 * /integrations/hr…: the HR destinations (ERPNext, Odoo…) with their delivery status, a test
 * connection button, the punches the HR system refused (counted per reason) and the dead letters
 * with the HR system's own message and a retry button. Changes go through app/hr-destinations.ts,
 * as the REST API's do.
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import {
  createHrDestination,
  deleteHrDestination,
  listHrDestinations,
  retryHrDeadLetter,
  testHrDestination,
  updateHrDestination,
  viewHrDestination,
} from "../../app/hr-destinations.ts";
import { type HrDestinationView, parseHrDestination } from "../../connectors/destination.ts";
import { CONNECTOR_KINDS, type ConnectorKindName, connectorKind } from "../../connectors/kinds.ts";
import type { HrDeadLetterRow } from "../../store/schema.ts";
import { parsePathId, pathId } from "../../lib/path-id.ts";
import { actorOf, requireAdmin } from "../auth-guard.ts";
import { ActionButton, ago, Badge, EmptyState } from "../components.tsx";
import type { UiDeps, UiEnv } from "../env.ts";
import { redirectWith } from "../flash.ts";
import { page } from "../layout.tsx";
import { HrDestinationForm, type HrFormValues, parseHrDestinationChange, parseNewHrDestination, valuesOf } from "./hr-destination-form.tsx";
import { DeadLettersPanel, deadLetterPage, DeliveryStatusRows, DestinationLayout, DestinationTable, type LetterPage, LetterResult } from "./destination-parts.tsx";
import type { Column } from "../table.tsx";
import { IntegrationTabs } from "./integrations.tsx";

const kindParam = z.enum(CONNECTOR_KINDS);

const SKIP_LABEL = {
  unknownEmployee: "Unknown employee",
  inactiveEmployee: "Inactive employee",
  duplicate: "Duplicate",
  missingCheckIn: "Missing check-in",
  outOfOrder: "Out of order",
  notAPerson: "Not a person (a scan of nobody enrolled)",
} as const;
/** Reasons only Odoo's attendance pairing gives. */
const ODOO_SKIPS: ReadonlyArray<keyof typeof SKIP_LABEL> = ["missingCheckIn", "outOfOrder"];
const skipReasonsOf = (d: HrDestinationView) => (Object.keys(SKIP_LABEL) as Array<keyof typeof SKIP_LABEL>).filter((r) => d.kind === "odoo" || !ODOO_SKIPS.includes(r));

export function HrStateBadge({ d }: { d: HrDestinationView }) {
  if (!d.enabled) return <Badge tone="muted">Paused</Badge>;
  if (d.status.failedAttempts > 0) return <Badge tone="error">Failing</Badge>;
  if (d.status.deadLetters > 0) return <Badge tone="warn">Dead letters</Badge>;
  if (d.status.backlog > 0) return <Badge tone="info">Sending</Badge>;
  return <Badge tone="ok">Up to date</Badge>;
}

const LETTER_COLUMNS: Column<HrDeadLetterRow>[] = [
  {
    head: "Punch",
    class: "nowrap",
    cell: (l) => {
      const r = JSON.parse(l.record) as { employee?: string; time?: string; sn?: string };
      return (
        <>
          {r.employee} at {r.time}
          <div class="muted small mono">{r.sn}</div>
        </>
      );
    },
  },
  { head: "Attempts", cell: (l) => l.attempts },
  { head: "HR system's answer", attrs: { "data-letter-error": "" }, cell: (l) => <LetterResult letter={l} /> },
];

const BASE = "/integrations/hr";

const skippedTotal = (d: HrDestinationView) => Object.values(d.status.skipped).reduce((a, b) => a + b, 0);

/** The HR systems tab of /integrations: an Add button per kind for admins, then the destinations. */
function HrList({ destinations, admin, now }: { destinations: HrDestinationView[]; admin: boolean; now: number }) {
  return (
    <>
      <IntegrationTabs active="hr" />
      <section class="panel" aria-labelledby="hr-h" data-panel="hr-destinations">
        <div class="page-header">
          <h2 id="hr-h">HR systems</h2>
          {admin ? (
            <div class="row-actions">
              {CONNECTOR_KINDS.map((k) => (
                <a class="btn btn-primary" href={`${BASE}/new?kind=${k}`}>
                  Add {connectorKind(k)?.label ?? k}
                </a>
              ))}
            </div>
          ) : null}
        </div>
        <p class="muted">
          Every punch becomes the HR system's own check-in, at least once and in order; what it refuses for good (an unknown or inactive employee, a duplicate) is counted, not retried.
        </p>
        <DestinationTable
          items={destinations}
          empty={<EmptyState title="No HR systems">Connect ERPNext or Odoo so punches arrive there as Employee Checkins or Attendances.</EmptyState>}
          href={(d) => `${BASE}/${d.id}`}
          rowData="data-hr-destination"
          columns={[
            { head: "State", cell: (d) => <HrStateBadge d={d} /> },
            { head: "Waiting", attrs: { "data-backlog": "" }, cell: (d) => d.status.backlog },
            { head: "Delivered", attrs: { "data-delivered": "" }, cell: (d) => d.status.delivered },
            { head: "Skipped", attrs: { "data-skipped": "" }, cell: (d) => skippedTotal(d) },
            { head: "Dead letters", attrs: { "data-dead-letters": "" }, cell: (d) => d.status.deadLetters },
            { head: "Last success", class: "nowrap", cell: (d) => ago(d.status.lastSuccessAt, now) },
          ]}
        />
      </section>
    </>
  );
}

/** An HR destination's page: status with the skipped counts, dead letters and its settings form. */
function HrDetail(props: {
  deps: UiDeps;
  d: HrDestinationView;
  href: string;
  letters: LetterPage<HrDeadLetterRow>;
  isAdmin: boolean;
  csrf: string;
  form: { values: HrFormValues; error?: string } | null;
}) {
  const { d, href, deps } = props;
  const kind = kindParam.safeParse(d.kind);
  const skipped = (
    <>
      {skipReasonsOf(d).map((r) => (
        <>
          <dt>Skipped: {SKIP_LABEL[r].toLowerCase()}</dt>
          <dd data-skipped={r}>{d.status.skipped[r] ?? 0}</dd>
        </>
      ))}
      <dt>Last skipped</dt>
      <dd data-last-skip>{d.status.lastSkip ?? "none"}</dd>
    </>
  );
  return (
    <DestinationLayout
      subtitle={
        <>
          <a href={BASE}>HR systems</a> · {connectorKind(d.kind)?.label ?? d.kind} · <span class="mono">{d.url}</span>
        </>
      }
      state={<HrStateBadge d={d} />}
      statusRows={
        <>
          <DeliveryStatusRows status={{ ...d.status, maxAttempts: d.maxAttempts }} clock={deps.settings.clock} now={deps.now()} cluster={deps.integrations.cluster} afterDelivered={skipped} />
          <dt>Credentials</dt>
          <dd>{d.credentialsSet ? "stored (hidden)" : "none"}</dd>
        </>
      }
      deadLetters={
        <DeadLettersPanel
          intro="Punches given up on after the attempts ran out, with the HR system's answer."
          href={href}
          deadCount={d.status.deadLetters}
          {...props.letters}
          columns={LETTER_COLUMNS}
          actionsAfter={3}
          isAdmin={props.isAdmin}
          csrf={props.csrf}
        />
      }
      settings={
        kind.success ? (
          <HrDestinationForm action={href} csrf={props.csrf} values={props.form?.values ?? valuesOf(kind.data, d)} existing={d} disabled={!props.isAdmin} error={props.form?.error} />
        ) : (
          <p class="muted">This kind ({d.kind}) is not known to this server version.</p>
        )
      }
    />
  );
}

export function hrDestinationPages(deps: UiDeps) {
  const app = new Hono<UiEnv>();
  const integrations = deps.integrations;
  const uc = { store: integrations.store, connectors: integrations.connectors, secrets: integrations.secrets, now: deps.now };

  const load = async (raw: string) => {
    const id = parsePathId(raw);
    const row = id === null ? null : await integrations.store.hrDestinations.get(id);
    return row ? viewHrDestination(uc, parseHrDestination(row)) : null;
  };
  const notFound = (c: Context<UiEnv>) =>
    page(c, deps.settings.siteName, { title: "Destination not found", active: "integrations" }, <EmptyState title="No HR destination with this id" />, 404);

  app.get(BASE, async (c) => {
    const view = { destinations: await listHrDestinations(uc), admin: c.get("user").role === "admin", now: deps.now() };
    return page(c, deps.settings.siteName, { title: "Integrations", active: "integrations" }, <HrList {...view} />);
  });

  const newForm = (c: Context<UiEnv>, values: HrFormValues, error?: string) =>
    page(
      c,
      deps.settings.siteName,
      { title: `New ${connectorKind(values.kind)?.label ?? values.kind} destination`, active: "integrations" },
      <section class="panel">
        <HrDestinationForm action={`${BASE}?kind=${values.kind}`} csrf={c.get("session").csrfToken} values={values} existing={null} disabled={false} error={error} />
      </section>,
      error ? 400 : 200,
    );

  const detail = async (c: Context<UiEnv>, d: HrDestinationView, form: { values: HrFormValues; error?: string } | null) => {
    const isAdmin = c.get("user").role === "admin";
    const csrf = c.get("session").csrfToken;
    const letters = await deadLetterPage((name) => c.req.query(name), (filter) => integrations.store.hrDestinations.deadLetters(d.id, filter));
    const href = `${BASE}/${d.id}`;
    const actions = isAdmin ? (
      <>
        <ActionButton action={`${href}/test`} csrf={csrf} label="Test connection" />
        <ActionButton action={`${href}/delete`} csrf={csrf} label="Delete" tone="danger" confirm={`Delete the destination ${d.name} and its dead letters? Punches not yet sent to it will not be sent.`} />
      </>
    ) : undefined;
    const view = { deps, d, href, letters, isAdmin, csrf, form };
    return page(c, deps.settings.siteName, { title: d.name, active: "integrations", actions }, <HrDetail {...view} />, form?.error ? 400 : 200);
  };

  const kindOf = (c: Context<UiEnv>): ConnectorKindName | null => {
    const k = kindParam.safeParse(c.req.query("kind"));
    return k.success ? k.data : null;
  };

  app.get(`${BASE}/new`, requireAdmin(), (c) => {
    const kind = kindOf(c);
    return kind ? newForm(c, valuesOf(kind, null)) : notFound(c);
  });

  app.post(BASE, requireAdmin(), async (c) => {
    const kind = kindOf(c);
    if (!kind) return notFound(c);
    const parsed = parseNewHrDestination(kind, await c.req.formData());
    if (!parsed.ok) return newForm(c, parsed.values, parsed.error);
    const d = await createHrDestination(uc, actorOf(c), parsed.body);
    return redirectWith(c, `${BASE}/${d.id}`, "ok", `Destination ${d.name} added.`);
  });

  app.get(`${BASE}/:id`, async (c) => {
    const d = await load(c.req.param("id"));
    return d ? detail(c, d, null) : notFound(c);
  });

  app.post(`${BASE}/:id`, requireAdmin(), async (c) => {
    const d = await load(c.req.param("id"));
    const kind = kindParam.safeParse(d?.kind);
    if (!d || !kind.success) return notFound(c);
    const parsed = parseHrDestinationChange(kind.data, await c.req.formData());
    if (!parsed.ok) return detail(c, d, { values: parsed.values, error: parsed.error });
    await updateHrDestination(uc, actorOf(c), d.id, parsed.body);
    return redirectWith(c, `${BASE}/${d.id}`, "ok", "Destination saved.");
  });

  app.post(`${BASE}/:id/delete`, requireAdmin(), async (c) => {
    const d = await deleteHrDestination(uc, actorOf(c), pathId(c.req.param("id"), "HR destination"));
    return redirectWith(c, BASE, "ok", `Destination ${d.name} deleted.`);
  });

  app.post(`${BASE}/:id/test`, requireAdmin(), async (c) => {
    const id = pathId(c.req.param("id"), "HR destination");
    const result = await testHrDestination(uc, actorOf(c), id);
    return redirectWith(c, `${BASE}/${id}`, result.ok ? "ok" : "error", `${result.ok ? "Connection works" : "Connection failed"}: ${result.message}`.slice(0, 400));
  });

  app.post(`${BASE}/:id/dead-letters/:letter/retry`, requireAdmin(), async (c) => {
    const id = pathId(c.req.param("id"), "HR destination");
    const back = `${BASE}/${id}`;
    const { outcome } = await retryHrDeadLetter(uc, actorOf(c), id, pathId(c.req.param("letter"), "dead letter"));
    if (outcome.status === "delivered") return redirectWith(c, back, "ok", "Punch delivered.");
    if (outcome.status === "skipped") return redirectWith(c, back, "ok", `The HR system refused it for good: ${outcome.message}`.slice(0, 400));
    return redirectWith(c, back, "error", `Still failing: ${outcome.error}`.slice(0, 400));
  });

  return app;
}
