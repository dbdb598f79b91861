/**
 * `Store.access` for both engines, in SQL that SQLite and PostgreSQL read alike, run through the
 * same `SqlRunner` as `Store.timesheets`. Schedules and levels are JSON checked by
 * `access/model.ts` when written and read; a schedule's windows are kept merged and sorted.
 */
import { type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { type AccessModelInput, formatWindow, levelSchema, scheduleSchema } from "../access/index.ts";
import * as tsSchemas from "../timesheets/schemas.ts";
import type {
  AccessLevelRow, AccessScheduleRow, AccessStore, AccessSyncProblem, HeldAccessRow, HeldLockRow, NewPass, PassRow, PassScan, PassUseOutcome, ScheduleDays,
} from "./access-contract.ts";
import type { Page } from "./types.ts";
import { decodeCursor, encodeCursor, pageOf } from "./cursor.ts";
import { storeError } from "./errors.ts";
import type { Row, SqlRunner } from "./sql-runner.ts";

/** An id no stored row has, to check a row before the store gives it one. */
const UNSAVED = 1;
/** A terminal's holiday name holds 32 characters (PROTOCOL.md §7.3); time and attendance's may be longer. */
const HOLIDAY_NAME = 32;

const num = (v: unknown) => Number(v);

/** The schedule as the model reads it, its windows merged and sorted, or the store error "invalid". */
function checkedSchedule(s: AccessScheduleRow): AccessScheduleRow {
  const parsed = scheduleSchema.safeParse(s);
  if (!parsed.success) throw storeError("invalid", parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  const days = Object.fromEntries(parsed.data.days.map((ws, i) => [String(i + 1), ws.map(formatWindow)])) as ScheduleDays;
  return { id: s.id, name: parsed.data.name, days, holidaysClosed: parsed.data.holidaysClosed };
}

function checkedLevel(l: AccessLevelRow): AccessLevelRow {
  const parsed = levelSchema.safeParse(l);
  if (!parsed.success) throw storeError("invalid", parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  const { id, name, scheduleId } = parsed.data;
  return { id, name, scheduleId, terminals: [...new Set(parsed.data.terminals)].sort(), groupIds: [...new Set(parsed.data.groupIds)].sort((a, b) => a - b) };
}

const scheduleBody = (s: AccessScheduleRow) => JSON.stringify({ name: s.name, days: s.days, holidaysClosed: s.holidaysClosed });
const levelBody = (l: AccessLevelRow) => JSON.stringify({ name: l.name, terminals: l.terminals, groupIds: l.groupIds });

const readSchedule = (r: Row): AccessScheduleRow => checkedSchedule({ id: num(r.id), ...(JSON.parse(String(r.body)) as Omit<AccessScheduleRow, "id">) });
const readLevel = (r: Row): AccessLevelRow =>
  checkedLevel({ id: num(r.id), scheduleId: num(r.schedule_id), ...(JSON.parse(String(r.body)) as Omit<AccessLevelRow, "id" | "scheduleId">) });

const PASS_COLUMNS = "id, code, name, valid_from, valid_to, level_ids, terminals, uses, used, revoked_at, revoked_by, created_at, created_by";

const readPass = (r: Row): PassRow => ({
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

const queries = {
  schedules: sql`SELECT id, body FROM access_schedules ORDER BY id`,
  levels: sql`SELECT id, schedule_id, body FROM access_levels ORDER BY id`,
  groups: sql`SELECT id FROM terminal_groups ORDER BY id`,
  members: sql`SELECT group_id, sn FROM terminal_group_members ORDER BY group_id, sn`,
  people: sql`SELECT enrollid, name, enabled, valid_from, valid_to FROM people ORDER BY enrollid`,
  personLevels: sql`SELECT enrollid, level_id FROM access_person_levels ORDER BY enrollid, level_id`,
  codes: sql`SELECT enrollid, code FROM access_qr_codes`,
  holidays: sql`SELECT body FROM ts_holidays ORDER BY date, id`,
};

/** The held tables as `heldAfter` (access/diff.ts) leaves them; a row that no longer reads is an error. */
const heldJson = {
  dayzones: z.array(z.array(z.string())),
  weekzones: z.array(z.array(z.number().int())),
  holidays: z.array(z.strictObject({ name: z.string(), startday: z.string(), endday: z.string(), shift: z.number().int(), dayzone: z.number().int() })),
};
type HeldTable = keyof typeof heldJson;
const HELD_TABLES = Object.keys(heldJson) as HeldTable[];

function readHeld<K extends HeldTable>(table: K, value: unknown): z.output<(typeof heldJson)[K]> | null {
  if (value === null || value === undefined) return null;
  const parsed = heldJson[table].safeParse(JSON.parse(String(value)));
  if (!parsed.success) throw storeError("invalid", `held ${table}: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  return parsed.data as z.output<(typeof heldJson)[K]>;
}

/** SQLite keeps booleans as 0/1, PostgreSQL as booleans. */
const bool = (v: unknown) => v === true || num(v) === 1;

export class SqlAccessStore implements AccessStore {
  #db: SqlRunner;

  constructor(db: SqlRunner) {
    this.#db = db;
  }

  async #one(query: SQL): Promise<Row | null> {
    return (await this.#db.write(query))[0] ?? null;
  }

  async schedules() {
    return (await this.#db.read(queries.schedules)).map(readSchedule);
  }

  async createSchedule(schedule: Omit<AccessScheduleRow, "id">) {
    const valid = checkedSchedule({ ...schedule, id: UNSAVED });
    const row = await this.#one(sql`INSERT INTO access_schedules (body) VALUES (${scheduleBody(valid)}) RETURNING id`);
    return { ...valid, id: num(row?.id) };
  }

  async updateSchedule(schedule: AccessScheduleRow) {
    const valid = checkedSchedule(schedule);
    const row = await this.#one(sql`UPDATE access_schedules SET body = ${scheduleBody(valid)} WHERE id = ${valid.id} RETURNING id`);
    return row ? valid : null;
  }

  async deleteSchedule(id: number) {
    // One statement: a level created meanwhile either sees the schedule or stops the delete.
    const row = await this.#one(sql`DELETE FROM access_schedules WHERE id = ${id} AND NOT EXISTS (SELECT 1 FROM access_levels WHERE schedule_id = ${id}) RETURNING id`);
    if (row) return true;
    const users = await this.#db.read(sql`SELECT id FROM access_levels WHERE schedule_id = ${id} ORDER BY id`);
    if (users.length > 0) throw storeError("in_use", `schedule ${id} is used by access level ${users.map((u) => num(u.id)).join(", ")}; change or delete that first`);
    return false;
  }

  async levels() {
    return (await this.#db.read(queries.levels)).map(readLevel);
  }

  async createLevel(level: Omit<AccessLevelRow, "id">) {
    const valid = checkedLevel({ ...level, id: UNSAVED });
    const row = await this.#one(sql`
      INSERT INTO access_levels (schedule_id, body) SELECT id, ${levelBody(valid)} FROM access_schedules WHERE id = ${valid.scheduleId} RETURNING id`);
    if (!row) throw noSchedule(valid.scheduleId);
    return { ...valid, id: num(row.id) };
  }

  async updateLevel(level: AccessLevelRow) {
    const valid = checkedLevel(level);
    const row = await this.#one(sql`
      UPDATE access_levels SET schedule_id = ${valid.scheduleId}, body = ${levelBody(valid)}
      WHERE id = ${valid.id} AND EXISTS (SELECT 1 FROM access_schedules WHERE id = ${valid.scheduleId}) RETURNING id`);
    if (row) return valid;
    const exists = await this.#db.read(sql`SELECT id FROM access_levels WHERE id = ${valid.id}`);
    if (exists.length === 0) return null;
    throw noSchedule(valid.scheduleId);
  }

  async deleteLevel(id: number) {
    const exists = await this.#db.read(sql`SELECT id FROM access_levels WHERE id = ${id}`);
    if (exists.length === 0) return false;
    await this.#db.batch([sql`DELETE FROM access_person_levels WHERE level_id = ${id}`, sql`DELETE FROM access_levels WHERE id = ${id}`]);
    return true;
  }

  async levelsOf(enrollid: number) {
    return (await this.#db.read(sql`SELECT level_id FROM access_person_levels WHERE enrollid = ${enrollid} ORDER BY level_id`)).map((r) => num(r.level_id));
  }

  async setLevelsOf(enrollid: number, levelIds: readonly number[]) {
    const wanted = [...new Set(levelIds)].sort((a, b) => a - b);
    const known = new Set((await this.#db.read(sql`SELECT id FROM access_levels`)).map((r) => num(r.id)));
    const missing = wanted.find((l) => !known.has(l));
    if (missing !== undefined) throw storeError("not_found", `no access level ${missing}`);
    await this.#db.batch([
      sql`DELETE FROM access_person_levels WHERE enrollid = ${enrollid}`,
      // Only levels that still exist: one deleted meanwhile is not given.
      ...wanted.map((l) => sql`INSERT INTO access_person_levels (enrollid, level_id) SELECT ${enrollid}, id FROM access_levels WHERE id = ${l}`),
    ]);
    return this.levelsOf(enrollid);
  }

  async qrCodeOf(enrollid: number) {
    const rows = await this.#db.read(sql`SELECT code FROM access_qr_codes WHERE enrollid = ${enrollid}`);
    return rows[0] ? String(rows[0].code) : null;
  }

  async setQrCode(enrollid: number, code: string | null) {
    if (code === null) {
      await this.#db.write(sql`DELETE FROM access_qr_codes WHERE enrollid = ${enrollid} RETURNING enrollid`);
      return;
    }
    const holder = await this.#db.read(sql`SELECT enrollid FROM access_qr_codes WHERE code = ${code} AND enrollid <> ${enrollid}`);
    if (holder.length > 0) throw storeError("exists", "another person holds this QR code");
    await this.#db.write(sql`
      INSERT INTO access_qr_codes (enrollid, code) VALUES (${enrollid}, ${code})
      ON CONFLICT (enrollid) DO UPDATE SET code = excluded.code RETURNING enrollid`);
  }

  async passes(page: { cursor?: string; limit: number }): Promise<Page<PassRow>> {
    const after = page.cursor === undefined ? null : decodeCursor(page.cursor, ["number"] as const)[0];
    const rows = await this.#db.read(sql`
      SELECT ${sql.raw(PASS_COLUMNS)} FROM access_passes ${after === null ? sql`` : sql`WHERE id < ${after}`} ORDER BY id DESC LIMIT ${page.limit + 1}`);
    return pageOf(rows.map(readPass), page.limit, (p) => encodeCursor([p.id]));
  }

  async pass(id: number) {
    const rows = await this.#db.read(sql`SELECT ${sql.raw(PASS_COLUMNS)} FROM access_passes WHERE id = ${id}`);
    return rows[0] ? readPass(rows[0]) : null;
  }

  async createPass(pass: NewPass) {
    const levelIds = [...new Set(pass.levelIds)].sort((a, b) => a - b);
    const terminals = [...new Set(pass.terminals)].sort();
    const known = new Set((await this.#db.read(sql`SELECT id FROM access_levels`)).map((r) => num(r.id)));
    const missing = levelIds.find((l) => !known.has(l));
    if (missing !== undefined) throw storeError("not_found", `no access level ${missing}`);
    // A person's code and a pass's are one namespace: the door looks a scanned code up in both.
    const taken = await this.#db.read(sql`SELECT 1 AS hit FROM access_qr_codes WHERE code = ${pass.code} UNION ALL SELECT 1 AS hit FROM access_passes WHERE code = ${pass.code}`);
    if (taken.length > 0) throw storeError("exists", "this code is already issued");
    const row = await this.#one(sql`
      INSERT INTO access_passes (code, name, valid_from, valid_to, level_ids, terminals, uses, used, created_at, created_by)
      VALUES (${pass.code}, ${pass.name}, ${pass.validFrom}, ${pass.validTo}, ${JSON.stringify(levelIds)}, ${JSON.stringify(terminals)}, ${pass.uses}, 0, ${pass.createdAt}, ${pass.createdBy})
      RETURNING ${sql.raw(PASS_COLUMNS)}`);
    if (!row) throw storeError("internal", "the pass was not saved");
    return readPass(row);
  }

  async revokePass(id: number, at: number, by: string) {
    await this.#db.write(sql`UPDATE access_passes SET revoked_at = ${at}, revoked_by = ${by} WHERE id = ${id} AND revoked_at IS NULL RETURNING id`);
    return this.pass(id);
  }

  async usePass(id: number, scan: PassScan): Promise<{ outcome: PassUseOutcome; used: number }> {
    // A revoke wins over a resend: once revoked, nothing opens with the pass.
    const [state] = await this.#db.read(sql`
      SELECT p.revoked_at, p.used, EXISTS (
        SELECT 1 FROM access_pass_uses u WHERE u.pass_id = p.id AND u.sn = ${scan.sn} AND u.scan = ${scan.scan} AND u.used_at >= ${scan.at - scan.repeatWithinMs}
      ) AS repeat FROM access_passes p WHERE p.id = ${id}`);
    if (!state) return { outcome: "not_found", used: 0 };
    if (state.revoked_at !== null) return { outcome: "revoked", used: num(state.used) };
    if (bool(state.repeat)) return { outcome: "repeat", used: num(state.used) };
    // The use itself: one conditional statement. PostgreSQL re-checks the condition on the row a
    // concurrent update committed, SQLite has one writer: the last use goes to exactly one door.
    const consumed = await this.#one(sql`
      UPDATE access_passes SET used = used + 1 WHERE id = ${id} AND revoked_at IS NULL AND (uses IS NULL OR used < uses) RETURNING used`);
    if (consumed) {
      await this.#db.write(sql`INSERT INTO access_pass_uses (pass_id, sn, scan, used_at) VALUES (${id}, ${scan.sn}, ${scan.scan}, ${scan.at}) RETURNING id`);
      return { outcome: "granted", used: num(consumed.used) };
    }
    const pass = await this.pass(id);
    if (!pass) return { outcome: "not_found", used: 0 };
    return { outcome: pass.revokedAt !== null ? "revoked" : "used_up", used: pass.used };
  }

  async model(options: { passesEndingFrom?: string; passes?: false } = {}): Promise<AccessModelInput> {
    const from = options.passesEndingFrom;
    const where = options.passes === false ? sql`WHERE 1 = 0` : from === undefined ? sql`` : sql`WHERE valid_to >= ${from}`;
    const passQuery = sql`SELECT ${sql.raw(PASS_COLUMNS)} FROM access_passes ${where} ORDER BY id`;
    const [schedules, levels, groups, members, people, personLevels, codes, holidays, passes] = await this.#db.snapshot([
      queries.schedules, queries.levels, queries.groups, queries.members, queries.people, queries.personLevels, queries.codes, queries.holidays, passQuery,
    ]) as [Row[], Row[], Row[], Row[], Row[], Row[], Row[], Row[], Row[]];
    const levelIds = new Set(levels.map((l) => num(l.id)));
    const groupIds = new Set(groups.map((g) => num(g.id)));
    const levelsOf = new Map<number, number[]>();
    for (const r of personLevels) levelsOf.set(num(r.enrollid), [...(levelsOf.get(num(r.enrollid)) ?? []), num(r.level_id)]);
    const codeOf = new Map(codes.map((c) => [num(c.enrollid), String(c.code)]));
    return {
      schedules: schedules.map(readSchedule),
      levels: levels.map(readLevel).map((l) => ({ ...l, groupIds: l.groupIds.filter((g) => groupIds.has(g)) })),
      terminalGroups: [...groupIds].map((id) => ({ id, members: members.filter((m) => num(m.group_id) === id).map((m) => String(m.sn)) })),
      people: people.map((p) => ({
        enrollid: num(p.enrollid),
        name: String(p.name),
        enabled: bool(p.enabled),
        validFrom: p.valid_from === null ? null : String(p.valid_from),
        validTo: p.valid_to === null ? null : String(p.valid_to),
        levelIds: levelsOf.get(num(p.enrollid)) ?? [],
        qrCode: codeOf.get(num(p.enrollid)) ?? null,
      })),
      // Holidays limited to departments are time and attendance's alone: a door's holiday applies to everyone.
      holidays: holidays.flatMap((r) => {
        const h = tsSchemas.holiday.parse(JSON.parse(String(r.body)));
        return h.departmentIds && h.departmentIds.length > 0 ? [] : [{ name: h.name.slice(0, HOLIDAY_NAME).trim(), from: h.date, to: h.date }];
      }),
      passes: passes.map(readPass).flatMap((p) => {
        const kept = p.levelIds.filter((l) => levelIds.has(l));
        if (kept.length === 0 && p.terminals.length === 0) return [];
        return [{ id: p.id, name: p.name, code: p.code, validFrom: p.validFrom, validTo: p.validTo, levelIds: kept, terminals: p.terminals, uses: p.uses, revoked: p.revokedAt !== null }];
      }),
    };
  }

  async held(sn: string): Promise<HeldAccessRow> {
    const [tables = [], locks = []] = await this.#db.snapshot([
      sql`SELECT dayzones, weekzones, holidays FROM access_held WHERE sn = ${sn}`,
      sql`SELECT enrollid, weekzone, lock_group, starttime, endtime FROM access_held_locks WHERE sn = ${sn} ORDER BY enrollid`,
    ]);
    const t = tables[0];
    return {
      dayzones: readHeld("dayzones", t?.dayzones),
      weekzones: readHeld("weekzones", t?.weekzones),
      holidays: readHeld("holidays", t?.holidays),
      locks: locks.map((r) => ({ enrollid: num(r.enrollid), weekzone: num(r.weekzone), group: num(r.lock_group), starttime: String(r.starttime), endtime: String(r.endtime) })),
    };
  }

  async heldTerminals() {
    const rows = await this.#db.read(sql`SELECT sn FROM access_held UNION SELECT sn FROM access_held_locks ORDER BY sn`);
    return rows.map((r) => String(r.sn));
  }

  async holdTables(sn: string, tables: Partial<Pick<HeldAccessRow, "dayzones" | "weekzones" | "holidays">>) {
    const given = HELD_TABLES.filter((t) => tables[t] !== undefined);
    if (given.length === 0) return;
    // Column names from the fixed list above, values as parameters.
    const columns = sql.join(given.map((t) => sql.raw(t)), sql`, `);
    const values = sql.join(given.map((t) => sql`${tables[t] === null ? null : JSON.stringify(tables[t])}`), sql`, `);
    const updates = sql.join(given.map((t) => sql.raw(`${t} = excluded.${t}`)), sql`, `);
    await this.#db.batch([sql`INSERT INTO access_held (sn, ${columns}) VALUES (${sn}, ${values}) ON CONFLICT (sn) DO UPDATE SET ${updates}`]);
  }

  async holdLocks(sn: string, locks: readonly HeldLockRow[]) {
    if (locks.length === 0) return;
    // One statement per acknowledged frame (at most 40 locks, one per person): a statement each was most of its cost.
    // PostgreSQL refuses a statement that updates one row twice: the last of a person's wins.
    const last = [...new Map(locks.map((l) => [l.enrollid, l])).values()];
    const rows = sql.join(last.map((l) => sql`(${sn}, ${l.enrollid}, ${l.weekzone}, ${l.group}, ${l.starttime}, ${l.endtime})`), sql`, `);
    await this.#db.batch([sql`
      INSERT INTO access_held_locks (sn, enrollid, weekzone, lock_group, starttime, endtime) VALUES ${rows}
      ON CONFLICT (sn, enrollid) DO UPDATE SET weekzone = excluded.weekzone, lock_group = excluded.lock_group, starttime = excluded.starttime, endtime = excluded.endtime`]);
  }

  async releaseLocks(sn: string, enrollids: readonly number[] | null) {
    if (enrollids === null) await this.#db.batch([sql`DELETE FROM access_held_locks WHERE sn = ${sn}`]);
    else if (enrollids.length > 0) await this.#db.batch(enrollids.map((e) => sql`DELETE FROM access_held_locks WHERE sn = ${sn} AND enrollid = ${e}`));
  }

  async forgetHeld(sn: string) {
    await this.#db.batch([sql`DELETE FROM access_held_locks WHERE sn = ${sn}`, sql`DELETE FROM access_held WHERE sn = ${sn}`]);
  }

  async setSyncProblem(sn: string, message: string | null, at: number) {
    if (message === null) {
      await this.#db.batch([sql`UPDATE access_held SET problem = NULL, problem_since = NULL WHERE sn = ${sn}`]);
      return;
    }
    await this.#db.batch([sql`
      INSERT INTO access_held (sn, problem, problem_since) VALUES (${sn}, ${message}, ${at})
      ON CONFLICT (sn) DO UPDATE SET problem = excluded.problem,
        problem_since = CASE WHEN access_held.problem = excluded.problem THEN access_held.problem_since ELSE excluded.problem_since END`]);
  }

  async syncProblems(): Promise<AccessSyncProblem[]> {
    const rows = await this.#db.read(sql`SELECT sn, problem, problem_since FROM access_held WHERE problem IS NOT NULL ORDER BY sn`);
    return rows.map((r) => ({ sn: String(r.sn), message: String(r.problem), since: num(r.problem_since) }));
  }
}

const noSchedule = (id: number) => storeError("not_found", `no access schedule ${id}`);
