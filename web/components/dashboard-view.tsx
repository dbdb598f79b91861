/**
 * The dashboard's live part. Pure: rendered to HTML by the server (hono/jsx) and re-rendered in
 * the browser by the live island (hono/jsx/dom) from the same props.
 */
import type { Alert, FeedRow, LiveStatus } from "./live-types.ts";
import { plural } from "../../src/lib/plural.ts";

const CHART_W = 600;
const CHART_H = 120;

export function RateChart({ rate, endsAt }: { rate: number[]; endsAt: string }) {
  const max = Math.max(1, ...rate);
  const bar = CHART_W / Math.max(1, rate.length);
  const total = rate.reduce((a, b) => a + b, 0);
  const last = rate[rate.length - 1] ?? 0;
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${CHART_W} ${CHART_H}`} role="img" aria-label={`Records per minute over the last hour: ${total} in total, ${last} in the last minute`} preserveAspectRatio="none">
        <line x1="0" y1={CHART_H} x2={CHART_W} y2={CHART_H} class="chart-axis" />
        <line x1="0" y1="0" x2={CHART_W} y2="0" class="chart-grid" />
        {rate.map((n, i) => {
          const h = n === 0 ? 0 : Math.max(2, (n / max) * (CHART_H - 4));
          return <rect x={i * bar + 1} y={CHART_H - h} width={Math.max(1, bar - 2)} height={h} class="chart-bar"><title>{plural(n, "record")}</title></rect>;
        })}
      </svg>
      <div class="chart-labels" aria-hidden="true">
        <span>-60 min</span>
        <span>{endsAt}</span>
      </div>
      <figcaption>
        <strong>{total}</strong> {total === 1 ? "record" : "records"} in the last hour · peak {max === 1 && total === 0 ? 0 : max}/min · last minute {last}
      </figcaption>
    </figure>
  );
}

export function StatCards({ status }: { status: LiveStatus }) {
  return (
    <div class="cards">
      <a class="card" href="/terminals?status=online">
        <span class="card-label">Online</span>
        <span class="card-value tone-ok" data-stat="online">{status.online}</span>
        <span class="card-sub">of {plural(status.terminalsTotal, "terminal")}</span>
      </a>
      <a class="card" href="/terminals?status=offline">
        <span class="card-label">Offline</span>
        <span class={`card-value ${status.offline > 0 ? "tone-error" : ""}`} data-stat="offline">{status.offline}</span>
        <span class="card-sub">{status.pending > 0 ? `${status.pending} waiting for approval` : "approved terminals"}</span>
      </a>
      <a class="card" href="/attendance">
        <span class="card-label">Punches today</span>
        <span class="card-value" data-stat="punches-today">{status.punchesToday}</span>
        <span class="card-sub">since midnight, site time</span>
      </a>
      <a class="card" href="/quarantine">
        <span class="card-label">Quarantined</span>
        <span class={`card-value ${status.quarantined24h > 0 ? "tone-warn" : ""}`} data-stat="quarantined">{status.quarantined24h}</span>
        <span class="card-sub">{status.quarantined24h === 1 ? "record" : "records"} in the last 24 h</span>
      </a>
    </div>
  );
}

export function AlertList({ alerts, terminalsTotal }: { alerts: Alert[]; terminalsTotal: number }) {
  if (alerts.length === 0) {
    if (terminalsTotal === 0) {
      return (
        <p class="all-clear">
          No terminals yet. <a href="/terminals">Terminals</a> shows the address to enter on a terminal; it appears here once it connects.
        </p>
      );
    }
    return <p class="all-clear">No alerts: every approved terminal is online and nothing is failing.</p>;
  }
  return (
    <ul class="alerts">
      {alerts.map((a) => (
        <li key={a.id} class={`alert alert-${a.level}`} data-alert={a.id}>
          <a href={a.href}>{a.title}</a>
          <span class="alert-message">{a.message}</span>
        </li>
      ))}
    </ul>
  );
}

export function FeedTable({ rows }: { rows: FeedRow[] }) {
  if (rows.length === 0) {
    return (
      <div class="empty">
        <p class="empty-title">No punches yet</p>
        <p class="empty-text">Punches appear here the moment a terminal uploads them.</p>
      </div>
    );
  }
  return (
    <div class="table-wrap">
      <table class="table" data-feed="">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Person</th>
            <th scope="col">Terminal</th>
            <th scope="col">Verification</th>
            <th scope="col">In/out</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id} data-id={r.id}>
              <td class="nowrap">{r.time}</td>
              <td>
                {r.name ? r.name : <span class="muted">Unknown</span>} <span class="muted">#{r.enrollid}</span>
              </td>
              <td>
                <a href={`/terminals/${encodeURIComponent(r.sn)}`}>{r.terminal}</a>
              </td>
              <td>{r.verification}</td>
              <td>
                {r.inout}
                {r.refused ? <> <span class="badge badge-error">Refused: {r.refused}</span></> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function DashboardView({ status, feed, live }: { status: LiveStatus; feed: FeedRow[]; live: "connecting" | "live" | "reconnecting" }) {
  return (
    <div class="dashboard">
      <p class={`live-state live-${live}`} role="status">
        {live === "live" ? "Live" : live === "connecting" ? "Connecting…" : "Reconnecting…"}
      </p>
      <StatCards status={status} />
      <div class="grid-2">
        <section class="panel">
          <h2>Ingest rate</h2>
          <RateChart rate={status.rate} endsAt={status.rateEndsAt} />
        </section>
        <section class="panel dashboard-alerts">
          <h2>Alerts</h2>
          <AlertList alerts={status.alerts} terminalsTotal={status.terminalsTotal} />
        </section>
      </div>
      <section class="panel">
        <h2>Live feed</h2>
        <FeedTable rows={feed} />
      </section>
    </div>
  );
}
