/**
 * Access → Levels: a set of doors (terminals and terminal groups) × a schedule (issue 16). People
 * get levels on their own page. A refused form is shown again as typed with each problem beside
 * its field (400). Changes go through app/access.ts; a viewer sees the same without the forms.
 */
import { type Context, Hono } from "hono";
import type { Child } from "hono/jsx";
import { createLevel, deleteLevel, getLevel, updateLevel } from "../../app/access.ts";
import { AppError } from "../../lib/app-error.ts";
import type { AccessLevelRow, AccessScheduleRow, LevelHolders } from "../../store/access-contract.ts";
import type { GroupWithMembers } from "../../store/commands-contract.ts";
import type { TerminalRow } from "../../store/schema.ts";
import { AccessTabs } from "../access/area.tsx";
import { FieldError, type FormErrors, FormProblems, NAME_MAX, NameField, TerminalChecks } from "../access/schedule-form.tsx";
import { actorOf, requireAdmin } from "../auth-guard.ts";
import { ActionButton, EmptyState, MANY_TERMINALS, typedSerials } from "../components.tsx";
import type { UiDeps, UiEnv } from "../env.ts";
import { sentence } from "../errors.ts";
import { redirectWith } from "../flash.ts";
import { CsrfField, page } from "../layout.tsx";
import { Table } from "../table.tsx";
import { idParam } from "../timesheets/area.tsx";
import { plural } from "../../lib/plural.ts";

const LIST = "/access/levels";
const href = (id: number) => `${LIST}/${id}`;
/** Holders shown on a level's page; a site's thousands are on the people list filtered by the level. */
export const HOLDERS_SHOWN = 100;

/** What the form holds, as typed (a refused form is shown again with it). */
interface LevelValues {
  name: string;
  scheduleId: string;
  terminals: string[];
  groupIds: string[];
}

interface Choices {
  schedules: AccessScheduleRow[];
  terminals: TerminalRow[];
  groups: GroupWithMembers[];
}

const valuesOf = (l: AccessLevelRow): LevelValues => ({ name: l.name, scheduleId: String(l.scheduleId), terminals: l.terminals, groupIds: l.groupIds.map(String) });

async function postedLevel(c: Context<UiEnv>): Promise<LevelValues> {
  const form = await c.req.formData();
  const one = (name: string) => String(form.get(name) ?? "");
  const many = (name: string) => form.getAll(name).map(String).slice(0, 10_000);
  return { name: one("name"), scheduleId: one("scheduleId"), terminals: typedSerials(form.getAll("sn")).slice(0, 10_000), groupIds: many("groupId") };
}

/** The posted level as the use case's input, or its problems by field. */
export function readLevelForm(v: LevelValues, choices: Choices): { ok: true; input: Omit<AccessLevelRow, "id"> } | { ok: false; errors: FormErrors } {
  const errors: FormErrors = {};
  const name = v.name.trim();
  if (name === "") errors.name = "Name: fill this in.";
  else if (name.length > NAME_MAX) errors.name = `Name: use at most ${NAME_MAX} characters.`;
  const schedule = choices.schedules.find((s) => String(s.id) === v.scheduleId);
  if (!schedule) errors.scheduleId = "Schedule: choose one.";
  const known = new Set(choices.terminals.map((t) => t.sn));
  const groups = new Set(choices.groups.map((g) => String(g.id)));
  const terminals = [...new Set(v.terminals)];
  const groupIds = [...new Set(v.groupIds)];
  const unknown = terminals.filter((sn) => !known.has(sn));
  if (unknown.length > 0 && choices.terminals.length > MANY_TERMINALS) errors.doors = `Doors: no terminal ${unknown.slice(0, 5).join(", ")}${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ""}.`;
  else if (unknown.length > 0 || groupIds.some((id) => !groups.has(id))) errors.doors = "Doors: a terminal or group ticked is gone; tick again.";
  else if (terminals.length === 0 && groupIds.length === 0) errors.doors = "Doors: tick at least one terminal or terminal group.";
  if (Object.keys(errors).length > 0 || !schedule) return { ok: false, errors };
  return { ok: true, input: { name, scheduleId: schedule.id, terminals: terminals.sort(), groupIds: groupIds.map(Number).sort((a, b) => a - b) } };
}

function LevelEditor(props: { action: string; csrf: string; values: LevelValues; errors: FormErrors; choices: Choices; submit: string }) {
  const { values, errors, choices } = props;
  return (
    <form method="post" action={props.action} class="panel stack form-grid" aria-label={props.submit}>
      <CsrfField token={props.csrf} />
      <FormProblems heading="The level was not saved:" errors={errors} />
      <NameField label="Name" value={values.name} error={errors.name} />
      <div class="field">
        <label for="f-scheduleId">Schedule</label>
        <select id="f-scheduleId" name="scheduleId" aria-invalid={errors.scheduleId ? "true" : undefined} aria-describedby={errors.scheduleId ? "f-scheduleId-error" : undefined}>
          <option value="">— choose —</option>
          {choices.schedules.map((s) => (
            <option value={String(s.id)} selected={values.scheduleId === String(s.id)}>
              {s.name}
            </option>
          ))}
        </select>
        <FieldError id="f-scheduleId-error" text={errors.scheduleId} />
      </div>
      <fieldset class="plain-fieldset" id="f-doors" tabindex={-1} aria-describedby={errors.doors ? "f-doors-error" : undefined}>
        <legend class="label">Doors</legend>
        <FieldError id="f-doors-error" text={errors.doors} />
        {choices.terminals.length === 0 ? (
          <p class="muted">No terminal has connected yet.</p>
        ) : choices.terminals.length > MANY_TERMINALS ? (
          // Issue 13: not a checkbox per terminal of a 20,000-terminal site; the serial numbers are typed.
          <div class="field">
            <label for="f-sn">Terminals (serial numbers, separated by spaces or commas)</label>
            <textarea id="f-sn" name="sn" rows={3} maxlength={60_000}>
              {values.terminals.join(" ")}
            </textarea>
          </div>
        ) : (
          <TerminalChecks terminals={choices.terminals} selected={values.terminals} />
        )}
        {choices.groups.length > 0 ? (
          <div class="checks" role="group" aria-label="Terminal groups">
            {choices.groups.map((g) => (
              <label>
                <input type="checkbox" name="groupId" value={String(g.id)} checked={values.groupIds.includes(String(g.id))} /> Group {g.name} ({plural(g.members.length, "terminal")})
              </label>
            ))}
          </div>
        ) : null}
        <p class="hint">A group's doors follow its members: a terminal added to the group later opens for this level too.</p>
      </fieldset>
      <div>
        <button type="submit" class="btn btn-primary">
          {props.submit}
        </button>
      </div>
    </form>
  );
}

/**
 * Who holds the level: people (the first `HOLDERS_SHOWN`, the rest on the people list filtered by
 * it) and, for admins (a pass's page shows a code that opens doors), the passes that still open doors.
 */
function HoldersPanel({ levelId, holders, admin }: { levelId: number; holders: LevelHolders; admin: boolean }) {
  const { people, peopleTotal, passes, passesTotal } = holders;
  return (
    <section class="panel stack" aria-label="Holders">
      <h3>Holders</h3>
      {peopleTotal === 0 ? (
        <p class="muted">Nobody holds this level: give it to people on their page.</p>
      ) : (
        <>
          <p data-holders={peopleTotal}>
            {plural(peopleTotal, "person", "people")} {peopleTotal === 1 ? "holds" : "hold"} this level{peopleTotal > people.length ? `; the first ${people.length} by enroll id:` : ":"}{" "}
            <a href={`/people?level=${levelId}`}>{peopleTotal > people.length ? "see all of them" : "as a list"}</a>
          </p>
          <ul class="chips" aria-label="People holding this level">
            {people.map((p) => (
              <li class="chip-item">
                <a href={`/people/${p.enrollid}`}>{p.name || `#${p.enrollid}`}</a>
                {p.enabled ? null : <span class="muted"> (disabled)</span>}
              </li>
            ))}
          </ul>
        </>
      )}
      {admin && passesTotal > 0 ? (
        <>
          <p data-pass-holders={passesTotal}>
            {plural(passesTotal, "visitor pass", "visitor passes")} not revoked nor ended {passesTotal === 1 ? "holds" : "hold"} it{passesTotal > passes.length ? `; the newest ${passes.length}:` : ":"}
          </p>
          <ul class="chips" aria-label="Passes holding this level">
            {passes.map((p) => (
              <li class="chip-item">
                <a href={`/access/passes/${p.id}`}>{p.name}</a> <span class="muted">until {p.validTo.slice(0, 16)}</span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

export function accessLevelPages(deps: UiDeps) {
  const app = new Hono<UiEnv>();
  const title = "Access";
  const choices = async (): Promise<Choices> => {
    const [schedules, terminals, groups] = await Promise.all([deps.store.access.schedules(), deps.store.listTerminals(), deps.store.people.listGroups()]);
    return { schedules, terminals, groups };
  };

  const holdersOf = (levelId: number) => deps.store.access.levelHolders(levelId, { limit: HOLDERS_SHOWN, passesEndingFrom: deps.settings.clock.format(deps.now()) });

  const editor = async (c: Context<UiEnv>, o: { heading: string; action: string; submit: string; values: LevelValues; errors: FormErrors; status?: 200 | 400; holders?: Child }) => {
    const ch = await choices();
    return page(
      c,
      deps.settings.siteName,
      { title, active: "access" },
      <>
        <AccessTabs active="levels" />
        <h2>{o.heading}</h2>
        {ch.schedules.length === 0 ? (
          <EmptyState title="No schedule yet">
            A level opens doors on a schedule: <a href="/access/schedules/new">add a schedule</a> first.
          </EmptyState>
        ) : (
          <LevelEditor action={o.action} csrf={c.get("session").csrfToken} values={o.values} errors={o.errors} choices={ch} submit={o.submit} />
        )}
        {o.holders}
      </>,
      o.status ?? 200,
    );
  };

  const submit = async (c: Context<UiEnv>, o: { heading: string; action: string; submit: string }, save: (input: Omit<AccessLevelRow, "id">) => Promise<AccessLevelRow>, done: string) => {
    const values = await postedLevel(c);
    const read = readLevelForm(values, await choices());
    if (!read.ok) return editor(c, { ...o, values, errors: read.errors, status: 400 });
    try {
      const row = await save(read.input);
      return redirectWith(c, LIST, "ok", `${done} "${row.name}".`);
    } catch (err) {
      if (!(err instanceof AppError) || !["bad_request", "not_found", "does_not_fit"].includes(err.code)) throw err;
      return editor(c, { ...o, values, errors: { form: sentence(err.message) }, status: 400 });
    }
  };

  app.get(LIST, async (c) => {
    const admin = c.get("user").role === "admin";
    const [levels, ch] = await Promise.all([deps.store.access.levels(), choices()]);
    const schedule = new Map(ch.schedules.map((s) => [s.id, s.name]));
    const group = new Map(ch.groups.map((g) => [g.id, g.name]));
    const terminal = new Map(ch.terminals.map((t) => [t.sn, t.name || t.sn]));
    return page(
      c,
      deps.settings.siteName,
      { title, active: "access", actions: admin ? <a class="btn btn-primary" href={`${LIST}/new`}>New level</a> : undefined },
      <>
        <AccessTabs active="levels" />
        <p class="subtitle">Who may open which doors, when: a level is a set of doors on a schedule; give people levels on their page. A disabled person, or one outside their validity dates, opens nothing.</p>
        <Table
          rows={levels}
          label="Access levels"
          row={(l) => ({ "data-level": l.name })}
          empty={<EmptyState title="No access levels yet">{admin ? "Add one: its doors and its schedule." : "An admin adds them."}</EmptyState>}
          columns={[
            { head: "Name", cell: (l) => <a href={href(l.id)}>{l.name}</a> },
            { head: "Schedule", cell: (l) => schedule.get(l.scheduleId) ?? `#${l.scheduleId}` },
            {
              head: "Doors",
              cell: (l) => [...l.terminals.map((sn) => terminal.get(sn) ?? sn), ...l.groupIds.map((id) => `group ${group.get(id) ?? `#${id}`}`)].join(", ") || <span class="muted">none</span>,
            },
            admin && {
              head: <span class="sr-only">Actions</span>,
              class: "row-actions",
              cell: (l) => <ActionButton action={`${href(l.id)}/delete`} csrf={c.get("session").csrfToken} label="Delete" tone="danger" confirm={`Delete the level "${l.name}"? Everyone holding it loses it.`} />,
            },
          ]}
        />
      </>,
    );
  });

  const blank: LevelValues = { name: "", scheduleId: "", terminals: [], groupIds: [] };
  const newForm = { heading: "New level", action: LIST, submit: "Add level" };
  app.get(`${LIST}/new`, requireAdmin(), (c) => editor(c, { ...newForm, values: blank, errors: {} }));
  app.post(LIST, requireAdmin(), (c) => submit(c, newForm, (input) => createLevel(deps.access, actorOf(c), input), "Added the level"));

  app.get(`${LIST}/:id`, async (c) => {
    const l = await getLevel(deps.access, idParam(c));
    const admin = c.get("user").role === "admin";
    const holders = <HoldersPanel levelId={l.id} holders={await holdersOf(l.id)} admin={admin} />;
    if (admin) return editor(c, { heading: `Level "${l.name}"`, action: href(l.id), submit: "Save level", values: valuesOf(l), errors: {}, holders });
    const ch = await choices();
    return page(
      c,
      deps.settings.siteName,
      { title, active: "access" },
      <>
        <AccessTabs active="levels" />
        <h2>Level "{l.name}"</h2>
        <section class="panel">
          <dl class="kv">
            <dt>Schedule</dt>
            <dd>{ch.schedules.find((s) => s.id === l.scheduleId)?.name ?? `#${l.scheduleId}`}</dd>
            <dt>Terminals</dt>
            <dd>{l.terminals.join(", ") || "—"}</dd>
            <dt>Terminal groups</dt>
            <dd>{l.groupIds.map((id) => ch.groups.find((g) => g.id === id)?.name ?? `#${id}`).join(", ") || "—"}</dd>
          </dl>
        </section>
        {holders}
      </>,
    );
  });
  app.post(`${LIST}/:id`, requireAdmin(), async (c) => {
    const id = idParam(c);
    return submit(c, { heading: "Level", action: href(id), submit: "Save level" }, (input) => updateLevel(deps.access, actorOf(c), id, input), "Saved the level");
  });
  app.post(`${LIST}/:id/delete`, requireAdmin(), async (c) => {
    const l = await getLevel(deps.access, idParam(c));
    await deleteLevel(deps.access, actorOf(c), l.id);
    return redirectWith(c, LIST, "ok", `Deleted the level "${l.name}".`);
  });

  return app;
}
