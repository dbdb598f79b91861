/**
 * Timesheets → Departments, Holidays and Leave types: short lists, each with an add form and, per
 * row, rename or delete; and a person's department, set from their page. Every change is a use case of src/app/timesheets/ (validated, audited,
 * the affected days recomputed), as through the API.
 */
import { type Context, Hono } from "hono";
import type { Child } from "hono/jsx";
import { createDepartment, deleteDepartment, renameDepartment, setPersonDepartment } from "../../app/timesheets/departments.ts";
import { createHoliday, deleteHoliday, updateHoliday } from "../../app/timesheets/holidays.ts";
import { createLeaveType, deleteLeaveType, updateLeaveType } from "../../app/timesheets/leave.ts";
import { actorOf, formOf, requireAdmin } from "../auth-guard.ts";
import { Field } from "../components.tsx";
import type { UiDeps, UiEnv } from "../env.ts";
import { redirectWith } from "../flash.ts";
import { CsrfField, page } from "../layout.tsx";
import { idParam, TimesheetTabs } from "../timesheets/area.tsx";
import { DepartmentRows, HolidayForm, HolidayRows, LeaveTypeRows } from "../timesheets/list-views.tsx";
import { FormReader } from "../timesheets/form.ts";


/** The holiday form as the use cases' input (no department ticked: everyone), or its first problem. */
function holidayInputOf(form: FormData): { input: { date: string; name: string; departmentIds: number[] } } | { problem: string } {
  const fields: Record<string, string> = {};
  for (const [k, v] of form.entries()) if (typeof v === "string") fields[k] = v;
  const f = new FormReader(fields);
  const date = f.date("date", "Date", true);
  const name = f.text("name", "Name", true);
  const departmentIds = f.ints(form.getAll("departmentId").map(String), "Only for", 1, Number.MAX_SAFE_INTEGER);
  if (f.problem || date === undefined || name === undefined) return { problem: f.problem ?? "Date: fill this in" };
  return { input: { date, name, departmentIds } };
}

/** What every list page here shares: the deps, the page shell with the tabs, and who is asking. */
interface ListKit {
  deps: UiDeps;
  ts: UiDeps["timesheets"];
  shell(c: Context<UiEnv>, tab: "departments" | "holidays" | "leave-types", body: Child): Response | Promise<Response>;
  who(c: Context<UiEnv>): { admin: boolean; csrf: string };
}

function departmentRoutes(app: Hono<UiEnv>, { deps, ts, shell, who }: ListKit) {
  app.get("/timesheets/departments", async (c) => {
    const { admin, csrf } = who(c);
    return shell(c, "departments", (
      <>
        {admin ? (
          <form method="post" action="/timesheets/departments" class="inline-fields panel" aria-label="Add a department">
            <CsrfField token={csrf} />
            <Field label="New department" name="name" required />
            <button type="submit" class="btn btn-primary">
              Add department
            </button>
          </form>
        ) : null}
        <DepartmentRows departments={await deps.store.timesheets.departments()} admin={admin} csrf={csrf} />
      </>
    ));
  });
  app.post("/timesheets/departments", requireAdmin(), async (c) => {
    const department = await createDepartment(ts, actorOf(c), { name: (await formOf(c)).name ?? "" });
    return redirectWith(c, "/timesheets/departments", "ok", `Department ${department.name} added.`);
  });
  app.post("/timesheets/departments/:id", requireAdmin(), async (c) => {
    const department = await renameDepartment(ts, actorOf(c), idParam(c), { name: (await formOf(c)).name ?? "" });
    return redirectWith(c, "/timesheets/departments", "ok", `Renamed to ${department.name}.`);
  });
  app.post("/timesheets/departments/:id/delete", requireAdmin(), async (c) => {
    await deleteDepartment(ts, actorOf(c), idParam(c));
    return redirectWith(c, "/timesheets/departments", "ok", "Department deleted.");
  });

  // From a person's page (its Timesheet panel): the department from a date on.
  app.post("/people/:id/department", requireAdmin(), async (c) => {
    const id = idParam(c);
    const f = new FormReader(await formOf(c));
    const departmentId = f.int("departmentId", "Department", 1, Number.MAX_SAFE_INTEGER) ?? null;
    const from = f.date("from", "From", true);
    if (f.problem) return redirectWith(c, `/people/${id}`, "error", f.problem);
    await setPersonDepartment(ts, actorOf(c), id, { departmentId, ...(from ? { from } : {}) });
    return redirectWith(c, `/people/${id}`, "ok", departmentId === null ? `No department from ${from}.` : `Department set from ${from}; the days since are being recomputed.`);
  });

}

function holidayRoutes(app: Hono<UiEnv>, { deps, ts, shell, who }: ListKit) {
  app.get("/timesheets/holidays", async (c) => {
    const { admin, csrf } = who(c);
    const [holidays, departments] = await Promise.all([deps.store.timesheets.holidays(), deps.store.timesheets.departments()]);
    return shell(c, "holidays", (
      <>
        {admin ? <HolidayForm holiday={null} departments={departments} csrf={csrf} /> : null}
        <HolidayRows holidays={holidays} names={new Map(departments.map((d) => [d.id, d.name]))} admin={admin} csrf={csrf} />
      </>
    ));
  });
  app.get("/timesheets/holidays/:id{[0-9]+}", requireAdmin(), async (c) => {
    const [holidays, departments] = await Promise.all([deps.store.timesheets.holidays(), deps.store.timesheets.departments()]);
    const holiday = holidays.find((h) => h.id === idParam(c));
    if (!holiday) return c.text("No such holiday.", 404);
    return shell(c, "holidays", (
      <>
        <p>
          <a href="/timesheets/holidays">← All holidays</a>
        </p>
        <HolidayForm holiday={holiday} departments={departments} csrf={who(c).csrf} />
      </>
    ));
  });
  app.post("/timesheets/holidays", requireAdmin(), async (c) => {
    const read = holidayInputOf(await c.req.formData());
    if ("problem" in read) return redirectWith(c, "/timesheets/holidays", "error", read.problem);
    const { departmentIds, ...rest } = read.input;
    const holiday = await createHoliday(ts, actorOf(c), { ...rest, ...(departmentIds.length > 0 ? { departmentIds } : {}) });
    return redirectWith(c, "/timesheets/holidays", "ok", `Holiday ${holiday.name} on ${holiday.date} added.`);
  });
  app.post("/timesheets/holidays/:id{[0-9]+}", requireAdmin(), async (c) => {
    const id = idParam(c);
    const read = holidayInputOf(await c.req.formData());
    if ("problem" in read) return redirectWith(c, `/timesheets/holidays/${id}`, "error", read.problem);
    const holiday = await updateHoliday(ts, actorOf(c), id, read.input);
    return redirectWith(c, "/timesheets/holidays", "ok", `Holiday ${holiday.name} on ${holiday.date} saved.`);
  });
  app.post("/timesheets/holidays/:id/delete", requireAdmin(), async (c) => {
    await deleteHoliday(ts, actorOf(c), idParam(c));
    return redirectWith(c, "/timesheets/holidays", "ok", "Holiday deleted.");
  });

}

function leaveTypeRoutes(app: Hono<UiEnv>, { deps, ts, shell, who }: ListKit) {
  app.get("/timesheets/leave-types", async (c) => {
    const { admin, csrf } = who(c);
    return shell(c, "leave-types", (
      <>
        {admin ? (
          <form method="post" action="/timesheets/leave-types" class="panel ts-form" aria-label="Add a leave type">
            <CsrfField token={csrf} />
            <div class="ts-grid">
              <Field label="Name" name="name" required />
              <div class="field field-check">
                <input type="checkbox" id="f-paid" name="paid" checked />
                <label for="f-paid">Paid</label>
              </div>
              <div class="field field-check">
                <input type="checkbox" id="f-worked" name="countsAsWorked" />
                <label for="f-worked">Counts as worked time</label>
              </div>
            </div>
            <div>
              <button type="submit" class="btn btn-primary">
                Add leave type
              </button>
            </div>
          </form>
        ) : null}
        <LeaveTypeRows types={await deps.store.timesheets.leaveTypes()} admin={admin} csrf={csrf} />
      </>
    ));
  });
  app.post("/timesheets/leave-types", requireAdmin(), async (c) => {
    const f = new FormReader(await formOf(c));
    const name = f.text("name", "Name", true);
    if (f.problem) return redirectWith(c, "/timesheets/leave-types", "error", f.problem);
    const type = await createLeaveType(ts, actorOf(c), { name, paid: f.checked("paid"), countsAsWorked: f.checked("countsAsWorked") });
    return redirectWith(c, "/timesheets/leave-types", "ok", `Leave type ${type.name} added.`);
  });
  app.post("/timesheets/leave-types/:id", requireAdmin(), async (c) => {
    const f = new FormReader(await formOf(c));
    const name = f.text("name", "Leave type name", true);
    if (f.problem) return redirectWith(c, "/timesheets/leave-types", "error", f.problem);
    const type = await updateLeaveType(ts, actorOf(c), idParam(c), { name, paid: f.checked("paid"), countsAsWorked: f.checked("countsAsWorked") });
    return redirectWith(c, "/timesheets/leave-types", "ok", `${type.name}: ${type.paid ? "paid" : "unpaid"}, ${type.countsAsWorked ? "counts as worked time" : "not worked time"}.`);
  });
  app.post("/timesheets/leave-types/:id/delete", requireAdmin(), async (c) => {
    await deleteLeaveType(ts, actorOf(c), idParam(c));
    return redirectWith(c, "/timesheets/leave-types", "ok", "Leave type deleted.");
  });

}

export function timesheetListPages(deps: UiDeps) {
  const app = new Hono<UiEnv>();
  const kit: ListKit = {
    deps,
    ts: deps.timesheets,
    shell: (c, tab, body) =>
      page(c, deps.settings.siteName, { title: "Timesheets", active: "timesheets" }, (
        <>
          <TimesheetTabs active={tab} />
          {body}
        </>
      )),
    who: (c) => ({ admin: c.get("user").role === "admin", csrf: c.get("session").csrfToken }),
  };
  departmentRoutes(app, kit);
  holidayRoutes(app, kit);
  leaveTypeRoutes(app, kit);
  return app;
}
