/** The views of Timesheets → Departments, Holidays and Leave types (the handlers: ui/pages/timesheet-lists.tsx). */
import type { HolidayRow } from "../../store/timesheets-contract.ts";
import type { Department, LeaveType } from "../../timesheets/types.ts";
import { ActionButton, Badge, EmptyState, Field } from "../components.tsx";
import { CsrfField } from "../layout.tsx";
import { Table } from "../table.tsx";

export function DepartmentRows({ departments, admin, csrf }: { departments: Department[]; admin: boolean; csrf: string }) {
  return (
    <Table
      rows={departments}
      label="Departments"
      row={(d) => ({ "data-department": d.name })}
      empty={<EmptyState title="No departments yet">A department groups people for schedules, holidays and the summary.</EmptyState>}
      columns={[
        {
          head: "Name",
          cell: (d) =>
            admin ? (
              <form method="post" action={`/timesheets/departments/${d.id}`} class="rename-form" aria-label={`Rename ${d.name}`}>
                <CsrfField token={csrf} />
                <input name="name" value={d.name} aria-label="Department name" required maxlength={100} />
                <button type="submit" class="btn btn-plain">
                  Rename
                </button>
              </form>
            ) : (
              d.name
            ),
        },
        { head: "Summary", cell: (d) => <a href={`/timesheets/summary?departmentId=${d.id}`}>This month</a> },
        admin && {
          class: "row-actions",
          cell: (d) => <ActionButton action={`/timesheets/departments/${d.id}/delete`} csrf={csrf} label="Delete" tone="danger" confirm={`Delete the department ${d.name}?`} />,
        },
      ]}
    />
  );
}

export function HolidayRows({ holidays, names, admin, csrf }: { holidays: HolidayRow[]; names: Map<number, string>; admin: boolean; csrf: string }) {
  return (
    <Table
      rows={holidays}
      label="Holidays"
      row={(h) => ({ "data-holiday": h.date })}
      empty={<EmptyState title="No holidays yet">On a holiday nobody is late or absent; work done counts as overtime.</EmptyState>}
      columns={[
        { head: "Date", class: "nowrap", cell: (h) => h.date },
        { head: "Name", cell: (h) => h.name },
        { head: "For", cell: (h) => (h.departmentIds && h.departmentIds.length > 0 ? h.departmentIds.map((id) => names.get(id) ?? `#${id}`).join(", ") : "Everyone") },
        admin && {
          class: "row-actions",
          cell: (h) => (
            <>
              <a href={`/timesheets/holidays/${h.id}`} class="btn btn-plain" aria-label={`Change ${h.name} (${h.date})`}>
                Change
              </a>{" "}
              <ActionButton action={`/timesheets/holidays/${h.id}/delete`} csrf={csrf} label="Delete" tone="danger" confirm={`Delete the holiday ${h.name} (${h.date})?`} />
            </>
          ),
        },
      ]}
    />
  );
}

/**
 * An admin edits a type in its row: the row's form sits in the Name cell and the flags' boxes and
 * Save in the other cells belong to it by HTML's `form` attribute (a form cannot wrap table cells).
 */
export function LeaveTypeRows({ types, admin, csrf }: { types: LeaveType[]; admin: boolean; csrf: string }) {
  const formId = (t: LeaveType) => `leave-type-${t.id}`;
  return (
    <Table
      rows={types}
      label="Leave types"
      row={(t) => ({ "data-leave-type": t.name })}
      empty={<EmptyState title="No leave types yet">For example Vacation (paid, counts as worked), Sick leave, Unpaid leave.</EmptyState>}
      columns={[
        {
          head: "Name",
          cell: (t) =>
            admin ? (
              <form method="post" action={`/timesheets/leave-types/${t.id}`} id={formId(t)} class="rename-form" aria-label={`Change ${t.name}`}>
                <CsrfField token={csrf} />
                <input name="name" value={t.name} aria-label="Leave type name" required maxlength={100} />
              </form>
            ) : (
              t.name
            ),
        },
        {
          head: "Paid",
          cell: (t) =>
            admin ? <input type="checkbox" name="paid" form={formId(t)} checked={t.paid} aria-label={`${t.name} is paid`} /> : t.paid ? <Badge tone="ok">Paid</Badge> : <Badge tone="muted">Unpaid</Badge>,
        },
        {
          head: "Counts as worked",
          cell: (t) => (admin ? <input type="checkbox" name="countsAsWorked" form={formId(t)} checked={t.countsAsWorked} aria-label={`${t.name} counts as worked`} /> : t.countsAsWorked ? "Yes" : "No"),
        },
        admin && {
          class: "row-actions",
          cell: (t) => (
            <>
              <button type="submit" form={formId(t)} class="btn btn-plain" aria-label={`Save ${t.name}`}>
                Save
              </button>{" "}
              <ActionButton action={`/timesheets/leave-types/${t.id}/delete`} csrf={csrf} label="Delete" tone="danger" confirm={`Delete the leave type ${t.name}?`} />
            </>
          ),
        },
      ]}
    />
  );
}

/** Adds a holiday, or changes one: its date, name and the departments it is limited to. */
export function HolidayForm({ holiday, departments, csrf }: { holiday: HolidayRow | null; departments: Department[]; csrf: string }) {
  const limited = new Set(holiday?.departmentIds ?? []);
  return (
    <form method="post" action={holiday ? `/timesheets/holidays/${holiday.id}` : "/timesheets/holidays"} class="panel ts-form" aria-label={holiday ? "Change the holiday" : "Add a holiday"}>
      <CsrfField token={csrf} />
      <div class="ts-grid">
        <Field label="Date" name="date" type="date" value={holiday?.date} required />
        <Field label="Name" name="name" value={holiday?.name} required />
      </div>
      {departments.length > 0 ? (
        <fieldset>
          <legend>Only for (none ticked: everyone)</legend>
          <div class="checks">
            {departments.map((d) => (
              <label>
                <input type="checkbox" name="departmentId" value={String(d.id)} checked={limited.has(d.id)} /> {d.name}
              </label>
            ))}
          </div>
        </fieldset>
      ) : null}
      <div>
        <button type="submit" class="btn btn-primary">
          {holiday ? "Save holiday" : "Add holiday"}
        </button>
      </div>
    </form>
  );
}
