/**
 * `Store.exports` for both engines, in SQL that SQLite and PostgreSQL read alike, run through each
 * engine's `SqlRunner` (reads on SQLite's read connection, cursors on its writer).
 * Reading "rows after id X" never skips a row: ids are handed out in commit order (one SQLite
 * writer; PostgreSQL's RECORDS_LOCK in pg/write-path.ts).
 */
import { type SQL, sql } from "drizzle-orm";
import type { CredentialKey, CredentialRow, ExportStore, RecordStream, RowsAfter } from "./export-contract.ts";
import type { AttendanceRow, DoorEventRow, PersonRow } from "./schema.ts";
import type { Row, SqlRunner } from "./sql-runner.ts";
import { num, numOrNull, strOrNull } from "./sql-values.ts";

/** SQLite binds at most 32,766 variables; credential look-ups go in chunks well under that. */
const KEY_CHUNK = 500;

export const ATTENDANCE = sql.raw("id, sn, enrollid, time, ts, mode, inout, event, verifymode, temp, received_at, refused");
export const DOOR_EVENTS = sql.raw("id, sn, time, ts, mode, inout, event, received_at");
const tables: Record<RecordStream, SQL> = { attendance: sql.raw("attendance"), door_events: sql.raw("door_events") };

export const readAttendance = (r: Row): AttendanceRow => ({
  id: num(r.id),
  sn: String(r.sn),
  enrollid: num(r.enrollid),
  time: String(r.time),
  ts: num(r.ts),
  mode: num(r.mode),
  inout: num(r.inout),
  event: num(r.event),
  verifymode: numOrNull(r.verifymode),
  temp: numOrNull(r.temp),
  receivedAt: num(r.received_at),
  refused: strOrNull(r.refused),
});

export const readDoorEvent = (r: Row): DoorEventRow => ({
  id: num(r.id),
  sn: String(r.sn),
  time: String(r.time),
  ts: num(r.ts),
  mode: num(r.mode),
  inout: num(r.inout),
  event: num(r.event),
  receivedAt: num(r.received_at),
});

const readPerson = (r: Row): PersonRow => ({
  enrollid: num(r.enrollid),
  name: String(r.name),
  admin: num(r.admin),
  enabled: Boolean(r.enabled),
  validFrom: strOrNull(r.valid_from),
  validTo: strOrNull(r.valid_to),
  externalId: strOrNull(r.external_id),
  createdAt: num(r.created_at),
  updatedAt: num(r.updated_at),
});

function rowsWhere(q: Omit<RowsAfter, "limit">): SQL {
  const where: SQL[] = [sql`id > ${q.afterId}`];
  if (q.sns !== undefined) where.push(q.sns.length === 0 ? sql`1 = 0` : sql`sn IN (${sql.join(q.sns.map((sn) => sql`${sn}`), sql`, `)})`);
  if (q.since !== undefined) where.push(sql`time >= ${q.since}`);
  return sql.join(where, sql` AND `);
}

export class SqlExportStore implements ExportStore {
  #db: SqlRunner;

  constructor(db: SqlRunner) {
    this.#db = db;
  }

  async attendanceAfter(q: RowsAfter) {
    return (await this.#db.read(sql`SELECT ${ATTENDANCE} FROM attendance WHERE ${rowsWhere(q)} ORDER BY id LIMIT ${q.limit}`)).map(readAttendance);
  }

  async doorEventsAfter(q: RowsAfter) {
    return (await this.#db.read(sql`SELECT ${DOOR_EVENTS} FROM door_events WHERE ${rowsWhere(q)} ORDER BY id LIMIT ${q.limit}`)).map(readDoorEvent);
  }

  async countAfter(stream: RecordStream, afterId: number, sns?: readonly string[]) {
    const [row] = await this.#db.read(sql`SELECT count(*) AS n FROM ${tables[stream]} WHERE ${rowsWhere({ afterId, sns })}`);
    return num(row?.n ?? 0);
  }

  async lastId(stream: RecordStream) {
    const [row] = await this.#db.read(sql`SELECT max(id) AS id FROM ${tables[stream]}`);
    return num(row?.id ?? 0);
  }

  async cursor(target: string, stream: RecordStream) {
    const [row] = await this.#db.read(sql`SELECT last_id, exported, updated_at FROM export_cursors WHERE target = ${target} AND stream = ${stream}`);
    return row ? { lastId: num(row.last_id), exported: num(row.exported), updatedAt: num(row.updated_at) } : null;
  }

  async advanceCursor(target: string, stream: RecordStream, lastId: number, rows: number, at: number) {
    // CASE rather than SQLite's max(a, b) or PostgreSQL's GREATEST: a cursor never moves back.
    await this.#db.batch([
      sql`INSERT INTO export_cursors (target, stream, last_id, exported, updated_at) VALUES (${target}, ${stream}, ${lastId}, ${rows}, ${at})
        ON CONFLICT (target, stream) DO UPDATE SET
          last_id = CASE WHEN excluded.last_id > export_cursors.last_id THEN excluded.last_id ELSE export_cursors.last_id END,
          exported = export_cursors.exported + excluded.exported, updated_at = excluded.updated_at`,
    ]);
  }

  async resetCursors(target: string) {
    await this.#db.batch([sql`DELETE FROM export_cursors WHERE target = ${target}`]);
  }

  async allPeople() {
    return (await this.#db.read(sql`SELECT enrollid, name, admin, enabled, valid_from, valid_to, external_id, created_at, updated_at FROM people ORDER BY enrollid`)).map(readPerson);
  }

  async credentialKeys(): Promise<CredentialKey[]> {
    const rows = await this.#db.read(sql`SELECT enrollid, backupnum, updated_at FROM credentials ORDER BY enrollid, backupnum`);
    return rows.map((r) => ({ enrollid: num(r.enrollid), backupnum: num(r.backupnum), updatedAt: num(r.updated_at) }));
  }

  async credentialsFor(keys: ReadonlyArray<{ enrollid: number; backupnum: number }>) {
    const out: CredentialRow[] = [];
    for (let i = 0; i < keys.length; i += KEY_CHUNK) {
      const chunk = keys.slice(i, i + KEY_CHUNK);
      const match = sql.join(chunk.map((k) => sql`(enrollid = ${k.enrollid} AND backupnum = ${k.backupnum})`), sql` OR `);
      const rows = await this.#db.read(sql`SELECT enrollid, backupnum, data, source_sn, updated_at FROM credentials WHERE ${match}`);
      for (const r of rows) out.push({ enrollid: num(r.enrollid), backupnum: num(r.backupnum), data: String(r.data), sourceSn: strOrNull(r.source_sn), updatedAt: num(r.updated_at) });
    }
    return out;
  }
}
