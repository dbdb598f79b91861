/**
 * What the parts of `Store.access` share: schedules and levels are JSON checked by `access/model.ts`
 * when written and read (a schedule's windows kept merged and sorted), and a pass's columns.
 */
import { formatWindow, levelSchema, scheduleSchema } from "../../access/index.ts";
import type { AccessLevelRow, AccessScheduleRow, PassRow, ScheduleDays } from "../access-contract.ts";
import { storeError } from "../errors.ts";
import type { Row } from "../sql-runner.ts";

export const num = (v: unknown) => Number(v);
/** SQLite keeps booleans as 0/1, PostgreSQL as booleans. */
export const bool = (v: unknown) => v === true || num(v) === 1;

/** The schedule as the model reads it, its windows merged and sorted, or the store error "invalid". */
export function checkedSchedule(s: AccessScheduleRow): AccessScheduleRow {
  const parsed = scheduleSchema.safeParse(s);
  if (!parsed.success) throw storeError("invalid", parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  const days = Object.fromEntries(parsed.data.days.map((ws, i) => [String(i + 1), ws.map(formatWindow)])) as ScheduleDays;
  return { id: s.id, name: parsed.data.name, days, holidaysClosed: parsed.data.holidaysClosed };
}

export function checkedLevel(l: AccessLevelRow): AccessLevelRow {
  const parsed = levelSchema.safeParse(l);
  if (!parsed.success) throw storeError("invalid", parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  const { id, name, scheduleId } = parsed.data;
  return { id, name, scheduleId, terminals: [...new Set(parsed.data.terminals)].sort(), groupIds: [...new Set(parsed.data.groupIds)].sort((a, b) => a - b) };
}

export const readSchedule = (r: Row): AccessScheduleRow => checkedSchedule({ id: num(r.id), ...(JSON.parse(String(r.body)) as Omit<AccessScheduleRow, "id">) });
export const readLevel = (r: Row): AccessLevelRow =>
  checkedLevel({ id: num(r.id), scheduleId: num(r.schedule_id), ...(JSON.parse(String(r.body)) as Omit<AccessLevelRow, "id" | "scheduleId">) });

export const PASS_COLUMNS = "id, code, name, valid_from, valid_to, level_ids, terminals, uses, used, revoked_at, revoked_by, created_at, created_by";

export const readPass = (r: Row): PassRow => ({
  id: num(r.id),
  name: String(r.name),
  code: String(r.code),
  validFrom: String(r.valid_from),
  validTo: String(r.valid_to),
  levelIds: JSON.parse(String(r.level_ids)) as number[],
  terminals: JSON.parse(String(r.terminals)) as string[],
  uses: r.uses === null ? null : num(r.uses),
  used: num(r.used),
  revokedAt: r.revoked_at === null ? null : num(r.revoked_at),
  revokedBy: r.revoked_by === null ? null : String(r.revoked_by),
  createdAt: num(r.created_at),
  createdBy: String(r.created_by),
});
