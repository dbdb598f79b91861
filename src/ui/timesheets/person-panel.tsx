/**
 * The Timesheets panel of a person's page (/people/{enrollid}): their department (with its history
 * and a form to move them from a date), the schedules that apply to them, and a link to their month.
 */
import { today } from "../../app/timesheets/deps.ts";
import { scheduleView } from "../../app/timesheets/schedules.ts";
import type { UiDeps } from "../env.ts";
import { CsrfField } from "../layout.tsx";
import { schedulePattern } from "./area.tsx";

export async function PersonTimesheet({ deps, enrollid, csrf }: { deps: UiDeps; enrollid: number; csrf: string | null }) {
  const ts = deps.store.timesheets;
  const [memberships, departments, schedules, shifts] = await Promise.all([ts.memberships(enrollid), ts.departments(), ts.schedules(), ts.shifts()]);
  const date = today(deps.timesheets);
  const name = new Map(departments.map((d) => [d.id, d.name]));
  const shiftName = new Map(shifts.map((s) => [s.id, s.name]));
  const current = memberships.find((m) => m.from <= date && (m.to === undefined || m.to >= date));
  const own = schedules.filter((s) => s.enrollid === enrollid).map(scheduleView);
  const ofDepartment = current ? schedules.filter((s) => s.departmentId === current.departmentId).map(scheduleView) : [];
  // In the Schedules list's words, so the two pages read alike (not "weekdays 1,2,3").
  const describe = (s: ReturnType<typeof scheduleView>) => `${schedulePattern(s, shiftName)} from ${s.from}${s.to ? ` to ${s.to}` : ""}`;
  return (
    <section class="panel" aria-labelledby="timesheet-h">
      <h2 id="timesheet-h">Timesheet</h2>
      <p>
        Department: <strong data-current-department>{current ? (name.get(current.departmentId) ?? `#${current.departmentId}`) : "none"}</strong>
        {" · "}
        <a href={`/timesheets/people/${enrollid}?month=${date.slice(0, 7)}`}>This month</a>
      </p>
      {memberships.length > 1 ? (
        <ul class="muted small" aria-label="Department history">
          {memberships.map((m) => (
            <li>
              {name.get(m.departmentId) ?? `#${m.departmentId}`}: {m.from} – {m.to ?? "now"}
            </li>
          ))}
        </ul>
      ) : null}
      <p class="label">Schedule</p>
      <ul aria-label="Schedules">
        {own.map((s) => (
          <li>Own: {describe(s)}</li>
        ))}
        {ofDepartment.map((s) => (
          <li>{own.length > 0 ? "Department's (the person's own wins): " : "Department's: "}{describe(s)}</li>
        ))}
        {own.length + ofDepartment.length === 0 ? <li class="muted">None: every day is a rest day.</li> : null}
      </ul>
      {csrf ? (
        <>
          <form method="post" action={`/people/${enrollid}/department`} class="inline-fields" aria-label="Set the department">
            <CsrfField token={csrf} />
            <div class="field">
              <label for="f-departmentId">Department</label>
              <select id="f-departmentId" name="departmentId">
                <option value="">None</option>
                {departments.map((d) => (
                  <option value={String(d.id)} selected={current?.departmentId === d.id}>
                    {d.name}
                  </option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for="f-from">From</label>
              <input id="f-from" type="date" name="from" value={date} required />
            </div>
            <button type="submit" class="btn btn-plain">
              Set department
            </button>
          </form>
          <p>
            <a href={`/timesheets/schedules?enrollid=${enrollid}`}>Give a personal schedule</a>
          </p>
        </>
      ) : null}
    </section>
  );
}
