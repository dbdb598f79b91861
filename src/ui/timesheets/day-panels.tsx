/**
 * The panels of one day's page (pages/timesheet-day.tsx): its result with the pairs, the punches
 * that can belong to it, its corrections and its leave, each drawn from the day's data as loaded.
 */
import { clockOf, hm } from "../../../web/components/timesheet-format.ts";
import type { CorrectionRow } from "../../store/timesheets-contract.ts";
import type { DayResult, LeaveEntry, LeaveType, RawPunch } from "../../timesheets/types.ts";
import { ActionButton, EmptyState, PunchPhoto, siteTime } from "../components.tsx";
import type { UiDeps } from "../env.ts";
import { inoutLabel } from "../labels.ts";
import { Table } from "../table.tsx";
import { plannedHours } from "./area.tsx";
import { DayFigures, leaveEntryText, leaveText, StatusBadge } from "./day-parts.tsx";
import { dayHref, ExcludeForm, RemoveCorrectionForm } from "./day-forms.tsx";

export interface DayData {
  enrollid: number;
  date: string;
  day: DayResult | null;
  punches: RawPunch[];
  photos: Set<number>;
  corrections: CorrectionRow[];
  /** Who made a correction, in words. */
  by: (actor: string) => string;
  leave: LeaveEntry[];
  leaveTypes: ReadonlyMap<number, LeaveType>;
  terminals: ReadonlyMap<string, string>;
  /** After the site's today: no result yet, by nature. */
  ahead: boolean;
  /** The site's today: someone not yet in has no result until arriving would be late (`isDue`). */
  isToday: boolean;
  /** The session's CSRF token when the user may change things (an admin); null for a viewer. */
  csrf: string | null;
}

export function ResultPanel({ data }: { data: DayData }) {
  const day = data.day;
  // A day still ahead has no result by nature; "a rebuild computes it" would send the admin looking for a fault.
  if (!day && data.ahead) return <EmptyState title="This day is still ahead">Its result comes with its punches; leave can be entered already.</EmptyState>;
  if (!day && data.isToday) return <EmptyState title="Not yet due">No punch yet: the day has a result once an arrival would be late (the shift's start plus its grace), or with the first punch.</EmptyState>;
  if (!day) return <EmptyState title="No result stored for this day">Results appear as punches arrive; a rebuild computes any range again.</EmptyState>;
  return (
    <section class="panel" aria-label="Result">
      <StatusBadge day={day} />
      <p class="muted">
        {plannedHours(day) ? `Planned ${plannedHours(day)}, ${hm(day.expectedMinutes)}` : "No shift planned"}
        {day.holiday ? ` · Holiday: ${day.holiday}` : ""}
        {day.leave.length > 0 ? ` · Leave: ${leaveText(day, data.leaveTypes)}` : ""}
      </p>
      <DayFigures day={day} />
      {day.pairs.length > 0 ? (
        <Table
          label="Pairs"
          attrs={{ class: "table compact" }}
          rows={day.pairs}
          columns={[
            { head: "In", cell: (p) => (p.in ? clockOf(p.in, day.date) : <span class="tone-error">missing</span>) },
            { head: "Out", cell: (p) => (p.out ? clockOf(p.out, day.date) : day.inProgress ? <span class="muted">still in</span> : <span class="tone-error">missing</span>) },
            { cell: (p) => (p.manual ? <span class="badge badge-info manual-mark">manual</span> : null) },
          ]}
        />
      ) : null}
    </section>
  );
}

export function PunchesPanel({ data }: { data: DayData }) {
  const excluded = new Map(data.corrections.flatMap((c) => (c.kind === "exclude" ? [[c.punchId, c] as const] : [])));
  return (
    <section class="panel" aria-label="Punches">
      <h2>Punches</h2>
      <Table
        empty={<p class="muted">No punch stored for this day.</p>}
        attrs={{ class: "table compact" }}
        rows={data.punches}
        row={(p) => ({ "data-punch": p.id })}
        columns={[
          { head: "Time", class: "nowrap", cell: (p) => p.time },
          { head: "Terminal", cell: (p) => data.terminals.get(p.sn) ?? p.sn },
          { head: "In/out", cell: (p) => inoutLabel(p.inout) },
          { head: "Photo", cell: (p) => (data.photos.has(p.id) ? <PunchPhoto id={p.id} time={p.time} /> : null) },
          {
            head: "Counted",
            cell: (p) =>
              excluded.has(p.id) ? (
                <span class="badge badge-info manual-mark">excluded (manual)</span>
              ) : data.csrf ? (
                <ExcludeForm enrollid={data.enrollid} date={data.date} punchId={p.id} csrf={data.csrf} />
              ) : (
                "Yes"
              ),
          },
        ]}
      />
    </section>
  );
}

/** An excluded punch by its time, as the admin saw it in the list (its id means nothing to them). */
function punchTime(data: DayData, punchId: number): string {
  return data.punches.find((p) => p.id === punchId)?.time ?? `#${punchId}`;
}

export function CorrectionsPanel({ data, clock }: { data: DayData; clock: UiDeps["settings"]["clock"] }) {
  const csrf = data.csrf;
  return (
    <section class="panel" aria-label="Corrections">
      <h2>Corrections</h2>
      <Table
        empty={<p class="muted">None: the day is computed from the stored punches alone.</p>}
        attrs={{ class: "table compact" }}
        rows={data.corrections}
        row={(c) => ({ "data-correction": c.id })}
        columns={[
          {
            head: "Change",
            cell: (c) => (
              <>
                <span class="badge badge-info manual-mark">manual</span>{" "}
                {c.kind === "add" ? `Added punch ${c.time}${c.inout === 0 ? " (in)" : c.inout === 1 ? " (out)" : ""}` : `Excluded punch ${punchTime(data, c.punchId)}`}
              </>
            ),
          },
          { head: "Reason", cell: (c) => c.reason },
          { head: "By", cell: (c) => data.by(c.by) },
          { head: "When", class: "nowrap", cell: (c) => siteTime(clock, c.at) },
          csrf !== null && { class: "row-actions", cell: (c) => <RemoveCorrectionForm enrollid={data.enrollid} date={data.date} id={c.id} csrf={csrf} /> },
        ]}
      />
    </section>
  );
}

export function LeavePanel({ data }: { data: DayData }) {
  if (data.leave.length === 0) return null;
  return (
    <section class="panel" aria-label="Leave">
      <h2>Leave</h2>
      <ul>
        {data.leave.map((l) => (
          <li data-leave={l.id}>
            {leaveEntryText(l, data.leaveTypes)}{" "}
            {data.csrf ? <ActionButton action={`${dayHref(data.enrollid, data.date)}/leave/${l.id}/delete`} csrf={data.csrf} label="Remove" tone="danger" confirm="Remove this leave entry?" /> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
