/**
 * One day of a person (/timesheets/people/{enrollid}/days/{date}): the stored result and its
 * pairs, the punches that can belong to it (with their photos), and the corrections and leave that
 * touch it. Punches are never edited: a correction adds or excludes one, apart from them.
 */
import { type Context, Hono } from "hono";
import { addCorrection, deleteCorrection } from "../../app/timesheets/corrections.ts";
import { today } from "../../app/timesheets/deps.ts";
import { addLeave, deleteLeave } from "../../app/timesheets/leave.ts";
import { clockOf, hm } from "../../../web/components/timesheet-format.ts";
import { addDays } from "../../timesheets/calendar.ts";
import type { CorrectionRow } from "../../store/timesheets-contract.ts";
import type { DayResult, LeaveEntry, LeaveType, RawPunch } from "../../timesheets/types.ts";
import { actorLabels } from "../actor-labels.ts";
import { actorOf, formOf, requireAdmin } from "../auth-guard.ts";
import { ActionButton, EmptyState, PunchPhoto, siteTime } from "../components.tsx";
import type { UiDeps, UiEnv } from "../env.ts";
import { inoutLabel } from "../labels.ts";
import { redirectWith } from "../flash.ts";
import { page } from "../layout.tsx";
import { Table } from "../table.tsx";
import { dateParam, idParam, plannedHours, TimesheetTabs } from "../timesheets/area.tsx";
import { DayFigures, leaveEntryText, leaveText, StatusBadge } from "../timesheets/day-parts.tsx";
import { AddCorrectionForm, AddLeaveForm, dayHref, ExcludeForm, RemoveCorrectionForm } from "../timesheets/day-forms.tsx";
import { FormReader } from "../timesheets/form.ts";

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

/** The punches shown for a day: its own date, and the next date's up to the day's last out (a night shift's). */
function ofDay(punches: RawPunch[], date: string, day: DayResult | null): RawPunch[] {
  const until = day?.lastOut && day.lastOut > `${date} 23:59:59` ? day.lastOut : null;
  return punches.filter((p) => p.time.startsWith(date) || (until !== null && p.time <= until));
}

async function loadDay(deps: UiDeps, enrollid: number, date: string, csrf: string | null): Promise<DayData> {
  const ts = deps.store.timesheets;
  const [days, punches, corrections, leave, leaveTypes, terminals] = await Promise.all([
    ts.days({ from: date, to: date, enrollid, limit: 1 }),
    ts.punchesOf(enrollid, date, addDays(date, 2)),
    ts.corrections(enrollid),
    ts.leave({ enrollid, from: date, to: date }),
    ts.leaveTypes(),
    deps.store.listTerminals(),
  ]);
  const day = days.items[0] ?? null;
  const shown = ofDay(punches, date, day);
  const ids = new Set(shown.map((p) => p.id));
  const end = day?.lastOut && day.lastOut > `${date} 23:59:59` ? day.lastOut : `${date} 23:59:59`;
  const touching = corrections.filter((c) => (c.kind === "add" ? c.time >= date && c.time <= end : ids.has(c.punchId)));
  return {
    enrollid,
    date,
    day,
    punches: shown,
    photos: await deps.store.withPhotos(shown.map((p) => p.id)),
    corrections: touching,
    by: await actorLabels(deps.store, touching.map((c) => c.by)),
    leave,
    leaveTypes: new Map(leaveTypes.map((t) => [t.id, t])),
    terminals: new Map(terminals.map((t) => [t.sn, t.name || t.sn])),
    ahead: date > today(deps.timesheets),
    isToday: date === today(deps.timesheets),
    csrf,
  };
}

function ResultPanel({ data }: { data: DayData }) {
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

function PunchesPanel({ data }: { data: DayData }) {
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

function CorrectionsPanel({ data, clock }: { data: DayData; clock: UiDeps["settings"]["clock"] }) {
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

function LeavePanel({ data }: { data: DayData }) {
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

/** How many times a day's page looks again for its recomputed result after a change, a second apart. */
const CHANGE_LOOKS = 15;

export async function dayPage(c: Context<UiEnv>, deps: UiDeps, enrollid: number, date: string) {
  const csrf = c.get("user").role === "admin" ? c.get("session").csrfToken : null;
  const [data, person] = await Promise.all([loadDay(deps, enrollid, date, csrf), deps.store.getPerson(enrollid)]);
  // After a change the day is recomputed in the background (a fraction of a second, longer on a
  // busy box): while this instance's recompute still has work, look again a second later, at most
  // `changed` more times, so the page never stays on the result from before the change.
  const looksLeft = Math.min(Number.parseInt(c.req.query("changed") ?? "0", 10) || 0, CHANGE_LOOKS);
  const work = deps.timesheets.recompute.status();
  const changed = looksLeft > 0 && (work.running || work.pendingDays > 0);
  return page(
    c,
    deps.settings.siteName,
    {
      title: `${person?.name || `#${enrollid}`} · ${date}`,
      active: "timesheets",
      ...(changed ? { refreshSeconds: 1, refreshTo: looksLeft > 1 ? `${dayHref(enrollid, date)}?changed=${looksLeft - 1}` : dayHref(enrollid, date) } : {}),
      actions: (
        <>
          <a class="btn btn-plain" href={dayHref(enrollid, addDays(date, -1))} rel="prev">
            « Day before
          </a>
          <a class="btn btn-plain" href={`/timesheets/people/${enrollid}?month=${date.slice(0, 7)}`}>
            Month
          </a>
          <a class="btn btn-plain" href={dayHref(enrollid, addDays(date, 1))} rel="next">
            Day after »
          </a>
        </>
      ),
    },
    <>
      <TimesheetTabs active="people" />
      <ResultPanel data={data} />
      <PunchesPanel data={data} />
      <CorrectionsPanel data={data} clock={deps.settings.clock} />
      <LeavePanel data={data} />
      {csrf && !person ? (
        // Leave and missed punches are refused for someone not on People (unknown_person): say so instead of offering them.
        <p class="muted" data-no-person>
          No one on People has enroll id {enrollid}: <a href="/people/new">add them on People</a> first to add a missed punch or leave for this day.
        </p>
      ) : csrf ? (
        <div class="grid-2">
          <AddCorrectionForm enrollid={enrollid} date={date} csrf={csrf} />
          <AddLeaveForm enrollid={enrollid} date={date} csrf={csrf} types={[...data.leaveTypes.values()]} />
        </div>
      ) : null}
    </>,
  );
}

/** The day's changes: each calls its use case, then shows the day again (recomputed a moment later). */
export function dayChangeRoutes(deps: UiDeps) {
  const app = new Hono<UiEnv>();
  const base = "/timesheets/people/:enrollid/days/:date";
  const target = (c: Context<UiEnv>) => ({ enrollid: idParam(c, "enrollid"), date: dateParam(c) });
  const back = (c: Context<UiEnv>, text: string) => {
    const { enrollid, date } = target(c);
    return redirectWith(c, `${dayHref(enrollid, date)}?changed=${CHANGE_LOOKS}`, "ok", text);
  };
  const refused = (c: Context<UiEnv>, problem: string) => {
    const { enrollid, date } = target(c);
    return redirectWith(c, dayHref(enrollid, date), "error", problem);
  };

  app.post(`${base}/corrections`, requireAdmin(), async (c) => {
    const f = new FormReader(await formOf(c));
    const time = f.dateTime("date", "time", "Time");
    const inout = f.int("inout", "In or out", 0, 1);
    const reason = f.text("reason", "Reason", true);
    if (f.problem) return refused(c, f.problem);
    const added = await addCorrection(deps.timesheets, actorOf(c), { enrollid: target(c).enrollid, time, reason, ...(inout === undefined ? {} : { inout }) });
    return back(c, `Punch ${added.time} added (manual).`);
  });
  app.post(`${base}/exclude`, requireAdmin(), async (c) => {
    const f = new FormReader(await formOf(c));
    const punchId = f.int("punchId", "Punch", 1, Number.MAX_SAFE_INTEGER, true);
    const reason = f.text("reason", "Reason", true);
    if (f.problem) return refused(c, f.problem);
    const excluded = await addCorrection(deps.timesheets, actorOf(c), { punchId, enrollid: target(c).enrollid, reason });
    const punch = await deps.store.getAttendance(excluded.punchId ?? 0);
    return back(c, `Punch ${punch?.time ?? `#${punchId}`} excluded (manual); it stays stored.`);
  });
  app.post(`${base}/corrections/:id/delete`, requireAdmin(), async (c) => {
    const f = new FormReader(await formOf(c));
    const reason = f.text("reason", "Reason", true);
    if (f.problem) return refused(c, f.problem);
    await deleteCorrection(deps.timesheets, actorOf(c), idParam(c), { reason: reason ?? "" });
    return back(c, "Correction removed.");
  });
  app.post(`${base}/leave`, requireAdmin(), async (c) => {
    const f = new FormReader(await formOf(c));
    const type = f.int("type", "Type", 1, Number.MAX_SAFE_INTEGER, true);
    const part = f.choice("part", "How much", ["day", "first", "second", "minutes"] as const);
    // Minutes typed beside another choice are not dropped: the use case refuses them with a half day,
    // and a whole day (no field of the API's) is refused here alike.
    const minutes = f.int("minutes", "Minutes", 1, 1440, part === "minutes");
    if (part === "day" && minutes !== undefined) f.fail("Minutes", "give minutes or a whole day, not both");
    if (f.problem) return refused(c, f.problem);
    const { enrollid, date } = target(c);
    const entry = await addLeave(deps.timesheets, actorOf(c), { enrollid, date, type, ...(part === "first" || part === "second" ? { halfDay: part } : {}), ...(minutes === undefined ? {} : { minutes }) });
    return back(c, `${entry.typeName ?? "Leave"} added.`);
  });
  app.post(`${base}/leave/:id/delete`, requireAdmin(), async (c) => {
    await deleteLeave(deps.timesheets, actorOf(c), idParam(c));
    return back(c, "Leave removed.");
  });
  return app;
}
