/**
 * Timesheets → Shifts: the list, and one form for a new or changed shift — fixed (start, end) or
 * flexible (required minutes, optional core hours) — with breaks, graces, rounding, overtime and
 * the day start. The form's fields are the API's (createShift/updateShift, src/app/timesheets/).
 */
import { type Context, Hono } from "hono";
import { createShift, deleteShift, type ShiftView, shiftView, updateShift } from "../../app/timesheets/shifts.ts";
import { hm } from "../../../web/components/timesheet-format.ts";
import { actorOf, formOf, requireAdmin } from "../auth-guard.ts";
import { ActionButton, EmptyState, Field } from "../components.tsx";
import type { UiDeps, UiEnv } from "../env.ts";
import { redirectWith } from "../flash.ts";
import { CsrfField, page } from "../layout.tsx";
import { Table } from "../table.tsx";
import { idParam, TimesheetTabs } from "../timesheets/area.tsx";
import { defined, FormReader } from "../timesheets/form.ts";

const MODES = ["nearest", "up", "down"] as const;

function describe(s: ShiftView): string {
  const hours = s.kind === "fixed" ? `${s.start}–${s.end}` : `flexible, ${hm(s.requiredMinutes ?? 0)} a day${s.coreStart ? `, core ${s.coreStart}–${s.coreEnd}` : ""}`;
  // Durations say "worked": beside a shift's clock times a bare "6:00" reads as six o'clock.
  const breaks = [...s.breaks.map((b) => `${b.start}–${b.end}`), ...(s.breakMinutes > 0 ? [`${s.breakMinutes} min once ${hm(s.breakAfterMinutes)} worked`] : [])];
  const overtime = [...(s.overtimeAfterEnd ? ["after the end"] : []), ...(s.overtimeAfterMinutes !== null ? [`beyond ${hm(s.overtimeAfterMinutes)} worked a day`] : [])];
  const grace = `grace ${s.lateGraceMinutes} min late, ${s.earlyGraceMinutes} min early`;
  return [hours, breaks.length ? `breaks ${breaks.join(", ")}` : "", grace, overtime.length ? `overtime ${overtime.join(", ")}` : ""].filter(Boolean).join(" · ");
}

function RoundingFields({ side, label, value }: { side: "in" | "out"; label: string; value: { step: number; mode: string } | undefined }) {
  return (
    <>
      <Field label={`${label} rounding step (minutes)`} name={`round_${side}_step`} type="number" min={1} max={60} value={value?.step} hint="Blank: no rounding." />
      <div class="field">
        <label for={`f-round_${side}_mode`}>{label} rounding</label>
        <select id={`f-round_${side}_mode`} name={`round_${side}_mode`}>
          {MODES.map((m) => (
            <option value={m} selected={(value?.mode ?? (side === "in" ? "up" : "down")) === m}>
              {m}
            </option>
          ))}
        </select>
      </div>
    </>
  );
}

function ShiftForm({ shift, csrf }: { shift: ShiftView | null; csrf: string }) {
  const b = (i: number) => shift?.breaks[i];
  return (
    <form method="post" action={shift ? `/timesheets/shifts/${shift.id}` : "/timesheets/shifts"} class="panel ts-form" aria-label={shift ? "Change the shift" : "New shift"}>
      <CsrfField token={csrf} />
      <div class="ts-grid">
        <Field label="Name" name="name" value={shift?.name} required />
        <div class="field">
          <label for="f-kind">Kind</label>
          <select id="f-kind" name="kind">
            <option value="fixed" selected={shift?.kind !== "flexible"}>Fixed (start and end)</option>
            <option value="flexible" selected={shift?.kind === "flexible"}>Flexible (required hours)</option>
          </select>
        </div>
      </div>
      <fieldset>
        <legend>Fixed shift</legend>
        <div class="ts-grid">
          <Field label="Start" name="start" type="time" value={shift?.start} hint="An end before the start crosses midnight." />
          <Field label="End" name="end" type="time" value={shift?.end} />
          <div class="field field-check">
            <input type="checkbox" id="f-early" name="countEarlyArrival" checked={shift?.countEarlyArrival ?? false} />
            <label for="f-early">Count time before the start</label>
          </div>
        </div>
      </fieldset>
      <fieldset>
        <legend>Flexible shift</legend>
        <div class="ts-grid">
          <Field label="Required minutes" name="requiredMinutes" type="number" min={1} max={1440} value={shift?.requiredMinutes} />
          <Field label="Core start" name="coreStart" type="time" value={shift?.coreStart} hint="Optional: arriving later is late." />
          <Field label="Core end" name="coreEnd" type="time" value={shift?.coreEnd} />
        </div>
      </fieldset>
      <fieldset>
        <legend>Breaks and graces</legend>
        <div class="ts-grid">
          <Field label="Break 1 start" name="break1_start" type="time" value={b(0)?.start} />
          <Field label="Break 1 end" name="break1_end" type="time" value={b(0)?.end} />
          <Field label="Break 2 start" name="break2_start" type="time" value={b(1)?.start} />
          <Field label="Break 2 end" name="break2_end" type="time" value={b(1)?.end} />
          <Field label="Automatic break (minutes)" name="breakMinutes" type="number" min={0} max={1440} value={shift?.breakMinutes} />
          <Field label="after worked minutes" name="breakAfterMinutes" type="number" min={0} max={1440} value={shift?.breakAfterMinutes} />
          <Field label="Late grace (minutes)" name="lateGraceMinutes" type="number" min={0} max={1440} value={shift?.lateGraceMinutes ?? 0} />
          <Field label="Early-leave grace (minutes)" name="earlyGraceMinutes" type="number" min={0} max={1440} value={shift?.earlyGraceMinutes ?? 0} />
        </div>
      </fieldset>
      <fieldset>
        <legend>Rounding and overtime</legend>
        <div class="ts-grid">
          <RoundingFields side="in" label="In" value={shift?.rounding?.in} />
          <RoundingFields side="out" label="Out" value={shift?.rounding?.out} />
          <div class="field field-check">
            <input type="checkbox" id="f-ot-end" name="overtimeAfterEnd" checked={shift?.overtimeAfterEnd ?? false} />
            <label for="f-ot-end">Overtime after the end</label>
          </div>
          <Field label="Overtime beyond (minutes a day)" name="overtimeAfterMinutes" type="number" min={0} max={1440} value={shift?.overtimeAfterMinutes} />
          <Field label="Overtime minimum (minutes)" name="overtimeMinimumMinutes" type="number" min={0} max={1440} value={shift?.overtimeMinimumMinutes} />
          <Field label="Day start" name="dayStart" type="time" value={shift?.dayStart} hint="Blank: midnight, or a night shift's off-duty middle." />
        </div>
      </fieldset>
      <div>
        <button type="submit" class="btn btn-primary">
          {shift ? "Save shift" : "Add shift"}
        </button>
      </div>
    </form>
  );
}

/**
 * The form as createShift/updateShift's input, or the first problem, labelled. On a change
 * (`clearing`) an optional field left blank is null, which clears what is stored.
 */
function shiftInputOf(form: Record<string, string>, clearing: boolean): { input: Record<string, unknown> } | { problem: string } {
  const f = new FormReader(form);
  const blank = clearing ? null : undefined;
  const kind = f.choice("kind", "Kind", ["fixed", "flexible"] as const);
  const breaks = [1, 2].flatMap((i) => {
    const start = f.time(`break${i}_start`, `Break ${i} start`);
    const end = f.time(`break${i}_end`, `Break ${i} end`);
    if ((start === undefined) !== (end === undefined)) f.fail(`Break ${i}`, "give both its start and its end");
    return start && end ? [{ start, end }] : [];
  });
  const rounding = (side: "in" | "out", label: string) => {
    const step = f.int(`round_${side}_step`, `${label} rounding step (minutes)`, 1, 60);
    const mode = f.choice(`round_${side}_mode`, `${label} rounding`, MODES);
    return step === undefined || mode === undefined ? undefined : { step, mode };
  };
  const fixed = kind === "fixed";
  const input = defined({
    name: f.text("name", "Name", true),
    kind,
    start: fixed ? f.time("start", "Start", true) : undefined,
    end: fixed ? f.time("end", "End", true) : undefined,
    countEarlyArrival: fixed ? f.checked("countEarlyArrival") : undefined,
    requiredMinutes: fixed ? undefined : f.int("requiredMinutes", "Required minutes", 1, 1440, true),
    coreStart: fixed ? undefined : f.time("coreStart", "Core start") ?? blank,
    coreEnd: fixed ? undefined : f.time("coreEnd", "Core end") ?? blank,
    breaks,
    breakMinutes: f.int("breakMinutes", "Automatic break (minutes)", 0, 1440) ?? 0,
    breakAfterMinutes: f.int("breakAfterMinutes", "after worked minutes", 0, 1440) ?? blank,
    lateGraceMinutes: f.int("lateGraceMinutes", "Late grace (minutes)", 0, 1440) ?? 0,
    earlyGraceMinutes: f.int("earlyGraceMinutes", "Early-leave grace (minutes)", 0, 1440) ?? 0,
    rounding: defined({ in: rounding("in", "In"), out: rounding("out", "Out") }),
    overtimeAfterEnd: f.checked("overtimeAfterEnd"),
    overtimeAfterMinutes: f.int("overtimeAfterMinutes", "Overtime beyond (minutes a day)", 0, 1440) ?? blank,
    overtimeMinimumMinutes: f.int("overtimeMinimumMinutes", "Overtime minimum (minutes)", 0, 1440) ?? blank,
    dayStart: f.time("dayStart", "Day start") ?? blank,
  });
  return f.problem ? { problem: f.problem } : { input };
}

/** The shifts, and the form: a new shift's, or the one being changed. */
function ShiftsView({ shifts, editing, admin, csrf }: { shifts: ShiftView[]; editing: ShiftView | null; admin: boolean; csrf: string }) {
  return (
    <>
      <TimesheetTabs active="shifts" />
      <Table
        label="Shifts"
        empty={<EmptyState title="No shifts yet">A shift says when work starts and ends, its breaks, graces, rounding and overtime.</EmptyState>}
        rows={shifts}
        row={(s) => ({ "data-shift": s.name })}
        columns={[
          { head: "Shift", cell: (s) => <a href={`/timesheets/shifts/${s.id}`}>{s.name}</a> },
          { head: "Hours", class: "muted", cell: describe },
          admin && {
            class: "row-actions",
            cell: (s) => <ActionButton action={`/timesheets/shifts/${s.id}/delete`} csrf={csrf} label="Delete" tone="danger" confirm={`Delete the shift ${s.name}?`} />,
          },
        ]}
      />
      {admin ? (
        <>
          <h2>{editing ? `Change ${editing.name}` : "New shift"}</h2>
          <ShiftForm shift={editing} csrf={csrf} />
        </>
      ) : null}
    </>
  );
}

export function timesheetShiftPages(deps: UiDeps) {
  const app = new Hono<UiEnv>();
  const ts = deps.timesheets;
  const shell = async (c: Context<UiEnv>, editing: ShiftView | null) => {
    const shifts = (await deps.store.timesheets.shifts()).map(shiftView);
    const view = <ShiftsView shifts={shifts} editing={editing} admin={c.get("user").role === "admin"} csrf={c.get("session").csrfToken} />;
    return page(c, deps.settings.siteName, { title: editing ? `Shift ${editing.name}` : "Timesheets", active: "timesheets" }, view);
  };

  app.get("/timesheets/shifts", (c) => shell(c, null));
  app.get("/timesheets/shifts/:id{[0-9]+}", async (c) => {
    const shift = (await deps.store.timesheets.shifts()).find((s) => s.id === idParam(c));
    return shift ? shell(c, shiftView(shift)) : c.text("No such shift.", 404);
  });
  app.post("/timesheets/shifts", requireAdmin(), async (c) => {
    const read = shiftInputOf(await formOf(c), false);
    if ("problem" in read) return redirectWith(c, "/timesheets/shifts", "error", read.problem);
    const shift = await createShift(ts, actorOf(c), read.input);
    return redirectWith(c, "/timesheets/shifts", "ok", `Shift ${shift.name} added.`);
  });
  app.post("/timesheets/shifts/:id", requireAdmin(), async (c) => {
    const id = idParam(c);
    const read = shiftInputOf(await formOf(c), true);
    if ("problem" in read) return redirectWith(c, `/timesheets/shifts/${id}`, "error", read.problem);
    const shift = await updateShift(ts, actorOf(c), id, read.input);
    return redirectWith(c, "/timesheets/shifts", "ok", `Shift ${shift.name} saved; the days it applies to are being recomputed.`);
  });
  app.post("/timesheets/shifts/:id/delete", requireAdmin(), async (c) => {
    await deleteShift(ts, actorOf(c), idParam(c));
    return redirectWith(c, "/timesheets/shifts", "ok", "Shift deleted.");
  });
  return app;
}
