/**
 * One day of a person (/timesheets/people/{enrollid}/days/{date}): the stored result and its
 * pairs, the punches that can belong to it (with their photos), and the corrections and leave that
 * touch it. Punches are never edited: a correction adds or excludes one, apart from them.
 */
import { type Context, Hono } from "hono";
import { addCorrection, deleteCorrection } from "../../app/timesheets/corrections.ts";
import { today } from "../../app/timesheets/deps.ts";
import { addLeave, deleteLeave } from "../../app/timesheets/leave.ts";
import { addDays } from "../../timesheets/calendar.ts";
import type { DayResult, RawPunch } from "../../timesheets/types.ts";
import { actorLabels } from "../actor-labels.ts";
import { actorOf, formOf, requireAdmin } from "../auth-guard.ts";
import type { UiDeps, UiEnv } from "../env.ts";
import { redirectWith } from "../flash.ts";
import { page } from "../layout.tsx";
import { dateParam, idParam, TimesheetTabs } from "../timesheets/area.tsx";
import { AddCorrectionForm, AddLeaveForm, dayHref } from "../timesheets/day-forms.tsx";
import { CorrectionsPanel, type DayData, LeavePanel, PunchesPanel, ResultPanel } from "../timesheets/day-panels.tsx";
import { FormReader } from "../timesheets/form.ts";

/** The punches shown for a day: its own date, and the next date's up to the day's last out (a night shift's). */
function ofDay(punches: RawPunch[], date: string, day: DayResult | null): RawPunch[] {
  const until = day?.lastOut && day.lastOut > `${date} 23:59:59` ? day.lastOut : null;
  return punches.filter((p) => p.time.startsWith(date) || (until !== null && p.time <= until));
}

async function loadDay(deps: UiDeps, enrollid: number, date: string, csrf: string | null): Promise<DayData> {
  const ts = deps.store.timesheets;
  const [days, punches, corrections, leave, leaveTypes] = await Promise.all([
    ts.days({ from: date, to: date, enrollid, limit: 1 }),
    ts.punchesOf(enrollid, date, addDays(date, 2)),
    ts.corrections(enrollid),
    ts.leave({ enrollid, from: date, to: date }),
    ts.leaveTypes(),
  ]);
  const day = days.items[0] ?? null;
  const shown = ofDay(punches, date, day);
  // Only the terminals the day's punches came from: a site may have 20,000.
  const sns = [...new Set(shown.map((p) => p.sn))];
  const terminals = (await deps.store.terminalsPage({ sns, limit: sns.length })).items;
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
