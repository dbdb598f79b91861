/**
 * Access → Schedules: named weekly opening windows (issue 16). The list, a weekly editor to add
 * or change one (ui/access/schedule-form.tsx), delete. A refused form is shown again as typed,
 * each problem beside its field, with status 400. Changes go through app/access.ts (audited, in
 * use by the live decision once saved); a viewer sees the same pages without the forms.
 */
import { type Context, Hono } from "hono";
import { createSchedule, deleteSchedule, getSchedule, updateSchedule } from "../../app/access.ts";
import { hasCode } from "../../lib/app-error.ts";
import type { AccessScheduleRow } from "../../store/access-contract.ts";
import { ACCESS_HOME, AccessTabs } from "../access/area.tsx";
import { type FormErrors, type FormValues, readScheduleForm, ScheduleEditor, scheduleValues, WEEKDAY_NAMES, weekText } from "../access/schedule-form.tsx";
import { actorOf, formOf, requireAdmin } from "../auth-guard.ts";
import { ActionButton, Badge, EmptyState } from "../components.tsx";
import type { UiDeps, UiEnv } from "../env.ts";
import { sentence } from "../errors.ts";
import { redirectWith } from "../flash.ts";
import { page } from "../layout.tsx";
import { Table } from "../table.tsx";
import { idParam } from "../timesheets/area.tsx";

const LIST = "/access/schedules";
const href = (id: number) => `${LIST}/${id}`;

export function accessSchedulePages(deps: UiDeps) {
  const app = new Hono<UiEnv>();
  const title = "Access";

  const editor = (c: Context<UiEnv>, o: { heading: string; action: string; submit: string; values: FormValues; errors: FormErrors; status?: 200 | 400 }) =>
    page(
      c,
      deps.settings.siteName,
      { title, active: "access" },
      <>
        <AccessTabs active="schedules" />
        <h2>{o.heading}</h2>
        <ScheduleEditor action={o.action} csrf={c.get("session").csrfToken} values={o.values} errors={o.errors} submit={o.submit} />
      </>,
      o.status ?? 200,
    );

  /** Saves through `save`; a refusal of the use case is shown on the form like the form's own. */
  const submit = async (c: Context<UiEnv>, o: { heading: string; action: string; submit: string }, save: (input: Parameters<typeof createSchedule>[2]) => Promise<AccessScheduleRow>, done: string) => {
    const values = await formOf(c);
    const read = readScheduleForm(values);
    if (!read.ok) return editor(c, { ...o, values, errors: read.errors, status: 400 });
    try {
      const row = await save(read.input);
      return redirectWith(c, LIST, "ok", `${done} "${row.name}".`);
    } catch (err) {
      // The model's own refusal, or rules the terminals could not hold (does_not_fit, naming each terminal).
      if (!hasCode(err, "bad_request") && !hasCode(err, "does_not_fit")) throw err;
      return editor(c, { ...o, values, errors: { form: sentence(err.message) }, status: 400 });
    }
  };

  app.get("/access", (c) => c.redirect(ACCESS_HOME, 302));

  app.get(LIST, async (c) => {
    const admin = c.get("user").role === "admin";
    const [schedules, levels] = await Promise.all([deps.store.access.schedules(), deps.store.access.levels()]);
    return page(
      c,
      deps.settings.siteName,
      { title, active: "access", actions: admin ? <a class="btn btn-primary" href={`${LIST}/new`}>New schedule</a> : undefined },
      <>
        <AccessTabs active="schedules" />
        <p class="subtitle">When doors open: weekly windows a level applies to its doors. Terminals hold at most 5 windows a day and 7 different weekly schedules each.</p>
        <Table
          rows={schedules.map((s) => ({ s, usedBy: levels.filter((l) => l.scheduleId === s.id) }))}
          label="Access schedules"
          row={({ s }) => ({ "data-schedule": s.name })}
          empty={<EmptyState title="No access schedules yet">{admin ? "Add one, then give it doors with a level." : "An admin adds them."}</EmptyState>}
          columns={[
            { head: "Name", cell: ({ s }) => <a href={href(s.id)}>{s.name}</a> },
            { head: "Open", cell: ({ s }) => weekText(s.days) },
            { head: "Holidays", cell: ({ s }) => (s.holidaysClosed ? <Badge tone="info">closed</Badge> : <span class="muted">open</span>) },
            { head: "Levels", cell: ({ usedBy }) => (usedBy.length === 0 ? <span class="muted">none</span> : usedBy.map((l) => l.name).join(", ")) },
            admin && {
              head: <span class="sr-only">Actions</span>,
              class: "row-actions",
              cell: ({ s, usedBy }) =>
                usedBy.length === 0 ? (
                  <ActionButton action={`${href(s.id)}/delete`} csrf={c.get("session").csrfToken} label="Delete" tone="danger" confirm={`Delete the schedule "${s.name}"?`} />
                ) : (
                  // No Delete without saying why: the use case refuses a schedule levels use.
                  <span class="muted small">In use: give its levels another schedule to delete it</span>
                ),
            },
          ]}
        />
      </>,
    );
  });

  const newForm = { heading: "New schedule", action: LIST, submit: "Add schedule" };
  app.get(`${LIST}/new`, requireAdmin(), (c) => editor(c, { ...newForm, values: {}, errors: {} }));
  app.post(LIST, requireAdmin(), (c) => submit(c, newForm, (input) => createSchedule(deps.access, actorOf(c), input), "Added the schedule"));

  app.get(`${LIST}/:id`, async (c) => {
    const s = await getSchedule(deps.access, idParam(c));
    if (c.get("user").role === "admin") return editor(c, { heading: `Schedule "${s.name}"`, action: href(s.id), submit: "Save schedule", values: scheduleValues(s), errors: {} });
    return page(
      c,
      deps.settings.siteName,
      { title, active: "access" },
      <>
        <AccessTabs active="schedules" />
        <h2>Schedule "{s.name}"</h2>
        <section class="panel">
          <dl class="kv" aria-label="Opening windows">
            {WEEKDAY_NAMES.map((day, i) => {
              const windows = s.days[String(i + 1) as keyof typeof s.days];
              return (
                <>
                  <dt>{day}</dt>
                  <dd>{windows.length === 0 ? <span class="muted">closed</span> : windows.map((w) => w.replace("-", "–")).join(", ")}</dd>
                </>
              );
            })}
            <dt>Holidays</dt>
            <dd>{s.holidaysClosed ? "closed" : "open as any other day"}</dd>
          </dl>
        </section>
      </>,
    );
  });
  app.post(`${LIST}/:id`, requireAdmin(), async (c) => {
    const id = idParam(c);
    return submit(c, { heading: "Schedule", action: href(id), submit: "Save schedule" }, (input) => updateSchedule(deps.access, actorOf(c), id, input), "Saved the schedule");
  });
  app.post(`${LIST}/:id/delete`, requireAdmin(), async (c) => {
    const s = await getSchedule(deps.access, idParam(c));
    await deleteSchedule(deps.access, actorOf(c), s.id);
    return redirectWith(c, LIST, "ok", `Deleted the schedule "${s.name}".`);
  });

  return app;
}
