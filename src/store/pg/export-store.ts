import { and, asc, count, eq, gt, gte, inArray, max, or, sql, type SQL } from "drizzle-orm";
import type { CredentialKey, CredentialRow, ExportStore, RecordStream, RowsAfter } from "../export-contract.ts";
import type { PgDb } from "./connect.ts";
import { attendance, credentials, doorEvents, exportCursors, people } from "./schema.ts";

const tables = { attendance, door_events: doorEvents } as const;
const KEY_CHUNK = 1000;

function rowsWhere(table: typeof attendance | typeof doorEvents, q: Omit<RowsAfter, "limit">): SQL | undefined {
  const where: SQL[] = [gt(table.id, q.afterId)];
  if (q.sns !== undefined) where.push(inArray(table.sn, [...q.sns]));
  if (q.since !== undefined) where.push(gte(table.time, q.since));
  return and(...where);
}

/**
 * `Store.exports` over PostgreSQL. Reading "rows after id X" never skips a row although several
 * instances commit at once: record ids are handed out in commit order (RECORDS_LOCK in write-path.ts).
 */
export class PgExportStore implements ExportStore {
  #db: PgDb;

  constructor(db: PgDb) {
    this.#db = db;
  }

  async attendanceAfter(q: RowsAfter) {
    return this.#db.select().from(attendance).where(rowsWhere(attendance, q)).orderBy(asc(attendance.id)).limit(q.limit);
  }

  async doorEventsAfter(q: RowsAfter) {
    return this.#db.select().from(doorEvents).where(rowsWhere(doorEvents, q)).orderBy(asc(doorEvents.id)).limit(q.limit);
  }

  async countAfter(stream: RecordStream, afterId: number, sns?: readonly string[]) {
    const table = tables[stream];
    const [row] = await this.#db.select({ n: count() }).from(table).where(rowsWhere(table, { afterId, sns }));
    return row?.n ?? 0;
  }

  async lastId(stream: RecordStream) {
    const table = tables[stream];
    const [row] = await this.#db.select({ id: max(table.id) }).from(table);
    return row?.id ?? 0;
  }

  async cursor(target: string, stream: RecordStream) {
    const [row] = await this.#db
      .select()
      .from(exportCursors)
      .where(and(eq(exportCursors.target, target), eq(exportCursors.stream, stream)));
    return row ? { lastId: row.lastId, exported: row.exported, updatedAt: row.updatedAt } : null;
  }

  async advanceCursor(target: string, stream: RecordStream, lastId: number, rows: number, at: number) {
    await this.#db
      .insert(exportCursors)
      .values({ target, stream, lastId, exported: rows, updatedAt: at })
      .onConflictDoUpdate({
        target: [exportCursors.target, exportCursors.stream],
        set: {
          lastId: sql`GREATEST(${exportCursors.lastId}, excluded.last_id)`,
          exported: sql`${exportCursors.exported} + excluded.exported`,
          updatedAt: at,
        },
      });
  }

  async resetCursors(target: string) {
    await this.#db.delete(exportCursors).where(eq(exportCursors.target, target));
  }

  async allPeople() {
    return this.#db.select().from(people).orderBy(asc(people.enrollid));
  }

  async credentialKeys(): Promise<CredentialKey[]> {
    return this.#db
      .select({ enrollid: credentials.enrollid, backupnum: credentials.backupnum, updatedAt: credentials.updatedAt })
      .from(credentials)
      .orderBy(asc(credentials.enrollid), asc(credentials.backupnum));
  }

  async credentialsFor(keys: ReadonlyArray<{ enrollid: number; backupnum: number }>) {
    const out: CredentialRow[] = [];
    for (let i = 0; i < keys.length; i += KEY_CHUNK) {
      const chunk = keys.slice(i, i + KEY_CHUNK);
      const match = or(...chunk.map((k) => and(eq(credentials.enrollid, k.enrollid), eq(credentials.backupnum, k.backupnum))));
      out.push(...(await this.#db.select().from(credentials).where(match)));
    }
    return out;
  }
}
