/**
 * A person's month as a calendar (weeks from Monday): each day's stored result with its punches
 * (a thumbnail for each one a face terminal photographed); a day links to its own page, where
 * corrections and leave are added.
 */
import { datesBetween, weekday } from "../../timesheets/calendar.ts";
import type { DayResult, LeaveEntry, LeaveType, RawPunch } from "../../timesheets/types.ts";
import { PunchPhoto } from "../components.tsx";
import { type MonthRange, plannedHours } from "./area.tsx";
import { DayFigures, leaveEntryText, leaveText, StatusBadge } from "./day-parts.tsx";

const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

export interface MonthData {
  enrollid: number;
  range: MonthRange;
  days: Map<string, DayResult>;
  /** Punches by their site-local date. */
  punches: Map<string, RawPunch[]>;
  /** Leave entries by date: shown on days without a result too, so leave planned ahead is in the month. */
  leave: Map<string, LeaveEntry[]>;
  photos: Set<number>;
  leaveTypes: ReadonlyMap<number, LeaveType>;
  shiftNames: ReadonlyMap<number, string>;
  /** The site's date today: later days have no result yet, and say nothing; nor does today before it is due (`isDue`). */
  today: string;
}

function DayCell({ date, data }: { date: string; data: MonthData }) {
  const day = data.days.get(date);
  const punches = data.punches.get(date) ?? [];
  const href = `/timesheets/people/${data.enrollid}/days/${date}`;
  return (
    <td class={`cal-day${day ? ` cal-${day.status}` : ""}`} data-date={date}>
      <a class="cal-date" href={href} aria-label={`Open ${date}`}>
        {Number(date.slice(8, 10))}
      </a>
      {day ? (
        <>
          <StatusBadge day={day} />
          {day.shiftId !== null ? (
            <p class="cal-shift muted">
              {data.shiftNames.get(day.shiftId) ?? `Shift #${day.shiftId}`} {plannedHours(day) ?? ""}
            </p>
          ) : null}
          {day.holiday ? <p class="cal-note">{day.holiday}</p> : null}
          {day.leave.length > 0 ? <p class="cal-note">{leaveText(day, data.leaveTypes)}</p> : null}
          {day.firstIn !== null || day.workedMinutes > 0 ? <DayFigures day={day} /> : null}
        </>
      ) : (data.leave.get(date) ?? []).length > 0 ? (
        <p class="cal-note" data-planned-leave>
          {(data.leave.get(date) ?? []).map((l) => leaveEntryText(l, data.leaveTypes)).join(", ")}
        </p>
      ) : date < data.today ? (
        <p class="muted cal-none">No result</p>
      ) : null}
      {punches.some((p) => data.photos.has(p.id)) ? (
        <div class="cal-photos">
          {punches
            .filter((p) => data.photos.has(p.id))
            .map((p) => (
              <PunchPhoto id={p.id} time={p.time} />
            ))}
        </div>
      ) : null}
    </td>
  );
}

export function MonthCalendar({ data }: { data: MonthData }) {
  const dates = datesBetween(data.range.from, data.range.to);
  const cells: Array<string | null> = [...Array.from({ length: weekday(data.range.from) - 1 }, () => null), ...dates];
  while (cells.length % 7 !== 0) cells.push(null);
  const weeks = Array.from({ length: cells.length / 7 }, (_, i) => cells.slice(i * 7, i * 7 + 7));
  return (
    <div class="table-wrap">
      <table class="calendar" aria-label={`Month ${data.range.month}`}>
        <thead>
          <tr>
            {WEEKDAYS.map((d) => (
              <th scope="col">{d}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {weeks.map((week) => (
            <tr>{week.map((date) => (date === null ? <td class="cal-blank" /> : <DayCell date={date} data={data} />))}</tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
