/**
 * A terminal's commands in the UI: the buttons (queued through the same command engine and
 * people service as the REST API), the command history and the clock check (jobs: jobs.tsx).
 */
import { Hono } from "hono";
import { z } from "zod";
import { queueCommand } from "../../app/commands.ts";
import { fetchLogs, pullPeople, pushPeople } from "../../app/people.ts";
import { knownTerminal } from "../../app/terminals.ts";
import { URGENT_COMMANDS } from "../../protocol/index.ts";
import type { CommandStatus, TerminalClockRow } from "../../store/commands-schema.ts";
import { actorLabels } from "../actor-labels.ts";
import { actorOf, formOf, requireAdmin } from "../auth-guard.ts";
import { ActionButton, ago, Badge, EmptyState, Pager, siteTime, type Tone } from "../components.tsx";
import type { UiDeps, UiEnv } from "../env.ts";
import { redirectWith } from "../flash.ts";
import { pageFromQuery } from "../paging.ts";
import { Table } from "../table.tsx";

const HISTORY = 20;

/**
 * Which commands the history shows (`?commands=`): the admin's own (queued by hand: buttons, API),
 * the server's own (jobs' fan-out such as a pull's getuserinfo rows, clock checks), or all. A
 * pull's 20 getuserinfo rows would otherwise push the admin's Open door out of view.
 */
const ORIGINS = { all: "All", admin: "Admin's commands", server: "Server's own (jobs, clock checks)" } as const;
type Origin = keyof typeof ORIGINS;
export const historyQuery = z.object({
  commands: z.enum(Object.keys(ORIGINS) as [Origin, ...Origin[]]).catch("all"),
  cursor: z.string().max(200).optional().catch(undefined),
});
export type HistoryQuery = z.infer<typeof historyQuery>;

const statusTone: Record<CommandStatus, Tone> = {
  queued: "info",
  sent: "info",
  succeeded: "ok",
  failed: "error",
  timed_out: "error",
  expired: "muted",
  cancelled: "muted",
};

/** The buttons: plain commands go to the dispatcher, the rest are people-service jobs. */
const ACTIONS = {
  opendoor: { label: "Open door", confirm: undefined },
  settime: { label: "Sync time", confirm: undefined },
  "fetch-logs": { label: "Fetch missed logs", confirm: undefined },
  pull: { label: "Import people", confirm: undefined },
  push: { label: "Push people", confirm: undefined },
  reboot: { label: "Reboot", confirm: "Reboot this terminal? It is offline for about a minute." },
  cleanlog: { label: "Clear logs", confirm: "Delete every log stored on this terminal? Logs not yet uploaded are lost." },
  cleanuser: { label: "Delete all users", confirm: "Delete every user and credential stored on this terminal?" },
  initsys: { label: "Factory reset", confirm: "Reset this terminal to factory settings? Users, logs and settings on it are erased." },
} as const;
type Action = keyof typeof ACTIONS;
const DESTRUCTIVE: ReadonlySet<Action> = new Set(["reboot", "cleanlog", "cleanuser", "initsys"]);

const actionForm = z.object({ action: z.enum(Object.keys(ACTIONS) as [Action, ...Action[]]) });

export function CommandButtons({ sn, csrf }: { sn: string; csrf: string }) {
  const action = `/terminals/${encodeURIComponent(sn)}/commands`;
  const button = (a: Action) => (
    <ActionButton action={action} csrf={csrf} label={ACTIONS[a].label} tone={DESTRUCTIVE.has(a) ? "danger" : a === "opendoor" ? "primary" : "plain"} confirm={ACTIONS[a].confirm} fields={{ action: a }} />
  );
  return (
    <div class="command-buttons">
      <div class="button-row">{(["opendoor", "settime", "fetch-logs", "pull", "push"] as const).map(button)}</div>
      <div class="button-row">{(["reboot", "cleanlog", "cleanuser", "initsys"] as const).map(button)}</div>
    </div>
  );
}

function ClockPanel({ clock, limit, now }: { clock: TerminalClockRow | null; limit: number; now: number }) {
  return (
    <section class="panel">
      <h2>Clock</h2>
      {clock ? (
        <p>
          {Math.abs(clock.driftSeconds) > limit ? <Badge tone="error">Off by {clock.driftSeconds} s</Badge> : <Badge tone="ok">{clock.driftSeconds} s</Badge>} measured{" "}
          {ago(clock.checkedAt, now)}
        </p>
      ) : (
        <p class="muted">Not measured yet: the server checks each terminal's clock after it registers.</p>
      )}
    </section>
  );
}

function OriginFilter({ base, value }: { base: string; value: Origin }) {
  return (
    <form method="get" action={`${base}#commands`} class="filters" aria-label="Which commands">
      <div class="field">
        <label for="f-commands">Show</label>
        <select id="f-commands" name="commands">
          {(Object.keys(ORIGINS) as Origin[]).map((o) => (
            <option value={o} selected={o === value}>
              {ORIGINS[o]}
            </option>
          ))}
        </select>
      </div>
      <div class="filter-buttons">
        <button type="submit" class="btn btn-plain">
          Show
        </button>
      </div>
    </form>
  );
}

/** The command history and clock panel of a terminal's page. */
export async function CommandHistory({ deps, sn, query }: { deps: UiDeps; sn: string; query: HistoryQuery }) {
  const origin = query.commands === "all" ? {} : { origin: query.commands };
  const load = (cursor: string | undefined) => deps.store.commands.list({ sn, limit: HISTORY, ...origin, ...(cursor ? { cursor } : {}) });
  const [{ page: history, query: pagerQuery }, clock] = await Promise.all([pageFromQuery(query.cursor, load, { commands: query.commands }), deps.store.commands.clockOf(sn)]);
  const base = `/terminals/${encodeURIComponent(sn)}`;
  const site = deps.settings.clock;
  const by = await actorLabels(deps.store, history.items.map((c) => c.actor));
  return (
    <>
      <ClockPanel clock={clock} limit={deps.settings.values.driftAlertSeconds} now={deps.now()} />
      <section class="panel">
        <h2 id="commands">Command history</h2>
        <OriginFilter base={base} value={query.commands} />
        <Table
          rows={history.items}
          attrs={{ "data-commands": "" }}
          row={(c) => ({ "data-command": c.command })}
          empty={<EmptyState title={query.commands === "all" ? "No commands sent yet" : "No such commands"} />}
          columns={[
            { head: "#", class: "muted", cell: (c) => c.id },
            { head: "Command", class: "mono", cell: (c) => c.command },
            { head: "Status", cell: (c) => <Badge tone={statusTone[c.status]}>{c.status.replace("_", " ")}</Badge> },
            { head: "By", cell: (c) => by(c.actor) },
            { head: "Queued", class: "nowrap", cell: (c) => siteTime(site, c.createdAt) },
            { head: "Finished", class: "nowrap", cell: (c) => siteTime(site, c.finishedAt) },
            { head: "Reason", cell: (c) => c.reason ?? "" },
          ]}
        />
        {history.items.length === 0 ? null : <Pager base={base} query={pagerQuery} next={history.next} shown={history.items.length} />}
      </section>
    </>
  );
}

export function terminalCommandPages(deps: UiDeps) {
  const app = new Hono<UiEnv>();

  app.post("/terminals/:sn/commands", requireAdmin(), async (c) => {
    const sn = c.req.param("sn");
    const back = `/terminals/${encodeURIComponent(sn)}`;
    const parsed = actionForm.safeParse(await formOf(c));
    if (!parsed.success) return redirectWith(c, back, "error", "Unknown command.");
    const action = parsed.data.action;
    const actor = actorOf(c);
    if (action === "fetch-logs" || action === "pull" || action === "push") {
      const job =
        action === "fetch-logs" ? await fetchLogs(deps, actor, sn, null) : action === "pull" ? await pullPeople(deps, actor, sn) : await pushPeople(deps, actor, { terminals: [sn] });
      return redirectWith(c, `/jobs/${job.id}`, "ok", `${ACTIONS[action].label} started.`);
    }
    const row = await queueCommand(deps, actor, sn, { command: action, params: {} });
    // The store's state: in a cluster the terminal may be connected to another instance.
    const online = deps.dispatcher.isOnline(sn) || (await knownTerminal(deps, sn)).online;
    // Only queued so far (issue 17: "sent" misled when it waited a minute); the history shows the rest.
    const when = !online ? " until the terminal connects" : URGENT_COMMANDS.has(action as never) ? ", ahead of anything else for this terminal" : "";
    return redirectWith(c, back, "ok", `${ACTIONS[action].label}: command #${row.id} queued${when}.`, { command: { id: row.id, label: ACTIONS[action].label } });
  });

  return app;
}
