/** Pieces of a daily result as the month calendar, the day page and the print sheet show them. */
import { clockOf, hm, statusOf } from "../../../web/components/timesheet-format.ts";
import type { DayResult, LeaveEntry, LeaveType } from "../../timesheets/types.ts";
import type { PeriodSummary } from "../../timesheets/summary.ts";
import { Badge } from "../components.tsx";

export function StatusBadge({ day }: { day: Pick<DayResult, "status" | "missingPunch" | "manual"> }) {
  const s = statusOf(day.status);
  return (
    <span class="day-status">
      <Badge tone={s.tone}>{s.label}</Badge>
      {day.missingPunch && day.status !== "missing_punch" ? <Badge tone="error">Missing punch</Badge> : null}
      {day.manual ? (
        <span class="badge badge-info manual-mark" title="A correction (added or excluded punch) changed this day">
          manual
        </span>
      ) : null}
    </span>
  );
}

/** "08:59–17:00"; a side without its punch says "missing", as the day's pairs do ("08:59–—" read as a typo). */
function inOut(day: DayResult): string {
  if (day.firstIn === null && day.lastOut === null) return "—";
  const side = (time: string | null) => (time === null ? "missing" : clockOf(time, day.date));
  return `${side(day.firstIn)}–${side(day.lastOut)}`;
}

/** First in → last out, the worked minutes, and late / early / overtime when there are any. */
export function DayFigures({ day }: { day: DayResult }) {
  return (
    <dl class="day-figures">
      <div>
        <dt>In–out</dt>
        <dd>{inOut(day)}</dd>
      </div>
      <div>
        <dt>Worked</dt>
        <dd data-figure="worked">{hm(day.workedMinutes)}</dd>
      </div>
      {day.lateMinutes > 0 ? (
        <div>
          <dt>Late</dt>
          <dd data-figure="late">{hm(day.lateMinutes)}</dd>
        </div>
      ) : null}
      {day.earlyLeaveMinutes > 0 ? (
        <div>
          <dt>Early</dt>
          <dd data-figure="early">{hm(day.earlyLeaveMinutes)}</dd>
        </div>
      ) : null}
      {day.overtimeMinutes > 0 ? (
        <div>
          <dt>Overtime</dt>
          <dd data-figure="overtime">{hm(day.overtimeMinutes)}</dd>
        </div>
      ) : null}
    </dl>
  );
}

/** The leave entries of a day, by type name. */
export function leaveText(day: DayResult, types: ReadonlyMap<number, LeaveType>): string {
  return day.leave.map((l) => `${types.get(l.typeId)?.name ?? `Leave #${l.typeId}`}${l.days === 1 ? "" : l.days === 0.5 ? " (half day)" : ` (${hm(l.minutes)})`}`).join(", ");
}

/** One leave entry as the admin gave it: "Vacation: whole day", "Sick leave: first half", "Doctor: 2:00". */
export function leaveEntryText(l: LeaveEntry, types: ReadonlyMap<number, LeaveType>): string {
  return `${types.get(l.typeId)?.name ?? `Leave #${l.typeId}`}: ${l.part.kind === "day" ? "whole day" : l.part.kind === "half" ? `${l.part.half} half` : hm(l.part.minutes)}`;
}

/** A period's totals, as payroll reads them (src/timesheets/summary.ts). */
export function SummaryTotals({ summary }: { summary: PeriodSummary }) {
  const items: Array<[string, string]> = [
    ["Days worked", String(summary.daysWorked)],
    ["Worked", hm(summary.workedMinutes)],
    ["Planned", hm(summary.expectedMinutes)],
    ["Overtime", hm(summary.overtimeMinutes)],
    ["Late", `${summary.lateCount} × · ${hm(summary.lateMinutes)}`],
    ["Early leave", `${summary.earlyLeaveCount} × · ${hm(summary.earlyLeaveMinutes)}`],
    ["Absences", String(summary.absences)],
    ["Missing punch", String(summary.missingPunchDays)],
    ["Holidays", String(summary.holidays)],
    ["Leave days", String(summary.leaveDays)],
    ["Corrected days", String(summary.manualDays)],
    ...summary.leave.map((l): [string, string] => [l.name ?? `Leave #${l.typeId}`, `${l.days} d · ${hm(l.minutes)}${l.paid ? "" : " (unpaid)"}`]),
  ];
  return (
    <dl class="totals" aria-label="Totals">
      {items.map(([k, v]) => (
        <div>
          <dt>{k}</dt>
          <dd data-total={k}>{v}</dd>
        </div>
      ))}
    </dl>
  );
}
