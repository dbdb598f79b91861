/**
 * /integrations: where the data leaves the box. The PostgreSQL export's state (read from the
 * exporter, as GET /api/v1/export/status shows it) and the webhook destinations with their
 * delivery status. The destinations' own pages are webhooks.tsx; HR systems (ERPNext, Odoo…) are
 * hr-destinations.tsx; the people import is people-import.tsx.
 */
import { Hono } from "hono";
import type { ExportStatus } from "../../export/pg-exporter.ts";
import type { SiteClock } from "../../protocol/index.ts";
import type { WebhookView } from "../../webhooks/admin.ts";
import { ago, Badge, EmptyState, siteTime } from "../components.tsx";
import type { UiDeps, UiEnv } from "../env.ts";
import { page } from "../layout.tsx";
import { Table } from "../table.tsx";
import { DestinationTable } from "./destination-parts.tsx";
import { plural } from "../../lib/plural.ts";

export function IntegrationTabs({ active }: { active: "overview" | "hr" | "import" }) {
  const tab = (id: typeof active, href: string, label: string) => (
    <a class={id === active ? "tab active" : "tab"} href={href} aria-current={id === active ? "page" : undefined}>
      {label}
    </a>
  );
  return (
    <nav class="tabs" aria-label="Integrations">
      {tab("overview", "/integrations", "Export and webhooks")}
      {tab("hr", "/integrations/hr", "HR systems")}
      {tab("import", "/integrations/import", "People import")}
    </nav>
  );
}

/** A destination's health in one badge. */
export function WebhookStateBadge({ w }: { w: WebhookView }) {
  if (!w.enabled) return <Badge tone="muted">Paused</Badge>;
  if (w.status.failed_attempts > 0) return <Badge tone="error">Failing</Badge>;
  if (w.status.dead_letters > 0) return <Badge tone="warn">Dead letters</Badge>;
  if (w.status.backlog > 0) return <Badge tone="info">Sending</Badge>;
  return <Badge tone="ok">Up to date</Badge>;
}

const STATE: Record<ExportStatus["state"], { tone: "ok" | "warn" | "error" | "muted"; label: string }> = {
  starting: { tone: "warn", label: "Starting" },
  ok: { tone: "ok", label: "Exporting" },
  failing: { tone: "error", label: "Failing" },
  stopped: { tone: "muted", label: "Stopped" },
};

const STREAM_LABEL = { attendance: "Attendance", door_events: "Door events" } as const;
const STREAMS = Object.keys(STREAM_LABEL) as Array<keyof typeof STREAM_LABEL>;

function ExportPanel({ status, cluster, clock, now }: { status: ExportStatus | null; cluster: boolean; clock: SiteClock; now: number }) {
  const when = (ms: number | null) => (ms === null ? "never" : `${siteTime(clock, ms)} (${ago(ms, now)})`);
  return (
    <section class="panel" aria-labelledby="export-h" data-panel="export">
      <h2 id="export-h">PostgreSQL export</h2>
      {cluster ? (
        <p class="muted">Not used in a cluster: there PostgreSQL is the store itself.</p>
      ) : !status ? (
        <p data-export-state="off">
          <Badge tone="muted">Off</Badge> Start the server with <span class="mono">--pg-url postgres://…</span> (or{" "}
          <span class="mono">TM20_PG_URL</span>) to copy attendance, door events, terminals and people into a PostgreSQL database continuously.
        </p>
      ) : (
        <>
          <dl class="kv kv-wide">
            <dt>State</dt>
            <dd data-export-state={status.state}>
              <Badge tone={STATE[status.state].tone}>{STATE[status.state].label}</Badge>
            </dd>
            <dt>Target</dt>
            <dd class="mono">{status.target}</dd>
            <dt>Biometric templates</dt>
            <dd>{status.templates ? "exported" : "not exported"}</dd>
            <dt>Last success</dt>
            <dd>{when(status.last_success_at)}</dd>
            <dt>Last error</dt>
            <dd>
              {status.last_error ? (
                <>
                  <span class="tone-error">{status.last_error}</span> <span class="muted">{when(status.last_error_at)}</span>
                </>
              ) : (
                "none"
              )}
            </dd>
            {status.next_attempt_at ? (
              <>
                <dt>Next attempt</dt>
                <dd>{siteTime(clock, status.next_attempt_at)}</dd>
              </>
            ) : null}
          </dl>
          <Table
            label="Export per table"
            rows={STREAMS}
            row={(st) => ({ "data-stream": st })}
            columns={[
              { head: "Table", cell: (st) => STREAM_LABEL[st] },
              { head: "Waiting", attrs: { "data-backlog": "" }, cell: (st) => status.streams[st].backlog },
              { head: "Exported", cell: (st) => status.streams[st].exported },
              { head: "Last row id", class: "mono", cell: (st) => status.streams[st].last_id },
            ]}
            tail={
              <tr>
                <td>Terminals, people{status.templates ? ", templates" : ""}</td>
                <td colspan={3} class="muted">
                  mirrored {status.mirrored.at ? ago(status.mirrored.at, now) : "not yet"}: {plural(status.mirrored.terminals, "terminal")}, {plural(status.mirrored.people, "person", "people")}
                  {status.templates ? `, ${status.mirrored.credentials} templates` : ""}
                </td>
              </tr>
            }
          />
        </>
      )}
    </section>
  );
}

function WebhooksPanel({ destinations, admin, clock, now }: { destinations: WebhookView[]; admin: boolean; clock: SiteClock; now: number }) {
  return (
    <section class="panel" aria-labelledby="webhooks-h" data-panel="webhooks">
      <div class="page-header">
        <h2 id="webhooks-h">Webhooks</h2>
        {admin ? (
          <a class="btn btn-primary" href="/integrations/webhooks/new">
            Add destination
          </a>
        ) : null}
      </div>
      <p class="muted">Every punch is sent to each destination at least once, in order, as a JSON batch; each record has a stable id for de-duplication.</p>
      <DestinationTable
        items={destinations}
        empty={<EmptyState title="No webhook destinations">HR and payroll systems can receive punches as they arrive.</EmptyState>}
        href={(w) => `/integrations/webhooks/${w.id}`}
        rowData="data-webhook"
        columns={[
          { head: "State", cell: (w) => <WebhookStateBadge w={w} /> },
          { head: "Waiting", attrs: { "data-backlog": "" }, cell: (w) => w.status.backlog },
          { head: "Delivered", attrs: { "data-delivered": "" }, cell: (w) => w.status.delivered },
          { head: "Last success", class: "nowrap", attrs: { "data-last-success": "" }, cell: (w) => ago(w.status.last_success_at, now) },
          {
            head: "Last error",
            attrs: { "data-last-error": "" },
            cell: (w) => (w.status.last_error ? <span title={siteTime(clock, w.status.last_error_at)}>{w.status.last_error}</span> : <span class="muted">none</span>),
          },
          { head: "Dead letters", cell: (w) => w.status.dead_letters },
        ]}
      />
    </section>
  );
}

export function integrationPages(deps: UiDeps) {
  const app = new Hono<UiEnv>();
  const integrations = deps.integrations;

  app.get("/integrations", async (c) => {
    const clock = deps.settings.clock;
    const now = deps.now();
    const [status, destinations] = await Promise.all([integrations.exporter?.status() ?? null, integrations.webhookAdmin.list()]);
    return page(
      c,
      deps.settings.siteName,
      { title: "Integrations", active: "integrations" },
      <>
        <IntegrationTabs active="overview" />
        <ExportPanel status={status} cluster={integrations.cluster} clock={clock} now={now} />
        <WebhooksPanel destinations={destinations} admin={c.get("user").role === "admin"} clock={clock} now={now} />
      </>,
    );
  });

  return app;
}
