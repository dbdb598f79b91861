/** Corrections: a missed punch added, or a stored punch excluded; the stored punches never change. */
import { z } from "zod";
import { badRequest, notFound } from "../../lib/app-error.ts";
import type { CorrectionRow, NoId } from "../../store/timesheets-contract.ts";
import { datesAffectedBy } from "../../timesheets/assign.ts";
import * as schemas from "../../timesheets/schemas.ts";
import type { Correction, LocalDate } from "../../timesheets/types.ts";
import { type Actor, actorId } from "../actor.ts";
import { audit } from "../audit.ts";
import { validInput } from "../input.ts";
import { checkPerson, personDays, type TimesheetDeps } from "./deps.ts";
import { enrollid, id, reason } from "./fields.ts";

/** A missed punch `{enrollid, time, inout?, reason}`, or the exclusion of a stored punch `{punchId, reason}`. */
export const correctionInput = z.union([
  z.strictObject({ enrollid, time: schemas.localTime, inout: z.literal([0, 1]).optional(), reason }),
  z.strictObject({ punchId: id, enrollid: enrollid.optional(), reason }),
]);
/** A correction changed: a new reason always, and for an added punch its time and in/out. */
export const correctionChanges = z.strictObject({ time: schemas.localTime.optional(), inout: z.literal([0, 1]).nullable().optional(), reason });

export interface CorrectionView {
  id: number;
  enrollid: number;
  kind: "add" | "exclude";
  time: string | null;
  inout: number | null;
  punchId: number | null;
  reason: string;
  by: string;
  /** UTC ms it was made. */
  at: number;
  /** Corrections are manual everywhere they show. */
  manual: true;
}

export function correctionView(c: CorrectionRow): CorrectionView {
  return {
    id: c.id,
    enrollid: c.enrollid,
    kind: c.kind,
    time: c.kind === "add" ? c.time : null,
    inout: c.kind === "add" ? (c.inout ?? null) : null,
    punchId: c.kind === "exclude" ? c.punchId : null,
    reason: c.reason,
    by: c.by,
    at: c.at,
    manual: true,
  };
}

/** The site-local dates whose results a correction can change. */
async function correctionDates(deps: TimesheetDeps, c: Correction): Promise<LocalDate[]> {
  if (c.kind === "add") return datesAffectedBy(c.time.slice(0, 10));
  const punch = await deps.store.getAttendance(c.punchId);
  return punch ? datesAffectedBy(punch.time.slice(0, 10)) : [];
}

/** Adds a missed punch or excludes a stored one (by its id); the stored punches never change. */
export async function addCorrection(deps: TimesheetDeps, actor: Actor, input: unknown): Promise<CorrectionView> {
  const v = validInput(correctionInput, input);
  let correction: NoId<Correction>;
  if ("punchId" in v) {
    const punch = await deps.store.getAttendance(v.punchId);
    if (!punch) throw notFound(`no punch ${v.punchId}`);
    if (v.enrollid !== undefined && v.enrollid !== punch.enrollid) throw badRequest(`punch ${v.punchId} is enroll id ${punch.enrollid}'s, not ${v.enrollid}'s`);
    correction = { kind: "exclude", enrollid: punch.enrollid, punchId: v.punchId, reason: v.reason, by: actorId(actor) };
  } else {
    // An exclusion names a stored punch, whoever's it is; an added punch names a person.
    await checkPerson(deps, v.enrollid);
    correction = { kind: "add", enrollid: v.enrollid, time: v.time, ...(v.inout !== undefined ? { inout: v.inout } : {}), reason: v.reason, by: actorId(actor) };
  }
  const row = await deps.store.timesheets.addCorrection(correction, deps.now());
  const view = correctionView(row);
  await audit(deps, actor, `timesheets.correction.${row.kind}`, `person:${row.enrollid}`, { id: row.id, time: view.time, inout: view.inout, punchId: view.punchId, reason: row.reason });
  deps.recompute.people(personDays(row.enrollid, await correctionDates(deps, row)));
  return view;
}

/** Changes an added punch's time or in/out, or any correction's reason (a new reason is always required). */
export async function updateCorrection(deps: TimesheetDeps, actor: Actor, id: number, changes: unknown): Promise<CorrectionView> {
  const patch = validInput(correctionChanges, changes);
  const current = await deps.store.timesheets.correction(id);
  if (!current) throw notFound("no such correction");
  if (current.kind === "exclude" && (patch.time !== undefined || patch.inout !== undefined)) throw badRequest("an exclusion has no time or in/out: delete it and exclude another punch");
  const { at: _at, ...before } = current;
  let next: Correction;
  if (before.kind === "add") {
    const inout = patch.inout === undefined ? before.inout : patch.inout;
    const { inout: _i, ...rest } = before;
    next = { ...rest, time: patch.time ?? before.time, ...(inout === null || inout === undefined ? {} : { inout }), reason: patch.reason, by: actorId(actor) };
  } else {
    next = { ...before, reason: patch.reason, by: actorId(actor) };
  }
  const row = await deps.store.timesheets.updateCorrection(next);
  if (!row) throw notFound("no such correction");
  const view = correctionView(row);
  await audit(deps, actor, "timesheets.correction.update", `person:${row.enrollid}`, { id, time: view.time, inout: view.inout, punchId: view.punchId, reason: row.reason });
  deps.recompute.people(personDays(row.enrollid, [...(await correctionDates(deps, current)), ...(await correctionDates(deps, row))]));
  return view;
}

/** Removes a correction: the day goes back to the stored punches. A reason is required. */
export async function deleteCorrection(deps: TimesheetDeps, actor: Actor, id: number, input: { reason: string }): Promise<void> {
  const why = validInput(reason, input.reason, "reason");
  const current = await deps.store.timesheets.correction(id);
  if (!current) throw notFound("no such correction");
  const dates = await correctionDates(deps, current);
  if (!(await deps.store.timesheets.deleteCorrection(id))) throw notFound("no such correction");
  await audit(deps, actor, "timesheets.correction.delete", `person:${current.enrollid}`, { id, reason: why });
  deps.recompute.people(personDays(current.enrollid, dates));
}

export async function listCorrections(deps: TimesheetDeps, enrollid: number): Promise<CorrectionView[]> {
  return (await deps.store.timesheets.corrections(enrollid)).map(correctionView);
}
