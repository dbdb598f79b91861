/** /terminals: the list, approval of pending terminals, and each terminal's page. */
import { type Context, Hono } from "hono";
import { z } from "zod";
import type { Approval } from "../../store/contract.ts";
import type { TerminalRow } from "../../store/schema.ts";
import { acceptReplacedHardware, editTerminal, setTerminalApproval } from "../../app/terminals.ts";
import { actorOf, formOf, requireAdmin, sameHost } from "../auth-guard.ts";
import { ActionButton, ago, Badge, Capacity, EmptyState, Field, SearchForm, siteTime, TERMINAL_SEARCH, type Tone } from "../components.tsx";
import type { UiDeps, UiEnv } from "../env.ts";
import { redirectWith } from "../flash.ts";
import { CsrfField, page } from "../layout.tsx";
import { TerminalGroups } from "./groups.tsx";
import { DoorSettingsPanel } from "./doors.tsx";
import { terminalUrls } from "../terminal-urls.ts";
import { CommandButtons, CommandHistory, historyQuery } from "./terminal-commands.tsx";
import { AccessModePanel, accessModeForm } from "../access/access-mode.tsx";

type Status = "online" | "offline" | "pending" | "blocked";

const terminalUrlsOf = (deps: UiDeps) => {
  const endpoint = deps.terminalEndpoint?.();
  return endpoint ? terminalUrls(endpoint) : [];
};

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

const statusTone: Record<Status, Tone> = { online: "ok", offline: "error", pending: "warn", blocked: "muted" };
const statusText: Record<Status, string> = { online: "Online", offline: "Offline", pending: "Pending", blocked: "Blocked" };

const TERMINALS_PAGE = 100;
/** Terminals a filter box suggests at once: enough to pick from, small enough to send per key. */
const SUGGESTIONS = 20;

const editForm = z.object({
  name: z.string().trim().max(100, "use at most 100 characters"),
  location: z.string().trim().max(200, "use at most 200 characters"),
  nosenduser: z.literal("on").optional(),
  site_entrance: z.literal("on").optional(),
});

export function terminalPages(deps: UiDeps) {
  const app = new Hono<UiEnv>();
  // The store's online state, which in a cluster covers the terminals of every instance.
  const statusOf = (t: TerminalRow): Status =>
    t.approval === "pending" ? "pending" : t.approval === "blocked" ? "blocked" : t.online ? "online" : "offline";
  const href = (sn: string) => `/terminals/${encodeURIComponent(sn)}`;

  // Before /terminals/:sn. The few terminals a filter box suggests as one types (TerminalFilter).
  app.get(TERMINAL_SEARCH, async (c) => {
    const q = z.string().trim().max(64).catch("").parse(c.req.query("q") ?? "");
    const found = await deps.store.terminalsPage({ q, limit: SUGGESTIONS });
    return c.json({ items: found.items.map((t) => ({ value: t.sn, label: t.name ? `${t.name} (${t.sn})` : t.sn })) });
  });

  app.get("/terminals", async (c) => {
    const filter = z.enum(["online", "offline", "pending", "blocked"]).safeParse(c.req.query("status"));
    const q = z.string().trim().max(100).catch("").parse(c.req.query("q") ?? "");
    const from = z.coerce.number().int().min(0).catch(0).parse(c.req.query("from") ?? 0);
    const all = await deps.store.listTerminals();
    const clocks = new Map((await deps.store.commands.clocks()).map((c) => [c.sn, c]));
    const driftLimit = deps.settings.values.driftAlertSeconds;
    const needle = q.toLowerCase();
    const matching = all.filter(
      (t) => (!filter.success || statusOf(t) === filter.data) && (!needle || [t.sn, t.name, t.location].some((v) => v?.toLowerCase().includes(needle))),
    );
    // A page of the (in-memory) list: a site of thousands of terminals stays one quick page.
    const rows = matching.slice(from, from + TERMINALS_PAGE);
    const pageHref = (start: number) => {
      const query = new URLSearchParams();
      if (filter.success) query.set("status", filter.data);
      if (q) query.set("q", q);
      if (start > 0) query.set("from", String(start));
      return `/terminals${query.size > 0 ? `?${query.toString()}` : ""}`;
    };
    const now = deps.now();
    const admin = c.get("user").role === "admin";
    const csrf = c.get("session").csrfToken;
    const counts = { online: 0, offline: 0, pending: 0, blocked: 0 };
    for (const t of all) counts[statusOf(t)]++;
    const tab = (value: Status | null, label: string, n: number) => {
      const current = filter.success ? filter.data === value : value === null;
      return (
        <a href={`/terminals${value || q ? `?${new URLSearchParams({ ...(value ? { status: value } : {}), ...(q ? { q } : {}) }).toString()}` : ""}`} class={current ? "tab active" : "tab"} aria-current={current ? "page" : undefined}>
          {label} <span class="tab-count">{n}</span>
        </a>
      );
    };
    return page(
      c,
      deps.settings.siteName,
      {
        title: "Terminals",
        active: "terminals",
        actions: (
          <>
            <a class="btn btn-plain" href="/groups">
              Groups
            </a>{" "}
            <a class="btn btn-plain" href="/jobs">
              Jobs
            </a>
          </>
        ),
      },
      <>
        <nav class="tabs" aria-label="Filter terminals">
          {tab(null, "All", all.length)}
          {tab("online", "Online", counts.online)}
          {tab("offline", "Offline", counts.offline)}
          {tab("pending", "Pending", counts.pending)}
          {tab("blocked", "Blocked", counts.blocked)}
        </nav>
        <SearchForm action="/terminals" q={q} placeholder="serial number, name or location" hidden={filter.success ? { status: filter.data } : {}} />
        {rows.length === 0 ? (
          <EmptyState title={all.length === 0 ? "No terminal has connected yet" : "No terminal matches this filter"}>
            {all.length === 0 ? <ConnectHint urls={terminalUrlsOf(deps)} /> : null}
          </EmptyState>
        ) : (
          <div class="table-wrap">
            <table class="table">
              <thead>
                <tr>
                  <th scope="col">Status</th>
                  <th scope="col">Terminal</th>
                  <th scope="col">Location</th>
                  <th scope="col">Model</th>
                  <th scope="col">Firmware</th>
                  <th scope="col">Users</th>
                  <th scope="col">Logs</th>
                  <th scope="col">Last seen</th>
                  <th scope="col">Clock</th>
                  {admin ? <th scope="col"><span class="sr-only">Actions</span></th> : null}
                </tr>
              </thead>
              <tbody>
                {rows.map((t) => {
                  const status = statusOf(t);
                  return (
                    <tr data-sn={t.sn}>
                      <td>
                        <Badge tone={statusTone[status]}>{statusText[status]}</Badge>
                      </td>
                      <td>
                        <a href={href(t.sn)}>{t.name || t.sn}</a>
                        {t.name ? <div class="muted small">{t.sn}</div> : null}
                      </td>
                      <td>{t.location ?? <span class="muted">—</span>}</td>
                      <td>{t.model ?? <span class="muted">—</span>}</td>
                      <td>{t.firmware ?? <span class="muted">—</span>}</td>
                      <td>
                        <Capacity used={t.userUsed} size={t.userSize} label="Users" />
                      </td>
                      <td>
                        <Capacity used={t.logUsed} size={t.logSize} label="Logs" />
                      </td>
                      <td class="nowrap" title={siteTime(deps.settings.clock, t.lastSeen)}>
                        {status === "online" ? "now" : ago(t.lastSeen, now)}
                      </td>
                      <td class="nowrap">
                        {(() => {
                          const drift = clocks.get(t.sn);
                          if (!drift) return <span class="muted">—</span>;
                          return Math.abs(drift.driftSeconds) > driftLimit ? <Badge tone="error">{`${drift.driftSeconds} s`}</Badge> : `${drift.driftSeconds} s`;
                        })()}
                      </td>
                      {admin ? (
                        <td class="row-actions">
                          {t.approval !== "approved" ? <ActionButton action={`${href(t.sn)}/approve`} csrf={csrf} label="Approve" tone="primary" /> : null}
                          {t.approval !== "blocked" ? (
                            <ActionButton action={`${href(t.sn)}/block`} csrf={csrf} label="Block" confirm={`Block ${t.sn}? It is disconnected and refused until approved again.`} />
                          ) : null}
                        </td>
                      ) : null}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        {from > 0 || matching.length > from + TERMINALS_PAGE ? (
          <nav class="pager" aria-label="Pages">
            <span class="muted">{`${from + 1}–${from + rows.length} of ${matching.length}`}</span>
            <span class="pager-links">
              {from > 0 ? <a href={pageHref(Math.max(0, from - TERMINALS_PAGE))}>« Previous</a> : null}
              {matching.length > from + TERMINALS_PAGE ? (
                <a href={pageHref(from + TERMINALS_PAGE)} rel="next">
                  Next »
                </a>
              ) : null}
            </span>
          </nav>
        ) : null}
      </>,
    );
  });

  app.get("/terminals/:sn", async (c) => {
    const t = await deps.store.getTerminal(c.req.param("sn"));
    if (!t) return page(c, deps.settings.siteName, { title: "Terminal not found", active: "terminals" }, <EmptyState title="No terminal with this serial number" />, 404);
    const status = statusOf(t);
    const admin = c.get("user").role === "admin";
    const csrf = c.get("session").csrfToken;
    const clock = deps.settings.clock;
    const devinfo = t.devinfo ? (JSON.parse(t.devinfo) as Record<string, unknown>) : null;
    return page(
      c,
      deps.settings.siteName,
      {
        title: t.name || t.sn,
        active: "terminals",
        actions: admin ? (
          <>
            {t.approval !== "approved" ? <ActionButton action={`${href(t.sn)}/approve`} csrf={csrf} label="Approve" tone="primary" /> : null}
            {t.approval !== "blocked" ? <ActionButton action={`${href(t.sn)}/block`} csrf={csrf} label="Block" confirm={`Block ${t.sn}? It is disconnected and refused until approved again.`} /> : null}
            {t.mismatchAt !== null ? (
              <ActionButton
                action={`${href(t.sn)}/replaced-hardware`}
                csrf={csrf}
                label="Replaced hardware"
                tone="danger"
                confirm={`Accept the other hardware as ${t.sn}? Only if this terminal's unit was really replaced: from then on the old unit is the one refused.`}
              />
            ) : null}
          </>
        ) : undefined,
      },
      <>
        {t.mismatchAt !== null ? (
          <p class="alert alert-error" role="alert">
            Other hardware registered as this terminal {ago(t.mismatchAt, deps.now())} ({siteTime(clock, t.mismatchAt)}) from {t.mismatchAddr ?? "an unknown address"}:
            cpusn <span class="mono">{t.mismatchCpusn ?? "—"}</span>, MAC <span class="mono">{t.mismatchMac ?? "—"}</span>.{" "}
            {deps.settings.approval === "approve" ? "While terminals need approval, it is refused." : "Since new terminals are let in without approval, so is it."} If this unit was
            replaced, accept the new one with “Replaced hardware”; otherwise something on the network is posing as this terminal.
          </p>
        ) : null}
        <p class="subtitle">
          <Badge tone={statusTone[status]}>{statusText[status]}</Badge> <span class="mono">{t.sn}</span> · last seen {status === "online" ? "now" : ago(t.lastSeen, deps.now())} ·
          first seen {siteTime(clock, t.firstSeen)}
          {t.remoteAddr ? ` · ${t.remoteAddr}` : ""}
        </p>
        {/* The commands come first: Open door is what an admin opens this page for, also on a phone. */}
        {admin ? (
          <section class="panel">
            <h2>Commands</h2>
            <CommandButtons sn={t.sn} csrf={csrf} />
          </section>
        ) : null}
        <div class="grid-2">
          <section class="panel">
            <h2>Details</h2>
            {admin ? (
              <form method="post" action={`${href(t.sn)}/edit`} class="stack">
                <CsrfField token={csrf} />
                <Field label="Name" name="name" value={t.name} hint="Shown instead of the serial number." />
                <Field label="Location" name="location" value={t.location} />
                <div class="field field-check">
                  <input type="checkbox" id="f-nosenduser" name="nosenduser" checked={t.nosenduser} />
                  <label for="f-nosenduser">Do not accept users enrolled on the keypad (nosenduser)</label>
                </div>
                <div class="field field-check">
                  <input type="checkbox" id="f-site_entrance" name="site_entrance" checked={t.siteEntrance} />
                  <label for="f-site_entrance">Site entrance: its punches say who is inside (in or out as Timesheets → Rules reads this terminal)</label>
                </div>
                <div>
                  <button type="submit" class="btn btn-primary">
                    Save
                  </button>
                </div>
              </form>
            ) : (
              <dl class="kv">
                <dt>Name</dt>
                <dd>{t.name ?? "—"}</dd>
                <dt>Location</dt>
                <dd>{t.location ?? "—"}</dd>
                <dt>Keypad enrolments</dt>
                <dd>{t.nosenduser ? "refused" : "accepted"}</dd>
                <dt>Site entrance</dt>
                <dd>{t.siteEntrance ? "yes" : "no"}</dd>
              </dl>
            )}
            <h3 class="kv-heading">Hardware identity</h3>
            <dl class="kv" aria-label="Hardware identity">
              <dt>Hardware (cpusn)</dt>
              <dd class="mono">{t.cpusn ?? "not sent yet"}</dd>
              <dt>MAC</dt>
              <dd class="mono">{t.mac ?? "not sent yet"}</dd>
            </dl>
          </section>
          <section class="panel">
            <h2>Capacity</h2>
            <dl class="kv">
              <dt>Users</dt>
              <dd><Capacity used={t.userUsed} size={t.userSize} label="Users" /></dd>
              <dt>Fingerprints</dt>
              <dd><Capacity used={t.fpUsed} size={t.fpSize} label="Fingerprints" /></dd>
              <dt>Faces</dt>
              <dd><Capacity used={t.faceUsed} size={t.faceSize} label="Faces" /></dd>
              <dt>Cards</dt>
              <dd><Capacity used={t.cardUsed} size={t.cardSize} label="Cards" /></dd>
              <dt>Logs</dt>
              <dd><Capacity used={t.logUsed} size={t.logSize} label="Logs" /></dd>
              <dt>Not yet uploaded</dt>
              <dd>{t.newlogUsed ?? "—"}</dd>
            </dl>
          </section>
        </div>
        <AccessModePanel sn={t.sn} mode={t.accessMode} csrf={admin ? csrf : null} />
        <DoorSettingsPanel deps={deps} sn={t.sn} admin={admin} csrf={csrf} />
        <TerminalGroups deps={deps} sn={t.sn} admin={admin} csrf={csrf} />
        <CommandHistory deps={deps} sn={t.sn} query={historyQuery.parse(c.req.query())} />
        <section class="panel">
          <h2>Device information</h2>
          {devinfo ? (
            <dl class="kv kv-wide">
              {Object.entries(devinfo).map(([k, v]) => (
                <>
                  <dt class="mono">{k}</dt>
                  <dd class="mono">{typeof v === "string" ? v : JSON.stringify(v)}</dd>
                </>
              ))}
            </dl>
          ) : (
            <EmptyState title="No device information yet">The terminal sends it with its registration.</EmptyState>
          )}
        </section>
      </>,
    );
  });

  app.use("/terminals/:sn/*", requireAdmin());

  const approval = (path: string, value: Approval, verb: string) =>
    app.post(`/terminals/:sn/${path}`, async (c) => {
      const sn = c.req.param("sn");
      await setTerminalApproval(deps, actorOf(c), sn, value);
      return redirectWith(c, back(c, href(sn)), "ok", `${sn} ${verb}.`);
    });
  approval("approve", "approved", "approved: it is accepted at its next registration (within about 20 s)");
  approval("block", "blocked", "blocked");

  app.post("/terminals/:sn/replaced-hardware", async (c) => {
    const sn = c.req.param("sn");
    await acceptReplacedHardware(deps, actorOf(c), sn);
    return redirectWith(c, href(sn), "ok", `${sn}: the new hardware is accepted; the terminal is checked against it from its next registration.`);
  });

  app.post("/terminals/:sn/access-mode", async (c) => {
    const sn = c.req.param("sn");
    const mode = accessModeForm.safeParse((await formOf(c)).accessMode);
    if (!mode.success) return redirectWith(c, href(sn), "error", "Access decisions: choose the terminal or the server.");
    await editTerminal({ ...deps, ...(deps.access.changed ? { accessChanged: deps.access.changed } : {}) }, actorOf(c), sn, { accessMode: mode.data });
    return redirectWith(c, href(sn), "ok", mode.data === "server" ? "The server now decides this terminal's punches (once its Server approval option is on)." : "The terminal now decides its punches itself.");
  });

  app.post("/terminals/:sn/edit", async (c) => {
    const sn = c.req.param("sn");
    const parsed = editForm.safeParse(await formOf(c));
    if (!parsed.success) return redirectWith(c, href(sn), "error", parsed.error.issues[0]?.message ?? "invalid input");
    const siteEntrance = parsed.data.site_entrance === "on";
    // Only a change of the mark is one (presence is read again for it).
    const entranceChange = (await deps.store.getTerminal(sn))?.siteEntrance === siteEntrance ? {} : { siteEntrance };
    const changes = { name: parsed.data.name || null, location: parsed.data.location || null, nosenduser: parsed.data.nosenduser === "on", ...entranceChange };
    await editTerminal({ ...deps, entrancesChanged: () => deps.presence.reload() }, actorOf(c), sn, changes);
    return redirectWith(c, href(sn), "ok", "Saved.");
  });

  return app;
}

/** Back to the list when the action came from it, else to the terminal's page. */
function back(c: Context, fallback: string): string {
  const referer = c.req.header("referer");
  if (!referer || !sameHost(referer, c.req.url)) return fallback;
  const url = new URL(referer);
  return url.pathname === "/terminals" ? `/terminals${url.search}` : fallback;
}
