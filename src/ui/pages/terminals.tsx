/** /terminals: the list, approval of pending terminals, and each terminal's page. */
import { type Context, Hono } from "hono";
import { z } from "zod";
import type { Approval } from "../../store/contract.ts";
import { TERMINAL_STATUSES } from "../../store/terminal-status.ts";
import { describeInput, fieldLabel } from "../../lib/input-problem.ts";
import { acceptReplacedHardware, askNamesAgain, editTerminal, setTerminalApproval } from "../../app/terminals.ts";
import { actorOf, formOf, requireAdmin, sameHost } from "../auth-guard.ts";
import { EmptyState, TERMINAL_SEARCH } from "../components.tsx";
import type { UiDeps, UiEnv } from "../env.ts";
import { sentence } from "../errors.ts";
import { redirectWith } from "../flash.ts";
import { page } from "../layout.tsx";
import { pageFromQuery } from "../paging.ts";
import { TerminalGroups } from "./groups.tsx";
import { DoorSettingsPanel } from "./doors.tsx";
import { terminalUrls } from "../terminal-urls.ts";
import { CommandHistory, historyQuery } from "./terminal-commands.tsx";
import { AccessModePanel, accessModeForm } from "../access/access-mode.tsx";
import { TerminalList, terminalHref as href } from "./terminal-list.tsx";
import { NameRefusalPanel, TerminalActions, TerminalDetail } from "./terminal-detail.tsx";

const terminalUrlsOf = (deps: UiDeps) => {
  const endpoint = deps.terminalEndpoint?.();
  return endpoint ? terminalUrls(endpoint) : [];
};

const TERMINALS_PAGE = 100;
/** Terminals a filter box suggests at once: enough to pick from, small enough to send per key. */
const SUGGESTIONS = 20;

const editForm = z.object({
  name: z.string().trim().max(100, "use at most 100 characters"),
  location: z.string().trim().max(200, "use at most 200 characters"),
  nosenduser: z.literal("on").optional(),
  site_entrance: z.literal("on").optional(),
});

const listQuery = z.object({
  status: z.enum(TERMINAL_STATUSES).optional().catch(undefined),
  q: z.string().trim().max(100).catch(""),
});

export function terminalPages(deps: UiDeps) {
  const app = new Hono<UiEnv>();

  // Before /terminals/:sn. The few terminals a filter box suggests as one types (TerminalFilter).
  app.get(TERMINAL_SEARCH, async (c) => {
    const q = z.string().trim().max(64).catch("").parse(c.req.query("q") ?? "");
    const found = await deps.store.terminalsPage({ q, limit: SUGGESTIONS });
    return c.json({ items: found.items.map((t) => ({ value: t.sn, label: t.name ? `${t.name} (${t.sn})` : t.sn })) });
  });

  // One page of the list, read as such from the store, and the tabs' counts: a site of 20,000 terminals stays one quick page.
  app.get("/terminals", async (c) => {
    const { status, q } = listQuery.parse({ status: c.req.query("status"), q: c.req.query("q") ?? "" });
    const filters = new URLSearchParams({ ...(status ? { status } : {}), ...(q ? { q } : {}) });
    const load = (cursor: string | undefined) => deps.store.terminalsPage({ q, ...(status ? { status } : {}), ...(cursor ? { cursor } : {}), limit: TERMINALS_PAGE });
    const [{ page: shown, query }, counts] = await Promise.all([pageFromQuery(c.req.query("cursor"), load, filters), deps.store.terminalCounts()]);
    const clocks = new Map((await deps.store.commands.clocks(shown.items.map((t) => t.sn))).map((m) => [m.sn, m]));
    const actions = (
      <>
        <a class="btn btn-plain" href="/groups">
          Groups
        </a>{" "}
        <a class="btn btn-plain" href="/jobs">
          Jobs
        </a>
      </>
    );
    const view = (
      <TerminalList
        rows={shown.items}
        next={shown.next}
        query={query}
        status={status}
        q={q}
        counts={counts}
        clocks={clocks}
        driftLimit={deps.settings.values.driftAlertSeconds}
        clock={deps.settings.clock}
        now={deps.now()}
        csrf={c.get("user").role === "admin" ? c.get("session").csrfToken : null}
        urls={() => terminalUrlsOf(deps)}
      />
    );
    return page(c, deps.settings.siteName, { title: "Terminals", active: "terminals", actions }, view);
  });

  app.get("/terminals/:sn", async (c) => {
    const t = await deps.store.getTerminal(c.req.param("sn"));
    if (!t) return page(c, deps.settings.siteName, { title: "Terminal not found", active: "terminals" }, <EmptyState title="No terminal with this serial number" />, 404);
    const admin = c.get("user").role === "admin";
    const csrf = c.get("session").csrfToken;
    const panels = (
      <>
        {(await deps.store.people.namesRefused()).includes(t.sn) ? <NameRefusalPanel sn={t.sn} csrf={admin ? csrf : null} /> : null}
        <AccessModePanel sn={t.sn} mode={t.accessMode} csrf={admin ? csrf : null} />
        <DoorSettingsPanel deps={deps} sn={t.sn} admin={admin} csrf={csrf} />
        <TerminalGroups deps={deps} sn={t.sn} admin={admin} csrf={csrf} />
        <CommandHistory deps={deps} sn={t.sn} query={historyQuery.parse(c.req.query())} />
      </>
    );
    return page(
      c,
      deps.settings.siteName,
      { title: t.name || t.sn, active: "terminals", actions: admin ? <TerminalActions t={t} csrf={csrf} /> : undefined },
      <TerminalDetail t={t} clock={deps.settings.clock} now={deps.now()} approvalNeeded={deps.settings.approval === "approve"} csrf={admin ? csrf : null} panels={panels} />,
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

  app.post("/terminals/:sn/ask-names-again", async (c) => {
    const sn = c.req.param("sn");
    await askNamesAgain(deps, actorOf(c), sn);
    return redirectWith(c, href(sn), "ok", `${sn} is sent people by name only again at the next push; if it refuses them, the job says so.`);
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
    if (!parsed.success) return redirectWith(c, href(sn), "error", sentence(describeInput(parsed.error, fieldLabel)));
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
