/**
 * Doors in the admin UI (issue 16): the door board (/doors: every door's online state and last
 * known state, paged and searched, kept live by /doors/events, which also tells of a terminal first
 * seen since the page was read: the page offers it, as a new row would not fit its order), remote open from it, and a
 * terminal's door settings panel (shown on its page) with their form. Who is inside is
 * presence.tsx.
 */
import { type Context, Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { z } from "zod";
import { DOOR_STATE_LABELS, type DoorState } from "../../access/door-state.ts";
import { queueCommand } from "../../app/commands.ts";
import { changeDoorSettings, DOOR_SETTING_NAMES, DOOR_SETTINGS, type DoorBoardEntry, doorBoard, doorEntries, doorSettingsOf, readDoorSettings } from "../../app/doors.ts";
import { actorOf, formOf, requireAdmin } from "../auth-guard.ts";
import { ActionButton, Badge, EmptyState, Pager, SearchForm, siteTime, type Tone } from "../components.tsx";
import type { UiDeps, UiEnv } from "../env.ts";
import { redirectWith } from "../flash.ts";
import { CsrfField, page } from "../layout.tsx";
import { pageFromQuery } from "../paging.ts";
import { Table } from "../table.tsx";
import type { Page } from "../../store/contract.ts";

const href = (sn: string) => `/terminals/${encodeURIComponent(sn)}`;

export const DOOR_STATE_TONES: Record<DoorState, Tone> = {
  unknown: "muted", closed: "ok", open: "info", held_open: "warn", forced_open: "error", tamper: "error", input_alarm: "error",
};

/** What the board and its live feed show of one door (the feed sends exactly this). */
export function doorView(deps: UiDeps, e: DoorBoardEntry) {
  return {
    sn: e.sn,
    online: e.online,
    onlineText: e.approval !== "approved" ? (e.approval === "pending" ? "Pending" : "Blocked") : e.online ? "Online" : "Offline",
    onlineTone: (e.approval !== "approved" ? "muted" : e.online ? "ok" : "error") as Tone,
    state: e.state,
    stateText: DOOR_STATE_LABELS[e.state],
    stateTone: DOOR_STATE_TONES[e.state],
    sinceText: e.since === null ? "—" : siteTime(deps.settings.clock, e.since),
  };
}

const BOARD_PAGE = 50;
const boardQuery = z.object({ q: z.string().trim().max(100).catch("") });
/**
 * The live feed: the doors of one board page (its sns), at most a page's worth, and since when
 * (UTC ms, the page's read) a terminal seen for the first time is told as new.
 */
const feedQuery = z.object({ sn: z.array(z.string().min(1).max(64)).max(200), since: z.coerce.number().int().min(0).optional() });
/** Besides each commit of a page's terminal: the whole page again this often ("held open" comes by the clock; another instance's terminal going offline). */
const REFRESH_MS = 15_000;

/** A terminal's door settings: what it last answered to getdevlock, and the form that changes them. */
export async function DoorSettingsPanel({ deps, sn, admin, csrf }: { deps: UiDeps; sn: string; admin: boolean; csrf: string }) {
  const view = await doorSettingsOf(deps, sn);
  const current = view.settings ?? {};
  return (
    <section class="panel" aria-labelledby="door-settings-h">
      <h2 id="door-settings-h">Door settings</h2>
      <p class="muted small" data-door-settings-read="">
        {view.readAt === null ? "Not read from the terminal yet." : `As the terminal reported them at ${siteTime(deps.settings.clock, view.readAt)}.`}
        {view.pending.length > 0 ? ` ${view.pending.length} change or read waiting for the terminal (see the command history).` : ""}
      </p>
      {admin ? (
        <form method="post" action={`${href(sn)}/door-settings`} class="stack" data-door-settings="">
          <CsrfField token={csrf} />
          <div class="grid-2">
            {DOOR_SETTING_NAMES.map((k) => {
              const s: { label: string; max: number; options?: readonly string[] } = DOOR_SETTINGS[k];
              const value = current[k];
              const id = `f-door-${k}`;
              return (
                <div class="field">
                  <label for={id}>{s.label}</label>
                  {s.options ? (
                    <select id={id} name={k}>
                      <option value="" selected={value === undefined}>
                        (unchanged)
                      </option>
                      {s.options.map((o, i) => (
                        <option value={String(i)} selected={value === i}>
                          {o}
                        </option>
                      ))}
                      {value !== undefined && value > s.max ? (
                        <option value="" selected>
                          {`${value} (reported by the terminal; not documented)`}
                        </option>
                      ) : null}
                    </select>
                  ) : (
                    <input id={id} name={k} type="number" min={0} max={s.max} value={value === undefined ? "" : String(value)} />
                  )}
                </div>
              );
            })}
          </div>
          <p class="hint">Only the settings that differ from what the terminal last reported are sent, then read back from the terminal.</p>
          <div class="button-row">
            <button type="submit" class="btn btn-primary">
              Save door settings
            </button>
          </div>
        </form>
      ) : view.settings ? (
        <dl class="kv">
          {DOOR_SETTING_NAMES.map((k) => {
            const s: { label: string; options?: readonly string[] } = DOOR_SETTINGS[k];
            const v = current[k];
            return (
              <>
                <dt>{s.label}</dt>
                <dd>{v === undefined ? "—" : (s.options?.[v] ?? String(v))}</dd>
              </>
            );
          })}
        </dl>
      ) : null}
      {admin ? <ActionButton action={`${href(sn)}/door-settings/read`} csrf={csrf} label="Read from terminal" /> : null}
    </section>
  );
}

const BOARD_ACTIONS = (
  <>
    <a class="btn btn-plain" href="/presence">
      Who is inside
    </a>{" "}
    <a class="btn btn-plain" href="/door-events">
      Door events
    </a>
  </>
);

type BoardRow = { e: DoorBoardEntry; v: ReturnType<typeof doorView> };

/**
 * The door board: search, one row a door (the live island updates its `data-cell`s), Open door for
 * admins, and the notice the island shows when a terminal connects for the first time.
 */
function DoorBoard(props: { deps: UiDeps; q: string; board: Page<DoorBoardEntry>; query: URLSearchParams; since: number; admin: boolean; csrf: string }) {
  const { board, query } = props;
  const rows: BoardRow[] = board.items.map((e) => ({ e, v: doorView(props.deps, e) }));
  return (
    <div data-door-board="" data-sns={JSON.stringify(board.items.map((e) => e.sn))} data-since={String(props.since)}>
      <SearchForm action="/doors" q={props.q} placeholder="serial number, name or location" />
      <p class="muted small">
        Live: a door event or a terminal coming and going shows here without a reload. “Always open / always closed” is not offered: these terminals have no command for
        it that the server could rely on.
      </p>
      <p class="flash flash-info" role="status" data-new-terminals="" hidden>
        New since this page was opened: <span data-new-sns="" />. <a href={`/doors?${query.toString()}`}>Reload</a> to see them on the board.
      </p>
      <Table
        rows={rows}
        empty={<EmptyState title={props.q ? "No door matches this search" : "No terminal has connected yet"} />}
        row={({ e }) => ({ "data-sn": e.sn })}
        cards
        columns={[
          {
            head: "Door",
            cell: ({ e }) => (
              <>
                <a href={href(e.sn)}>{e.name || e.sn}</a>
                {e.name ? <div class="muted small">{e.sn}</div> : null}
                {e.location ? <div class="muted small">{e.location}</div> : null}
              </>
            ),
          },
          { head: "Terminal", attrs: { "data-cell": "online" }, cell: ({ v }) => <Badge tone={v.onlineTone}>{v.onlineText}</Badge> },
          { head: "Door state", attrs: ({ v }) => ({ "data-cell": "state", "data-state": v.state }), cell: ({ v }) => <Badge tone={v.stateTone}>{v.stateText}</Badge> },
          { head: "Since", class: "nowrap", attrs: { "data-cell": "since" }, cell: ({ v }) => v.sinceText },
          props.admin && {
            head: <span class="sr-only">Actions</span>,
            class: "row-actions",
            cell: ({ e }) => <ActionButton action={`/doors/${encodeURIComponent(e.sn)}/open`} csrf={props.csrf} label="Open door" tone="primary" fields={{ back: `/doors?${query.toString()}` }} />,
          },
        ]}
      />
      <Pager base="/doors" query={query} next={board.next} shown={board.items.length} order="key" />
    </div>
  );
}

/**
 * The board's live feed: the given doors' state whenever one of their terminals commits records or
 * comes and goes; and, with `since`, each other terminal heard of (registering here, approved or
 * pending, or committing records on any instance) that was first seen since then, once, as `new-terminal`.
 */
function doorFeed(deps: UiDeps) {
  return async (c: Context<UiEnv>) => {
    const parsed = feedQuery.safeParse({ sn: c.req.queries("sn") ?? [], since: c.req.query("since") });
    if (!parsed.success) return c.text("bad request", 400);
    const sns = new Set(parsed.data.sn);
    const since = parsed.data.since;
    return streamSSE(c, async (stream) => {
      const dirty = new Set<string>();
      /** Terminals off the page to look up; `looked`: those looked up already, new or not, so each is read once. */
      const unknown = new Set<string>();
      const looked = new Set<string>();
      let wake: (() => void) | null = null;
      const touch = ({ sn }: { sn: string }) => {
        if (sns.has(sn)) dirty.add(sn);
        else if (since !== undefined && !looked.has(sn)) {
          looked.add(sn);
          unknown.add(sn);
        } else return;
        wake?.();
      };
      const offs = [deps.bus.on("records-committed", touch), deps.bus.on("terminal-online", touch), deps.bus.on("terminal-offline", touch), deps.bus.on("terminal-refused", touch)];
      stream.onAbort(() => wake?.());
      let refreshAt = 0;
      try {
        while (!stream.aborted && !stream.closed) {
          if (deps.now() - refreshAt >= REFRESH_MS) {
            refreshAt = deps.now();
            if (!(await deps.store.admin.session(c.get("session").tokenHash, deps.now()))) break;
            for (const sn of sns) dirty.add(sn);
          }
          if (dirty.size > 0) {
            const terminals = (await deps.store.terminalsPage({ sns: [...dirty], limit: dirty.size })).items;
            dirty.clear();
            for (const e of await doorEntries(deps, terminals)) await stream.writeSSE({ event: "door", data: JSON.stringify(doorView(deps, e)) });
          }
          if (unknown.size > 0 && since !== undefined) {
            const terminals = (await deps.store.terminalsPage({ sns: [...unknown], limit: unknown.size })).items;
            unknown.clear();
            for (const t of terminals) if (t.firstSeen >= since) await stream.writeSSE({ event: "new-terminal", data: JSON.stringify({ sn: t.sn, name: t.name }) });
          }
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, REFRESH_MS);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          wake = null;
          // Coalesces a burst of commits into one read.
          await stream.sleep(200);
        }
      } finally {
        for (const off of offs) off();
      }
    });
  };
}

export function doorPages(deps: UiDeps) {
  const app = new Hono<UiEnv>();

  app.get("/doors", async (c) => {
    const q = boardQuery.parse(c.req.query());
    // Before the read: a terminal first seen from here on is either on the page or told as new by the feed.
    const since = deps.now();
    const { page: board, query } = await pageFromQuery(c.req.query("cursor"), (cursor) => doorBoard(deps, { ...(q.q ? { q: q.q } : {}), ...(cursor ? { cursor } : {}), limit: BOARD_PAGE }), q.q ? { q: q.q } : {});
    const view = { q: q.q, board, query, since, admin: c.get("user").role === "admin", csrf: c.get("session").csrfToken };
    return page(c, deps.settings.siteName, { title: "Doors", active: "doors", actions: BOARD_ACTIONS }, <DoorBoard deps={deps} {...view} />);
  });

  app.get("/doors/events", doorFeed(deps));

  app.post("/doors/:sn/open", requireAdmin(), async (c) => {
    const sn = c.req.param("sn");
    const form = await formOf(c);
    const back = /^\/doors(\?[^\s]*)?$/.test(form.back ?? "") ? (form.back as string) : "/doors";
    const row = await queueCommand(deps, actorOf(c), sn, { command: "opendoor", params: {} });
    // Followed live under the message: queued, sent, answered or timed out (issue 17).
    return redirectWith(c, back, "ok", `Open door ${sn}: command #${row.id} queued, ahead of anything else for this terminal.`, { command: { id: row.id, label: `Open door ${sn}` } });
  });

  app.post("/terminals/:sn/door-settings", requireAdmin(), async (c) => {
    const sn = c.req.param("sn");
    const form = await formOf(c);
    const current = (await doorSettingsOf(deps, sn)).settings ?? {};
    const changes: Record<string, number> = {};
    for (const k of DOOR_SETTING_NAMES) {
      const text = (form[k] ?? "").trim();
      if (text === "") continue;
      const n = Number(text);
      // Not a number is left to the use case, which names the field.
      if (Number.isFinite(n) && current[k] === n) continue;
      changes[k] = Number.isFinite(n) ? n : Number.NaN;
    }
    if (Object.keys(changes).length === 0) return redirectWith(c, href(sn), "ok", "Nothing changed: the door settings are as the terminal last reported them.");
    const { setdevlock } = await changeDoorSettings(deps, actorOf(c), sn, changes);
    return redirectWith(c, href(sn), "ok", `Door settings: command #${setdevlock.id} queued, then read back from the terminal.`);
  });

  app.post("/terminals/:sn/door-settings/read", requireAdmin(), async (c) => {
    const sn = c.req.param("sn");
    const row = await readDoorSettings(deps, actorOf(c), sn);
    return redirectWith(c, href(sn), "ok", `Read door settings: command #${row.id} queued.`);
  });

  return app;
}
