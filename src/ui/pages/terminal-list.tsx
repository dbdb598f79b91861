/** The Terminals list's view: status tabs with their counts, a search, one page of terminals. */
import type { SiteClock } from "../../protocol/index.ts";
import type { TerminalClockRow } from "../../store/commands-schema.ts";
import type { TerminalRow } from "../../store/schema.ts";
import { type TerminalStatus, terminalStatus } from "../../store/terminal-status.ts";
import { ActionButton, ago, Badge, Capacity, EmptyState, Pager, SearchForm, siteTime, type Tone } from "../components.tsx";
import { Table } from "../table.tsx";

export const statusTone: Record<TerminalStatus, Tone> = { online: "ok", offline: "error", pending: "warn", blocked: "muted" };
export const statusText: Record<TerminalStatus, string> = { online: "Online", offline: "Offline", pending: "Pending", blocked: "Blocked" };

export const terminalHref = (sn: string) => `/terminals/${encodeURIComponent(sn)}`;

/** Approve and Block, as the list's rows and a terminal's page offer them. */
export function ApprovalButtons({ t, csrf }: { t: TerminalRow; csrf: string }) {
  return (
    <>
      {t.approval !== "approved" ? <ActionButton action={`${terminalHref(t.sn)}/approve`} csrf={csrf} label="Approve" tone="primary" /> : null}
      {t.approval !== "blocked" ? (
        <ActionButton action={`${terminalHref(t.sn)}/block`} csrf={csrf} label="Block" confirm={`Block ${t.sn}? It is disconnected and refused until approved again.`} />
      ) : null}
    </>
  );
}

/** The first-run hint: this server's real address and port, as a terminal's menu wants them. */
function ConnectHint({ urls }: { urls: string[] }) {
  if (urls.length === 0) return <>Point a terminal's server address at this machine (menu: Comm → Server). It appears here at its first connection.</>;
  return (
    <>
      Point a terminal's server address (menu: Comm → Server) at {urls.length === 1 ? "this server" : "one of this server's addresses"}:{" "}
      {urls.map((u, i) => (
        <>
          {i > 0 ? ", " : ""}
          <code data-terminal-url="">{u}</code>
        </>
      ))}
      . It appears here at its first connection.
    </>
  );
}

export interface TerminalListProps {
  rows: TerminalRow[];
  next: string | null;
  /** The list's filters and cursor, as the pager keeps them. */
  query: URLSearchParams;
  status: TerminalStatus | undefined;
  q: string;
  counts: Record<TerminalStatus, number>;
  /** The shown terminals' last clock measurements. */
  clocks: Map<string, TerminalClockRow>;
  driftLimit: number;
  clock: SiteClock;
  now: number;
  /** Null for a viewer: no action column. */
  csrf: string | null;
  /** Where terminals connect to, for the first-run hint. */
  urls: () => string[];
}

function Tabs({ status, q, counts }: Pick<TerminalListProps, "status" | "q" | "counts">) {
  const total = counts.online + counts.offline + counts.pending + counts.blocked;
  const tab = (value: TerminalStatus | null, label: string, n: number) => {
    const current = (status ?? null) === value;
    const query = new URLSearchParams({ ...(value ? { status: value } : {}), ...(q ? { q } : {}) });
    return (
      <a href={`/terminals${query.size > 0 ? `?${query.toString()}` : ""}`} class={current ? "tab active" : "tab"} aria-current={current ? "page" : undefined}>
        {label} <span class="tab-count">{n}</span>
      </a>
    );
  };
  return (
    <nav class="tabs" aria-label="Filter terminals">
      {tab(null, "All", total)}
      {tab("online", "Online", counts.online)}
      {tab("offline", "Offline", counts.offline)}
      {tab("pending", "Pending", counts.pending)}
      {tab("blocked", "Blocked", counts.blocked)}
    </nav>
  );
}

export function TerminalList(p: TerminalListProps) {
  const none = p.counts.online + p.counts.offline + p.counts.pending + p.counts.blocked === 0;
  const drift = (t: TerminalRow) => {
    const measured = p.clocks.get(t.sn);
    if (!measured) return <span class="muted">—</span>;
    return Math.abs(measured.driftSeconds) > p.driftLimit ? <Badge tone="error">{`${measured.driftSeconds} s`}</Badge> : `${measured.driftSeconds} s`;
  };
  const dash = (v: string | null) => v ?? <span class="muted">—</span>;
  const { csrf } = p;
  return (
    <>
      <Tabs status={p.status} q={p.q} counts={p.counts} />
      <SearchForm action="/terminals" q={p.q} placeholder="serial number, name or location" hidden={p.status ? { status: p.status } : {}} />
      <Table
        rows={p.rows}
        row={(t) => ({ "data-sn": t.sn })}
        empty={
          <EmptyState title={none ? "No terminal has connected yet" : "No terminal matches this filter"}>{none ? <ConnectHint urls={p.urls()} /> : null}</EmptyState>
        }
        columns={[
          { head: "Status", cell: (t) => <Badge tone={statusTone[terminalStatus(t)]}>{statusText[terminalStatus(t)]}</Badge> },
          {
            head: "Terminal",
            cell: (t) => (
              <>
                <a href={terminalHref(t.sn)}>{t.name || t.sn}</a>
                {t.name ? <div class="muted small">{t.sn}</div> : null}
              </>
            ),
          },
          { head: "Location", cell: (t) => dash(t.location) },
          { head: "Model", cell: (t) => dash(t.model) },
          { head: "Firmware", cell: (t) => dash(t.firmware) },
          { head: "Users", cell: (t) => <Capacity used={t.userUsed} size={t.userSize} label="Users" /> },
          { head: "Logs", cell: (t) => <Capacity used={t.logUsed} size={t.logSize} label="Logs" /> },
          {
            head: "Last seen",
            class: "nowrap",
            attrs: (t) => ({ title: siteTime(p.clock, t.lastSeen) }),
            cell: (t) => (terminalStatus(t) === "online" ? "now" : ago(t.lastSeen, p.now)),
          },
          { head: "Clock", class: "nowrap", cell: drift },
          csrf !== null && { head: <span class="sr-only">Actions</span>, class: "row-actions", cell: (t) => <ApprovalButtons t={t} csrf={csrf} /> },
        ]}
      />
      {p.next || p.query.has("cursor") ? <Pager base="/terminals" query={p.query} next={p.next} shown={p.rows.length} order="key" /> : null}
    </>
  );
}
