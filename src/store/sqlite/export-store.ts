import { and, asc, count, eq, gt, gte, inArray, max, or, sql, type SQL } from "drizzle-orm";
import type { CredentialKey, ExportStore, RecordStream, RowsAfter } from "../export-contract.ts";
import { attendance, credentials, doorEvents, exportCursors, people } from "../schema.ts";
import type { SqliteDatabase } from "./driver.ts";

const tables = { attendance, door_events: doorEvents } as const;

/** SQLite binds at most 32,766 variables; credential look-ups go in chunks well under that. */
const KEY_CHUNK = 500;

function rowsWhere(table: typeof attendance | typeof doorEvents, q: Omit<RowsAfter, "limit">): SQL | undefined {
  const where: SQL[] = [gt(table.id, q.afterId)];
  if (q.sns !== undefined) where.push(inArray(table.sn, [...q.sns]));
  if (q.since !== undefined) where.push(gte(table.time, q.since));
  return and(...where);
}

/** `Store.exports` over SQLite: reads on the store's read connection, cursors on its write one. */
export class SqliteExportStore implements ExportStore {
  #w: SqliteDatabase;
  #r: SqliteDatabase;

  constructor(w: SqliteDatabase, r: SqliteDatabase) {
    this.#w = w;
    this.#r = r;
  }

  async attendanceAfter(q: RowsAfter) {
    return this.#r.select().from(attendance).where(rowsWhere(attendance, q)).orderBy(asc(attendance.id)).limit(q.limit).all();
  }

  async doorEventsAfter(q: RowsAfter) {
    return this.#r.select().from(doorEvents).where(rowsWhere(doorEvents, q)).orderBy(asc(doorEvents.id)).limit(q.limit).all();
  }

  async countAfter(stream: RecordStream, afterId: number, sns?: readonly string[]) {
    const table = tables[stream];
    return this.#r.select({ n: count() }).from(table).where(rowsWhere(table, { afterId, sns })).all()[0]?.n ?? 0;
  }

  async lastId(stream: RecordStream) {
    const table = tables[stream];
    return this.#r.select({ id: max(table.id) }).from(table).all()[0]?.id ?? 0;
  }

  async cursor(target: string, stream: RecordStream) {
    const row = this.#r
      .select()
      .from(exportCursors)
      .where(and(eq(exportCursors.target, target), eq(exportCursors.stream, stream)))
      .all()[0];
    return row ? { lastId: row.lastId, exported: row.exported, updatedAt: row.updatedAt } : null;
  }

  async advanceCursor(target: string, stream: RecordStream, lastId: number, rows: number, at: number) {
    this.#w
      .insert(exportCursors)
      .values({ target, stream, lastId, exported: rows, updatedAt: at })
      .onConflictDoUpdate({
        target: [exportCursors.target, exportCursors.stream],
        set: {
          lastId: sql`max(${exportCursors.lastId}, excluded.last_id)`,
          exported: sql`${exportCursors.exported} + excluded.exported`,
          updatedAt: at,
        },
      })
      .run();
  }

  async resetCursors(target: string) {
    this.#w.delete(exportCursors).where(eq(exportCursors.target, target)).run();
  }

  async allPeople() {
    return this.#r.select().from(people).orderBy(asc(people.enrollid)).all();
  }

  async credentialKeys(): Promise<CredentialKey[]> {
    return this.#r
      .select({ enrollid: credentials.enrollid, backupnum: credentials.backupnum, updatedAt: credentials.updatedAt })
      .from(credentials)
      .orderBy(asc(credentials.enrollid), asc(credentials.backupnum))
      .all();
  }

  async credentialsFor(keys: ReadonlyArray<{ enrollid: number; backupnum: number }>) {
    const out = [];
    for (let i = 0; i < keys.length; i += KEY_CHUNK) {
      const chunk = keys.slice(i, i + KEY_CHUNK);
      const match = or(...chunk.map((k) => and(eq(credentials.enrollid, k.enrollid), eq(credentials.backupnum, k.backupnum))));
      out.push(...this.#r.select().from(credentials).where(match).all());
    }
    return out;
  }
}
