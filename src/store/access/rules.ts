/**
 * Access schedules and levels, the people's levels and QR codes (`Store.access`), and `model()`,
 * which reads them in one snapshot with what else the access model holds.
 */
import { sql } from "drizzle-orm";
import type { AccessModelInput } from "../../access/index.ts";
import * as tsSchemas from "../../timesheets/schemas.ts";
import type { AccessLevelRow, AccessRules, AccessScheduleRow } from "../access-contract.ts";
import { storeError } from "../errors.ts";
import { one, type Row, type SqlRunner } from "../sql-runner.ts";
import { bool, checkedLevel, checkedSchedule, num, PASS_COLUMNS, readLevel, readPass, readSchedule } from "./rows.ts";

/** An id no stored row has, to check a row before the store gives it one. */
const UNSAVED = 1;
/** A terminal's holiday name holds 32 characters (PROTOCOL.md §7.3); time and attendance's may be longer. */
const HOLIDAY_NAME = 32;

const scheduleBody = (s: AccessScheduleRow) => JSON.stringify({ name: s.name, days: s.days, holidaysClosed: s.holidaysClosed });
const levelBody = (l: AccessLevelRow) => JSON.stringify({ name: l.name, terminals: l.terminals, groupIds: l.groupIds });
const noSchedule = (id: number) => storeError("not_found", `no access schedule ${id}`);

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

export function sqlAccessRules(db: SqlRunner): AccessRules {
  const levelsOf = async (enrollid: number) =>
    (await db.read(sql`SELECT level_id FROM access_person_levels WHERE enrollid = ${enrollid} ORDER BY level_id`)).map((r) => num(r.level_id));

  return {
    async schedules() {
      return (await db.read(queries.schedules)).map(readSchedule);
    },

    async createSchedule(schedule: Omit<AccessScheduleRow, "id">) {
      const valid = checkedSchedule({ ...schedule, id: UNSAVED });
      const row = await one(db, sql`INSERT INTO access_schedules (body) VALUES (${scheduleBody(valid)}) RETURNING id`);
      return { ...valid, id: num(row?.id) };
    },

    async updateSchedule(schedule: AccessScheduleRow) {
      const valid = checkedSchedule(schedule);
      const row = await one(db, sql`UPDATE access_schedules SET body = ${scheduleBody(valid)} WHERE id = ${valid.id} RETURNING id`);
      return row ? valid : null;
    },

    async deleteSchedule(id: number) {
      // One statement: a level created meanwhile either sees the schedule or stops the delete.
      const row = await one(db, sql`DELETE FROM access_schedules WHERE id = ${id} AND NOT EXISTS (SELECT 1 FROM access_levels WHERE schedule_id = ${id}) RETURNING id`);
      if (row) return true;
      const users = await db.read(sql`SELECT id FROM access_levels WHERE schedule_id = ${id} ORDER BY id`);
      if (users.length > 0) throw storeError("in_use", `schedule ${id} is used by access level ${users.map((u) => num(u.id)).join(", ")}; change or delete that first`);
      return false;
    },

    async levels() {
      return (await db.read(queries.levels)).map(readLevel);
    },

    async createLevel(level: Omit<AccessLevelRow, "id">) {
      const valid = checkedLevel({ ...level, id: UNSAVED });
      const row = await one(db, sql`
        INSERT INTO access_levels (schedule_id, body) SELECT id, ${levelBody(valid)} FROM access_schedules WHERE id = ${valid.scheduleId} RETURNING id`);
      if (!row) throw noSchedule(valid.scheduleId);
      return { ...valid, id: num(row.id) };
    },

    async updateLevel(level: AccessLevelRow) {
      const valid = checkedLevel(level);
      const row = await one(db, sql`
        UPDATE access_levels SET schedule_id = ${valid.scheduleId}, body = ${levelBody(valid)}
        WHERE id = ${valid.id} AND EXISTS (SELECT 1 FROM access_schedules WHERE id = ${valid.scheduleId}) RETURNING id`);
      if (row) return valid;
      const exists = await db.read(sql`SELECT id FROM access_levels WHERE id = ${valid.id}`);
      if (exists.length === 0) return null;
      throw noSchedule(valid.scheduleId);
    },

    async deleteLevel(id: number) {
      const exists = await db.read(sql`SELECT id FROM access_levels WHERE id = ${id}`);
      if (exists.length === 0) return false;
      await db.batch([sql`DELETE FROM access_person_levels WHERE level_id = ${id}`, sql`DELETE FROM access_levels WHERE id = ${id}`]);
      return true;
    },

    async levelHolders(levelId: number, options: { limit: number; passesEndingFrom: string }) {
      const [people, total, passes] = (await db.snapshot([
        sql`SELECT p.enrollid, p.name, p.enabled FROM access_person_levels l JOIN people p ON p.enrollid = l.enrollid
          WHERE l.level_id = ${levelId} ORDER BY l.enrollid LIMIT ${options.limit}`,
        sql`SELECT count(*) AS n FROM access_person_levels l JOIN people p ON p.enrollid = l.enrollid WHERE l.level_id = ${levelId}`,
        // A pass's levels are a JSON list: the passes that still open doors are read and looked into.
        sql`SELECT id, name, valid_to, level_ids FROM access_passes WHERE revoked_at IS NULL AND valid_to >= ${options.passesEndingFrom} ORDER BY id DESC`,
      ])) as [Row[], Row[], Row[]];
      const holding = passes.filter((r) => (JSON.parse(String(r.level_ids)) as number[]).includes(levelId));
      return {
        people: people.map((r) => ({ enrollid: num(r.enrollid), name: String(r.name), enabled: bool(r.enabled) })),
        peopleTotal: num(total[0]?.n),
        passes: holding.slice(0, options.limit).map((r) => ({ id: num(r.id), name: String(r.name), validTo: String(r.valid_to) })),
        passesTotal: holding.length,
      };
    },

    levelsOf,

    async setLevelsOf(enrollid: number, levelIds: readonly number[]) {
      const wanted = [...new Set(levelIds)].sort((a, b) => a - b);
      const known = new Set((await db.read(sql`SELECT id FROM access_levels`)).map((r) => num(r.id)));
      const missing = wanted.find((l) => !known.has(l));
      if (missing !== undefined) throw storeError("not_found", `no access level ${missing}`);
      await db.batch([
        sql`DELETE FROM access_person_levels WHERE enrollid = ${enrollid}`,
        // Only levels that still exist: one deleted meanwhile is not given.
        ...wanted.map((l) => sql`INSERT INTO access_person_levels (enrollid, level_id) SELECT ${enrollid}, id FROM access_levels WHERE id = ${l}`),
      ]);
      return levelsOf(enrollid);
    },

    async qrCodeOf(enrollid: number) {
      const rows = await db.read(sql`SELECT code FROM access_qr_codes WHERE enrollid = ${enrollid}`);
      return rows[0] ? String(rows[0].code) : null;
    },

    async setQrCode(enrollid: number, code: string | null) {
      if (code === null) {
        await db.write(sql`DELETE FROM access_qr_codes WHERE enrollid = ${enrollid} RETURNING enrollid`);
        return;
      }
      const holder = await db.read(sql`SELECT enrollid FROM access_qr_codes WHERE code = ${code} AND enrollid <> ${enrollid}`);
      if (holder.length > 0) throw storeError("exists", "another person holds this QR code");
      await db.write(sql`
        INSERT INTO access_qr_codes (enrollid, code) VALUES (${enrollid}, ${code})
        ON CONFLICT (enrollid) DO UPDATE SET code = excluded.code RETURNING enrollid`);
    },

    async model(options: { passesEndingFrom?: string; passes?: false } = {}): Promise<AccessModelInput> {
      const from = options.passesEndingFrom;
      const where = options.passes === false ? sql`WHERE 1 = 0` : from === undefined ? sql`` : sql`WHERE valid_to >= ${from}`;
      const passQuery = sql`SELECT ${sql.raw(PASS_COLUMNS)} FROM access_passes ${where} ORDER BY id`;
      const [schedules, levels, groups, members, people, personLevels, codes, holidays, passes] = await db.snapshot([
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
    },
  };
}
