/**
 * `Store.timesheets` for both engines: the statements are plain SQL that SQLite and PostgreSQL
 * read alike (ON CONFLICT, RETURNING, lower()), so only running them differs (TimesheetSql).
 * Settings are JSON checked by `timesheetSchemas` when written and when read.
 */
import { type SQL, sql } from "drizzle-orm";
import type { z } from "zod";
import { addDays } from "../timesheets/calendar.ts";
import * as schemas from "../timesheets/schemas.ts";
import { type Correction, type DayResult, type Holiday, type LeaveEntry, type LeaveType, type Schedule, type Shift, DEFAULT_SITE_RULES, type LocalDate, type Membership, type PunchInterpretation, type RawPunch, type SiteRules } from "../timesheets/types.ts";
import type { Page } from "./types.ts";
import { decodeCursor, encodeCursor, pageOf } from "./cursor.ts";
import { storeError } from "./errors.ts";
import type { Row, SqlRunner } from "./sql-runner.ts";
import type { ComputedDay, CorrectionRow, DayFilter, HolidayRow, NoId, SiteSettings, TimesheetStore } from "./timesheets-contract.ts";

/** The timesheet store's runner: the shared statements plus each engine's fastest paths. */
export interface TimesheetSql extends SqlRunner {
  /**
   * Inserts or replaces daily results by (enrollid, date), in one transaction: the rebuild's hot
   * path (a month of 1,000 people is 31,000 rows), so each engine writes them its fastest way.
   */
  upsertDays(rows: readonly DayRow[], onlyChanged: boolean): Promise<void>;
  /**
   * The per-person reads a recomputation makes for every person (the other hot path): attendance
   * rows (id, sn, enrollid, time, ts, inout) with `time` in [from, until) by time then id; the
   * memberships (department_id, from_date, to_date) by from_date; the corrections (id, enrollid, at, body) by id.
   */
  person(kind: PersonRead, enrollid: number, from?: string, until?: string): Promise<Row[]>;
  /** An EVERYONE_READS statement with its parameters. */
  everyone(kind: EveryoneRead, params: ReadonlyArray<string | number>): Promise<Row[]>;
  /** The engine's clock in ms (leases are read on the database's clock, never an instance's). */
  nowMs: SQL;
}

export type PersonRead = "punches" | "memberships" | "corrections";
/** Reads of everyone a rebuild makes once (`TimesheetSql.everyone`). */
export type EveryoneRead = "punches" | "count" | "memberships";

/** The statements of `TimesheetSql.person`, with `?` placeholders (PostgreSQL's engine numbers them). */
export const PERSON_READS: Record<PersonRead, string> = {
  // (enrollid, time) is attendance_enrollid_time: the person's rows in the range, nothing else read.
  punches: "SELECT id, sn, enrollid, time, ts, inout FROM attendance WHERE enrollid = ? AND time >= ? AND time < ? ORDER BY time, id",
  memberships: "SELECT department_id, from_date, to_date FROM ts_memberships WHERE enrollid = ? ORDER BY from_date",
  corrections: "SELECT id, enrollid, at, body FROM ts_corrections WHERE enrollid = ? ORDER BY id",
};

/**
 * The statements of `TimesheetSql.everyone`: punches (as `person`'s) in [from, until) after (time,
 * id), a page of them — (time) is attendance_time, so they are read in stored order; their count;
 * every membership (enrollid first).
 */
export const EVERYONE_READS: Record<EveryoneRead, string> = {
  punches: "SELECT id, sn, enrollid, time, ts, inout FROM attendance WHERE (time, id) > (?, ?) AND time < ? AND enrollid > 0 ORDER BY time, id LIMIT ?",
  count: "SELECT count(*) AS n FROM attendance WHERE time >= ? AND time < ? AND enrollid > 0",
  memberships: "SELECT enrollid, department_id, from_date, to_date FROM ts_memberships ORDER BY enrollid, from_date",
};

/** A `ts_days` row: enrollid, date, department_id, status, body, computed_at. */
export type DayRow = readonly [number, string, number | null, string, string, number];

/** Results a statement of `saveDays` writes: 6 parameters each, far below either engine's limit. */
const SAVE_CHUNK = 100;

/** An id no stored row has, to validate a setting before the store gives it one. */
const UNSAVED = 1;

function check<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw storeError("invalid", parsed.error.issues.map((i) => `${i.path.join(".") || "value"}: ${i.message}`).join("; "));
  return parsed.data;
}

/** A row's JSON as the schema reads it: a row that no longer passes is an error, never silently used. */
function stored<S extends z.ZodType>(schema: S, body: unknown, extra: Row): z.output<S> {
  return check(schema, { ...(JSON.parse(String(body)) as Row), ...extra });
}

const num = (v: unknown) => Number(v);

const membership = (r: Row): Membership => ({ departmentId: num(r.department_id), from: String(r.from_date), ...(r.to_date === null ? {} : { to: String(r.to_date) }) });
const rawPunch = (r: Row): RawPunch => ({ id: num(r.id), sn: String(r.sn), enrollid: num(r.enrollid), time: String(r.time), ts: num(r.ts), inout: num(r.inout) });

function withoutId(value: { id: number }): Row {
  const { id: _id, ...rest } = value;
  return rest;
}

const defaults: SiteSettings = {
  doubleScanSeconds: DEFAULT_SITE_RULES.doubleScanSeconds,
  calculation: DEFAULT_SITE_RULES.calculation,
  defaultInterpretation: DEFAULT_SITE_RULES.defaultInterpretation,
};

/** What `rules()` reads, each also read alone. */
const queries = {
  site: sql`SELECT body FROM ts_site WHERE id = 1`,
  terminals: sql`SELECT sn, interpretation FROM ts_terminal_rules ORDER BY sn`,
  shifts: sql`SELECT id, body FROM ts_shifts ORDER BY id`,
  schedules: sql`SELECT id, body FROM ts_schedules ORDER BY id`,
  holidays: sql`SELECT id, body FROM ts_holidays ORDER BY date, id`,
  leaveTypes: sql`SELECT id, body FROM ts_leave_types ORDER BY id`,
};

const read = {
  site(site: Row[], terminals: Row[]): SiteRules {
    const settings = site[0] ? (JSON.parse(String(site[0].body)) as Row) : defaults;
    return check(schemas.siteRules, { ...settings, terminals: Object.fromEntries(terminals.map((t) => [t.sn, t.interpretation])) });
  },
  shifts: (rows: Row[]) => rows.map((r) => stored(schemas.shift, r.body, { id: num(r.id) })),
  schedules: (rows: Row[]) => rows.map((r) => stored(schemas.schedule, r.body, { id: num(r.id) })),
  holidays: (rows: Row[]): HolidayRow[] => rows.map((r) => ({ id: num(r.id), ...stored(schemas.holiday, r.body, {}) })),
  leaveTypes: (rows: Row[]) => rows.map((r) => stored(schemas.leaveType, r.body, { id: num(r.id) })),
};

export class SqlTimesheetStore implements TimesheetStore {
  #db: TimesheetSql;

  constructor(db: TimesheetSql) {
    this.#db = db;
  }

  async #one(query: SQL): Promise<Row | null> {
    return (await this.#db.write(query))[0] ?? null;
  }

  // ── departments and memberships ──

  async departments() {
    return (await this.#db.read(sql`SELECT id, name FROM ts_departments ORDER BY lower(name), id`)).map((r) => ({ id: num(r.id), name: String(r.name) }));
  }

  async createDepartment(name: string) {
    const { name: clean } = check(schemas.department, { id: UNSAVED, name });
    const row = await this.#one(sql`INSERT INTO ts_departments (name) VALUES (${clean}) ON CONFLICT DO NOTHING RETURNING id`);
    if (!row) throw storeError("name_taken", `a department is already named "${clean}"`);
    return { id: num(row.id), name: clean };
  }

  async renameDepartment(id: number, name: string) {
    const { name: clean } = check(schemas.department, { id: UNSAVED, name });
    const [taken] = await this.#db.read(sql`SELECT id FROM ts_departments WHERE lower(name) = lower(${clean}) AND id <> ${id}`);
    if (taken) throw storeError("name_taken", `a department is already named "${clean}"`);
    try {
      const row = await this.#one(sql`UPDATE ts_departments SET name = ${clean} WHERE id = ${id} RETURNING id`);
      return row ? { id, name: clean } : null;
    } catch (err) {
      // Another rename won the name between the check and the update: the unique index refused it.
      throw storeError("name_taken", `a department is already named "${clean}"`, err);
    }
  }

  async deleteDepartment(id: number) {
    // Past days were computed with it and its memberships are history: such a department is renamed, not deleted.
    const [member] = await this.#db.read(sql`SELECT enrollid FROM ts_memberships WHERE department_id = ${id} LIMIT 1`);
    if (member || (await this.schedules()).some((s) => s.departmentId === id)) {
      throw storeError("in_use", "the department has members (now or in the past) or schedules");
    }
    return (await this.#db.write(sql`DELETE FROM ts_departments WHERE id = ${id} RETURNING id`)).length > 0;
  }

  async memberships(enrollid: number) {
    // Typed columns setDepartment checked when it wrote them (read for every person a rebuild computes).
    return (await this.#db.person("memberships", enrollid)).map(membership);
  }

  async allMemberships() {
    const byPerson = new Map<number, Membership[]>();
    for (const r of await this.#db.everyone("memberships", [])) {
      const enrollid = num(r.enrollid);
      const list = byPerson.get(enrollid);
      if (list) list.push(membership(r));
      else byPerson.set(enrollid, [membership(r)]);
    }
    return byPerson;
  }

  async setDepartment(enrollid: number, departmentId: number | null, from: LocalDate) {
    const day = check(schemas.localDate, from);
    const dayBefore = addDays(day, -1);
    const statements = [
      sql`DELETE FROM ts_memberships WHERE enrollid = ${enrollid} AND from_date >= ${day}`,
      sql`UPDATE ts_memberships SET to_date = ${dayBefore} WHERE enrollid = ${enrollid} AND (to_date IS NULL OR to_date >= ${day})`,
    ];
    if (departmentId !== null) {
      const [known] = await this.#db.read(sql`SELECT id FROM ts_departments WHERE id = ${departmentId}`);
      if (!known) throw storeError("not_found", `no department ${departmentId}`);
      statements.push(sql`INSERT INTO ts_memberships (enrollid, from_date, department_id, to_date) VALUES (${enrollid}, ${day}, ${departmentId}, NULL)`);
    }
    await this.#db.batch(statements);
    return this.memberships(enrollid);
  }

  async membershipsOn(date: LocalDate) {
    const day = check(schemas.localDate, date);
    const rows = await this.#db.read(
      sql`SELECT enrollid, department_id FROM ts_memberships WHERE from_date <= ${day} AND (to_date IS NULL OR to_date >= ${day}) ORDER BY enrollid`,
    );
    return rows.map((r) => ({ enrollid: num(r.enrollid), departmentId: num(r.department_id) }));
  }

  async enrollids(from: LocalDate, to: LocalDate) {
    const first = check(schemas.localDate, from);
    const last = check(schemas.localDate, to);
    const [people = [], members = [], leave = [], punched = [], schedules = []] = await this.#db.snapshot([
      sql`SELECT enrollid FROM people`,
      sql`SELECT DISTINCT enrollid FROM ts_memberships WHERE from_date <= ${last} AND (to_date IS NULL OR to_date >= ${first})`,
      sql`SELECT DISTINCT enrollid FROM ts_leave WHERE date >= ${first} AND date <= ${last}`,
      // Door events are not attendance; enrollid 0 never is a person.
      sql`SELECT DISTINCT enrollid FROM attendance WHERE time >= ${first} AND time < ${addDays(last, 1)} AND enrollid > 0`,
      queries.schedules,
    ]);
    const ids = new Set<number>();
    for (const r of [...people, ...members, ...leave, ...punched]) ids.add(num(r.enrollid));
    for (const s of read.schedules(schedules)) {
      if (s.enrollid !== undefined && s.from <= last && (s.to === undefined || s.to >= first)) ids.add(s.enrollid);
    }
    return [...ids].sort((a, b) => a - b);
  }

  // ── settings stored as JSON by id ──

  async shifts() {
    return read.shifts(await this.#db.read(queries.shifts));
  }

  async createShift(shift: NoId<Shift>) {
    const body = withoutId(check(schemas.shift, { ...shift, id: UNSAVED }));
    const row = await this.#one(sql`INSERT INTO ts_shifts (body) VALUES (${JSON.stringify(body)}) RETURNING id`);
    return stored(schemas.shift, JSON.stringify(body), { id: num(row?.id) });
  }

  async updateShift(shift: Shift) {
    const valid = check(schemas.shift, shift);
    const row = await this.#one(sql`UPDATE ts_shifts SET body = ${JSON.stringify(withoutId(valid))} WHERE id = ${valid.id} RETURNING id`);
    return row ? valid : null;
  }

  async deleteShift(id: number) {
    return (await this.#db.write(sql`DELETE FROM ts_shifts WHERE id = ${id} RETURNING id`)).length > 0;
  }

  async schedules() {
    return read.schedules(await this.#db.read(queries.schedules));
  }

  async createSchedule(schedule: NoId<Schedule>) {
    const body = withoutId(check(schemas.schedule, { ...schedule, id: UNSAVED }));
    const row = await this.#one(sql`INSERT INTO ts_schedules (body) VALUES (${JSON.stringify(body)}) RETURNING id`);
    return stored(schemas.schedule, JSON.stringify(body), { id: num(row?.id) });
  }

  async updateSchedule(schedule: Schedule) {
    const valid = check(schemas.schedule, schedule);
    const row = await this.#one(sql`UPDATE ts_schedules SET body = ${JSON.stringify(withoutId(valid))} WHERE id = ${valid.id} RETURNING id`);
    return row ? valid : null;
  }

  async deleteSchedule(id: number) {
    return (await this.#db.write(sql`DELETE FROM ts_schedules WHERE id = ${id} RETURNING id`)).length > 0;
  }

  async holidays() {
    return read.holidays(await this.#db.read(queries.holidays));
  }

  async createHoliday(holiday: Holiday) {
    const valid = check(schemas.holiday, holiday);
    const row = await this.#one(sql`INSERT INTO ts_holidays (date, body) VALUES (${valid.date}, ${JSON.stringify(valid)}) RETURNING id`);
    return { id: num(row?.id), ...valid };
  }

  async updateHoliday(holiday: HolidayRow) {
    const { id, ...rest } = holiday;
    const valid = check(schemas.holiday, rest);
    const row = await this.#one(sql`UPDATE ts_holidays SET date = ${valid.date}, body = ${JSON.stringify(valid)} WHERE id = ${id} RETURNING id`);
    return row ? { id, ...valid } : null;
  }

  async deleteHoliday(id: number) {
    return (await this.#db.write(sql`DELETE FROM ts_holidays WHERE id = ${id} RETURNING id`)).length > 0;
  }

  async leaveTypes() {
    return read.leaveTypes(await this.#db.read(queries.leaveTypes));
  }

  async createLeaveType(type: NoId<LeaveType>) {
    const body = withoutId(check(schemas.leaveType, { ...type, id: UNSAVED }));
    const row = await this.#one(sql`INSERT INTO ts_leave_types (body) VALUES (${JSON.stringify(body)}) RETURNING id`);
    return stored(schemas.leaveType, JSON.stringify(body), { id: num(row?.id) });
  }

  async updateLeaveType(type: LeaveType) {
    const valid = check(schemas.leaveType, type);
    const row = await this.#one(sql`UPDATE ts_leave_types SET body = ${JSON.stringify(withoutId(valid))} WHERE id = ${valid.id} RETURNING id`);
    return row ? valid : null;
  }

  async deleteLeaveType(id: number) {
    return (await this.#db.write(sql`DELETE FROM ts_leave_types WHERE id = ${id} RETURNING id`)).length > 0;
  }

  // ── leave and corrections, per person ──

  async leave(filter: { enrollid?: number; from: LocalDate; to: LocalDate }) {
    const who = filter.enrollid === undefined ? sql`` : sql` AND enrollid = ${filter.enrollid}`;
    const rows = await this.#db.read(sql`SELECT id, enrollid, date, body FROM ts_leave WHERE date >= ${filter.from} AND date <= ${filter.to}${who} ORDER BY date, id`);
    return rows.map((r) => stored(schemas.leaveEntry, r.body, { id: num(r.id), enrollid: num(r.enrollid), date: r.date }));
  }

  async addLeave(entry: NoId<LeaveEntry>) {
    const valid = check(schemas.leaveEntry, { ...entry, id: UNSAVED });
    const body = JSON.stringify({ typeId: valid.typeId, part: valid.part });
    const row = await this.#one(sql`INSERT INTO ts_leave (enrollid, date, body) VALUES (${valid.enrollid}, ${valid.date}, ${body}) RETURNING id`);
    return { ...valid, id: num(row?.id) };
  }

  async leaveEntry(id: number) {
    const [row] = await this.#db.read(sql`SELECT id, enrollid, date, body FROM ts_leave WHERE id = ${id}`);
    return row ? stored(schemas.leaveEntry, row.body, { id, enrollid: num(row.enrollid), date: row.date }) : null;
  }

  async updateLeave(entry: LeaveEntry) {
    const valid = check(schemas.leaveEntry, entry);
    const body = JSON.stringify({ typeId: valid.typeId, part: valid.part });
    const row = await this.#one(sql`UPDATE ts_leave SET enrollid = ${valid.enrollid}, date = ${valid.date}, body = ${body} WHERE id = ${valid.id} RETURNING id`);
    return row ? valid : null;
  }

  async deleteLeave(id: number) {
    const row = await this.#one(sql`DELETE FROM ts_leave WHERE id = ${id} RETURNING id, enrollid, date, body`);
    return row ? stored(schemas.leaveEntry, row.body, { id, enrollid: num(row.enrollid), date: row.date }) : null;
  }

  #correction(r: Row): CorrectionRow {
    return { ...stored(schemas.correction, r.body, { id: num(r.id), enrollid: num(r.enrollid) }), at: num(r.at) };
  }

  async corrections(enrollid: number) {
    const rows = await this.#db.person("corrections", enrollid);
    return rows.map((r) => this.#correction(r));
  }

  async addCorrection(correction: NoId<Correction>, at: number) {
    const valid = check(schemas.correction, { ...correction, id: UNSAVED });
    const { id: _id, enrollid: _e, ...body } = valid;
    const row = await this.#one(sql`INSERT INTO ts_corrections (enrollid, at, body) VALUES (${valid.enrollid}, ${at}, ${JSON.stringify(body)}) RETURNING id`);
    return { ...valid, id: num(row?.id), at };
  }

  async correction(id: number) {
    const [row] = await this.#db.read(sql`SELECT id, enrollid, at, body FROM ts_corrections WHERE id = ${id}`);
    return row ? this.#correction(row) : null;
  }

  async updateCorrection(correction: Correction) {
    const { id, enrollid, ...body } = check(schemas.correction, correction);
    const row = await this.#one(sql`UPDATE ts_corrections SET body = ${JSON.stringify(body)} WHERE id = ${id} AND enrollid = ${enrollid} RETURNING id, enrollid, at, body`);
    return row ? this.#correction(row) : null;
  }

  async deleteCorrection(id: number) {
    const row = await this.#one(sql`DELETE FROM ts_corrections WHERE id = ${id} RETURNING id, enrollid, at, body`);
    return row ? this.#correction(row) : null;
  }

  // ── site rules ──

  async siteRules(): Promise<SiteRules> {
    const [site = [], terminals = []] = await this.#db.snapshot([queries.site, queries.terminals]);
    return read.site(site, terminals);
  }

  async setSiteRules(settings: SiteSettings) {
    const { terminals: _t, ...valid } = check(schemas.siteRules, { ...settings, terminals: {} });
    const body = JSON.stringify(valid);
    await this.#db.batch([sql`INSERT INTO ts_site (id, body) VALUES (1, ${body}) ON CONFLICT (id) DO UPDATE SET body = ${body}`]);
    return this.siteRules();
  }

  async setTerminalInterpretation(sn: string, interpretation: PunchInterpretation | null) {
    const key = check(schemas.siteRules.shape.terminals.keyType, sn);
    if (interpretation === null) {
      await this.#db.batch([sql`DELETE FROM ts_terminal_rules WHERE sn = ${key}`]);
    } else {
      const how = check(schemas.punchInterpretation, interpretation);
      await this.#db.batch([sql`INSERT INTO ts_terminal_rules (sn, interpretation) VALUES (${key}, ${how}) ON CONFLICT (sn) DO UPDATE SET interpretation = ${how}`]);
    }
    return this.siteRules();
  }

  async rules() {
    const [site = [], terminals = [], shifts = [], schedules = [], holidays = [], leaveTypes = []] = await this.#db.snapshot([
      queries.site,
      queries.terminals,
      queries.shifts,
      queries.schedules,
      queries.holidays,
      queries.leaveTypes,
    ]);
    return {
      site: read.site(site, terminals),
      shifts: new Map(read.shifts(shifts).map((s) => [s.id, s])),
      schedules: read.schedules(schedules),
      holidays: read.holidays(holidays),
      leaveTypes: new Map(read.leaveTypes(leaveTypes).map((t) => [t.id, t])),
    };
  }

  async punchesOf(enrollid: number, from: string, until: string): Promise<RawPunch[]> {
    return (await this.#db.person("punches", enrollid, from, until)).map(rawPunch);
  }

  async countPunchesBetween(from: string, until: string) {
    const [row] = await this.#db.everyone("count", [from, until]);
    return num(row?.n);
  }

  async punchesBetween(from: string, until: string, after: { time: string; id: number } | null, limit: number): Promise<RawPunch[]> {
    // From the start: before any punch at `from` (ids start at 1).
    const [time, id] = after === null ? [from, 0] : [after.time < from ? from : after.time, after.time < from ? 0 : after.id];
    return (await this.#db.everyone("punches", [time, id, until, limit])).map(rawPunch);
  }

  // ── following the punches ──

  async claimFollow(holder: string, ttlMs: number) {
    const now = this.#db.nowMs;
    const [row] = await this.#db.write(sql`UPDATE ts_follow SET holder = ${holder}, expires_at = ${now} + ${ttlMs}
      WHERE id = 1 AND (holder IS NULL OR holder = ${holder} OR expires_at <= ${now}) RETURNING mark`);
    return row ? num(row.mark) : null;
  }

  async advanceFollow(holder: string, mark: number) {
    const rows = await this.#db.write(sql`UPDATE ts_follow SET mark = CASE WHEN mark < ${mark} THEN ${mark} ELSE mark END WHERE id = 1 AND holder = ${holder} RETURNING mark`);
    return rows.length > 0;
  }

  async followMark() {
    const [row] = await this.#db.read(sql`SELECT mark FROM ts_follow WHERE id = 1`);
    return num(row?.mark ?? 0);
  }

  async releaseFollow(holder: string) {
    await this.#db.write(sql`UPDATE ts_follow SET holder = NULL, expires_at = 0 WHERE id = 1 AND holder = ${holder} RETURNING id`);
  }

  // ── derived days ──

  async saveDays(days: readonly DayResult[], at: number, options?: { onlyChanged?: boolean }) {
    // The last result of an (enrollid, date) given twice wins (PostgreSQL refuses to update a row twice in one statement).
    const latest = new Map(days.map((d) => [`${d.enrollid} ${d.date}`, d]));
    await this.#db.upsertDays([...latest.values()].map((d) => [d.enrollid, d.date, d.departmentId, d.status, JSON.stringify(d), at] as const), options?.onlyChanged ?? false);
  }

  async days(filter: DayFilter): Promise<Page<DayResult>> {
    const where: SQL[] = [sql`date >= ${filter.from}`, sql`date <= ${filter.to}`];
    if (filter.enrollid !== undefined) where.push(sql`enrollid = ${filter.enrollid}`);
    if (filter.departmentId !== undefined) where.push(sql`department_id = ${filter.departmentId}`);
    if (filter.computedSince !== undefined) where.push(sql`computed_at >= ${filter.computedSince}`);
    if (filter.cursor !== undefined) {
      const [date, enrollid] = decodeCursor(filter.cursor, ["string", "number"]);
      where.push(sql`(date > ${date} OR (date = ${date} AND enrollid > ${enrollid}))`);
    }
    const rows = await this.#db.read(sql`SELECT body FROM ts_days WHERE ${sql.join(where, sql` AND `)} ORDER BY date, enrollid LIMIT ${filter.limit + 1}`);
    const days = rows.map((r) => JSON.parse(String(r.body)) as DayResult);
    return pageOf(days, filter.limit, (d) => encodeCursor([d.date, d.enrollid]));
  }

  async daysComputed(filter: { since: number; cursor?: string; limit: number }): Promise<Page<ComputedDay>> {
    const where: SQL[] = [sql`computed_at >= ${filter.since}`];
    if (filter.cursor !== undefined) {
      const [at, enrollid, date] = decodeCursor(filter.cursor, ["number", "number", "string"]);
      where.push(sql`(computed_at > ${at} OR (computed_at = ${at} AND (enrollid > ${enrollid} OR (enrollid = ${enrollid} AND date > ${date}))))`);
    }
    const rows = await this.#db.read(sql`SELECT body, computed_at FROM ts_days WHERE ${sql.join(where, sql` AND `)} ORDER BY computed_at, enrollid, date LIMIT ${filter.limit + 1}`);
    const days = rows.map((r) => ({ ...(JSON.parse(String(r.body)) as DayResult), computedAt: num(r.computed_at) }));
    return pageOf(days, filter.limit, (d) => encodeCursor([d.computedAt, d.enrollid, d.date]));
  }
}
