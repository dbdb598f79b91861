/**
 * What the Store contract reads itself (the rest is on its aggregates): terminals, punches and
 * door events, the quarantine, people, tokens and the audit log, in SQL both engines read, run
 * through each engine's `SqlRunner` (on SQLite the read connection). `SqliteStore` and `PgStore`
 * extend it through their engine's `reads.ts`, which gives the dialect.
 */
import { type SQL, sql } from "drizzle-orm";
import { attendanceOrder, attendanceWhere, PHOTO_ID_SLICE } from "./attendance-match.ts";
import type { Approval, AttendanceMatch, AttendanceOrder, AuditFilter, Page, PunchFilter, PunchPhoto, Stats, TerminalFilter } from "./contract.ts";
import type { AlertTerminalQuery, AlertTerminals, TerminalCondition } from "./terminal-reads-contract.ts";
import { decodeCursor, encodeCursor, pageOf } from "./cursor.ts";
import { DOOR_EVENT_ROWS, PUNCHES, punchPage } from "./punch-pages.ts";
import { type AttendanceRow, apiTokens, auditLog, type DoorEventRow, people, punchPhotos, quarantine, type TerminalRow, terminals } from "./schema.ts";
import { tableRows } from "./sql-rows.ts";
import type { Row, SqlRunner } from "./sql-runner.ts";
import { bool, containing, num, oneOf, whereAll } from "./sql-values.ts";
import { statusCounts, statusWhere } from "./terminal-status.ts";

const terminalRows = tableRows(terminals);
const quarantineRows = tableRows(quarantine);
const photoRows = tableRows(punchPhotos);
const personRows = tableRows(people);
const tokenRows = tableRows(apiTokens);
const auditRows = tableRows(auditLog);

export interface ReadDialect {
  /** `column` case-insensitively LIKE `pattern` (escaped by backslash): SQLite's LIKE (ASCII), PostgreSQL's ILIKE. */
  like(column: string, pattern: string): SQL;
  /** Whether pages of punches filtered only by what no index serves walk the time index in windows (punch-pages.ts). */
  windowedPunchPages: boolean;
  /** `column` ordered by its bytes, as JavaScript compares ASCII strings (PostgreSQL's collation may order otherwise). */
  bytewise(column: string): SQL;
}

/** Serial numbers per statement when terminals are read by them: far below either engine's limit on bound parameters. */
const SN_SLICE = 1000;

const first = <T>(rows: Row[], read: (r: Row) => T): T | null => (rows[0] === undefined ? null : read(rows[0]));
const count = (rows: Row[]) => num(rows[0]?.n ?? 0);

export class SqlReads {
  #db: SqlRunner;
  #dialect: ReadDialect;

  constructor(db: SqlRunner, dialect: ReadDialect) {
    this.#db = db;
    this.#dialect = dialect;
  }

  async getTerminal(sn: string): Promise<TerminalRow | null> {
    return first(await this.#db.read(sql`SELECT ${terminalRows.columns} FROM terminals WHERE sn = ${sn}`), terminalRows.read);
  }

  async listTerminals(): Promise<TerminalRow[]> {
    return (await this.#db.read(sql`SELECT ${terminalRows.columns} FROM terminals ORDER BY sn`)).map(terminalRows.read);
  }

  async terminalsPage(filter: TerminalFilter): Promise<Page<TerminalRow>> {
    const { sns } = filter;
    // By serial numbers, bytewise: the slices of a long list are merged in JavaScript, which compares so.
    const bySn = sns ? this.#dialect.bytewise("sn") : sql.raw("sn");
    const where: SQL[] = [];
    const q = filter.q?.trim();
    if (q) {
      const pattern = containing(q);
      where.push(sql`(${sql.join(["sn", "name", "location"].map((column) => this.#dialect.like(column, pattern)), sql` OR `)})`);
    }
    if (filter.status) where.push(statusWhere(filter.status));
    if (filter.cursor !== undefined) where.push(sql`${bySn} > ${decodeCursor(filter.cursor, ["string"])[0]}`);
    const read = async (narrowing: SQL[]) =>
      (await this.#db.read(sql`SELECT ${terminalRows.columns} FROM terminals ${whereAll([...where, ...narrowing])} ORDER BY ${bySn} LIMIT ${filter.limit + 1}`)).map(terminalRows.read);
    if (sns === undefined) return pageOf(await read([]), filter.limit, (r) => encodeCursor([r.sn]));
    // In slices, so a long list (the alerts name up to thousands of terminals) never meets the engine's limit on bound parameters;
    // each sn once, as one IN would read it.
    const asked = [...new Set(sns)];
    const slices = Array.from({ length: Math.ceil(asked.length / SN_SLICE) }, (_, i) => asked.slice(i * SN_SLICE, (i + 1) * SN_SLICE));
    const rows = (await Promise.all(slices.map((slice) => read([oneOf("sn", slice)])))).flat();
    if (slices.length > 1) rows.sort((a, b) => (a.sn < b.sn ? -1 : a.sn > b.sn ? 1 : 0));
    return pageOf(rows, filter.limit, (r) => encodeCursor([r.sn]));
  }

  async terminalCounts() {
    const rows = await this.#db.read(sql`SELECT approval, online, count(*) AS n FROM terminals GROUP BY approval, online`);
    return statusCounts(rows.map((r) => ({ approval: String(r.approval) as Approval, online: r.online === true || num(r.online) === 1, n: num(r.n) })));
  }

  async alertTerminals(q: AlertTerminalQuery): Promise<AlertTerminals> {
    const sn = this.#dialect.bytewise("sn");
    const full = (store: string) =>
      sql`(${sql.raw(`${store}_used`)} IS NOT NULL AND ${sql.raw(`${store}_size`)} > 0 AND CAST(${sql.raw(`${store}_used`)} AS DOUBLE PRECISION) / ${sql.raw(`${store}_size`)} >= ${q.nearlyFull})`;
    const approved = sql`approval = 'approved'`;
    const conditions: Record<TerminalCondition, { where: SQL; order: SQL }> = {
      pending: { where: sql`approval = 'pending'`, order: sql`first_seen, ${sn}` },
      mismatch: { where: sql`${approved} AND mismatch_at IS NOT NULL`, order: sql`mismatch_at, ${sn}` },
      offline: { where: sql`${approved} AND online = ${bool(false)} AND last_seen < ${q.offlineBefore}`, order: sql`last_seen, ${sn}` },
      nearlyFull: { where: sql`${approved} AND (${sql.join(["log", "user", "card", "fp", "face"].map(full), sql` OR `)})`, order: sn },
    };
    const entries = Object.entries(conditions) as Array<[TerminalCondition, { where: SQL; order: SQL }]>;
    // CASE rather than SQLite's sum of 0/1 or PostgreSQL's FILTER, as in stats(); names quoted, as PostgreSQL folds them.
    const counting = sql.join(entries.map(([name, c]) => sql`count(CASE WHEN ${c.where} THEN 1 END) AS ${sql.raw(`"${name}"`)}`), sql`, `);
    const [row] = await this.#db.read(sql`SELECT ${counting} FROM terminals`);
    const counts = { pending: num(row?.pending ?? 0), mismatch: num(row?.mismatch ?? 0), offline: num(row?.offline ?? 0), nearlyFull: num(row?.nearlyFull ?? 0) };
    // Each condition's first few cost a scan of their own: only for those that hold any (at most sites, none).
    const held = entries.filter(([name]) => counts[name] > 0);
    if (held.length === 0) return { counts, terminals: [] };
    const firsts = sql.join(held.map(([name, c]) => sql`SELECT sn FROM (SELECT sn FROM terminals WHERE ${c.where} ORDER BY ${c.order} LIMIT ${q.limit}) ${sql.raw(`"${name}"`)}`), sql` UNION `);
    const rows = await this.#db.read(sql`SELECT ${terminalRows.columns} FROM terminals WHERE sn IN (${firsts}) ORDER BY ${sn}`);
    return { counts, terminals: rows.map(terminalRows.read) };
  }

  async attendance(filter: PunchFilter): Promise<Page<AttendanceRow>> {
    if (filter.enrollids?.length === 0) return { items: [], next: null };
    const narrowing: SQL[] = [];
    if (filter.enrollid !== undefined) narrowing.push(sql`enrollid = ${filter.enrollid}`);
    if (filter.enrollids !== undefined) narrowing.push(oneOf("enrollid", filter.enrollids));
    // Refused punches are rare and have no index: walked in windows like in/out.
    const sparse = filter.refused ? [sql`refused IS NOT NULL`] : [];
    return punchPage(this.#db, PUNCHES, filter, { narrowing, sparse, windowed: this.#dialect.windowedPunchPages });
  }

  async doorEvents(filter: PunchFilter): Promise<Page<DoorEventRow>> {
    if (filter.events?.length === 0) return { items: [], next: null };
    const sparse = filter.events === undefined ? [] : [oneOf("event", filter.events)];
    return punchPage(this.#db, DOOR_EVENT_ROWS, filter, { narrowing: [], sparse, windowed: this.#dialect.windowedPunchPages });
  }

  async latestDoorEvents(sns: readonly string[]): Promise<DoorEventRow[]> {
    // One index walk (door_events_identity: sn, time, …) per terminal, newest first.
    const latest = (sn: string) => this.#db.read(sql`SELECT ${DOOR_EVENT_ROWS.columns} FROM door_events WHERE sn = ${sn} ORDER BY time DESC, id DESC LIMIT 1`);
    return (await Promise.all(sns.map(latest))).flat().map(DOOR_EVENT_ROWS.read);
  }

  async recentDoorEvents(from: string, events: readonly number[], limit: number): Promise<DoorEventRow[]> {
    if (events.length === 0) return [];
    const rows = await this.#db.read(sql`SELECT ${DOOR_EVENT_ROWS.columns} FROM door_events WHERE time >= ${from} AND ${oneOf("event", events)} ORDER BY time DESC, id DESC LIMIT ${limit}`);
    return rows.map(DOOR_EVENT_ROWS.read);
  }

  async quarantined(filter: { cursor?: string; limit: number }) {
    const where = filter.cursor === undefined ? sql`` : sql`WHERE id < ${decodeCursor(filter.cursor, ["number"])[0]}`;
    const rows = await this.#db.read(sql`SELECT ${quarantineRows.columns} FROM quarantine ${where} ORDER BY id DESC LIMIT ${filter.limit + 1}`);
    return pageOf(rows.map(quarantineRows.read), filter.limit, (r) => encodeCursor([r.id]));
  }

  async getAttendance(id: number): Promise<AttendanceRow | null> {
    return first(await this.#db.read(sql`SELECT ${PUNCHES.columns} FROM attendance WHERE id = ${id}`), PUNCHES.read);
  }

  async punchPhoto(attendanceId: number): Promise<PunchPhoto | null> {
    return first(await this.#db.read(sql`SELECT ${photoRows.columns} FROM punch_photos WHERE attendance_id = ${attendanceId}`), photoRows.read);
  }

  async withPhotos(attendanceIds: readonly number[]) {
    const found = new Set<number>();
    // In slices, so a long list never meets the engine's limit on bound parameters.
    for (let i = 0; i < attendanceIds.length; i += PHOTO_ID_SLICE) {
      const slice = attendanceIds.slice(i, i + PHOTO_ID_SLICE);
      for (const r of await this.#db.read(sql`SELECT attendance_id FROM punch_photos WHERE ${oneOf("attendance_id", slice)}`)) found.add(num(r.attendance_id));
    }
    return found;
  }

  async countAttendance(match: AttendanceMatch) {
    const where = attendanceWhere(match);
    return where === null ? 0 : count(await this.#db.read(sql`SELECT count(*) AS n FROM attendance ${where}`));
  }

  async attendanceSlice(match: AttendanceMatch, order: AttendanceOrder, offset: number, limit: number): Promise<AttendanceRow[]> {
    const where = attendanceWhere(match);
    if (where === null) return [];
    const rows = await this.#db.read(sql`SELECT ${PUNCHES.columns} FROM attendance ${where} ${attendanceOrder(order)} LIMIT ${limit} OFFSET ${offset}`);
    return rows.map(PUNCHES.read);
  }

  async stats(): Promise<Stats> {
    const total = (table: string) => this.#db.read(sql`SELECT count(*) AS n FROM ${sql.raw(table)}`);
    // CASE rather than SQLite's sum of 0/1 or PostgreSQL's FILTER: online is an integer in one, a boolean in the other.
    const [[t], a, d, q, p] = await Promise.all([
      this.#db.read(sql`SELECT count(*) AS n, count(CASE WHEN online THEN 1 END) AS online, count(CASE WHEN approval = 'pending' THEN 1 END) AS pending FROM terminals`),
      total("attendance"),
      total("door_events"),
      total("quarantine"),
      total("people"),
    ]);
    return {
      attendance_total: count(a),
      door_events_total: count(d),
      quarantined_total: count(q),
      terminals_total: num(t?.n ?? 0),
      terminals_online: num(t?.online ?? 0),
      terminals_pending: num(t?.pending ?? 0),
      people_total: count(p),
    };
  }

  async getPerson(enrollid: number) {
    return first(await this.#db.read(sql`SELECT ${personRows.columns} FROM people WHERE enrollid = ${enrollid}`), personRows.read);
  }

  async credentialsOf(enrollid: number) {
    const rows = await this.#db.read(sql`SELECT backupnum, data FROM credentials WHERE enrollid = ${enrollid} ORDER BY backupnum`);
    return rows.map((r) => ({ backupnum: num(r.backupnum), data: String(r.data) }));
  }

  async listTokens() {
    return (await this.#db.read(sql`SELECT ${tokenRows.columns} FROM api_tokens ORDER BY id`)).map(tokenRows.read);
  }

  async auditLog(filter: AuditFilter) {
    const where: SQL[] = [];
    if (filter.actor !== undefined) where.push(sql`actor = ${filter.actor}`);
    if (filter.action !== undefined) where.push(sql`action = ${filter.action}`);
    if (filter.target !== undefined) where.push(sql`target = ${filter.target}`);
    if (filter.cursor !== undefined) where.push(sql`id < ${decodeCursor(filter.cursor, ["number"])[0]}`);
    const rows = await this.#db.read(sql`SELECT ${auditRows.columns} FROM audit_log ${whereAll(where)} ORDER BY id DESC LIMIT ${filter.limit + 1}`);
    return pageOf(rows.map(auditRows.read), filter.limit, (r) => encodeCursor([r.id]));
  }

  async ping() {
    await this.#db.read(sql`SELECT 1`);
  }
}
