/**
 * The admin's changes from a day's page: add a missed punch, exclude a stored one, remove a
 * correction (each with a reason, audited with who), add or remove leave. Each posts to a route
 * of pages/timesheet-day.tsx that calls the use case of src/app/timesheets/.
 */
import type { LeaveType } from "../../timesheets/types.ts";
import { Field } from "../components.tsx";
import { CsrfField } from "../layout.tsx";

export const dayHref = (enrollid: number, date: string) => `/timesheets/people/${enrollid}/days/${date}`;

export function AddCorrectionForm({ enrollid, date, csrf }: { enrollid: number; date: string; csrf: string }) {
  return (
    <form method="post" action={`${dayHref(enrollid, date)}/corrections`} class="panel ts-form" aria-label="Add a missed punch">
      <h2>Add a missed punch</h2>
      <CsrfField token={csrf} />
      <div class="ts-grid">
        <Field label="Date" name="date" type="date" value={date} required />
        <Field label="Time" name="time" type="time" required />
        <div class="field">
          <label for="f-inout">In or out</label>
          <select id="f-inout" name="inout">
            <option value="">Paired in order</option>
            <option value="0">In</option>
            <option value="1">Out</option>
          </select>
        </div>
        <Field label="Reason" name="reason" required placeholder="Forgot to punch out" />
      </div>
      <div>
        <button type="submit" class="btn btn-primary">
          Add punch
        </button>
      </div>
    </form>
  );
}

/** Per punch: leave it out of the computation (the punch itself stays stored). */
export function ExcludeForm({ enrollid, date, punchId, csrf }: { enrollid: number; date: string; punchId: number; csrf: string }) {
  return (
    <form method="post" action={`${dayHref(enrollid, date)}/exclude`} class="rename-form" aria-label={`Exclude punch ${punchId}`}>
      <CsrfField token={csrf} />
      <input type="hidden" name="punchId" value={String(punchId)} />
      <input name="reason" placeholder="Reason" aria-label={`Reason to exclude punch ${punchId}`} required maxlength={500} />
      <button type="submit" class="btn btn-plain">
        Exclude
      </button>
    </form>
  );
}

export function RemoveCorrectionForm({ enrollid, date, id, csrf }: { enrollid: number; date: string; id: number; csrf: string }) {
  return (
    <form method="post" action={`${dayHref(enrollid, date)}/corrections/${id}/delete`} class="rename-form" aria-label={`Remove correction ${id}`}>
      <CsrfField token={csrf} />
      <input name="reason" placeholder="Reason" aria-label={`Reason to remove correction ${id}`} required maxlength={500} />
      <button type="submit" class="btn btn-danger">
        Remove
      </button>
    </form>
  );
}

export function AddLeaveForm({ enrollid, date, csrf, types }: { enrollid: number; date: string; csrf: string; types: LeaveType[] }) {
  if (types.length === 0) {
    return (
      <p class="muted">
        To record leave, <a href="/timesheets/leave-types">add a leave type</a> first.
      </p>
    );
  }
  return (
    <form method="post" action={`${dayHref(enrollid, date)}/leave`} class="panel ts-form" aria-label="Add leave">
      <h2>Add leave</h2>
      <CsrfField token={csrf} />
      <div class="ts-grid">
        <div class="field">
          <label for="f-type">Type</label>
          <select id="f-type" name="type">
            {types.map((t) => (
              <option value={String(t.id)}>{t.name}</option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="f-part">How much</label>
          <select id="f-part" name="part">
            <option value="day">Whole day</option>
            <option value="first">First half</option>
            <option value="second">Second half</option>
            <option value="minutes">Minutes (below)</option>
          </select>
        </div>
        <Field label="Minutes" name="minutes" type="number" min={1} max={1440} />
      </div>
      <div>
        <button type="submit" class="btn btn-primary">
          Add leave
        </button>
      </div>
    </form>
  );
}
