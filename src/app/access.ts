/**
 * Access control (issue 16): schedules, levels, who holds which level, people's QR codes. Each
 * change is checked against the access model's own schemas (access/model.ts: what a terminal can
 * hold), written, audited, and then reported through `changed`, awaited: once a change is
 * answered, the live decision uses it. A terminal's access mode is `editTerminal` (app/terminals.ts).
 * Visitor passes are app/access-passes.ts.
 */
import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { FitError } from "../access/tables.ts";
import { type AccessModelInput, levelSchema, scheduleSchema } from "../access/model.ts";
import { AppError, notFound } from "../lib/app-error.ts";
import type { AccessLevelRow, AccessScheduleRow, ScheduleDays } from "../store/access-contract.ts";
import type { Store } from "../store/contract.ts";
import { type Actor, actorId } from "./actor.ts";
import { audit } from "./audit.ts";
import { validInput } from "./input.ts";

export interface AccessDeps {
  store: Store;
  now: () => number;
  /** Called after every committed change of the rules (the live decision rebuilds its snapshot). */
  changed?: () => Promise<void>;
  /** The rules a model would break on the terminals it is compiled for (the access sync's check); none: it fits. */
  misfits?: (model: AccessModelInput) => Promise<FitError[]>;
  /** Brings every managed terminal's tables in step now (the access sync); absent without a server. */
  sync?: (actor: string) => Promise<{ queued: number; refused: FitError[] }>;
}

const WEEKDAYS = ["1", "2", "3", "4", "5", "6", "7"] as const;
const windowList = z.array(z.string().max(20)).max(64);

/** `POST /api/v1/access/schedules`: 1 = Monday; a day left out has no window. */
const scheduleFields = {
  name: z.string().max(200),
  days: z.strictObject(Object.fromEntries(WEEKDAYS.map((d) => [d, windowList.optional()])) as Record<(typeof WEEKDAYS)[number], z.ZodOptional<typeof windowList>>),
  holidaysClosed: z.boolean(),
};
export const scheduleInput = z.strictObject({ ...scheduleFields, holidaysClosed: scheduleFields.holidaysClosed.default(false) });
/** What a PATCH leaves out keeps its value (no defaults here). */
export const schedulePatch = z.strictObject(scheduleFields).partial();

const levelFields = {
  name: z.string().max(200),
  scheduleId: z.number().int(),
  terminals: z.array(z.string().max(200)).max(10_000),
  groupIds: z.array(z.number().int()).max(1_000),
};
export const levelInput = z.strictObject({ ...levelFields, terminals: levelFields.terminals.default([]), groupIds: levelFields.groupIds.default([]) });
export const levelPatch = z.strictObject(levelFields).partial();

export const personAccessInput = z.strictObject({ levelIds: z.array(z.number().int()).max(1_000) });

/** An id no stored row has, to check a row before the store gives it one. */
export const UNSAVED = 1;

/** What the model accepts: a terminal's limits (5 windows a day, start before end), or a bad_request naming the field. */
function validSchedule(input: z.output<typeof scheduleInput>): Omit<AccessScheduleRow, "id"> {
  validInput(scheduleSchema, { ...input, id: UNSAVED });
  const days = Object.fromEntries(WEEKDAYS.map((d) => [d, input.days[d] ?? []])) as ScheduleDays;
  return { name: input.name.trim(), days, holidaysClosed: input.holidaysClosed };
}

function validLevel(input: z.output<typeof levelInput>): Omit<AccessLevelRow, "id"> {
  const { id: _id, ...level } = validInput(levelSchema, { ...input, id: UNSAVED });
  return level;
}

async function knownGroups(deps: AccessDeps, ids: readonly number[]): Promise<void> {
  const groups = new Set((await deps.store.people.listGroups()).map((g) => g.id));
  const missing = ids.find((id) => !groups.has(id));
  if (missing !== undefined) throw notFound(`no terminal group ${missing}`);
}

async function knownSchedule(deps: AccessDeps, id: number): Promise<AccessScheduleRow> {
  const s = (await deps.store.access.schedules()).find((x) => x.id === id);
  if (!s) throw notFound(`no access schedule ${id}`);
  return s;
}

async function knownLevel(deps: AccessDeps, id: number): Promise<AccessLevelRow> {
  const l = (await deps.store.access.levels()).find((x) => x.id === id);
  if (!l) throw notFound(`no access level ${id}`);
  return l;
}

/**
 * Refuses a change the terminals cannot hold (409 does_not_fit, every broken rule with its
 * terminal named), before it is written: the tables are never truncated to make it fit.
 */
async function mustFit(deps: AccessDeps, change: (model: AccessModelInput) => AccessModelInput): Promise<void> {
  if (!deps.misfits) return;
  // Without passes: they are decided live, never compiled into a terminal's tables, and a site's
  // every pass ever made must not count toward the model's limits.
  const errors = await deps.misfits(change(await deps.store.access.model({ passes: false })));
  if (errors.length > 0) throw new AppError(409, "does_not_fit", errors.map((e) => e.message).join("; "));
}

const replaced = <T extends { id: number }>(rows: readonly T[] | undefined, row: T): T[] => [...(rows ?? []).filter((r) => r.id !== row.id), row];

export const getSchedule = knownSchedule;
export const getLevel = knownLevel;

export async function createSchedule(deps: AccessDeps, actor: Actor, input: z.output<typeof scheduleInput>): Promise<AccessScheduleRow> {
  const row = await deps.store.access.createSchedule(validSchedule(input));
  await audit(deps, actor, "access.schedule.create", String(row.id), row);
  await deps.changed?.();
  return row;
}

export async function updateSchedule(deps: AccessDeps, actor: Actor, id: number, patch: z.output<typeof schedulePatch>): Promise<AccessScheduleRow> {
  const before = await knownSchedule(deps, id);
  const schedule = { id, ...validSchedule({ ...before, ...patch }) };
  await mustFit(deps, (m) => ({ ...m, schedules: replaced(m.schedules, schedule) }));
  const row = await deps.store.access.updateSchedule(schedule);
  if (!row) throw notFound(`no access schedule ${id}`);
  await audit(deps, actor, "access.schedule.update", String(id), row);
  await deps.changed?.();
  return row;
}

/** Refused with in_use (409) while a level uses it. */
export async function deleteSchedule(deps: AccessDeps, actor: Actor, id: number): Promise<void> {
  if (!(await deps.store.access.deleteSchedule(id))) throw notFound(`no access schedule ${id}`);
  await audit(deps, actor, "access.schedule.delete", String(id));
  await deps.changed?.();
}

export async function createLevel(deps: AccessDeps, actor: Actor, input: z.output<typeof levelInput>): Promise<AccessLevelRow> {
  const level = validLevel(input);
  await knownGroups(deps, level.groupIds);
  // An id no level has, for the check only.
  await mustFit(deps, (m) => ({ ...m, levels: [...(m.levels ?? []), { ...level, id: Math.max(0, ...(m.levels ?? []).map((l) => l.id)) + 1 }] }));
  const row = await deps.store.access.createLevel(level);
  await audit(deps, actor, "access.level.create", String(row.id), row);
  await deps.changed?.();
  return row;
}

export async function updateLevel(deps: AccessDeps, actor: Actor, id: number, patch: z.output<typeof levelPatch>): Promise<AccessLevelRow> {
  const before = await knownLevel(deps, id);
  const level = validLevel({ ...before, ...patch });
  await knownGroups(deps, level.groupIds);
  await mustFit(deps, (m) => ({ ...m, levels: replaced(m.levels, { id, ...level }) }));
  const row = await deps.store.access.updateLevel({ id, ...level });
  if (!row) throw notFound(`no access level ${id}`);
  await audit(deps, actor, "access.level.update", String(id), row);
  await deps.changed?.();
  return row;
}

/** Everyone who held the level loses it. */
export async function deleteLevel(deps: AccessDeps, actor: Actor, id: number): Promise<void> {
  // Taking a level away can still split people who shared a week zone into more.
  await mustFit(deps, (m) => ({
    ...m,
    levels: (m.levels ?? []).filter((l) => l.id !== id),
    people: (m.people ?? []).map((p) => ({ ...p, levelIds: (p.levelIds ?? []).filter((l) => l !== id) })),
  }));
  if (!(await deps.store.access.deleteLevel(id))) throw notFound(`no access level ${id}`);
  await audit(deps, actor, "access.level.delete", String(id));
  await deps.changed?.();
}

export interface PersonAccess {
  enrollid: number;
  levelIds: number[];
  /** Whether the person has an issued QR code (the code itself is shown once, when issued). */
  qrCode: boolean;
}

async function knownPerson(deps: AccessDeps, enrollid: number): Promise<void> {
  if (!(await deps.store.getPerson(enrollid))) throw notFound("no such person");
}

export async function personAccess(deps: AccessDeps, enrollid: number): Promise<PersonAccess> {
  await knownPerson(deps, enrollid);
  return { enrollid, levelIds: await deps.store.access.levelsOf(enrollid), qrCode: (await deps.store.access.qrCodeOf(enrollid)) !== null };
}

/** `PUT /api/v1/people/{enrollid}/access`: the person's levels, replaced. */
export async function setPersonAccess(deps: AccessDeps, actor: Actor, enrollid: number, input: z.output<typeof personAccessInput>): Promise<PersonAccess> {
  await knownPerson(deps, enrollid);
  const wanted = validInput(personAccessInput, input).levelIds;
  await mustFit(deps, (m) => ({ ...m, people: (m.people ?? []).map((p) => (p.enrollid === enrollid ? { ...p, levelIds: wanted } : p)) }));
  const levelIds = await deps.store.access.setLevelsOf(enrollid, wanted);
  await audit(deps, actor, "access.person.levels", String(enrollid), { levelIds });
  await deps.changed?.();
  return personAccess(deps, enrollid);
}

/** A new issued code: 24 random bytes, base64url, so no printed number, enrollid or guess is one. */
export const newCode = () => `TM20-${randomBytes(24).toString("base64url")}`;

/**
 * Issues the person a new QR code (any earlier one stops opening doors). Returned once; the
 * audit entry does not hold it.
 */
export async function issueQrCode(deps: AccessDeps, actor: Actor, enrollid: number): Promise<{ enrollid: number; code: string }> {
  await knownPerson(deps, enrollid);
  const code = newCode();
  await deps.store.access.setQrCode(enrollid, code);
  await audit(deps, actor, "access.person.qr-issue", String(enrollid));
  await deps.changed?.();
  return { enrollid, code };
}

export async function revokeQrCode(deps: AccessDeps, actor: Actor, enrollid: number): Promise<void> {
  await knownPerson(deps, enrollid);
  await deps.store.access.setQrCode(enrollid, null);
  await audit(deps, actor, "access.person.qr-revoke", String(enrollid));
  await deps.changed?.();
}

export interface SyncResult {
  /** Commands queued: 0 when every terminal already holds its tables. */
  queued: number;
  /** Terminals the rules do not fit (nothing was sent to them), each broken rule named. */
  refused: Array<{ sn: string; rule: string; message: string }>;
}

/** `POST /api/v1/access/sync`: what every terminal lacks is queued; one up to date is sent nothing. */
export async function syncAccess(deps: AccessDeps, actor: Actor): Promise<SyncResult> {
  if (!deps.sync) throw new AppError(503, "unavailable", "the access sync runs in the server");
  const outcome = await deps.sync(actorId(actor));
  await audit(deps, actor, "access.sync", "terminals", { queued: outcome.queued, refused: outcome.refused.length });
  return { queued: outcome.queued, refused: outcome.refused.map(({ sn, rule, message }) => ({ sn, rule, message })) };
}
