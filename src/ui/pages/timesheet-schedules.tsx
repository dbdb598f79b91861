/**
 * Timesheets → Schedules: which shift a department or a person works, weekly (a shift on chosen
 * weekdays) or rotating (a cycle of shifts and rest days from the start date), from a date and
 * optionally to one. A person's schedules win over their department's (docs/timesheets.md).
 */
import { type Context, Hono } from "hono";
import { createSchedule, deleteSchedule, scheduleView, updateSchedule } from "../../app/timesheets/schedules.ts";
import { actorOf, formOf, requireAdmin } from "../auth-guard.ts";
import { ActionButton, EmptyState, Field } from "../components.tsx";
import type { UiDeps, UiEnv } from "../env.ts";
import { redirectWith } from "../flash.ts";
import { CsrfField, page } from "../layout.tsx";
import { Table } from "../table.tsx";
import { idParam, schedulePattern, TimesheetTabs, WEEKDAYS } from "../timesheets/area.tsx";
import { defined, FormReader } from "../timesheets/form.ts";
import { ENROLLID_MAX } from "../../protocol/index.ts";

interface Names {
  shift: Map<number, string>;
  department: Map<number, string>;
}

function ScheduleForm({ csrf, names, enrollid }: { csrf: string; names: Names; enrollid: string }) {
  return (
    <form method="post" action="/timesheets/schedules" class="panel ts-form" aria-label="New schedule">
      <CsrfField token={csrf} />
      <div class="ts-grid">
        <div class="field">
          <label for="f-departmentId">Department</label>
          <select id="f-departmentId" name="departmentId">
            <option value="">— (a person's schedule)</option>
            {[...names.department].map(([id, name]) => (
              <option value={String(id)}>{name}</option>
            ))}
          </select>
        </div>
        <Field label="or person (enroll id)" name="enrollid" type="number" min={1} value={enrollid} hint="A person's schedule wins over the department's." />
        <Field label="From" name="from" type="date" required />
        <Field label="To (inclusive)" name="to" type="date" hint="Blank: open-ended." />
      </div>
      <fieldset>
        <legend>Weekly</legend>
        <div class="ts-grid">
          <div class="field">
            <label for="f-shiftId">Shift</label>
            <select id="f-shiftId" name="shiftId">
              <option value="">—</option>
              {[...names.shift].map(([id, name]) => (
                <option value={String(id)}>{name}</option>
              ))}
            </select>
          </div>
          <div class="field wide">
            <span class="label">On</span>
            <div class="checks">
              {WEEKDAYS.map((d, i) => (
                <label>
                  <input type="checkbox" name="weekday" value={String(i + 1)} checked={i < 5} /> {d}
                </label>
              ))}
            </div>
          </div>
        </div>
      </fieldset>
      <fieldset>
        <legend>Or rotating</legend>
        <Field label="Cycle" name="rotation" placeholder="Day, Day, Night, rest" hint="Shift names (or rest) separated by commas, from the From date; leave blank for a weekly schedule." />
      </fieldset>
      <div>
        <button type="submit" class="btn btn-primary">
          Add schedule
        </button>
      </div>
    </form>
  );
}

/** The form as createSchedule's input, or the first problem, labelled. */
async function scheduleInputOf(c: Context<UiEnv>, names: Names): Promise<{ input: Record<string, unknown> } | { problem: string }> {
  const form = await formOf(c);
  const f = new FormReader(form);
  const departmentId = f.int("departmentId", "Department", 1, Number.MAX_SAFE_INTEGER);
  const enrollid = f.int("enrollid", "Person (enroll id)", 1, ENROLLID_MAX);
  if ((departmentId === undefined) === (enrollid === undefined)) f.fail("Department or person", "choose a department or give an enroll id, one of them");
  const from = f.date("from", "From", true);
  const to = f.date("to", "To");
  const cycle = f.text("rotation", "Cycle");
  let pattern: Record<string, unknown>;
  if (cycle !== undefined) {
    const byName = new Map([...names.shift].map(([id, name]) => [name.toLowerCase(), id]));
    const days = cycle.split(",").map((s) => s.trim().toLowerCase());
    const unknown = days.find((d) => d !== "rest" && !byName.has(d));
    if (unknown !== undefined) f.fail("Cycle", `no shift named "${unknown}" (use the shift names, or rest)`);
    pattern = { rotation: days.map((d) => (d === "rest" ? null : (byName.get(d) ?? null))) };
  } else {
    const shiftId = f.int("shiftId", "Shift", 1, Number.MAX_SAFE_INTEGER, true);
    const weekdays = f.ints((await c.req.formData()).getAll("weekday").map(String), "On", 1, 7);
    if (weekdays.length === 0) f.fail("On", "tick at least one weekday");
    pattern = { shiftId, weekdays };
  }
  if (f.problem) return { problem: f.problem };
  return { input: { ...defined({ departmentId, enrollid, from }), to: to ?? null, ...pattern } };
}

export function timesheetSchedulePages(deps: UiDeps) {
  const app = new Hono<UiEnv>();
  const loadNames = async (): Promise<Names> => {
    const [shifts, departments] = await Promise.all([deps.store.timesheets.shifts(), deps.store.timesheets.departments()]);
    return { shift: new Map(shifts.map((s) => [s.id, s.name])), department: new Map(departments.map((d) => [d.id, d.name])) };
  };

  app.get("/timesheets/schedules", async (c) => {
    const admin = c.get("user").role === "admin";
    const csrf = c.get("session").csrfToken;
    const [schedules, names] = await Promise.all([deps.store.timesheets.schedules(), loadNames()]);
    const people = await deps.store.admin.peopleLabels(schedules.flatMap((s) => (s.enrollid === undefined ? [] : [s.enrollid])));
    const enrollid = /^\d{1,9}$/.test(c.req.query("enrollid") ?? "") ? (c.req.query("enrollid") ?? "") : "";
    return page(
      c,
      deps.settings.siteName,
      { title: "Timesheets", active: "timesheets" },
      <>
        <TimesheetTabs active="schedules" />
        <Table
          rows={schedules.map(scheduleView)}
          label="Schedules"
          row={(s) => ({ "data-schedule": s.id })}
          empty={<EmptyState title="No schedules yet">Without a schedule every day is a rest day. Add shifts first, then say who works them when.</EmptyState>}
          columns={[
            { head: "For", cell: (s) => (s.departmentId !== null ? (names.department.get(s.departmentId) ?? `#${s.departmentId}`) : `${people.get(s.enrollid ?? 0)?.name ?? ""} #${s.enrollid}`) },
            { head: "Pattern", cell: (s) => schedulePattern(s, names.shift) },
            { head: "From", class: "nowrap", cell: (s) => s.from },
            {
              head: "To",
              class: "nowrap",
              cell: (s) =>
                admin ? (
                  <form method="post" action={`/timesheets/schedules/${s.id}`} class="rename-form">
                    <CsrfField token={csrf} />
                    <input type="date" name="to" value={s.to ?? ""} aria-label={`Last day of schedule ${s.id}`} />
                    <button type="submit" class="btn btn-plain">
                      Set end
                    </button>
                  </form>
                ) : (
                  (s.to ?? "—")
                ),
            },
            admin && {
              class: "row-actions",
              cell: (s) => <ActionButton action={`/timesheets/schedules/${s.id}/delete`} csrf={csrf} label="Delete" tone="danger" confirm="Delete this schedule? The days it covered are recomputed." />,
            },
          ]}
        />
        {admin ? (
          <>
            <h2>New schedule</h2>
            <ScheduleForm csrf={csrf} names={names} enrollid={enrollid} />
          </>
        ) : null}
      </>,
    );
  });
  app.post("/timesheets/schedules", requireAdmin(), async (c) => {
    const read = await scheduleInputOf(c, await loadNames());
    if ("problem" in read) return redirectWith(c, "/timesheets/schedules", "error", read.problem);
    await createSchedule(deps.timesheets, actorOf(c), read.input);
    return redirectWith(c, "/timesheets/schedules", "ok", "Schedule added; the days it covers are being computed.");
  });
  // A schedule's last day (blank: open-ended), so the history keeps the rule that applied then.
  app.post("/timesheets/schedules/:id", requireAdmin(), async (c) => {
    const f = new FormReader(await formOf(c));
    const to = f.date("to", "To");
    if (f.problem) return redirectWith(c, "/timesheets/schedules", "error", f.problem);
    const schedule = await updateSchedule(deps.timesheets, actorOf(c), idParam(c), { to: to ?? null });
    return redirectWith(c, "/timesheets/schedules", "ok", schedule.to ? `The schedule ends on ${schedule.to}.` : "The schedule is open-ended.");
  });
  app.post("/timesheets/schedules/:id/delete", requireAdmin(), async (c) => {
    await deleteSchedule(deps.timesheets, actorOf(c), idParam(c));
    return redirectWith(c, "/timesheets/schedules", "ok", "Schedule deleted.");
  });
  return app;
}
