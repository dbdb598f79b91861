/**
 * /groups: terminal groups (create, rename, sync on/off, resync, delete) and, on a terminal's
 * page, the groups it belongs to. In a group with sync on, every member holds the people of
 * every other member; joining such a group starts a job that brings the terminal up to date.
 * Changes go through the people service, as the REST API's /groups do (audited, same jobs).
 */
import { Hono } from "hono";
import { z } from "zod";
import type { GroupWithMembers } from "../../store/commands-contract.ts";
import type { TerminalRow } from "../../store/schema.ts";
import type { Page } from "../../store/types.ts";
import { addGroupTerminal, createGroup, deleteGroup, removeGroupTerminal, resyncGroup, setGroupTerminals, updateGroup } from "../../app/groups.ts";
import { actorOf, formOf, requireAdmin } from "../auth-guard.ts";
import { ActionButton, Badge, EmptyState, Field, Pager, SearchForm } from "../components.tsx";
import type { UiDeps, UiEnv } from "../env.ts";
import { redirectWith } from "../flash.ts";
import { CsrfField, page } from "../layout.tsx";
import { pageFromQuery } from "../paging.ts";
import { Table } from "../table.tsx";
import { plural } from "../../lib/plural.ts";
import { parsePathId, pathId } from "../../lib/path-id.ts";

/** Member terminals the groups list names before "and N more" (a group of 20,000 is one line). */
const CHIPS = 20;
/** Terminals per page of a group's tick list. */
const MEMBERS_PAGE = 100;

const terminalHref = (sn: string) => `/terminals/${encodeURIComponent(sn)}`;

/** The "Groups" panel of a terminal's page: its groups, and (admins) join or leave one. */
export async function TerminalGroups({ deps, sn, admin, csrf }: { deps: UiDeps; sn: string; admin: boolean; csrf: string }) {
  const [mine, all] = await Promise.all([deps.store.people.groupsOf(sn), deps.store.people.listGroups()]);
  const others = all.filter((g) => !mine.some((m) => m.id === g.id));
  return (
    <section class="panel" aria-labelledby="groups-h">
      <h2 id="groups-h">Groups</h2>
      {mine.length === 0 ? (
        <p class="muted">In no group.</p>
      ) : (
        <ul class="chips" aria-label="Groups of this terminal">
          {mine.map((g) => (
            <li class="chip-item" data-group={g.name}>
              <a href={`/groups#group-${g.id}`}>{g.name}</a> {g.sync ? <Badge tone="info">sync</Badge> : null}
              {admin ? (
                <ActionButton action={`${terminalHref(sn)}/groups/${g.id}/leave`} csrf={csrf} label="Remove" tone="plain" confirm={`Take ${sn} out of ${g.name}? People already on it stay.`} />
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {admin && others.length > 0 ? (
        <form method="post" action={`${terminalHref(sn)}/groups`} class="inline-fields" aria-label="Add to a group">
          <CsrfField token={csrf} />
          <div class="field">
            <label for="f-group">Add to group</label>
            <select id="f-group" name="group">
              {others.map((g) => (
                <option value={String(g.id)}>{g.sync ? `${g.name} (sync)` : g.name}</option>
              ))}
            </select>
          </div>
          <button type="submit" class="btn btn-plain">
            Add
          </button>
        </form>
      ) : null}
      {admin && all.length === 0 ? (
        <p class="muted">
          No groups yet: <a href="/groups">create one</a>.
        </p>
      ) : null}
    </section>
  );
}

/** The groups list: rename, sync, resync, delete and the tick list of its terminals for admins (a non-null csrf). */
function GroupTable({ groups, names, csrf }: { groups: GroupWithMembers[]; names: Map<string, string>; csrf: string | null }) {
  return (
    <Table
      rows={groups}
      row={(g) => ({ id: `group-${g.id}`, "data-group": g.name })}
      empty={<EmptyState title="No groups yet">{csrf !== null ? "Create one below." : null}</EmptyState>}
      columns={[
        {
          head: "Group",
          cell: (g) =>
            csrf === null ? (
              g.name
            ) : (
              <form method="post" action={`/groups/${g.id}`} class="rename-form" aria-label={`Rename ${g.name}`}>
                <CsrfField token={csrf} />
                <input name="name" value={g.name} aria-label="Group name" maxlength={100} required />
                <button type="submit" class="btn btn-plain">
                  Rename
                </button>
              </form>
            ),
        },
        { head: "Sync", cell: (g) => (g.sync ? <Badge tone="info">On</Badge> : <Badge tone="muted">Off</Badge>) },
        {
          head: "Terminals",
          cell: (g) =>
            g.members.length === 0 ? (
              <span class="muted">none</span>
            ) : (
              <span class="chips">
                {g.members.slice(0, CHIPS).map((sn) => (
                  <a href={terminalHref(sn)}>{names.get(sn) ?? sn}</a>
                ))}
                {g.members.length > CHIPS ? <a href={`/groups/${g.id}/terminals`}>and {g.members.length - CHIPS} more</a> : null}
              </span>
            ),
        },
        csrf !== null && {
          head: <span class="sr-only">Actions</span>,
          class: "row-actions",
          cell: (g) => (
            <>
              <a class="btn btn-plain" href={`/groups/${g.id}/terminals`} aria-label={`Terminals of ${g.name}`}>
                Terminals…
              </a>
              <ActionButton action={`/groups/${g.id}`} csrf={csrf} label={g.sync ? "Turn sync off" : "Turn sync on"} fields={{ sync: g.sync ? "off" : "on" }} />
              {g.sync && g.members.length > 0 ? <ActionButton action={`/groups/${g.id}/resync`} csrf={csrf} label="Resync" /> : null}
              <ActionButton action={`/groups/${g.id}/delete`} csrf={csrf} label="Delete" tone="danger" confirm={`Delete the group ${g.name}? Its terminals keep the people they hold.`} />
            </>
          ),
        },
      ]}
    />
  );
}

/** The list of groups, and the form that creates one (admins only: `csrf` null for a viewer). */
function GroupsView({ groups, names, csrf }: { groups: GroupWithMembers[]; names: Map<string, string>; csrf: string | null }) {
  return (
    <>
      <p class="subtitle">
        Group terminals by building or door. With <strong>sync</strong> on, a person enrolled on one member is sent to every member, and a terminal that joins
        receives the group's people. Choose a group's terminals with “Terminals…”, or add one from its own page.
      </p>
      <GroupTable groups={groups} names={names} csrf={csrf} />
      {csrf !== null ? (
        <form method="post" action="/groups" class="inline-fields" aria-label="Create a group">
          <CsrfField token={csrf} />
          <Field label="New group name" name="name" required placeholder="Main building" />
          <div class="field field-check">
            <input type="checkbox" id="f-sync" name="sync" />
            <label for="f-sync">Sync people across its terminals</label>
          </div>
          <button type="submit" class="btn btn-primary">
            Create group
          </button>
        </form>
      ) : null}
    </>
  );
}

/** A group's terminals, a page at a time, ticked where they are members. */
function GroupMembersView(props: { group: GroupWithMembers; shown: Page<TerminalRow>; query: URLSearchParams; q: string; csrf: string }) {
  const { group, shown, query, q, csrf } = props;
  const members = new Set(group.members);
  const base = `/groups/${group.id}/terminals`;
  return (
    <>
      <p class="subtitle">
        <a href="/groups">← Groups</a> · Tick the terminals of this page that belong in {group.name} and save: the ticked ones join, the others on this page leave
        (terminals on other pages stay as they are). {members.size === 1 ? "1 terminal is" : `${members.size} terminals are`} in the group.
        {group.sync ? " Sync is on: each terminal that joins receives the group's people (a job)." : null}
      </p>
      <SearchForm action={base} q={q} placeholder="serial number, name or location" />
      {shown.items.length === 0 ? (
        <EmptyState title={q ? "No terminal matches this search" : "No terminals yet"} />
      ) : (
        <form method="post" action={base} class="panel stack">
          <CsrfField token={csrf} />
          <fieldset class="check-list">
            <legend>Terminals</legend>
            {shown.items.map((t) => (
              <div class="field field-check">
                <input type="hidden" name="shown" value={t.sn} />
                <input type="checkbox" id={`t-${t.sn}`} name="terminal" value={t.sn} checked={members.has(t.sn)} />
                <label for={`t-${t.sn}`}>{t.name ? `${t.name} (${t.sn})` : t.sn}</label>
              </div>
            ))}
          </fieldset>
          <div>
            <button type="submit" class="btn btn-primary">
              Save members
            </button>
          </div>
        </form>
      )}
      <Pager base={base} query={query} next={shown.next} shown={shown.items.length} order="key" />
    </>
  );
}

export function groupPages(deps: UiDeps) {
  const app = new Hono<UiEnv>();

  app.get("/groups", async (c) => {
    const groups = await deps.store.people.listGroups();
    const shown = new Set(groups.flatMap((g) => g.members.slice(0, CHIPS)));
    const named = shown.size === 0 ? [] : (await deps.store.terminalsPage({ sns: [...shown], limit: shown.size })).items;
    const names = new Map(named.map((t) => [t.sn, t.name || t.sn]));
    const admin = c.get("user").role === "admin";
    const csrf = c.get("session").csrfToken;
    return page(
      c,
      deps.settings.siteName,
      { title: "Terminal groups", active: "groups" },
      <GroupsView groups={groups} names={names} csrf={admin ? csrf : null} />,
    );
  });

  app.use("/groups", requireAdmin());
  app.use("/groups/*", requireAdmin());
  app.use("/terminals/:sn/groups", requireAdmin());
  app.use("/terminals/:sn/groups/*", requireAdmin());

  app.get("/groups/:id/terminals", async (c) => {
    const q = z.string().trim().max(64).catch("").parse(c.req.query("q") ?? "");
    const load = (cursor: string | undefined) => deps.store.terminalsPage({ q, ...(cursor ? { cursor } : {}), limit: MEMBERS_PAGE });
    const id = parsePathId(c.req.param("id"));
    const [group, { page: shown, query }] = await Promise.all([id === null ? null : deps.store.people.getGroup(id), pageFromQuery(c.req.query("cursor"), load, q ? { q } : {})]);
    if (!group) return page(c, deps.settings.siteName, { title: "Group not found", active: "groups" }, <EmptyState title="No such group" />, 404);
    return page(
      c,
      deps.settings.siteName,
      { title: `Terminals of ${group.name}`, active: "groups" },
      <GroupMembersView group={group} shown={shown} query={query} q={q} csrf={c.get("session").csrfToken} />,
    );
  });

  app.post("/groups/:id/terminals", async (c) => {
    const form = await c.req.formData();
    const shown = form.getAll("shown").map(String);
    const done = await setGroupTerminals(deps, actorOf(c), pathId(c.req.param("id"), "group"), { terminals: form.getAll("terminal").map(String), ...(shown.length > 0 ? { among: shown } : {}) });
    const text = `${done.group.name}: ${plural(done.added.length, "terminal")} added, ${plural(done.removed.length, "terminal")} removed${done.jobs.length > 0 ? `; ${done.jobs.length === 1 ? "a job is" : `${done.jobs.length} jobs are`} sending the group's people` : ""}.`;
    return redirectWith(c, "/groups", "ok", text);
  });

  app.post("/groups", async (c) => {
    const form = await formOf(c);
    const group = await createGroup(deps, actorOf(c), { name: form.name ?? "", sync: form.sync === "on" });
    return redirectWith(c, "/groups", "ok", `Group ${group.name} created.`);
  });

  app.post("/groups/:id", async (c) => {
    const form = await formOf(c);
    const changes = { ...(form.name !== undefined ? { name: form.name } : {}), ...(form.sync ? { sync: form.sync === "on" } : {}) };
    const group = await updateGroup(deps, actorOf(c), pathId(c.req.param("id"), "group"), changes);
    const text =
      changes.sync === true
        ? `Sync is on for ${group.name}: new enrolments go to every member. Resync to bring the members in line now.`
        : changes.sync === false
          ? `Sync is off for ${group.name}.`
          : `Group renamed to ${group.name}.`;
    return redirectWith(c, "/groups", "ok", text);
  });

  app.post("/groups/:id/delete", async (c) => {
    await deleteGroup(deps, actorOf(c), pathId(c.req.param("id"), "group"));
    return redirectWith(c, "/groups", "ok", "Group deleted.");
  });

  app.post("/groups/:id/resync", async (c) => {
    const { group, job } = await resyncGroup(deps, actorOf(c), pathId(c.req.param("id"), "group"));
    return redirectWith(c, `/jobs/${job.id}`, "ok", `Resync of ${group.name} started.`);
  });

  app.post("/terminals/:sn/groups", async (c) => {
    const sn = c.req.param("sn");
    const joined = await addGroupTerminal(deps, actorOf(c), Number((await formOf(c)).group), sn);
    const name = joined.group.name;
    // Joining a synced group is a job (sending the group's people); a plain group is not.
    if (joined.job) return redirectWith(c, `/jobs/${joined.job.id}`, "ok", `${sn} joined ${name}; sending it the group's people.`);
    return redirectWith(c, terminalHref(sn), "ok", `${sn} is in ${name}.`);
  });

  app.post("/terminals/:sn/groups/:id/leave", async (c) => {
    const sn = c.req.param("sn");
    await removeGroupTerminal(deps, actorOf(c), pathId(c.req.param("id"), "group"), sn);
    return redirectWith(c, terminalHref(sn), "ok", `${sn} left the group.`);
  });

  return app;
}
