/** What a person's month shows, read from the store: stored results, punches and their photos, names. */
import { addDays } from "../../timesheets/calendar.ts";
import { summarize } from "../../timesheets/summary.ts";
import type { LeaveEntry, RawPunch } from "../../timesheets/types.ts";
import type { UiDeps } from "../env.ts";
import { type MonthRange, storedDays } from "./area.tsx";
import type { MonthData } from "./month-calendar.tsx";

export async function loadMonth(deps: Pick<UiDeps, "store" | "settings" | "now">, enrollid: number, range: MonthRange): Promise<MonthData & { summary: ReturnType<typeof summarize> }> {
  const ts = deps.store.timesheets;
  const [days, punches, leaveTypes, shifts, leave] = await Promise.all([
    storedDays(deps.store, { from: range.from, to: range.to, enrollid }),
    ts.punchesOf(enrollid, range.from, addDays(range.to, 1)),
    ts.leaveTypes(),
    ts.shifts(),
    ts.leave({ enrollid, from: range.from, to: range.to }),
  ]);
  const byDate = new Map<string, RawPunch[]>();
  for (const p of punches) {
    const date = p.time.slice(0, 10);
    const list = byDate.get(date);
    if (list) list.push(p);
    else byDate.set(date, [p]);
  }
  const types = new Map(leaveTypes.map((t) => [t.id, t]));
  const leaveByDate = new Map<string, LeaveEntry[]>();
  for (const l of leave) leaveByDate.set(l.date, [...(leaveByDate.get(l.date) ?? []), l]);
  return {
    enrollid,
    range,
    days: new Map(days.map((d) => [d.date, d])),
    punches: byDate,
    leave: leaveByDate,
    photos: await deps.store.withPhotos(punches.map((p) => p.id)),
    leaveTypes: types,
    shiftNames: new Map(shifts.map((s) => [s.id, s.name])),
    summary: summarize(enrollid, days, types),
    today: deps.settings.clock.format(deps.now()).slice(0, 10),
  };
}
